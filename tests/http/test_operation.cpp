// Running httpd: the access log, counters, reloads under load, draining,
// and configurations that are refused.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>

#include "tests/http/httpd_fixture.hpp"
#include "tests/support/prometheus.hpp"

namespace {

std::string fixed(const std::string& body, const std::string& extra = "") {
    return extra +
           "\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = \"/_metrics\"\n"
           "metrics = true\n[[httpd.server.route]]\nbody = \"" +
           body + "\"\n";
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string get(const test::Httpd& httpd, const std::string& target,
                const std::string& host = "www.foobar.com") {
    return httpd.raw("GET " + target + " HTTP/1.1\r\nHost: " + host +
                     "\r\nUser-Agent: agent/1.0\r\nReferer: http://ref.example/\r\n\r\n");
}

}  // namespace

TEST_CASE("the access log: combined format, request time, upstream and request id") {
    test::HttpServer app({}, [](test::HttpServer&, const std::shared_ptr<core::http::Exchange>& e) {
        e->respond(201, {}, "made");
    });
    const std::string member = "127.0.0.1:" + std::to_string(app.port());
    test::Httpd httpd("[[httpd.upstream]]\nname = \"app\"\nmembers = [\"" + member +
                      "\"]\nhealth_interval = \"0s\"\n" + fixed("hello"));
    // The proxied route is added by a reload, which also shows it works.
    REQUIRE(httpd.reload("[[httpd.upstream]]\nname = \"app\"\nmembers = [\"" + member +
                         "\"]\nhealth_interval = \"0s\"\n[[httpd.server]]\n"
                         "[[httpd.server.route]]\nprefix = \"/api/\"\nproxy = \"app\"\n"
                         "[[httpd.server.route]]\nbody = \"hello\"\n"));
    CHECK(test::status_of(get(httpd, "/index?q=\"x\"")) == 200);
    CHECK(test::status_of(httpd.raw("GET /api/things HTTP/1.1\r\nHost: a\r\nX-Request-Id: "
                                    "rid-1\r\n\r\n")) == 201);
    // Lines are written within a second, and at the latest on exit.
    REQUIRE(httpd.process().stop(SIGTERM) == 0);
    const std::string log = read_file(httpd.dir().path() / "access.log");
    CAPTURE(log);
    const auto line_with = [&](std::string_view text) {
        const size_t at = log.find(text);
        if (at == std::string::npos) return std::string();
        const size_t start = log.rfind('\n', at);
        const size_t begin = start == std::string::npos ? 0 : start + 1;
        return log.substr(begin, log.find('\n', at) - begin);
    };
    // 127.0.0.1 - - [25/Nov/2026:20:54:06 +0000] "GET ..." 200 5 "ref" "agent" 0.001 - - -
    const std::string plain = line_with("GET /index");
    CHECK(plain.starts_with("127.0.0.1 - - ["));
    CHECK(plain.size() > 44);
    CHECK(plain[41] == ']');
    CHECK(plain.substr(15, 26).find_first_not_of("0123456789/JFMASONDanebrpyulgctov: +-") ==
          std::string::npos);
    CHECK(plain.find("] \"GET /index?q=\\x22x\\x22 HTTP/1.1\" 200 5 \"http://ref.example/\" "
                     "\"agent/1.0\" 0.") != std::string::npos);
    CHECK(plain.ends_with(" - - -"));
    const std::string proxied = line_with("GET /api/things");
    CHECK(proxied.find("\"GET /api/things HTTP/1.1\" 201 4 \"-\" \"-\" 0.") != std::string::npos);
    CHECK(proxied.ends_with(" " + member + " rid-1 -"));
}

TEST_CASE("/metrics: requests by server and status, durations, bytes, connections, reloads") {
    test::Httpd httpd(R"(
[[httpd.server]]
names = ["www.foobar.com"]
[[httpd.server.route]]
prefix = "/_metrics"
metrics = true
[[httpd.server.route]]
body = "hi"
[[httpd.server]]
names = ["other.example"]
[[httpd.server.route]]
body = "gone"
status = 410
)");
    for (int i = 0; i < 3; ++i)
        get(httpd, "/");
    get(httpd, "/", "other.example");
    test::Client held(httpd.port());  // one more open connection
    // Accepted by then, and every earlier request's connection closed:
    // the held one and the scrape's own.
    std::string text;
    int polls = 0;
    test::wait_until([&] {
        text = test::body_of(get(httpd, "/_metrics"));
        ++polls;
        return test::metric_value(text, "webstack_httpd_open_connections") == 2;
    });
    CHECK(test::promtool_findings(text) == "");
    // Each earlier scrape counts as a 200 of www.foobar.com.
    CHECK(test::metric_value(
              text, R"(webstack_httpd_requests_total{server="www.foobar.com",status="200"})") ==
          3 + polls - 1);
    CHECK(test::metric_value(
              text, R"(webstack_httpd_requests_total{server="other.example",status="410"})") == 1);
    CHECK(test::metric_value(
              text, R"(webstack_httpd_response_body_bytes_total{server="other.example"})") == 4);
    CHECK(test::metric_value(text, "webstack_httpd_open_connections") == 2);
    CHECK(test::metric_value(text, "webstack_httpd_request_duration_seconds_count") == 3 + polls);
    CHECK(test::metric_value(
              text, R"(webstack_httpd_request_duration_seconds_bucket{le="+Inf"})") == 3 + polls);
    CHECK(test::metric_value(text, "webstack_httpd_config_last_reload_successful") == 1);
    CHECK(test::metric_value(
              text, R"(webstack_httpd_build_info{version=")" WEBSTACK_VERSION R"("})") == 1);
    const std::string post = httpd.raw(
        "POST /_metrics HTTP/1.1\r\nHost: www.foobar.com\r\n"
        "Content-Length: 0\r\n\r\n");
    CHECK(test::status_of(post) == 405);

    // A reload that fails is said so.
    REQUIRE(httpd.reload("[httpd]\nnonsense = 1\n", "reload failed"));
    text = test::body_of(get(httpd, "/_metrics"));
    CHECK(test::metric_value(text, "webstack_httpd_config_last_reload_successful") == 0);
    CHECK(test::metric_value(text, R"(webstack_httpd_config_reloads_total{result="failure"})") ==
          1);
}

TEST_CASE("SIGHUP under load: new routes apply, no request fails, a bad file is not applied") {
    test::Httpd httpd(fixed("one"));
    test::Load load(httpd.port(), "GET /x HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i < 3; ++i) {
        REQUIRE(httpd.reload(fixed(i % 2 ? "one" : "two")));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(test::body_of(get(httpd, "/x")) == "two");
    // A configuration --check refuses is logged and ignored.
    REQUIRE(httpd.reload(fixed("three") + "[[httpd.server.route]]\nprefix = \"/a\"\nproxy = "
                                          "\"nowhere\"\n",
                         "reload failed"));
    CHECK(httpd.log().find("no [[httpd.upstream]] is named 'nowhere'") != std::string::npos);
    CHECK(test::body_of(get(httpd, "/x")) == "two");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    load.stop();
    CHECK(load.succeeded() > 100);
    CHECK_MESSAGE(load.failed() == 0, load.first_failure());
}

TEST_CASE("SIGHUP applies the HTTP limits to the next connections") {
    test::Httpd httpd(fixed("ok"));
    const std::string long_target = "/" + std::string(300, 'a');
    CHECK(test::status_of(get(httpd, long_target)) == 200);
    REQUIRE(httpd.reload(fixed("ok", "max_url_size = 256\nmax_header_size = \"1k\"\n")));
    CHECK(test::status_of(get(httpd, long_target)) == 414);
    CHECK(test::status_of(httpd.raw("GET / HTTP/1.1\r\nHost: www.foobar.com\r\nX-Big: " +
                                    std::string(2000, 'b') + "\r\n\r\n")) == 431);
    CHECK(test::status_of(get(httpd, "/")) == 200);
}

TEST_CASE("SIGTERM lets a response in flight finish, then exits 0") {
    test::HttpServer app(
        {}, [](test::HttpServer& self, const std::shared_ptr<core::http::Exchange>& e) {
            self.after(700, [e] { e->respond(200, {}, "finished"); });
        });
    test::Httpd httpd(
        "[[httpd.upstream]]\nname = \"app\"\nmembers = [\"127.0.0.1:" + std::to_string(app.port()) +
        "\"]\nhealth_interval = \"0s\"\n[[httpd.server]]\n[[httpd.server.route]]\n"
        "proxy = \"app\"\n");
    test::Client client(httpd.port());
    client.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    httpd.process().signal(SIGTERM);
    CHECK(test::body_of(client.read_responses(1)) == "finished");
    // Signalled once already: a second SIGTERM could land after the
    // handlers are gone and kill it; wait instead.
    CHECK(httpd.process().stop(0, 5000) == 0);
    // New connections are refused once it is gone.
    CHECK_THROWS(test::Client(httpd.port()));
}

TEST_CASE("--replace: a second httpd binds beside the first on its port, and serves on after it") {
    test::Httpd first("[[httpd.server]]\n[[httpd.server.route]]\nroot = \"{root}\"\n");
    first.put("index.html", "the site");
    const std::string config = (first.dir().path() / "webstack.toml").string();
    test::TempDir dir;
    // Without --replace, an address in use stops the start.
    test::Process refused({WEBSTACK_HTTPD, "--config", config}, (dir.path() / "refused").string());
    CHECK(refused.stop(0, 5000) == 1);
    CHECK(refused.log().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
          std::string::npos);

    test::Process second({WEBSTACK_HTTPD, "--config", config, "--replace"},
                         (dir.path() / "second").string());
    REQUIRE_MESSAGE(second.wait_for_log("state serving"), second.log());
    const auto served = [&] {
        int count = 0;
        for (int i = 0; i < 50; ++i)
            count += test::body_of(first.raw("GET / HTTP/1.1\r\nHost: a\r\n\r\n")) == "the site";
        return count;
    };
    CHECK(served() == 50);
    CHECK(first.process().stop() == 0);
    CHECK(served() == 50);
}

TEST_CASE("--check names the file, line and key of a mistake") {
    test::TempDir dir;
    const std::string path =
        dir.write("bad.toml",
                  "[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = \"/a\"\n"
                  "root = \"/no/such/dir\"\n");
    const std::string out = test::run(std::string(WEBSTACK_HTTPD) + " --config " + path +
                                      " --check 2>&1; echo \"exit $?\"");
    CHECK(out.find(path + ":5: httpd.server[1].route[1].root: /no/such/dir: not a directory") !=
          std::string::npos);
    CHECK(out.find("exit 1") != std::string::npos);
    const std::string good = dir.write("good.toml", "[httpd]\n");
    CHECK(test::run(std::string(WEBSTACK_HTTPD) + " --config " + good + " --check 2>&1")
              .find("is valid") != std::string::npos);
}
