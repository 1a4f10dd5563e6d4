// A core::http::Server on its own loop thread, on a free loopback port,
// with the handler a test gives it.
#pragma once

#include <functional>
#include <list>
#include <memory>

#include "core/http/server.hpp"
#include "core/loop_threads.hpp"
#include "core/uv/timer.hpp"

namespace test {

class HttpServer {
  public:
    using HandlerFn =
        std::function<void(HttpServer&, const std::shared_ptr<core::http::Exchange>&)>;

    HttpServer(core::http::Limits limits, HandlerFn handler, size_t max_connections = 1000,
               std::string unix_path = {});
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    ~HttpServer();

    int port() const { return port_; }
    // The address to reach it at: 127.0.0.1:PORT, or unix:PATH.
    std::string address() const {
        return unix_path_.empty() ? "127.0.0.1:" + std::to_string(port_) : "unix:" + unix_path_;
    }

    // On the loop thread: the server itself.
    core::http::Server& server() { return *server_; }
    // On the loop thread: runs `fn` after `ms` milliseconds.
    void after(uint64_t ms, std::function<void()> fn);
    // From the test thread: runs `fn` on the loop thread and waits for it.
    void run_on_loop(std::function<void(core::http::Server&)> fn);
    // From the test thread: drains the server (stop accepting, finish in
    // flight) and waits until the loop has ended; returns uv_loop_close's
    // status, which is 0 only when no handle was left behind.
    int drain_and_stop();
    size_t connection_count();

  private:
    class Adapter : public core::http::Handler {
      public:
        Adapter(HttpServer& owner, HandlerFn fn) : owner_(owner), fn_(std::move(fn)) {}
        void handle(const std::shared_ptr<core::http::Exchange>& exchange) override {
            fn_(owner_, exchange);
        }

      private:
        HttpServer& owner_;
        HandlerFn fn_;
    };

    Adapter adapter_;
    core::LoopThreads threads_{1};
    std::unique_ptr<core::http::Server> server_;
    std::list<core::uv::Timer> timers_;
    int port_ = 0;
    std::string unix_path_;
    bool stopped_ = false;
    int loop_close_status_ = -1;
};

}  // namespace test
