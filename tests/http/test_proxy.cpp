// httpd's reverse proxy: forwarded heads, streamed bodies, balancing,
// health, retries and the answers when members fail.
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "core/net/socket.hpp"
#include "tests/http/httpd_fixture.hpp"
#include "tests/support/prometheus.hpp"

namespace {

using Exchange = std::shared_ptr<core::http::Exchange>;

core::http::Limits big_limits() {
    core::http::Limits limits;
    limits.max_body_bytes = 64 << 20;
    return limits;
}

// An app server that answers with what it was sent: method, target, each
// header, and the body's size and checksum.
class EchoApp {
  public:
    explicit EchoApp(std::string name = "echo")
        : name_(std::move(name)),
          server_(big_limits(), [this](test::HttpServer&, const Exchange& exchange) {
              if (exchange->request().target != "/healthz") {
                  ++requests_;
                  std::lock_guard lock(mutex_);
                  peers_.insert(exchange->peer());
              }
              auto body = std::make_shared<std::string>();
              exchange->read_body([body](std::string_view chunk) { body->append(chunk); },
                                  [this, exchange, body] {
                                      std::string text = "app " + name_ + "\n" +
                                                         exchange->request().method + " " +
                                                         exchange->request().target + "\n";
                                      for (const auto& [n, v] : exchange->request().headers)
                                          text += n + ": " + v + "\n";
                                      text += "body " + std::to_string(body->size()) + "\n";
                                      if (body->size() < 100) text += *body;
                                      core::http::Headers headers;
                                      headers.add("X-App", name_);
                                      exchange->respond(200, std::move(headers), text);
                                  });
          }) {}
    int port() const { return server_.port(); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
    int requests() const { return requests_; }
    // Distinct client ports seen: the connections httpd opened.
    size_t peers() {
        std::lock_guard lock(mutex_);
        return peers_.size();
    }

  private:
    std::string name_;
    std::atomic<int> requests_{0};
    std::mutex mutex_;
    std::set<std::string> peers_;
    test::HttpServer server_;
};

// An app server whose behaviour a test sets: delay, status, health.
class ScriptedApp {
  public:
    ScriptedApp()
        : server_({}, [this](test::HttpServer& self, const Exchange& exchange) {
              const std::string& target = exchange->request().target;
              if (target == "/healthz") {
                  exchange->respond(healthy_ ? 200 : 500, {}, healthy_ ? "ok" : "sick");
                  return;
              }
              ++requests_;
              if (hang_up_) {
                  exchange->abort();  // closes without a byte of response
                  return;
              }
              const int delay = delay_ms_;
              auto answer = [exchange, this] { exchange->respond(200, {}, name); };
              if (delay > 0) {
                  self.after(static_cast<uint64_t>(delay), answer);
              } else {
                  answer();
              }
          }) {}
    int port() const { return server_.port(); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
    std::string name = "scripted";
    std::atomic<bool> healthy_{true};
    std::atomic<bool> hang_up_{false};
    std::atomic<int> delay_ms_{0};
    std::atomic<int> requests_{0};

  private:
    test::HttpServer server_;
};

std::string proxy_config(const std::string& members, const std::string& upstream_extra = "",
                         const std::string& httpd_extra = "") {
    return httpd_extra + "\n[[httpd.upstream]]\nname = \"app\"\nmembers = [" + members + "]\n" +
           upstream_extra +
           "\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = \"/api/\"\nproxy = \"app\"\n"
           "[[httpd.server.route]]\nprefix = \"/_metrics\"\nmetrics = true\n"
           "[[httpd.server.route]]\nroot = \"{root}\"\n";
}

std::string quoted(const std::string& address) {
    return "\"" + address + "\"";
}

std::string get(const test::Httpd& httpd, const std::string& target) {
    return httpd.raw("GET " + target + " HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
}

}  // namespace

TEST_CASE("a proxied request carries X-Forwarded-*, Via and a request id; hop-by-hop goes") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address())));
    const std::string r = httpd.raw(
        "GET /api/v1/zones?x=1 HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: keep-alive, "
        "X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Forwarded-For: 203.0.113.9\r\n"
        "User-Agent: test\r\n\r\n");
    CHECK(test::status_of(r) == 200);
    const std::string body = test::body_of(r);
    CHECK(body.find("GET /api/v1/zones?x=1\n") != std::string::npos);
    CHECK(body.find("X-Forwarded-For: 203.0.113.9, 127.0.0.1\n") != std::string::npos);
    CHECK(body.find("X-Forwarded-Proto: http\n") != std::string::npos);
    CHECK(body.find("X-Forwarded-Host: www.foobar.com\n") != std::string::npos);
    CHECK(body.find("Via: 1.1 webstack\n") != std::string::npos);
    CHECK(body.find("X-Request-Id: ") != std::string::npos);
    CHECK(body.find("User-Agent: test\n") != std::string::npos);
    CHECK(body.find("X-Hop") == std::string::npos);
    CHECK(body.find("Keep-Alive") == std::string::npos);
    // The response gains Via (what it loses is in the unit suite: core's
    // server never sends a Connection field of a handler's).
    const auto parsed = test::parse_responses(r);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].head.headers.get("X-App") == "echo");
    CHECK(parsed[0].head.headers.get("Via") == "1.1 webstack");
    // A client's own sane request id goes through unchanged.
    const std::string with_id =
        httpd.raw("GET /api/x HTTP/1.1\r\nHost: www.foobar.com\r\nX-Request-Id: trace-77\r\n\r\n");
    CHECK(test::body_of(with_id).find("X-Request-Id: trace-77\n") != std::string::npos);
}

