// One loop thread's HTTP handler: /healthz and /readyz answered on the
// loop, the API handed to the worker pool (the loop never waits on the
// database) and its answer handed back, then a NOTIFY for what changed.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "appsrv/api.hpp"
#include "appsrv/metrics.hpp"
#include "core/dns/notifier.hpp"
#include "core/http/exchange.hpp"
#include "core/loop_threads.hpp"
#include "core/net/address.hpp"
#include "core/uv/timer.hpp"
#include "core/worker_pool.hpp"
#include "db/database.hpp"

namespace appsrv {

// What the loop threads share: the pool and each pool thread's connection.
class Backend {
  public:
    Backend(std::string url, size_t workers, Metrics& metrics);
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;
    ~Backend();

    // Runs `task` on a pool thread with that thread's connection (null when
    // the database cannot be reached; it is tried again next time).
    bool submit(std::function<void(db::Connection*)> task);
    size_t workers() const { return connections_.size(); }
    size_t queued() const { return pool_.queued(); }
    // The fewest calls worth a hand-off of their own.
    size_t min_share() const { return min_share_; }
    void stop() { pool_.stop(); }

    std::atomic<bool> draining{false};

  private:
    std::string url_;
    Metrics& metrics_;
    size_t min_share_;
    std::vector<std::unique_ptr<db::Connection>> connections_;  // one per pool thread
    core::WorkerPool pool_;
};

class AppHandler : public core::http::Handler {
  public:
    // `metrics` is this loop thread's; `render_metrics` answers /metrics.
    AppHandler(core::Worker& worker, Backend& backend, std::vector<core::net::Address> notify,
               LoopMetrics& metrics, std::function<std::string()> render_metrics);
    void handle(const std::shared_ptr<core::http::Exchange>& exchange) override;
    // appsrv's clients read JSON: what the HTTP layer refuses (408, 413,
    // 414, 431, bad framing...) is answered with the API's error body.
    core::http::ErrorBody error_body(int status, std::string_view reason,
                                     const core::http::RequestHead* request) override;
    void close() { notifier_.close(); }
    // On this handler's loop thread (a reload): where NOTIFYs go from now on.
    void set_notify(std::vector<core::net::Address> notify) {
        notifier_.keep_only(notify);
        notify_ = std::move(notify);
    }

  private:
    struct Call {
        std::shared_ptr<core::http::Exchange> exchange;
        Route route;
        ApiRequest request;
    };
    void serve_api(const std::shared_ptr<core::http::Exchange>& exchange, std::string body);
    // Hands the calls gathered during one loop turn to the workers in
    // shares: one hand-off (two thread switches) per share rather than
    // per call.
    void flush();
    static std::vector<ApiResponse> run_share(db::Connection* connection,
                                              const std::vector<Call>& calls);
    void answer(const Call& call, ApiResponse& response);

    core::Worker& worker_;
    Backend& backend_;
    std::vector<core::net::Address> notify_;
    LoopMetrics& metrics_;
    std::function<std::string()> render_metrics_;
    core::dns::Notifier notifier_;
    std::vector<Call> pending_;
    core::uv::Timer flush_timer_;
};

}  // namespace appsrv
