// The HTTP/1.1 parser on its own: framing, pipelining, limits, and the
// status that every malformed or smuggling-prone request earns.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/http/parser.hpp"

using core::http::Limits;
using core::http::Parser;
using core::http::RequestHead;

namespace {

struct Parsed {
    RequestHead head;
    std::string body;
};

// Feeds `input` in pieces of `piece` bytes (0: all at once), answering every
// complete request at once, as the connection does.
struct Run {
    std::vector<Parsed> requests;
    int error_status = 0;
    std::string error_reason;
    bool incomplete = false;
};

Run parse(std::string_view input, size_t piece = 0, Limits limits = {}) {
    Run run;
    Parsed current;
    Parser parser(Parser::Kind::request, limits,
                  Parser::Callbacks{
                      .on_request = [&](RequestHead& head) { current.head = head; },
                      .on_response = {},
                      .on_body = [&](std::string_view data) { current.body.append(data); },
                      .on_complete =
                          [&] {
                              run.requests.push_back(std::move(current));
                              current = Parsed{};
                          },
                  });
    std::string pending;
    size_t offset = 0;
    while (offset < input.size() || !pending.empty()) {
        if (offset < input.size()) {
            const size_t n =
                piece == 0 ? input.size() - offset : std::min(piece, input.size() - offset);
            pending.append(input.substr(offset, n));
            offset += n;
        }
        while (!pending.empty()) {
            const auto result = parser.feed(pending);
            pending.erase(0, result.consumed);
            if (result.outcome == Parser::Outcome::error) {
                run.error_status = parser.error_status();
                run.error_reason = parser.error_reason();
                return run;
            }
            if (result.outcome == Parser::Outcome::message_complete) {
                parser.resume();
                continue;
            }
            break;
        }
        if (offset >= input.size()) break;
    }
    run.incomplete = parser.in_message();
    return run;
}

int status_of(std::string_view input, Limits limits = {}) {
    const auto whole = parse(input, 0, limits);
    const auto bytewise = parse(input, 1, limits);
    // The same verdict whatever the split of the bytes.
    CHECK(whole.error_status == bytewise.error_status);
    return whole.error_status;
}

}  // namespace

TEST_CASE("a simple GET: method, target, version, headers, keep-alive") {
    const auto run =
        parse("GET /index.html?x=1 HTTP/1.1\r\nHost: www.foobar.com\r\nAccept: */*\r\n\r\n");
    REQUIRE(run.error_status == 0);
    REQUIRE(run.requests.size() == 1);
    const auto& head = run.requests[0].head;
    CHECK(head.method == "GET");
    CHECK(head.target == "/index.html?x=1");
    CHECK(head.version.major == 1);
    CHECK(head.version.minor == 1);
    CHECK(head.keep_alive);
    CHECK(head.headers.get("host") == "www.foobar.com");
    CHECK(head.headers.get("ACCEPT") == "*/*");
    CHECK_FALSE(head.has_body());
}

TEST_CASE("HTTP/1.0 closes unless it asks for keep-alive; 1.1 closes on Connection: close") {
    CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").requests.at(0).head.keep_alive);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.at(0).head.keep_alive);
    CHECK_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                    .requests.at(0)
                    .head.keep_alive);
}

TEST_CASE("pipelined requests are returned one at a time, in order") {
    const std::string three =
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
        "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
    for (size_t piece : {size_t{0}, size_t{1}, size_t{7}}) {
        CAPTURE(piece);
        const auto run = parse(three, piece);
        REQUIRE(run.error_status == 0);
        REQUIRE(run.requests.size() == 3);
        CHECK(run.requests[0].head.target == "/a");
        CHECK(run.requests[1].head.target == "/b");
        CHECK(run.requests[1].body == "hello");
        CHECK(run.requests[2].head.target == "/c");
    }
}