TEST_CASE("upstream connections are kept alive and reused, per thread") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "health_interval = \"0s\""),
                      {"--threads", "1"});
    for (int i = 0; i < 20; ++i)
        REQUIRE(test::status_of(httpd.raw("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n")) == 200);
    // Twenty requests, one connection: the app sees the same peer port.
    CHECK(app.peers() == 1);
}

TEST_CASE("HTTP/1.0: kept alive only when asked, and the answer says so (RFC 9112 §9.3)") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "health_interval = \"0s\""));
    httpd.put("file.txt", "static");
    for (const std::string target : {"/api/x", "/file.txt"}) {
        CAPTURE(target);
        // Asked: the answer says keep-alive, and a second request is served.
        test::Client kept(httpd.port());
        kept.send("GET " + target + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        auto responses = test::parse_responses(kept.read_responses(1));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.status == 200);
        CHECK(responses[0].head.headers.get("Connection") == "keep-alive");
        // Without a Host of the client's, the member gets the pool's name.
        if (target == "/api/x") CHECK(responses[0].body.find("Host: app\n") != std::string::npos);
        kept.send("GET " + target + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        responses = test::parse_responses(kept.read_responses(1));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.status == 200);
        // Not asked: the answer says close, and the connection is closed.
        test::Client closed(httpd.port());
        closed.send("GET " + target + " HTTP/1.0\r\n\r\n");
        const std::string bytes = closed.read_until_close(3000);
        responses = test::parse_responses(bytes, false, true);
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].head.headers.get("Connection") == "close");
        CHECK(closed.closed_by_peer(1000));
    }
}

TEST_CASE("a member on a unix socket") {
    test::TempDir dir;
    test::HttpServer app(
        {},
        [](test::HttpServer&, const Exchange& exchange) {
            exchange->respond(200, {}, "over a unix socket\n");
        },
        100, (dir.path() / "app.sock").string());
    test::Httpd httpd(proxy_config(quoted(app.address()), "health_interval = \"0s\""));
    CHECK(test::body_of(get(httpd, "/api/x")) == "over a unix socket\n");
}

