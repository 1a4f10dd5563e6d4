// Standard reason phrases of HTTP status codes (RFC 9110 §15).
#pragma once

#include <string_view>

namespace core::http {

std::string_view reason_phrase(int status);

// 1xx, 204 and 304 responses never carry a body (RFC 9112 §6.3).
inline bool status_has_body(int status) {
    return status >= 200 && status != 204 && status != 304;
}

}  // namespace core::http
