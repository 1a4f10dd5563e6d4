// The small answers httpd makes itself: errors and redirects, as text
// that says what went wrong.
#pragma once

#include <memory>
#include <string_view>

#include "core/http/exchange.hpp"

namespace httpd {

// "404 Not Found: no such file\n" as text/plain.
void respond_text(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                  std::string_view reason, core::http::Headers headers = {});

// A refusal of httpd's own: as text, or for a route whose clients read
// JSON as {"error": "not found", "detail": "no such file"}.
core::http::ErrorBody error_body(int status, std::string_view reason, bool json);
void respond_error(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                   std::string_view reason, bool json);

void respond_redirect(const std::shared_ptr<core::http::Exchange>& exchange, int status,
                      std::string location);

}  // namespace httpd