TEST_CASE("a large proxied response to a client that does not read holds memory flat") {
    // The member: an httpd serving a 48 MiB file.
    test::Httpd member("[[httpd.server]]\n[[httpd.server.route]]\nroot = \"{root}\"\n");
    member.put("api/big.bin", std::string(48 << 20, 'z'));
    test::Httpd httpd(proxy_config(quoted("127.0.0.1:" + std::to_string(member.port())),
                                   "health_interval = \"0s\""));
    const long before = test::rss_kib(httpd.process().pid());
    std::vector<std::unique_ptr<test::Client>> stalled;
    for (int i = 0; i < 3; ++i) {
        stalled.push_back(std::make_unique<test::Client>(httpd.port()));
        stalled.back()->send("GET /api/big.bin HTTP/1.1\r\nHost: a\r\n\r\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    CHECK(test::rss_kib(httpd.process().pid()) - before < 32 * 1024);  // three copies: 144 MiB
    // A client that reads gets it all.
    CHECK(httpd.curl("-o /dev/null -w '%{size_download}' " + httpd.url("/api/big.bin")) ==
          std::to_string(48 << 20));
}

TEST_CASE("request and response bodies stream through, sized and chunked") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "", "max_body_size = \"16m\""));
    const std::string payload = httpd.dir().write("payload.bin", std::string(5 << 20, 'x'));
    std::string out = httpd.curl("--data-binary @" + payload + " " + httpd.url("/api/upload"));
    CHECK(out.find("POST /api/upload\n") != std::string::npos);
    CHECK(out.find("body 5242880\n") != std::string::npos);
    out = httpd.curl("-H 'Transfer-Encoding: chunked' --data-binary @" + payload + " " +
                     httpd.url("/api/upload"));
    CHECK(out.find("Transfer-Encoding: chunked\n") != std::string::npos);
    CHECK(out.find("body 5242880\n") != std::string::npos);
    // Small bodies arrive intact.
    out = httpd.raw(
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    CHECK(test::body_of(out).ends_with("body 11\nhello world"));
    // Too large for max_body_size: 413, and the app never sees it.
    const int before = app.requests();
    const std::string huge = httpd.dir().write("huge.bin", std::string(17 << 20, 'y'));
    CHECK(httpd.curl("-o /dev/null -w '%{http_code}' --data-binary @" + huge + " " +
                     httpd.url("/api/upload")) == "413");
    CHECK(app.requests() == before);
}

TEST_CASE("weighted round robin and least connections") {
    EchoApp a("a");
    EchoApp b("b");
    SUBCASE("round robin by weight") {
        test::Httpd httpd(
            proxy_config(quoted(a.address() + " weight=3") + "," + quoted(b.address()),
                         "health_interval = \"0s\""),
            {"--threads", "1"});
        std::map<std::string, int> seen;
        for (int i = 0; i < 40; ++i) {
            const std::string body = test::body_of(get(httpd, "/api/x"));
            ++seen[body.substr(0, body.find('\n'))];
        }
        CHECK(seen["app a"] == 30);
        CHECK(seen["app b"] == 10);
    }
    SUBCASE("least_conn avoids the busy member") {
        ScriptedApp slow;
        slow.name = "slow";
        ScriptedApp quick;
        quick.name = "quick";
        test::Httpd httpd(proxy_config(quoted(slow.address()) + "," + quoted(quick.address()),
                                       "balance = \"least_conn\"\nhealth_interval = \"0s\""),
                          {"--threads", "1"});
        slow.delay_ms_ = 1500;
        // The first request goes to `slow` and waits there.
        test::Client held(httpd.port());
        held.send("GET /api/held HTTP/1.1\r\nHost: a\r\n\r\n");
        REQUIRE(test::wait_until([&] { return slow.requests_ == 1; }));
        int quick_answers = 0;
        for (int i = 0; i < 6; ++i)
            quick_answers += test::body_of(get(httpd, "/api/x")) == "quick";
        CHECK(quick_answers == 6);
        CHECK(test::body_of(held.read_responses(1)) == "slow");
    }
}

