// The small answers httpd makes itself.
#include "httpd/responses.hpp"

#include "core/http/status.hpp"

namespace httpd {

void respond_text(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                  std::string_view reason, core::http::Headers headers) {
    std::string body =
        std::to_string(status) + " " + std::string(core::http::reason_phrase(status));
    if (!reason.empty()) body += ": " + std::string(reason);
    body += '\n';
    headers.set("Content-Type", "text/plain; charset=utf-8");
    exchange->respond(status, std::move(headers), std::move(body));
}

void respond_redirect(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                      std::string location) {
    core::http::Headers headers;
    headers.add("Location", location);
    respond_text(exchange, status, location, std::move(headers));
}

}  // namespace httpd
