// An HTTP/2 request's header block made into a RequestHead.
#include "core/http/http2_request.hpp"

#include <charconv>

#include "core/http/parser.hpp"

namespace core::http {

void Http2RequestFields::add(std::string_view name, std::string_view value) {
    // Counted as HTTP/1.1 counts its header section, so that one limit
    // means the same over both; past it nothing more is kept.
    bytes_ += name.size() + value.size() + 4;
    ++count_;
    if (bytes_ > limits_.max_header_bytes || count_ > limits_.max_headers) return;
    if (name == ":method") {
        method_ = value;
    } else if (name == ":scheme") {
        // The connection says it already: TLS, so https.
    } else if (name == ":path") {
        path_ = value;
    } else if (name == ":authority") {
        authority_ = value;
    } else if (name == "cookie") {
        // Split into crumbs for compression; one field again for the
        // handlers and any HTTP/1.1 member (RFC 9113 §8.2.3).
        if (!cookie_.empty()) cookie_ += "; ";
        cookie_ += value;
    } else {
        headers_.add(std::string(name), std::string(value));
    }
}

Http2RequestFields::Result Http2RequestFields::finish(bool end_stream) && {
    Result result;
    if (bytes_ > limits_.max_header_bytes) return {431, "request header fields too large", {}};
    if (count_ > limits_.max_headers) return {431, "too many header fields", {}};
    if (path_.size() > limits_.max_url_bytes) return {414, "request target too long", {}};
    if (method_ == "CONNECT") return {501, "CONNECT not implemented", {}};
    // :authority stands for Host; a Host that names another is malformed
    // (RFC 9113 §8.3.1), and a request must name its host one way.
    const auto host = headers_.get("host");
    if (!authority_.empty() && host && *host != authority_)
        return {400, "Host and :authority disagree", {}};
    if (headers_.count("host") > 1) return {400, "a request needs exactly one Host", {}};
    if (authority_.empty() && !host) return {400, "a request needs :authority or Host", {}};
    const std::string_view named_host = authority_.empty() ? *host : std::string_view(authority_);
    if (!is_valid_host(named_host)) return {400, "the authority is not a host and port", {}};

    RequestHead& head = result.head;
    head.method = std::move(method_);
    head.target = std::move(path_);
    head.version = Version{2, 0};
    head.headers.reserve(headers_.size() + 2);
    if (!host) head.headers.add("host", std::move(authority_));
    for (const auto& [name, value] : headers_)
        head.headers.add(name, value);
    if (!cookie_.empty()) head.headers.add("cookie", std::move(cookie_));
    if (const auto length = head.headers.get("content-length")) {
        // nghttp2 checked it is a number and will hold the DATA to it.
        uint64_t value = 0;
        std::from_chars(length->data(), length->data() + length->size(), value);
        head.content_length = value;
        if (value > limits_.max_body_bytes) return {413, "request body too large", {}};
    } else if (!end_stream) {
        // A body of a length nobody said: an HTTP/1.1 member gets it chunked.
        head.chunked = true;
    }
    return result;
}

}  // namespace core::http