TEST_CASE("a member that refuses connections is skipped; with none left, 502 at once") {
    EchoApp live("live");
    const int dead_port = test::free_port();
    test::Httpd httpd(proxy_config(quoted("127.0.0.1:" + std::to_string(dead_port)) + "," +
                                       quoted(live.address()),
                                   "health_interval = \"0s\"\nfail_timeout = \"30s\""),
                      {"--threads", "1"});
    for (int i = 0; i < 10; ++i) {
        const std::string r = get(httpd, "/api/x");
        CHECK(test::status_of(r) == 200);
        CHECK(test::body_of(r).starts_with("app live"));
    }
    CHECK(httpd.log().find("failed: out for 30000 ms") != std::string::npos);
    const std::string metrics = test::body_of(get(httpd, "/_metrics"));
    CHECK(test::metric_value(metrics, "webstack_httpd_upstream_retries_total{upstream=\"app\"}") ==
          1);
    CHECK(test::metric_value(
              metrics, "webstack_httpd_upstream_member_up{upstream=\"app\",member=\"127.0.0.1:" +
                           std::to_string(dead_port) + "\"}") == 0);
    CHECK(
        test::metric_value(metrics, "webstack_httpd_upstream_member_up{upstream=\"app\",member=\"" +
                                        live.address() + "\"}") == 1);

    test::Httpd lonely(proxy_config(quoted("127.0.0.1:" + std::to_string(dead_port)),
                                    "health_interval = \"0s\"\nfail_timeout = \"30s\""));
    // A pool of one never takes its member out: each request tries it.
    std::string r = get(lonely, "/api/x");
    CHECK(test::status_of(r) == 502);
    r = get(lonely, "/api/x");
    CHECK(test::status_of(r) == 502);
    CHECK(test::body_of(r).find("upstream app failed: cannot connect") != std::string::npos);
    CHECK(lonely.log().find("out for") == std::string::npos);
}

TEST_CASE("a kept-alive connection the member closed: sent again on a new one, not a 502") {
    // A member that answers the first request of each connection and closes
    // the connection, unanswered, when a second one comes on it: what httpd
    // meets when a member closes an idle connection just as it is reused.
    std::mutex mutex;
    std::set<std::string> served;
    int closed = 0;
    test::HttpServer app(big_limits(), [&](test::HttpServer&, const Exchange& exchange) {
        {
            std::lock_guard lock(mutex);
            if (!served.insert(exchange->peer()).second) {
                ++closed;
                exchange->abort();
                return;
            }
        }
        auto body = std::make_shared<std::string>();
        exchange->read_body([body](std::string_view chunk) { body->append(chunk); },
                            [exchange, body] {
                                exchange->respond(200, {}, "got " + std::to_string(body->size()));
                            });
    });
    test::Httpd httpd(proxy_config(quoted(app.address()), "health_interval = \"0s\""),
                      {"--threads", "1"});
    for (int i = 0; i < 5; ++i) {
        const std::string r = httpd.raw(
            "POST /api/again HTTP/1.1\r\nHost: a\r\n"
            "Content-Length: 4\r\n\r\nbody");
        CHECK(test::status_of(r) == 200);
        CHECK(test::body_of(r) == "got 4");
    }
    {
        std::lock_guard lock(mutex);
        CHECK(closed >= 4);  // each request after the first met a closed connection
    }
    INFO(httpd.log());
    // The member is not blamed: a pool of one, and of two, keeps it in.
    CHECK(httpd.log().find("out for") == std::string::npos);
    const std::string metrics = test::body_of(get(httpd, "/_metrics"));
    CHECK(test::metric_value(metrics, "webstack_httpd_upstream_failures_total{upstream=\"app\"}") ==
          0);
}

TEST_CASE("active health checks take a sick member out and bring it back when healthy") {
    ScriptedApp a;
    a.name = "a";
    ScriptedApp b;
    b.name = "b";
    test::Httpd httpd(proxy_config(quoted(a.address()) + "," + quoted(b.address()),
                                   "health_interval = \"100ms\"\nhealth_fall = 2\nhealth_rise = 2"),
                      {"--threads", "1"});
    a.healthy_ = false;
    REQUIRE(httpd.process().wait_for_log("failed 2 health checks: out", 5000));
    for (int i = 0; i < 6; ++i)
        CHECK(test::body_of(get(httpd, "/api/x")) == "b");
    a.healthy_ = true;
    REQUIRE(httpd.process().wait_for_log("is healthy again", 5000));
    std::map<std::string, int> seen;
    for (int i = 0; i < 6; ++i)
        ++seen[test::body_of(get(httpd, "/api/x"))];
    CHECK(seen["a"] == 3);
    CHECK(seen["b"] == 3);
}

