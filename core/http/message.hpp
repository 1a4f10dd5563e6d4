// The head of an HTTP/1.x request or response as parsed or to be written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/http/headers.hpp"

namespace core::http {

struct Version {
    int major = 1;
    int minor = 1;
    bool at_least_1_1() const { return major > 1 || (major == 1 && minor >= 1); }
};

struct RequestHead {
    std::string method;
    std::string target;  // as sent: origin-form "/path?query", or absolute-form
    Version version;
    Headers headers;
    bool keep_alive = true;                  // what the client asked for
    std::optional<uint64_t> content_length;  // nullopt: chunked or no body
    bool chunked = false;

    bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

struct ResponseHead {
    int status = 200;
    std::string reason;  // empty: the standard phrase for `status`
    Version version;
    Headers headers;
    bool keep_alive = true;
    std::optional<uint64_t> content_length;
    bool chunked = false;
};

}  // namespace core::http
