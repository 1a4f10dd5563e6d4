// /metrics over HTTP.
#include "core/metrics/endpoint.hpp"

#include "core/metrics/exposition.hpp"

namespace core::metrics {

bool Endpoint::is_metrics_target(std::string_view target) {
    return target.substr(0, target.find('?')) == "/metrics";
}

int Endpoint::respond(const std::shared_ptr<core::http::Exchange>& exchange,
                      const std::function<std::string()>& render) {
    const auto& request = exchange->request();
    core::http::Headers headers;
    if (request.method != "GET" && request.method != "HEAD") {
        headers.add("Allow", "GET, HEAD");
        headers.add("Content-Type", "text/plain; charset=utf-8");
        exchange->respond(405, std::move(headers), "405 Method Not Allowed: use GET\n");
        return 405;
    }
    headers.add("Content-Type", std::string(kContentType));
    headers.add("Cache-Control", "no-store");
    exchange->respond(200, std::move(headers), render());
    return 200;
}

void Endpoint::handle(const std::shared_ptr<core::http::Exchange>& exchange) {
    if (!is_metrics_target(exchange->request().target)) {
        core::http::Headers headers;
        headers.add("Content-Type", "text/plain; charset=utf-8");
        exchange->respond(404, std::move(headers), "404 Not Found: only /metrics is served here\n");
        return;
    }
    respond(exchange, render_);
}

}  // namespace core::metrics
