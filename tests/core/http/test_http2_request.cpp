// An HTTP/2 header block made into the RequestHead handlers know.
#include <doctest/doctest.h>

#include "core/http/http2_request.hpp"

namespace {

using core::http::Http2RequestFields;
using Fields = std::vector<std::pair<std::string, std::string>>;

Http2RequestFields::Result request(const Fields& fields, bool end_stream = true,
                                   core::http::Limits limits = {}) {
    Http2RequestFields block(limits);
    for (const auto& [name, value] : fields)
        block.add(name, value);
    return std::move(block).finish(end_stream);
}

const Fields kGet = {{":method", "GET"},
                     {":scheme", "https"},
                     {":authority", "www.foobar.com"},
                     {":path", "/a?b=1"}};

Fields with(Fields fields, std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
    return fields;
}

}  // namespace

TEST_CASE("HTTP/2 request: :authority becomes Host, cookies are joined, a body is framed") {
    auto result =
        request(with(with(with(kGet, "cookie", "a=1"), "accept", "*/*"), "cookie", "b=2"));
    REQUIRE(result.status == 0);
    const auto& head = result.head;
    CHECK(head.method == "GET");
    CHECK(head.target == "/a?b=1");
    CHECK(head.version.major == 2);
    CHECK(head.headers.get("Host").value_or("") == "www.foobar.com");
    CHECK(head.headers.get("Cookie").value_or("") == "a=1; b=2");
    CHECK(head.headers.count("cookie") == 1);
    CHECK(!head.has_body());
    // A body without content-length reaches an HTTP/1.1 member chunked.
    CHECK(request(kGet, false).head.chunked);
    const auto sized = request(with(kGet, "content-length", "12"), false);
    CHECK(sized.head.content_length == uint64_t{12});
    CHECK(!sized.head.chunked);
    // A Host equal to :authority is kept once.
    CHECK(request(with(kGet, "host", "www.foobar.com")).head.headers.count("host") == 1);
    // Host alone names the host too (RFC 9113 §8.3.1).
    const auto host_only = request(
        {{":method", "GET"}, {":scheme", "https"}, {":path", "/"}, {"host", "example.org:8443"}});
    CHECK(host_only.status == 0);
    CHECK(host_only.head.headers.get("host").value_or("") == "example.org:8443");
}

TEST_CASE("HTTP/2 request: what HTTP/1.1 refuses is refused alike") {
    CHECK(request(with(kGet, "host", "other.example")).status == 400);
    CHECK(request({{":method", "GET"}, {":scheme", "https"}, {":path", "/"}}).status == 400);
    CHECK(request({{":method", "GET"}, {":scheme", "https"}, {":authority", "a b"}, {":path", "/"}})
              .status == 400);
    CHECK(request({{":method", "CONNECT"}, {":authority", "www.foobar.com:443"}}).status == 501);
    core::http::Limits limits;
    limits.max_body_bytes = 100;
    CHECK(request(with(kGet, "content-length", "101"), false, limits).status == 413);
    limits.max_url_bytes = 64;
    CHECK(request(with(kGet, ":path", "/" + std::string(64, 'a')), true, limits).status == 414);
    limits.max_header_bytes = 1024;
    CHECK(request(with(kGet, "x-big", std::string(1024, 'a')), true, limits).status == 431);
    limits.max_headers = 5;
    CHECK(request(with(with(kGet, "a", "1"), "b", "2"), true, limits).status == 431);
}