TEST_CASE("a GET or PUT whose member fails before answering is retried; a POST is not") {
    ScriptedApp flaky;
    flaky.name = "flaky";
    ScriptedApp good;
    good.name = "good";
    flaky.hang_up_ = true;
    test::Httpd httpd(proxy_config(quoted(flaky.address()) + "," + quoted(good.address()),
                                   "health_interval = \"0s\"\nfail_timeout = \"0s\""),
                      {"--threads", "1"});
    for (int i = 0; i < 4; ++i)
        CHECK(test::body_of(get(httpd, "/api/x")) == "good");
    // A POST reached the member, which hung up: resending could apply it twice.
    int failed_posts = 0;
    for (int i = 0; i < 4; ++i) {
        const int before_flaky = flaky.requests_;
        const int before_good = good.requests_;
        const std::string r =
            httpd.raw("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        if (flaky.requests_ > before_flaky) {
            CHECK(test::status_of(r) == 502);
            CHECK(good.requests_ == before_good);
            ++failed_posts;
        }
    }
    CHECK(failed_posts >= 1);
    // A PUT is idempotent (RFC 9110 §9.2.2): its body is sent again to the
    // next member, which answers.
    for (int i = 0; i < 4; ++i) {
        const std::string r =
            httpd.raw("PUT /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        CHECK(test::status_of(r) == 200);
        CHECK(test::body_of(r) == "good");
    }
}

TEST_CASE("an upstream that stays silent gets 504 after read_timeout") {
    ScriptedApp slow;
    slow.delay_ms_ = 3000;
    test::Httpd httpd(
        proxy_config(quoted(slow.address()), "read_timeout = \"300ms\"\nhealth_interval = \"0s\""));
    const std::string r = get(httpd, "/api/slow");
    CHECK(test::status_of(r) == 504);
    CHECK(test::body_of(r).find("timed out") != std::string::npos);
}

TEST_CASE("a member that never completes the connection is cut off by connect_timeout") {
    // A listener that never accepts, its queue filled: further SYNs are
    // dropped, so a connect hangs as it would towards a dead host.
    std::string error;
    const auto listener = core::net::bind_reuseport(*core::net::parse_address("127.0.0.1:0", error),
                                                    core::net::Transport::tcp);
    REQUIRE(listen(listener.get(), 0) == 0);
    const int port = listener.local_port();
    const auto address = core::net::parse_address("127.0.0.1:" + std::to_string(port), error);
    std::vector<core::net::Socket> fillers;
    for (int i = 0; i < 4; ++i) {
        fillers.emplace_back(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        connect(fillers.back().get(), address->sockaddr_ptr(), address->sockaddr_length());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

    test::Httpd httpd(proxy_config(quoted("127.0.0.1:" + std::to_string(port)),
                                   "connect_timeout = \"300ms\"\nhealth_interval = \"0s\""));
    const std::string r = get(httpd, "/api/x");
    CHECK(test::status_of(r) == 504);
    CHECK(test::body_of(r).find("timed out") != std::string::npos);
    // Without the timeout the kernel would retry the SYN for minutes and
    // this request would get no answer at all.
    CHECK(httpd.log().find("connect timeout") != std::string::npos);
}

TEST_CASE("killing a member under a load of GETs fails no GET") {
    test::AppProcess a("a");
    test::AppProcess b("b");
    test::Httpd httpd(proxy_config(quoted(a.address()) + "," + quoted(b.address()),
                                   "health_interval = \"200ms\""));
    test::Load load(httpd.port(), "GET /api/x HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    kill(a.process().pid(), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    load.stop();
    CHECK(load.succeeded() > 100);
    CHECK_MESSAGE(load.failed() == 0, load.first_failure());
    CHECK(test::body_of(get(httpd, "/api/x")) == "b");
}

TEST_CASE("ambiguous framing is refused with 400 and never reaches the app") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address())));
    const char* smuggled[] = {
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: "
        "chunked\r\n\r\n0\r\n\r\n",
        "POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
        "chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
        "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n",
        "GET /api/x HTTP/1.1\nHost: a\n\n",
        "GET /api/x HTTP/1.1\r\nHost : a\r\n\r\n",
        "POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: "
        "3\r\n\r\nabc",
    };
    for (const char* request : smuggled) {
        CAPTURE(request);
        test::Client client(httpd.port());
        client.send(request);
        const std::string r = client.read_until_close(3000);
        CHECK(test::status_of(r) == 400);
    }
    CHECK(app.requests() == 0);
}

