// What the proxy passes on, and what it keeps to itself.
#include <doctest/doctest.h>

#include "httpd/access_log.hpp"
#include "httpd/forward_headers.hpp"

TEST_CASE("the upstream request loses hop-by-hop fields and gains X-Forwarded-*, Via and an id") {
    core::http::RequestHead client;
    client.method = "POST";
    client.target = "/api/v1/zones?x=1";
    client.version = {1, 0};
    client.content_length = 12;
    client.headers.add("Host", "www.foobar.com");
    client.headers.add("Connection", "keep-alive, X-Secret");
    client.headers.add("X-Secret", "hop only");
    client.headers.add("Keep-Alive", "timeout=5");
    client.headers.add("TE", "trailers");
    client.headers.add("Upgrade", "websocket");
    client.headers.add("Proxy-Connection", "keep-alive");
    client.headers.add("Content-Length", "12");
    client.headers.add("Expect", "100-continue");
    client.headers.add("X-Forwarded-For", "203.0.113.7");
    client.headers.add("Via", "1.0 edge");
    client.headers.add("Cookie", "a=b");

    const auto upstream = httpd::upstream_request(client, "127.0.0.5", "abc123");
    CHECK(upstream.framing.content_length == 12u);
    CHECK_FALSE(upstream.framing.chunked);
    CHECK_FALSE(upstream.framing.head_method);
    // What goes on the wire, read back.
    const std::string& bytes = upstream.head;
    REQUIRE(bytes.size() > 4);
    CHECK(bytes.substr(bytes.size() - 4) == "\r\n\r\n");
    const size_t first_end = bytes.find("\r\n");
    CHECK(bytes.substr(0, first_end) == "POST /api/v1/zones?x=1 HTTP/1.1");
    core::http::Headers head;
    for (size_t at = first_end + 2; at < bytes.size() - 2;) {
        const size_t end = bytes.find("\r\n", at);
        const std::string line = bytes.substr(at, end - at);
        const size_t colon = line.find(": ");
        REQUIRE(colon != std::string::npos);
        head.add(line.substr(0, colon), line.substr(colon + 2));
        at = end + 2;
    }
    for (const char* gone :
         {"Connection", "X-Secret", "Keep-Alive", "TE", "Upgrade", "Proxy-Connection", "Expect"}) {
        CHECK_MESSAGE(!head.has(gone), gone);
    }
    // Framing is the proxy's own: one Content-Length, from the head's length.
    CHECK(head.count("Content-Length") == 1);
    CHECK(head.get("Content-Length") == "12");
    CHECK(head.get("X-Forwarded-For") == "203.0.113.7, 127.0.0.5");
    CHECK(head.count("X-Forwarded-For") == 1);
    CHECK(head.get("X-Forwarded-Proto") == "http");
    CHECK(head.get("X-Forwarded-Host") == "www.foobar.com");
    CHECK(head.get("X-Request-Id") == "abc123");
    // This hop received HTTP/1.0 (RFC 9110 §7.6.3).
    CHECK(head.get("Via") == "1.0 edge, 1.0 webstack");
    CHECK(head.count("Via") == 1);
    CHECK(head.get("Cookie") == "a=b");
    CHECK(head.get("Host") == "www.foobar.com");
}

TEST_CASE("the client response loses hop-by-hop fields and gains Via") {
    core::http::ResponseHead upstream;
    upstream.status = 201;
    upstream.headers.add("Connection", "close, X-Internal");
    upstream.headers.add("X-Internal", "1");
    upstream.headers.add("Transfer-Encoding", "chunked");
    upstream.headers.add("Set-Cookie", "s=1");
    const auto head = httpd::client_response(std::move(upstream));
    CHECK(head.status == 201);
    CHECK_FALSE(head.headers.has("Connection"));
    CHECK_FALSE(head.headers.has("X-Internal"));
    CHECK_FALSE(head.headers.has("Transfer-Encoding"));
    CHECK(head.headers.get("Set-Cookie") == "s=1");
    CHECK(head.headers.get("Via") == "1.1 webstack");
    core::http::ResponseHead old_member;
    old_member.version = {1, 0};
    CHECK(httpd::client_response(std::move(old_member)).headers.get("Via") == "1.0 webstack");
}

TEST_CASE("Via names the protocol this hop received: 2 for an HTTP/2 client") {
    core::http::RequestHead client;
    client.method = "GET";
    client.target = "/";
    client.version = {2, 0};
    client.headers.add("host", "www.foobar.com");
    const auto upstream = httpd::upstream_request(client, "127.0.0.5", "abc123");
    CHECK(upstream.head.find("\r\nVia: 2 webstack\r\n") != std::string::npos);
}

TEST_CASE("fields named by Connection go however many fields there are") {
    for (const size_t extra : {size_t{3}, size_t{70}}) {
        core::http::ResponseHead upstream;
        upstream.status = 200;
        // Short values, held inside the field itself: the options must be
        // read before any field moves over the Connection field.
        upstream.headers.add("Connection", "x-a");
        for (size_t i = 0; i < extra; ++i)
            upstream.headers.add("X-Keep-" + std::to_string(i), "v");
        upstream.headers.add("X-A", "hop only");
        const auto head = httpd::client_response(std::move(upstream));
        CHECK_FALSE(head.headers.has("X-A"));
        CHECK_FALSE(head.headers.has("Connection"));
        CHECK(head.headers.size() == extra + 1);  // and Via
        CHECK(head.headers.get("X-Keep-0") == "v");
    }
}

TEST_CASE("a request id is kept when sane and made when absent or strange") {
    core::http::RequestHead client;
    const std::string made = httpd::request_id_for(client);
    CHECK(made.size() == 32);
    CHECK(httpd::request_id_for(client) != made);
    client.headers.add("X-Request-Id", "req-42_a.b");
    CHECK(httpd::request_id_for(client) == "req-42_a.b");
    client.headers.set("X-Request-Id", "evil\"id");
    CHECK(httpd::request_id_for(client).size() == 32);
    CHECK(httpd::client_ip("[::1]:8080") == "::1");
    CHECK(httpd::client_ip("127.0.0.1:5555") == "127.0.0.1");
}

TEST_CASE("the access log line is nginx's combined format plus time, upstream, id and TLS") {
    httpd::AccessRecord record;
    record.client = "127.0.0.1";
    record.method = "GET";
    record.target = "/a\"b";
    record.status = 200;
    record.body_bytes = 512;
    record.user_agent = "curl/7.88";
    record.seconds = 0.0125;
    record.upstream = "127.0.0.1:9000";
    record.request_id = "r1";
    CHECK(httpd::format_access_line(record, "25/Nov/2026:20:54:06 +0000") ==
          "127.0.0.1 - - [25/Nov/2026:20:54:06 +0000] \"GET /a\\x22b HTTP/1.1\" 200 512 \"-\" "
          "\"curl/7.88\" 0.013 127.0.0.1:9000 r1 -\n");
    record.tls = "TLSv1.3 TLS_AES_256_GCM_SHA384";
    CHECK(httpd::format_access_line(record, "25/Nov/2026:20:54:06 +0000")
              .ends_with(" r1 TLSv1.3/TLS_AES_256_GCM_SHA384\n"));
}
