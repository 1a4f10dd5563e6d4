// /metrics over HTTP: a handler for a daemon's own metrics listener (dnsd,
// httpd) or for one path among a daemon's others (appsrv).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/http/exchange.hpp"

namespace core::metrics {

// Answers GET and HEAD /metrics with `render()`; another method 405, another
// path 404. `render` runs on the loop thread of the request.
class Endpoint : public core::http::Handler {
  public:
    explicit Endpoint(std::function<std::string()> render) : render_(std::move(render)) {}
    void handle(const std::shared_ptr<core::http::Exchange>& exchange) override;

    // True when `target` is /metrics (with or without a query).
    static bool is_metrics_target(std::string_view target);
    // The answer to one scrape, for a handler that serves other paths too;
    // returns its status (200, or 405 for a method other than GET and HEAD).
    static int respond(const std::shared_ptr<core::http::Exchange>& exchange,
                       const std::function<std::string()>& render);

  private:
    std::function<std::string()> render_;
};

}  // namespace core::metrics
