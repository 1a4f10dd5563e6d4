// One loop thread's HTTP handler.
#include "appsrv/app_handler.hpp"

#include <cctype>
#include <chrono>

#include "appsrv/admin_page.hpp"
#include "core/dns/name.hpp"
#include "core/http/status.hpp"
#include "core/log.hpp"
#include "core/metrics/endpoint.hpp"

namespace appsrv {

namespace {

using Exchange = core::http::Exchange;

void respond_json(LoopMetrics& metrics, Route route, const std::shared_ptr<Exchange>& exchange,
                  int status, std::string body) {
    metrics.count(route, status);
    core::http::Headers headers;
    headers.add("Content-Type", "application/json");
    headers.add("Cache-Control", "no-store");
    exchange->respond(status, std::move(headers), std::move(body));
}

}  // namespace

std::vector<ApiResponse> AppHandler::run_share(db::Connection* connection,
                                               const std::vector<Call>& calls) {
    std::vector<ApiResponse> responses;
    responses.reserve(calls.size());
    const auto is_read = [](const Call& call) { return call.request.method == "GET"; };
    for (size_t i = 0; i < calls.size();) {
        if (!connection || !is_read(calls[i])) {
            responses.push_back(handle_api(connection, calls[i].request));
            ++i;
            continue;
        }
        // Reads received together are concurrent: one snapshot serves
        // them all, and SQLite takes its lock once for the run.
        db::ReadGroup group(*connection);
        for (; i < calls.size() && is_read(calls[i]); ++i)
            responses.push_back(handle_api(connection, calls[i].request));
    }
    return responses;
}

Backend::Backend(std::string url, size_t workers, Metrics& metrics)
    : url_(std::move(url)),
      metrics_(metrics),
      // SQLite answers from memory in the worker's own thread, in less
      // time than a hand-off to another thread costs: a loop turn's calls
      // go to one worker until they are many. A server engine's calls
      // mostly wait on the network: they spread over every worker.
      min_share_(db::dialect_of(url_) == db::Dialect::sqlite ? 16 : 1),
      connections_(workers),
      pool_(workers) {}

Backend::~Backend() {
    pool_.stop();
}

bool Backend::submit(std::function<void(db::Connection*)> task) {
    return pool_.submit([this, task = std::move(task)](size_t index) {
        auto& connection = connections_[index];
        if (!connection) {
            try {
                connection = db::connect(url_);
            } catch (const std::exception& e) {
                core::log::error("appsrv") << "database: " << e.what();
            }
        }
        const auto started = std::chrono::steady_clock::now();
        try {
            task(connection.get());
            metrics_.workers[index]->database.observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        } catch (const std::exception& e) {
            // A task's failure must not end the worker thread (and the
            // process): its exchange stays unanswered and the client's
            // timeout ends it.
            core::log::error("appsrv") << "worker task failed: " << e.what();
        }
    });
}

AppHandler::AppHandler(core::Worker& worker, Backend& backend,
                       std::vector<core::net::Address> notify, LoopMetrics& metrics,
                       std::function<std::string()> render_metrics)
    : worker_(worker),
      backend_(backend),
      notify_(std::move(notify)),
      metrics_(metrics),
      render_metrics_(std::move(render_metrics)),
      notifier_(worker.loop(), "appsrv", metrics.notify),
      flush_timer_(worker.loop()) {}

core::http::ErrorBody AppHandler::error_body(int status, std::string_view reason,
                                             const core::http::RequestHead*) {
    std::string error(core::http::reason_phrase(status));
    for (auto& c : error)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {"application/json", error_json(error, std::string(reason))};
}

void AppHandler::handle(const std::shared_ptr<Exchange>& exchange) {
    const auto& request = exchange->request();
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (core::metrics::Endpoint::is_metrics_target(request.target)) {
        metrics_.count(Route::metrics, core::metrics::Endpoint::respond(exchange, render_metrics_));
        return;
    }
    if (path == "/healthz") {
        respond_json(metrics_, Route::healthz, exchange, 200, "{\"status\":\"alive\"}\n");
        return;
    }
    if (path == "/readyz") {
        if (backend_.draining) {
            respond_json(metrics_, Route::readyz, exchange, 503,
                         error_json("draining", "this appsrv is stopping"));
            return;
        }
        core::Worker* worker = &worker_;
        LoopMetrics* metrics = &metrics_;
        const bool queued =
            backend_.submit([worker, metrics, exchange](db::Connection* connection) {
                std::string problem;
                try {
                    if (!connection) throw std::runtime_error("cannot connect");
                    try {
                        connection->ping();
                    } catch (const db::Error& e) {
                        // A connection lost earlier is opened again by the
                        // next call: one more try tells whether that works.
                        if (!e.retry_safe()) throw;
                        connection->ping();
                    }
                } catch (const std::exception& e) {
                    problem = e.what();
                }
                worker->post([metrics, exchange, problem] {
                    if (problem.empty()) {
                        respond_json(*metrics, Route::readyz, exchange, 200,
                                     "{\"status\":\"ready\"}\n");
                    } else {
                        respond_json(*metrics, Route::readyz, exchange, 503,
                                     error_json("database unavailable", problem));
                    }
                });
            });
        if (!queued) {
            respond_json(metrics_, Route::readyz, exchange, 503,
                         error_json("draining", "this appsrv is stopping"));
        }
        return;
    }
    if (path == "/admin" || path == "/admin/") {
        if (request.method != "GET" && request.method != "HEAD") {
            core::http::Headers headers;
            headers.add("Allow", "GET, HEAD");
            headers.add("Content-Type", "application/json");
            metrics_.count(Route::admin, 405);
            exchange->respond(405, std::move(headers),
                              error_json("method not allowed", "use GET, HEAD"));
            return;
        }
        core::http::Headers headers;
        headers.add("Content-Type", "text/html; charset=utf-8");
        headers.add("Cache-Control", "no-cache");
        // The page runs no script from elsewhere and is framed by nobody.
        headers.add("Content-Security-Policy",
                    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                    "frame-ancestors 'none'");
        metrics_.count(Route::admin, 200);
        exchange->respond(200, std::move(headers), std::string(admin_page()));
        return;
    }
    if (path != "/api" && path.rfind("/api/", 0) != 0) {
        respond_json(metrics_, Route::other, exchange, 404, error_json("no such endpoint", path));
        return;
    }
    exchange->read_body(
        [this, exchange](std::string body) { serve_api(exchange, std::move(body)); });
}

void AppHandler::serve_api(const std::shared_ptr<Exchange>& exchange, std::string body) {
    const auto& head = exchange->request();
    pending_.push_back(
        {exchange, route_of(head.target.substr(0, head.target.find('?'))),
         ApiRequest{head.method, head.target,
                    std::string(head.headers.get("Authorization").value_or("")),
                    std::string(head.headers.get("X-API-Key").value_or("")),
                    std::string(head.headers.get("Content-Type").value_or("")), std::move(body)}});
    // Due at once, it runs after this turn's other reads: they join in.
    if (!flush_timer_.active()) flush_timer_.start(0, [this] { flush(); });
}

void AppHandler::flush() {
    if (pending_.empty()) return;
    auto calls = std::move(pending_);
    pending_.clear();
    const size_t shares = std::min(
        backend_.workers(), (calls.size() + backend_.min_share() - 1) / backend_.min_share());
    core::Worker* worker = &worker_;
    for (size_t share = 0; share < shares; ++share) {
        auto mine = std::make_shared<std::vector<Call>>();
        for (size_t i = share; i < calls.size(); i += shares)
            mine->push_back(std::move(calls[i]));
        const bool queued = backend_.submit([this, worker, mine](db::Connection* connection) {
            auto responses =
                std::make_shared<std::vector<ApiResponse>>(run_share(connection, *mine));
            worker->post([this, mine, responses] {
                for (size_t i = 0; i < mine->size(); ++i)
                    answer((*mine)[i], (*responses)[i]);
            });
        });
        if (!queued) {
            for (const auto& call : *mine)
                respond_json(metrics_, call.route, call.exchange, 503,
                             error_json("draining", "this appsrv is stopping"));
        }
    }
}

void AppHandler::answer(const Call& call, ApiResponse& response) {
    core::http::Headers headers;
    if (response.status != 204) headers.add("Content-Type", response.content_type);
    headers.add("Cache-Control", "no-store");
    for (auto& [name, value] : response.headers)
        headers.add(name, value);
    metrics_.count(call.route, response.status);
    call.exchange->respond(response.status, std::move(headers), std::move(response.body));
    if (response.change && !notify_.empty()) {
        std::string error;
        if (auto apex = core::dns::name_from_text(response.change->zone, error)) {
            notifier_.notify(core::dns::lowercase_name(*apex), response.change->serial, notify_);
        }
    }
}

}  // namespace appsrv
