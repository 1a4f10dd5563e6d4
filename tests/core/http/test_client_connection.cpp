// The client side of HTTP/1.1 against the server side: bodies both ways,
// keep-alive reuse, HEAD, and each failure a proxy must tell apart.
#include <future>

#include <doctest/doctest.h>

#include "core/http/client_connection.hpp"
#include "core/uv/loop.hpp"
#include "tests/support/client.hpp"
#include "tests/support/http_server.hpp"

using core::http::ClientConnection;
using core::http::Exchange;
using core::http::RequestHead;
using core::http::ResponseHead;
using ExchangePtr = std::shared_ptr<Exchange>;

namespace {

struct Outcome {
    int status = 0;
    std::string body;
    bool complete = false;
    int error = 0;
    bool started_before_error = false;
};

// Runs one exchange on `connection` to completion on `loop`.
Outcome exchange(core::uv::Loop& loop, ClientConnection& connection, RequestHead head,
                 std::vector<std::string> body_pieces = {}) {
    Outcome outcome;
    connection.send_request(
        std::move(head), ClientConnection::Callbacks{
                             .on_response = [&](ResponseHead& h) { outcome.status = h.status; },
                             .on_body = [&](std::string_view d) { outcome.body.append(d); },
                             .on_complete =
                                 [&] {
                                     outcome.complete = true;
                                     loop.stop();
                                 },
                             .on_error =
                                 [&](int status, std::string_view) {
                                     outcome.error = status;
                                     outcome.started_before_error = connection.response_started();
                                     loop.stop();
                                 },
                         });
    for (auto& piece : body_pieces)
        connection.write_body(std::move(piece));
    connection.end_body();
    if (!outcome.complete && outcome.error == 0) loop.run();
    return outcome;
}

RequestHead request(std::string method, std::string target) {
    RequestHead head;
    head.method = std::move(method);
    head.target = std::move(target);
    head.headers.add("Host", "upstream");
    return head;
}

core::net::Address loopback(int port) {
    std::string error;
    return *core::net::parse_address("127.0.0.1:" + std::to_string(port), error);
}

void echo(test::HttpServer&, const ExchangePtr& exchange) {
    exchange->read_body([exchange](std::string body) {
        exchange->respond(200, {}, exchange->request().method + " " + body);
    });
}

}  // namespace

TEST_CASE("sized and chunked request bodies arrive whole; the connection is reused") {
    test::HttpServer server({}, echo);
    core::uv::Loop loop;
    {
        ClientConnection connection(loop.get(), loopback(server.port()), {}, {});
        auto sized = request("POST", "/a");
        sized.content_length = 10;
        auto first = exchange(loop, connection, std::move(sized), {"hello", "world"});
        CHECK(first.complete);
        CHECK(first.status == 200);
        CHECK(first.body == "POST helloworld");
        CHECK(connection.reusable());

        auto chunked = request("PUT", "/b");
        chunked.chunked = true;
        auto second = exchange(loop, connection, std::move(chunked), {"stream", "ed"});
        CHECK(second.body == "PUT streamed");

        auto head = exchange(loop, connection, request("HEAD", "/c"));
        CHECK(head.complete);
        CHECK(head.body.empty());

        auto third = exchange(loop, connection, request("GET", "/d"));
        CHECK(third.body == "GET ");
        CHECK(server.connection_count() == 1);
    }
    CHECK(loop.close() == 0);
}

TEST_CASE("a chunked response streams to the client side") {
    test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
        exchange->start({});
        for (int i = 0; i < 3; ++i)
            exchange->write("part" + std::to_string(i) + ";");
        exchange->end();
    });
    core::uv::Loop loop;
    {
        ClientConnection connection(loop.get(), loopback(server.port()), {}, {});
        const auto outcome = exchange(loop, connection, request("GET", "/"));
        CHECK(outcome.complete);
        CHECK(outcome.body == "part0;part1;part2;");
        CHECK(connection.reusable());
    }
    CHECK(loop.close() == 0);
}

TEST_CASE("Connection: close from the upstream ends reuse") {
    test::HttpServer server({}, echo);
    core::uv::Loop loop;
    {
        ClientConnection connection(loop.get(), loopback(server.port()), {}, {});
        auto head = request("GET", "/");
        head.keep_alive = false;
        const auto outcome = exchange(loop, connection, std::move(head));
        CHECK(outcome.complete);
        CHECK_FALSE(connection.reusable());
    }
    CHECK(loop.close() == 0);
}

TEST_CASE("failures: refused, timed out before any byte, cut off mid-response") {
    core::uv::Loop loop;
    SUBCASE("nothing listens: refused, nothing was started") {
        ClientConnection connection(loop.get(), loopback(test::free_port()), {}, {});
        const auto outcome = exchange(loop, connection, request("GET", "/"));
        CHECK(outcome.error == UV_ECONNREFUSED);
        CHECK_FALSE(outcome.started_before_error);
    }
    SUBCASE("an upstream that never answers: timeout") {
        test::HttpServer server({}, [](test::HttpServer& s, const ExchangePtr& exchange) {
            s.after(500, [exchange] { exchange->respond(200, {}, "too late"); });
        });
        ClientConnection connection(loop.get(), loopback(server.port()), {},
                                    {.connect_ms = 1000, .read_ms = 100});
        const auto outcome = exchange(loop, connection, request("GET", "/"));
        CHECK(outcome.error == UV_ETIMEDOUT);
        CHECK_FALSE(outcome.started_before_error);
    }
    SUBCASE("an upstream that dies mid-body: an error after bytes arrived") {
        test::HttpServer server({}, [](test::HttpServer& s, const ExchangePtr& exchange) {
            ResponseHead head;
            head.content_length = 100;
            exchange->start(std::move(head));
            exchange->write("only part");
            // Then the upstream goes away.
            s.after(20, [&s] { s.server().close_all(); });
        });
        ClientConnection connection(loop.get(), loopback(server.port()), {}, {});
        const auto outcome = exchange(loop, connection, request("GET", "/"));
        CHECK(outcome.error != 0);
        CHECK(outcome.started_before_error);
        CHECK(outcome.body == "only part");
    }
    SUBCASE("a malformed response") {
        test::HttpServer server({}, [](test::HttpServer&, const ExchangePtr& exchange) {
            ResponseHead head;
            head.headers.add("X-Bad", "a\x01b");
            exchange->respond(200, head.headers, "x");
        });
        ClientConnection connection(loop.get(), loopback(server.port()), {}, {});
        const auto outcome = exchange(loop, connection, request("GET", "/"));
        CHECK(outcome.error == UV_EPROTO);
    }
    CHECK(loop.close() == 0);
}