TEST_CASE("the parser stops after each message, leaving the next one unread") {
    Limits limits;
    int completed = 0;
    Parser parser(
        Parser::Kind::request, limits,
        Parser::Callbacks{.on_request = {}, .on_response = {}, .on_body = {}, .on_complete = [&] {
                              ++completed;
                          }});
    const std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
    const auto first = parser.feed(two);
    CHECK(first.outcome == Parser::Outcome::message_complete);
    CHECK(first.consumed == two.size() / 2);
    CHECK(completed == 1);
    parser.resume();
    const auto second = parser.feed(std::string_view(two).substr(first.consumed));
    CHECK(second.outcome == Parser::Outcome::message_complete);
    CHECK(completed == 2);
}

TEST_CASE("a chunked body is reassembled, extensions and trailers included") {
    const std::string request =
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n"
        "6;name=value\r\n world\r\n"
        "0\r\nX-Trailer: yes\r\n\r\n";
    for (size_t piece : {size_t{0}, size_t{1}, size_t{3}}) {
        CAPTURE(piece);
        const auto run = parse(request, piece);
        REQUIRE(run.error_status == 0);
        REQUIRE(run.requests.size() == 1);
        CHECK(run.requests[0].head.chunked);
        CHECK(run.requests[0].body == "hello world");
    }
}

TEST_CASE("a request split byte by byte parses exactly as whole") {
    const std::string request =
        "PUT /api/v1/zones/foobar.com/records/7 HTTP/1.1\r\n"
        "Host: www.foobar.com\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 13\r\n"
        "\r\n"
        "{\"ttl\": 3600}";
    const auto whole = parse(request, 0);
    const auto bytewise = parse(request, 1);
    REQUIRE(whole.requests.size() == 1);
    REQUIRE(bytewise.requests.size() == 1);
    CHECK(bytewise.requests[0].head.method == "PUT");
    CHECK(bytewise.requests[0].head.target == whole.requests[0].head.target);
    CHECK(bytewise.requests[0].head.headers.fields() == whole.requests[0].head.headers.fields());
    CHECK(bytewise.requests[0].body == "{\"ttl\": 3600}");
}

TEST_CASE("an incomplete request waits for more bytes") {
    const auto run = parse("GET / HTTP/1.1\r\nHost: x\r\n");
    CHECK(run.error_status == 0);
    CHECK(run.requests.empty());
    CHECK(run.incomplete);
}

TEST_CASE("request smuggling vectors are refused with 400") {
    // Content-Length together with Transfer-Encoding.
    CHECK(
        status_of(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\n") == 400);
    // Two Content-Lengths, even equal ones.
    CHECK(status_of(
              "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nab") ==
          400);
    // A Content-Length that is not a number.
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\nab") == 400);
    // An invalid chunk size.
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                    "chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n") == 400);
    // chunked not last, or absent: the body's end is unknowable (RFC 9112 §6.3).
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") ==
          400);
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") == 400);
    // obs-fold: a header continued on the next line.
    CHECK(status_of("GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n b\r\n\r\n") == 400);
    // Bare LF as line end.
    CHECK(status_of("GET / HTTP/1.1\nHost: x\n\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nHost: x\n\r\n") == 400);
    // Space between the field name and the colon.
    CHECK(status_of("GET / HTTP/1.1\r\nHost : x\r\n\r\n") == 400);
    // A control character in a value.
    CHECK(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n") == 400);
    // An HTTP/1.1 request without Host, or with two.
    CHECK(status_of("GET / HTTP/1.1\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
    // Garbage instead of a request line.
    CHECK(status_of("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03") == 400);
}

TEST_CASE("an unknown method is 501, an unsupported version 505, an unknown coding 501") {
    CHECK(status_of("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n") == 501);
    CHECK(status_of("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
    CHECK(status_of("GET / HTTP/1.2\r\nHost: x\r\n\r\n") == 505);
    CHECK(status_of("GET / HTTP/3.1\r\nHost: x\r\n\r\n") == 505);
    // chunked last, with a coding before it that this server does not know.
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") ==
          501);
    CHECK(status_of("CONNECT www.foobar.com:443 HTTP/1.1\r\nHost: www.foobar.com:443\r\n\r\n") ==
          501);
}

TEST_CASE("each limit has its status: 414 target, 431 headers, 413 body") {
    Limits limits;
    limits.max_url_bytes = 64;
    limits.max_header_bytes = 256;
    limits.max_headers = 5;
    limits.max_body_bytes = 10;

    CHECK(status_of("GET /" + std::string(63, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", limits) == 0);
    CHECK(status_of("GET /" + std::string(64, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", limits) ==
          414);

    CHECK(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'v') + "\r\n\r\n",
                    limits) == 431);
    std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 5; ++i)
        many += "X-" + std::to_string(i) + ": v\r\n";
    CHECK(status_of(many + "\r\n", limits) == 431);
    // Empty-valued fields still count against the byte limit.
    std::string empties = "GET / HTTP/1.1\r\nHost: x\r\n";
    limits.max_headers = 1000;
    for (int i = 0; i < 80; ++i)
        empties += "A:\r\n";
    CHECK(status_of(empties + "\r\n", limits) == 431);

    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789", limits) ==
          0);
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890",
                    limits) == 413);
    CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
                    limits) == 413);
}

