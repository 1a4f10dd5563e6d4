// A core::http::Server on its own loop thread, on a free loopback port,
// with the handler a test gives it.
#include "tests/support/http_server.hpp"

#include <future>

#include "core/net/socket.hpp"

namespace test {

HttpServer::HttpServer(core::http::Limits limits, HandlerFn handler, size_t max_connections,
                       std::string unix_path)
    : adapter_(*this, std::move(handler)), unix_path_(std::move(unix_path)) {
    threads_.start([&](core::Worker& worker) {
        server_ =
            std::make_unique<core::http::Server>(worker.loop(), limits, adapter_, max_connections);
        if (!unix_path_.empty()) {
            server_->listen(core::net::bind_unix(unix_path_), core::uv::Stream::Kind::pipe);
            return;
        }
        std::string error;
        auto address = core::net::parse_address("127.0.0.1:0", error);
        auto socket = core::net::bind_reuseport(*address, core::net::Transport::tcp);
        port_ = socket.local_port();
        server_->listen(std::move(socket), core::uv::Stream::Kind::tcp);
    });
}

HttpServer::~HttpServer() {
    if (!stopped_) drain_and_stop();
}

void HttpServer::after(uint64_t ms, std::function<void()> fn) {
    auto& timer = timers_.emplace_back(threads_.worker(0).loop());
    timer.start(ms, std::move(fn));
}

void HttpServer::run_on_loop(std::function<void(core::http::Server&)> fn) {
    std::promise<void> done;
    threads_.worker(0).post([&] {
        fn(*server_);
        done.set_value();
    });
    done.get_future().wait();
}

size_t HttpServer::connection_count() {
    size_t count = 0;
    run_on_loop([&](core::http::Server& server) { count = server.connection_count(); });
    return count;
}

int HttpServer::drain_and_stop() {
    stopped_ = true;
    threads_.stop(
        [this](core::Worker&) {
            server_->drain([this] {
                server_.reset();
                timers_.clear();
            });
        },
        [this](core::Worker&) {
            server_.reset();
            timers_.clear();
        },
        5000);
    threads_.join();
    return threads_.worker(0).loop_close_status();
}

}  // namespace test
