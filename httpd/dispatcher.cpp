// One thread's front door.
#include "httpd/dispatcher.hpp"

#include "core/metrics/exposition.hpp"
#include "core/net/address.hpp"
#include "httpd/forward_headers.hpp"
#include "httpd/request_path.hpp"
#include "httpd/responses.hpp"

namespace httpd {

Dispatcher::Dispatcher(uv_loop_t* loop, std::shared_ptr<const Site> site, FileCacheSettings cache,
                       std::shared_ptr<const AccessLogFile> access_log, CollectCounters collect,
                       const core::metrics::ReloadStatus& reloads)
    : site_(std::move(site)),
      reloads_(reloads),
      files_(cache),
      proxy_(loop, counters_),
      collect_(std::move(collect)) {
    for (size_t i = 0; i < site_->listen.size(); ++i)
        handlers_.push_back(std::make_unique<ListenerHandler>(*this, i));
    if (access_log) access_log_ = std::make_unique<AccessLog>(loop, std::move(access_log));
}

void Dispatcher::set_site(std::shared_ptr<const Site> site, FileCacheSettings cache) {
    site_ = std::move(site);
    files_.reset(cache);
    proxy_.forget_balancers();
}

void Dispatcher::drain() {
    proxy_.close_idle();
    if (access_log_) access_log_->flush();
}

core::http::ErrorBody Dispatcher::error_body(int status, std::string_view reason,
                                             const core::http::RequestHead* request,
                                             size_t listener) const {
    bool json = false;
    if (request) {
        std::string_view host = target_authority(request->target);
        if (host.empty()) host = request->headers.get("Host").value_or("");
        std::string error;
        const auto target = parse_target(request->target, error);
        if (const VirtualServer* server = site_->server_for(listener, host_name(host));
            server && target) {
            const Route* route = server->route_for(target->path);
            json = route && route->json_errors;
        }
    }
    return httpd::error_body(status, reason, json);
}

void Dispatcher::handle(const std::shared_ptr<core::http::Exchange>& exchange, size_t listener) {
    auto info = std::make_shared<RequestInfo>();
    const core::http::Exchange* raw = exchange.get();
    exchange->on_finish([this, raw, info] { finished(*raw, *info); });

    const auto& request = exchange->request();
    std::string_view host = target_authority(request.target);
    if (host.empty()) host = request.headers.get("Host").value_or("");
    const VirtualServer* server = site_->server_for(listener, host_name(host));
    if (!server) {
        respond_text(exchange, 404, "no server is configured for this host");
        return;
    }
    info->server = server->label;
    if (!server->hsts.empty() && exchange->secure())
        exchange->add_response_field("Strict-Transport-Security", server->hsts);
    for (const auto& [name, value] : server->response_headers)
        exchange->add_response_field(name, value);
    std::string error;
    const auto target = parse_target(request.target, error);
    if (!target) {
        respond_text(exchange, 400, error);
        return;
    }
    const Route* route = server->route_for(target->path);
    if (!route) {
        respond_text(exchange, 404, "nothing is routed at this path");
        return;
    }
    switch (route->kind) {
        case Route::Kind::files:
            files_.serve(exchange, route->root, *target);
            return;
        case Route::Kind::proxy:
            info->request_id = request_id_for(request);
            info->json_errors = route->json_errors;
            proxy_.forward(exchange, route->upstream, info);
            return;
        case Route::Kind::redirect:
            if (route->to_https) {
                const std::string name = host_name(host);
                if (name.empty()) {
                    respond_text(exchange, 400, "no Host to send to over https");
                    return;
                }
                respond_redirect(
                    exchange, route->status,
                    "https://" + name +
                        (route->https_port == 443 ? std::string()
                                                  : ":" + std::to_string(route->https_port)) +
                        std::string(origin_form(request.target)));
                return;
            }
            if (route->same_scheme) {
                respond_redirect(
                    exchange, route->status,
                    std::string(exchange->secure() ? "https:" : "http:") + route->location +
                        std::string(route->asked_port ? host_port(host) : std::string_view()) +
                        std::string(origin_form(request.target)));
                return;
            }
            respond_redirect(exchange, route->status,
                             route->location + std::string(origin_form(request.target)));
            return;
        case Route::Kind::fixed: {
            core::http::Headers headers;
            headers.add("Content-Type", route->content_type);
            exchange->respond(route->status, std::move(headers), route->body);
            return;
        }
        case Route::Kind::metrics:
            respond_metrics(exchange);
            return;
    }
}

void Dispatcher::respond_metrics(const std::shared_ptr<core::http::Exchange>& exchange) {
    const auto& method = exchange->request().method;
    if (method != "GET" && method != "HEAD") {
        core::http::Headers headers;
        headers.add("Allow", "GET, HEAD");
        respond_text(exchange, 405, "the metrics are read with GET", std::move(headers));
        return;
    }
    // The site of the moment the scrape began: its upstreams' members.
    collect_([this, exchange, site = site_](Counters total) {
        core::http::Headers headers;
        headers.add("Content-Type", std::string(core::metrics::kContentType));
        headers.add("Cache-Control", "no-store");
        exchange->respond(200, std::move(headers), render_metrics(total, *site, reloads_));
    });
}

void Dispatcher::finished(const core::http::Exchange& exchange, const RequestInfo& info) {
    // 499: the client went away before an answer, as nginx logs it.
    const int status = exchange.status() != 0 ? exchange.status() : 499;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - info.started).count();
    counters_.count_request(info.server, status, exchange.body_bytes_sent(), seconds);
    if (!access_log_) return;
    const auto& request = exchange.request();
    AccessRecord record;
    const std::string client = client_ip(exchange.peer());
    record.client = client;
    record.method = request.method;
    record.target = request.target;
    record.version_major = request.version.major;
    record.version_minor = request.version.minor;
    record.status = status;
    record.body_bytes = exchange.body_bytes_sent();
    record.referer = request.headers.get("Referer").value_or("");
    record.user_agent = request.headers.get("User-Agent").value_or("");
    record.seconds = seconds;
    record.upstream = info.upstream.empty() ? std::string_view("-") : info.upstream;
    record.request_id = info.request_id;
    const std::string tls = exchange.tls_description();
    record.tls = tls;
    access_log_->write(record);
}

}  // namespace httpd
