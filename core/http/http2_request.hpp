// An HTTP/2 request's header block made into the RequestHead every handler
// knows (RFC 9113 §8.3): :authority becomes Host, the cookie crumbs are
// joined again, and what HTTP/1.1 would refuse is refused the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/http/limits.hpp"
#include "core/http/message.hpp"

namespace core::http {

// The fields as they arrive, one by one. nghttp2 has already refused, as a
// stream error, what RFC 9113 calls malformed (uppercase names, CR, LF or
// NUL in values, connection-specific fields, pseudo-fields out of place).
class Http2RequestFields {
  public:
    explicit Http2RequestFields(const Limits& limits) : limits_(limits) {}

    void add(std::string_view name, std::string_view value);
    // The head, or the status and reason to answer instead (431, 414, 413,
    // 400, 501). `end_stream`: the HEADERS frame ended the request.
    struct Result {
        int status = 0;  // 0: `head` is the request
        std::string_view reason;
        RequestHead head;
    };
    Result finish(bool end_stream) &&;

  private:
    const Limits& limits_;
    std::string method_, path_, authority_;
    Headers headers_;
    std::string cookie_;
    size_t bytes_ = 0;
    size_t count_ = 0;
};

}  // namespace core::http