TEST_CASE("responses: sized, chunked, delimited by close, and bodiless for HEAD") {
    Limits limits;
    std::vector<std::string> bodies;
    std::vector<int> statuses;
    std::string body;
    Parser parser(
        Parser::Kind::response, limits,
        Parser::Callbacks{
            .on_request = {},
            .on_response = [&](core::http::ResponseHead& h) { statuses.push_back(h.status); },
            .on_body = [&](std::string_view d) { body.append(d); },
            .on_complete =
                [&] {
                    bodies.push_back(body);
                    body.clear();
                }});
    const std::string sized_then_chunked =
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n";
    auto result = parser.feed(sized_then_chunked);
    REQUIRE(result.outcome == Parser::Outcome::message_complete);
    parser.resume();
    result = parser.feed(std::string_view(sized_then_chunked).substr(result.consumed));
    REQUIRE(result.outcome == Parser::Outcome::message_complete);
    parser.resume();
    CHECK(statuses == std::vector<int>{200, 404});
    CHECK(bodies == std::vector<std::string>{"abc", "no"});

    parser.expect_no_body(true);
    result = parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    CHECK(result.outcome == Parser::Outcome::message_complete);
    parser.resume();
    parser.expect_no_body(false);
    CHECK(bodies.back().empty());

    result = parser.feed("HTTP/1.0 200 OK\r\n\r\nuntil the end");
    CHECK(result.outcome == Parser::Outcome::need_more);
    result = parser.finish();
    CHECK(result.outcome == Parser::Outcome::message_complete);
    CHECK(bodies.back() == "until the end");
}

TEST_CASE("Host must be a host and an optional port (RFC 9112 §3.2): else 400") {
    for (const char* good :
         {"www.foobar.com", "www.foobar.com:8080", "127.0.0.1", "127.0.0.1:80", "[::1]",
          "[::1]:8443", "[2001:db8::1]", "a_b.example", "%41.example", "", "host:"}) {
        CAPTURE(good);
        CHECK(core::http::is_valid_host(good));
        CHECK(status_of(std::string("GET / HTTP/1.1\r\nHost: ") + good + "\r\n\r\n") == 0);
    }
    for (const char* bad : {"www.foobar.com/path", "user@www.foobar.com", "a b", "host:80:80",
                            "host:port", "host:123456", "[::1", "[]", "[::1]x", "[zz::1]", "%4",
                            "%zz.example", "exa\"mple", "a\\b", "host?x"}) {
        CAPTURE(bad);
        CHECK_FALSE(core::http::is_valid_host(bad));
        CHECK(status_of(std::string("GET / HTTP/1.1\r\nHost: ") + bad + "\r\n\r\n") == 400);
    }
}
