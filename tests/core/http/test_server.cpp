// The HTTP/1.1 server connection over real sockets: keep-alive,
// pipelining, bodies both ways, errors, timeouts, backpressure, draining.
#include <atomic>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "core/http/exchange.hpp"
#include "tests/support/client.hpp"
#include "tests/support/http_server.hpp"

using core::http::Exchange;
using core::http::Headers;
using core::http::Limits;
using ExchangePtr = std::shared_ptr<Exchange>;

namespace {

// Answers "METHOD TARGET body=<request body>" with a sized response.
void echo(test::HttpServer&, const ExchangePtr& exchange) {
    exchange->read_body([exchange](std::string body) {
        Headers headers;
        headers.add("Content-Type", "text/plain");
        exchange->respond(
            200, std::move(headers),
            exchange->request().method + " " + exchange->request().target + " body=" + body);
    });
}

std::string get(const std::string& target, const std::string& extra = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

}  // namespace

TEST_CASE("a request gets a sized response; keep-alive carries a second one") {
    test::HttpServer server({}, echo);
    test::Client client(server.port());
    client.send(get("/one"));
    auto responses = test::parse_responses(client.read_responses(1));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].head.status == 200);
    CHECK(responses[0].head.content_length == std::string("GET /one body=").size());
    CHECK(responses[0].body == "GET /one body=");
    CHECK(responses[0].head.headers.has("Date"));
    CHECK(responses[0].head.keep_alive);

    client.send(get("/two"));
    responses = test::parse_responses(client.read_responses(1));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "GET /two body=");
    CHECK(server.connection_count() == 1);
}

TEST_CASE("pipelined requests are answered in order, one handler call at a time") {
    std::atomic<int> in_flight{0};
    std::atomic<int> most_in_flight{0};
    test::HttpServer server({}, [&](test::HttpServer& s, const ExchangePtr& exchange) {
        most_in_flight = std::max(most_in_flight.load(), ++in_flight);
        // Answer later, so that a server that parsed ahead would be caught.
        s.after(20, [&, exchange] {
            --in_flight;
            exchange->respond(200, {}, exchange->request().target);
        });
    });
    test::Client client(server.port());
    client.send(get("/1") + get("/2") +
                "POST /3 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" + get("/4"));
    const auto responses = test::parse_responses(client.read_responses(4));
    REQUIRE(responses.size() == 4);
    CHECK(responses[0].body == "/1");
    CHECK(responses[1].body == "/2");
    CHECK(responses[2].body == "/3");
    CHECK(responses[3].body == "/4");
    CHECK(most_in_flight == 1);
}

TEST_CASE("a request split byte by byte across reads is served") {
    test::HttpServer server({}, echo);
    test::Client client(server.port());
    client.send_bytewise(
        "POST /split HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    const auto responses = test::parse_responses(client.read_responses(1));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "POST /split body=abcde");
}

TEST_CASE(
    "a chunked request body is streamed to the handler, and a response streamed back chunked") {
    test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
        auto received = std::make_shared<std::string>();
        exchange->read_body([received](std::string_view chunk) { received->append(chunk); },
                            [exchange, received] {
                                core::http::ResponseHead head;
                                head.headers.add("Content-Type", "text/plain");
                                exchange->start(std::move(head));
                                exchange->write("got:");
                                exchange->write(*received);
                                exchange->end();
                            });
    });
    test::Client client(server.port());
    client.send(
        "PUT /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
        "chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n");
    const std::string raw = client.read_responses(1);
    const auto responses = test::parse_responses(raw);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].head.chunked);
    CHECK_FALSE(responses[0].head.content_length);
    CHECK(responses[0].body == "got:wikipedia");
    CHECK(raw.find("\r\n4\r\ngot:\r\n9\r\nwikipedia\r\n0\r\n\r\n") != std::string::npos);
}

TEST_CASE("an unsized response to HTTP/1.0 is delimited by closing the connection") {
    test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
        exchange->start({});
        exchange->write("old client");
        exchange->end();
    });
    test::Client client(server.port());
    client.send("GET / HTTP/1.0\r\n\r\n");
    const std::string raw = client.read_until_close();
    CHECK(raw.find("Transfer-Encoding") == std::string::npos);
    CHECK(raw.find("Connection: close") != std::string::npos);
    const auto responses = test::parse_responses(raw, false, true);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "old client");
}

TEST_CASE("HEAD gets the headers of GET and no body") {
    test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
        exchange->respond(200, {}, "twelve bytes");
    });
    test::Client client(server.port());
    client.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + get("/after"));
    const std::string raw = client.read_responses(2);
    // The first response has Content-Length 12 and no body; the second follows at once.
    const auto head_response = test::parse_responses(raw, true);
    REQUIRE(!head_response.empty());
    CHECK(head_response[0].head.content_length == 12);
    CHECK(raw.find("twelve bytes") == raw.rfind("twelve bytes"));
    CHECK(raw.find("HTTP/1.1 200", 10) != std::string::npos);
}

TEST_CASE("each malformed request earns its status, Connection: close, and a closed connection") {
    Limits limits;
    limits.max_url_bytes = 100;
    limits.max_header_bytes = 1024;
    limits.max_body_bytes = 16;
    std::atomic<int> handled{0};
    test::HttpServer server(limits, [&](test::HttpServer& s, const ExchangePtr& e) {
        ++handled;
        echo(s, e);
    });
    const struct {
        std::string request;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n",
         400},
        {"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n", 400},
        {"GET /" + std::string(200, 'u') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
        {"GET / HTTP/1.1\r\nHost: t\r\nBig: " + std::string(2000, 'h') + "\r\n\r\n", 431},
        {"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n", 413},
        {"BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", 501},
        {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505},
    };
    for (const auto& c : cases) {
        CAPTURE(c.status);
        test::Client client(server.port());
        client.send(c.request + get("/smuggled"));
        const std::string raw = client.read_until_close();
        const auto responses = test::parse_responses(raw);
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.status == c.status);
        CHECK_FALSE(responses[0].head.keep_alive);
    }
    // Nothing after a bad request was ever handled: /smuggled never ran.
    CHECK(handled == 0);
}

