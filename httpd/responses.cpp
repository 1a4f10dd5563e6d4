// The small answers httpd makes itself.
#include "httpd/responses.hpp"

#include <cctype>
#include <cstdio>

#include "core/http/status.hpp"

namespace httpd {

void respond_text(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                  std::string_view reason, core::http::Headers headers) {
    core::http::ErrorBody error = error_body(status, reason, false);
    headers.set("Content-Type", error.content_type);
    exchange->respond(status, std::move(headers), std::move(error.body));
}

namespace {

// A JSON string of text httpd wrote itself; what is not printable ASCII
// is escaped rather than trusted.
std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        const auto octet = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (octet < 0x20 || octet >= 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", octet);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + '"';
}

}  // namespace

core::http::ErrorBody error_body(int status, std::string_view reason, bool json) {
    if (!json) {
        std::string body =
            std::to_string(status) + " " + std::string(core::http::reason_phrase(status));
        if (!reason.empty()) body += ": " + std::string(reason);
        return {"text/plain; charset=utf-8", body + '\n'};
    }
    std::string error(core::http::reason_phrase(status));
    for (auto& c : error)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {"application/json",
            "{\"error\":" + json_string(error) + ",\"detail\":" + json_string(reason) + "}\n"};
}

void respond_error(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                   std::string_view reason, bool json) {
    core::http::ErrorBody error = error_body(status, reason, json);
    core::http::Headers headers;
    headers.set("Content-Type", error.content_type);
    exchange->respond(status, std::move(headers), std::move(error.body));
}

void respond_redirect(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                      std::string location) {
    core::http::Headers headers;
    headers.add("Location", location);
    respond_text(exchange, status, location, std::move(headers));
}

}  // namespace httpd