TEST_CASE("a client dribbling its headers is cut off and delays nobody") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "", "header_timeout = \"1s\""));
    std::vector<std::unique_ptr<test::Client>> slow;
    for (int i = 0; i < 20; ++i) {
        slow.push_back(std::make_unique<test::Client>(httpd.port()));
        slow.back()->send("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Slow: ");
    }
    // Others are served at once meanwhile.
    CHECK(test::status_of(get(httpd, "/api/x")) == 200);
    for (auto& client : slow) {
        client->send("a");
        const std::string r = client->read_until_close(4000);
        CHECK(test::status_of(r) == 408);
    }
    CHECK(app.requests() == 1);
}

TEST_CASE("a request body that stops arriving gets 408 after body_timeout") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "", "body_timeout = \"500ms\""));
    test::Client client(httpd.port());
    client.send("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab");
    const std::string r = client.read_until_close(4000);
    CHECK(test::status_of(r) == 408);
}

TEST_CASE("limits: headers, URL and connections") {
    EchoApp app;
    test::Httpd httpd(proxy_config(quoted(app.address()), "",
                                   "max_header_size = \"2k\"\nmax_url_size = \"1k\"\n"
                                   "max_connections = 5"),
                      {"--threads", "1"});
    CHECK(test::status_of(httpd.raw("GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: " +
                                    std::string(3000, 'b') + "\r\n\r\n")) == 431);
    CHECK(test::status_of(httpd.raw("GET /api/" + std::string(2000, 'u') +
                                    " HTTP/1.1\r\nHost: a\r\n\r\n")) == 414);
    std::vector<std::unique_ptr<test::Client>> held;
    for (int i = 0; i < 5; ++i)
        held.push_back(std::make_unique<test::Client>(httpd.port()));
    test::Client extra(httpd.port());
    CHECK(extra.closed_by_peer(3000));
    held.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(test::status_of(get(httpd, "/api/x")) == 200);
}

TEST_CASE(
    "a route with errors = \"json\" gets httpd's own refusals as JSON; other routes as text") {
    const int dead_port = test::free_port();
    std::string config = proxy_config(quoted("127.0.0.1:" + std::to_string(dead_port)),
                                      "health_interval = \"0s\"", "max_body_size = \"1k\"");
    const std::string proxy_line = "proxy = \"app\"\n";
    config.replace(config.find(proxy_line), proxy_line.size(), proxy_line + "errors = \"json\"\n");
    test::Httpd httpd(config);
    const auto content_type = [](const std::string& raw) {
        const size_t at = raw.find("Content-Type: ");
        return at == std::string::npos ? std::string()
                                       : raw.substr(at + 14, raw.find("\r\n", at) - at - 14);
    };
    // The proxy's own answer when no member is there.
    std::string r = get(httpd, "/api/v1/zones");
    CHECK(test::status_of(r) == 502);
    CHECK(content_type(r) == "application/json");
    CHECK(test::body_of(r).starts_with("{\"error\":\"bad gateway\",\"detail\":\"upstream app"));
    // The HTTP layer's, after the head: a body too large.
    const std::string big(2000, 'x');
    r = httpd.raw(
        "POST /api/v1/zones HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Length: 2000\r\n\r\n" +
        big);
    CHECK(test::status_of(r) == 413);
    CHECK(content_type(r) == "application/json");
    CHECK(test::body_of(r).starts_with("{\"error\":\"content too large\""));
    // Elsewhere, text as before.
    r = httpd.raw("POST /file HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Length: 2000\r\n\r\n" +
                  big);
    CHECK(test::status_of(r) == 413);
    CHECK(content_type(r) == "text/plain; charset=utf-8");
    // A head refused before its route is known stays text.
    r = httpd.raw(
        "GET /api/v1/zones HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Length: 1\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    CHECK(test::status_of(r) == 400);
    CHECK(content_type(r) == "text/plain; charset=utf-8");
    // The key is checked: only text or json; a reload with another keeps
    // the routes as they were.
    std::string wrong = config;
    wrong.replace(wrong.find("errors = \"json\""), 15, "errors = \"xml\"");
    CHECK(httpd.reload(wrong, "errors"));
    CHECK(content_type(get(httpd, "/api/v1/zones")) == "application/json");
}