TEST_CASE("a body larger than the limit, sent chunked, is cut off with 413") {
    Limits limits;
    limits.max_body_bytes = 8;
    test::HttpServer server(limits, echo);
    test::Client client(server.port());
    client.send(
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
        "chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n");
    const auto responses = test::parse_responses(client.read_until_close());
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].head.status == 413);
}

TEST_CASE("timeouts: header → 408, body → 408, idle keep-alive → silent close") {
    Limits limits;
    limits.header_timeout_ms = 150;
    limits.body_timeout_ms = 150;
    limits.idle_timeout_ms = 150;
    test::HttpServer server(limits, echo);

    SUBCASE("a client that dribbles its headers is cut off, however often it sends") {
        test::Client client(server.port());
        client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");
        std::string raw;
        for (int i = 0; i < 6; ++i) {  // a byte every 50 ms: 300 ms > 150 ms
            client.send("x");
            raw += client.read_some(50);
        }
        raw += client.read_until_close(1000);
        const auto responses = test::parse_responses(raw);
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.status == 408);
    }
    SUBCASE("a body that stops arriving") {
        test::Client client(server.port());
        client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345");
        const auto responses = test::parse_responses(client.read_until_close(1000));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.status == 408);
    }
    SUBCASE("an idle keep-alive connection is closed without a response") {
        test::Client client(server.port());
        client.send(get("/"));
        REQUIRE(test::parse_responses(client.read_responses(1)).size() == 1);
        CHECK(client.closed_by_peer(1000));
        CHECK(client.read_until_close(10).empty());
    }
}

TEST_CASE("a slow reader holds back a streaming producer (write backpressure)") {
    constexpr int kPieces = 256;
    const std::string piece(64 * 1024, 'p');
    std::atomic<int> produced{0};
    test::HttpServer server({}, [&](test::HttpServer&, const ExchangePtr& exchange) {
        core::http::ResponseHead head;
        head.content_length = uint64_t{kPieces} * piece.size();
        exchange->start(std::move(head));
        // Each piece is written only once the previous one was flushed.
        auto next = std::make_shared<std::function<void()>>();
        *next = [&, exchange, next] {
            if (produced == kPieces) {
                exchange->end();
                *next = nullptr;  // break the cycle
                return;
            }
            ++produced;
            exchange->write(piece, [next] {
                if (*next) (*next)();
            });
        };
        (*next)();
    });
    test::Client client(server.port());
    client.send(get("/big"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // 16 MiB were asked for; without reading, only what the socket buffers
    // hold can have been produced.
    CHECK(produced < kPieces / 2);
    const auto raw = client.read_responses(1, 10000);
    const auto responses = test::parse_responses(raw);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body.size() == size_t{kPieces} * piece.size());
    CHECK(produced == kPieces);
}

TEST_CASE("a response that ends before the request body was read closes the connection") {
    test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
        exchange->respond(403, {}, "no uploads");
    });
    test::Client client(server.port());
    client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\npartial");
    const std::string raw = client.read_until_close();
    const auto responses = test::parse_responses(raw);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].head.status == 403);
    CHECK_FALSE(responses[0].head.keep_alive);
}

TEST_CASE("the connection limit closes connections beyond it") {
    test::HttpServer server({}, echo, 2);
    test::Client a(server.port());
    test::Client b(server.port());
    a.send(get("/a"));
    b.send(get("/b"));
    REQUIRE(test::parse_responses(a.read_responses(1)).size() == 1);
    REQUIRE(test::parse_responses(b.read_responses(1)).size() == 1);
    test::Client c(server.port());
    c.send(get("/c"));
    CHECK(c.closed_by_peer());
    CHECK(test::parse_responses(c.read_until_close(10)).empty());
}

TEST_CASE(
    "draining finishes the request in flight, closes idle connections, and leaves no handle") {
    test::HttpServer server({}, [](test::HttpServer& s, const ExchangePtr& exchange) {
        s.after(200, [exchange] { exchange->respond(200, {}, "finished"); });
    });
    test::Client idle(server.port());
    test::Client busy(server.port());
    busy.send(get("/slow"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(server.connection_count() == 2);
    std::thread stopper([&] { CHECK(server.drain_and_stop() == 0); });
    const std::string raw = busy.read_until_close();
    stopper.join();
    const auto responses = test::parse_responses(raw);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body == "finished");
    CHECK_FALSE(responses[0].head.keep_alive);
    CHECK(idle.closed_by_peer());
    // The listener is gone too.
    CHECK_THROWS(test::Client(server.port()));
}

TEST_CASE("a client that goes away while its request is handled aborts the exchange") {
    std::atomic<bool> aborted{false};
    test::HttpServer server({}, [&](test::HttpServer&, const ExchangePtr& exchange) {
        exchange->on_abort([&] { aborted = true; });  // never answered
    });
    {
        test::Client client(server.port());
        client.send(get("/long-poll"));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }  // the client closes its socket
    for (int i = 0; i < 100 && !aborted; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(aborted);
    CHECK(server.connection_count() == 0);
}
