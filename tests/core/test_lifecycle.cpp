// The daemon lifecycle under real signals: SIGHUP reloads, SIGTERM drains
// with work in flight, a second SIGTERM cuts the drain short.
#include <csignal>
#include <thread>

#include <doctest/doctest.h>

#include "core/daemon.hpp"
#include "core/http/server.hpp"
#include "core/lifecycle.hpp"
#include "core/uv/timer.hpp"
#include "tests/support/client.hpp"
#include "tests/support/process.hpp"

using namespace core;

TEST_CASE(
    "SIGHUP calls the reload hook, SIGTERM drains; states go Starting → Serving → Draining → "
    "Stopped") {
    int reloads = 0;
    int stops = 0;
    Lifecycle* self = nullptr;
    Lifecycle lifecycle("test", Lifecycle::Hooks{
                                    .on_stop =
                                        [&] {
                                            ++stops;
                                            CHECK(self->state() == State::draining);
                                            self->stopped();
                                        },
                                    .on_force_stop = {},
                                    .on_reload = [&] { ++reloads; },
                                });
    self = &lifecycle;
    CHECK(lifecycle.state() == State::starting);
    lifecycle.set_serving();
    uv::Timer script(lifecycle.loop());
    script.start(10, [&] {
        std::raise(SIGHUP);
        script.start(20, [&] {
            std::raise(SIGTERM);
            script.close();
        });
    });
    lifecycle.run();
    CHECK(reloads == 1);
    CHECK(stops == 1);
    CHECK(lifecycle.state() == State::stopped);
}

namespace {

// Answers every request after `delay_ms`.
class SlowHandler : public http::Handler {
  public:
    explicit SlowHandler(uint64_t delay_ms) : delay_ms_(delay_ms) {}
    void handle(const std::shared_ptr<http::Exchange>& exchange) override {
        auto timer = std::make_shared<uv::Timer>(loop);
        timer->start(delay_ms_, [exchange, timer]() mutable {
            exchange->respond(200, {}, "done");
            timer->close();
        });
        // A client that is gone needs no answer: stop the work for it.
        exchange->on_abort([timer] { timer->close(); });
    }
    uv_loop_t* loop = nullptr;

  private:
    uint64_t delay_ms_;
};

}  // namespace

TEST_CASE("serve(): SIGTERM with a request in flight finishes it, then exits 0") {
    SlowHandler handler(300);
    std::unique_ptr<http::Server> server;
    int port = 0;
    std::atomic<bool> serving{false};
    std::atomic<bool> stopping_ran{false};
    bool drained_after_stopping = false;
    int exit_status = -1;
    std::thread daemon([&] {
        exit_status = serve(
            "test", 1, [] { return uint64_t{5000}; },
            ServeHooks{
                .setup =
                    [&](Worker& worker) {
                        handler.loop = worker.loop();
                        server = std::make_unique<http::Server>(worker.loop(), http::Limits{},
                                                                handler, 100);
                        std::string error;
                        auto socket = net::bind_reuseport(*net::parse_address("127.0.0.1:0", error),
                                                          net::Transport::tcp);
                        port = socket.local_port();
                        server->listen(std::move(socket), uv::Stream::Kind::tcp);
                    },
                .drain =
                    [&](Worker&) {
                        drained_after_stopping = stopping_ran;
                        server->drain([&] { server.reset(); });
                    },
                .force = [&](Worker&) { server.reset(); },
                .finish = {},
                .reload = {},
                .on_serving = [&](core::LoopThreads&) { serving = true; },
                .on_stopping = [&] { stopping_ran = true; },
            });
    });
    while (!serving)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    test::Client client(port);
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::raise(SIGTERM);
    const auto responses = test::parse_responses(client.read_until_close());
    daemon.join();
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "done");
    CHECK_FALSE(responses[0].head.keep_alive);
    CHECK(exit_status == 0);
    // What feeds the workers from elsewhere stops before they drain.
    CHECK(drained_after_stopping);
}

namespace {

// serve() on a thread of its own with one HTTP server whose every request
// takes a minute: work in flight for a stop to drain or cut.
class SlowDaemon {
  public:
    SlowDaemon(std::function<uint64_t()> shutdown_timeout_ms,
               std::function<void(core::LoopThreads&)> reload = {})
        : handler_(60'000), thread_([this, shutdown_timeout_ms, reload] {
              serve("test", 1, shutdown_timeout_ms,
                    ServeHooks{
                        .setup = [this](Worker& worker) { setup(worker); },
                        .drain = [this](Worker&) { server_->drain(); },
                        .force =
                            [this](Worker&) {
                                forced = true;
                                server_.reset();
                            },
                        .finish = {},
                        .reload = reload,
                        .on_serving = [this](core::LoopThreads&) { serving_ = true; },
                        .on_stopping = {},
                    });
          }) {
        while (!serving_)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~SlowDaemon() { join(); }

    int port() const { return port_; }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    std::atomic<bool> forced{false};  // the force hook ran: the drain was cut

  private:
    void setup(Worker& worker) {
        handler_.loop = worker.loop();
        server_ = std::make_unique<http::Server>(worker.loop(), http::Limits{}, handler_, 100);
        std::string error;
        auto socket =
            net::bind_reuseport(*net::parse_address("127.0.0.1:0", error), net::Transport::tcp);
        port_ = socket.local_port();
        server_->listen(std::move(socket), uv::Stream::Kind::tcp);
    }

    SlowHandler handler_;
    std::unique_ptr<http::Server> server_;
    int port_ = 0;
    std::atomic<bool> serving_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("serve(): a second SIGTERM while draining cuts the work in flight") {
    SlowDaemon daemon([] { return uint64_t{60'000}; });
    test::Client client(daemon.port());
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::raise(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::raise(SIGTERM);
    CHECK(client.closed_by_peer(5000));
    daemon.join();
    CHECK(daemon.forced);
}

TEST_CASE("serve(): the shutdown timeout is the one in force when the stop begins") {
    uint64_t shutdown_timeout_ms = 60'000;  // on the main thread, as a daemon's configuration
    std::atomic<bool> reloaded{false};
    SlowDaemon daemon([&] { return shutdown_timeout_ms; },
                      [&](core::LoopThreads&) {
                          shutdown_timeout_ms = 200;
                          reloaded = true;
                      });
    test::Client client(daemon.port());
    client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    std::raise(SIGHUP);
    CHECK(test::wait_until([&] { return reloaded.load(); }, 5000));
    std::raise(SIGTERM);
    // Cut off after 200 ms, not the 60 s the daemon started with.
    CHECK(client.closed_by_peer(5000));
    daemon.join();
    CHECK(daemon.forced);
}
