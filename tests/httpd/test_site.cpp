// httpd's configuration made into a site: virtual servers, routes and
// pools, and the errors that name the line at fault.
#include <filesystem>

#include <doctest/doctest.h>

#include "core/config/load.hpp"
#include "httpd/config.hpp"
#include "httpd/site.hpp"
#include "tests/support/process.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&httpd::config::kSchema};

std::shared_ptr<const httpd::Site> site_from(const std::string& toml) {
    const auto config = core::config::load_text(toml, "webstack.toml", kSchemas);
    return httpd::build_site(config.section("httpd"));
}

std::string error_of(const std::string& toml) {
    try {
        site_from(toml);
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("virtual servers: exact names, the longest wildcard, then the default") {
    test::TempDir dir;
    std::filesystem::create_directory(dir.path() / "www");
    const std::string root = (dir.path() / "www").string();
    const auto site = site_from(R"(
[httpd]
listen = ["127.0.0.1:8080", "127.0.0.1:8081"]
[[httpd.upstream]]
name = "app"
members = ["127.0.0.1:9000", "127.0.0.1:9001 weight=2"]
[[httpd.server]]
names = ["www.foobar.com"]
default = true
[[httpd.server.route]]
prefix = "/api/"
proxy = "app"
[[httpd.server.route]]
root = ")" + root + R"("
[[httpd.server]]
names = ["foobar.com"]
[[httpd.server.route]]
redirect = "http://www.foobar.com/"
[[httpd.server]]
names = ["*.foobar.com"]
listen = ["127.0.0.1:8081"]
[[httpd.server.route]]
body = "wild"
[[httpd.server]]
names = ["*.deep.foobar.com"]
listen = ["127.0.0.1:8081"]
[[httpd.server.route]]
body = "deeper"
status = 202
)");
    REQUIRE(site->servers.size() == 4);
    CHECK(site->server_for(0, "www.foobar.com")->label == "www.foobar.com");
    CHECK(site->server_for(0, "foobar.com")->label == "foobar.com");
    CHECK(site->server_for(0, "unknown.example")->label == "www.foobar.com");
    CHECK(site->server_for(0, "a.foobar.com")->label == "www.foobar.com");  // wildcard not on 8080
    CHECK(site->server_for(1, "a.foobar.com")->label == "*.foobar.com");
    CHECK(site->server_for(1, "x.deep.foobar.com")->label == "*.deep.foobar.com");

    const auto* www = site->server_for(0, "www.foobar.com");
    CHECK(www->route_for("/api/v1/zones")->kind == httpd::Route::Kind::proxy);
    CHECK(www->route_for("/api")->kind == httpd::Route::Kind::proxy);
    CHECK(www->route_for("/apiary")->kind == httpd::Route::Kind::files);
    CHECK(www->route_for("/")->kind == httpd::Route::Kind::files);
    CHECK(www->route_for("/api/")->upstream->members[1].weight == 2);
    const auto* apex = site->server_for(0, "foobar.com");
    CHECK(apex->route_for("/x")->location == "http://www.foobar.com");
    CHECK(apex->route_for("/x")->status == 301);
    CHECK(site->server_for(1, "x.deep.foobar.com")->route_for("/")->status == 202);
}

TEST_CASE("configuration mistakes name the file, line and key") {
    CHECK(error_of("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nproxy = \"nope\"\n") ==
          "webstack.toml:4: httpd.server[1].route[1].proxy: no [[httpd.upstream]] is named "
          "'nope'");
    CHECK(
        error_of("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nroot = \"/no/such/dir\"\n") ==
        "webstack.toml:4: httpd.server[1].route[1].root: /no/such/dir: not a directory");
    CHECK(error_of("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = \"/x\"\n")
              .find("needs exactly one of") != std::string::npos);
    CHECK(error_of("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nbody = \"a\"\n"
                   "redirect = \"http://x\"\n")
              .find("needs exactly one of") != std::string::npos);
    CHECK(
        error_of("[httpd]\n[[httpd.upstream]]\nname = \"a\"\nmembers = [\"127.0.0.1:1 w=2\"]\n") ==
        "webstack.toml:4: httpd.upstream[1].members: 127.0.0.1:1 w=2: unknown member option "
        "'w=2' (expected weight=N)");
    CHECK(error_of("[httpd]\n[[httpd.upstream]]\nname = \"a\"\nmembers = [\"127.0.0.1:1\"]\n"
                   "[[httpd.upstream]]\nname = \"a\"\nmembers = [\"127.0.0.1:2\"]\n")
              .find("another upstream is named 'a'") != std::string::npos);
    CHECK(error_of("[httpd]\n[[httpd.server]]\nnames = [\"a.com\"]\n[[httpd.server]]\n"
                   "names = [\"A.com\"]\n")
              .find("named by another server too") != std::string::npos);
    CHECK(error_of("[httpd]\n[[httpd.server]]\ndefault = true\n[[httpd.server]]\ndefault = true\n")
              .find("two servers are the default") != std::string::npos);
    CHECK(error_of("[httpd]\n[[httpd.server]]\nlisten = [\"127.0.0.1:1\"]\n")
              .find("is not in httpd.listen") != std::string::npos);
    CHECK(error_of(
              "[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = \"/a\"\nbody = \"x\"\n"
              "[[httpd.server.route]]\nprefix = \"/a\"\nbody = \"y\"\n")
              .find("routed twice") != std::string::npos);
    CHECK(error_of("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\nredirect = \"http://x\"\n"
                   "status = 200\n")
              .find("a redirect's status") != std::string::npos);
    for (const std::string location :
         {"//", "//www.foobar.com/path", "//www.foobar.com?x", "//a b"}) {
        CAPTURE(location);
        CHECK(error_of(std::string("[httpd]\n[[httpd.server]]\n[[httpd.server.route]]\n"
                                   "redirect = \"") +
                       location + "\"\n")
                  .find("//HOST: a host name") != std::string::npos);
    }
}

TEST_CASE("response_headers: \"Name: value\", no control character, none of HTTP's framing") {
    const auto site = site_from(
        "[httpd]\n[[httpd.server]]\nresponse_headers = [\"X-Content-Type-Options:nosniff\", "
        "\"Content-Security-Policy:  default-src 'self'  \"]\n");
    REQUIRE(site->servers.size() == 1);
    const auto& headers = site->servers[0].response_headers;
    REQUIRE(headers.size() == 2);
    CHECK(headers[0] == std::pair<std::string, std::string>{"X-Content-Type-Options", "nosniff"});
    CHECK(headers[1].second == "default-src 'self'");
    const auto error = [](const std::string& item) {
        return error_of("[httpd]\n[[httpd.server]]\nresponse_headers = [\"" + item + "\"]\n");
    };
    CHECK(error("no colon") ==
          "webstack.toml:3: httpd.server[1].response_headers: 'no colon' is "
          "not \"Name: value\"");
    CHECK(error("Bad Name: x").find("is not \"Name: value\"") != std::string::npos);
    CHECK(error("X-Injected: a\\r\\nSet-Cookie: b").find("control character") != std::string::npos);
    CHECK(error("Content-Length: 5").find("written by httpd itself") != std::string::npos);
    CHECK(error("transfer-encoding: chunked").find("written by httpd itself") != std::string::npos);
}

TEST_CASE("the one-line site: --root and --proxy") {
    test::TempDir dir;
    const auto config = core::config::defaults(kSchemas);
    httpd::QuickSite quick;
    quick.root = dir.path().string();
    quick.proxies = {"/api/=127.0.0.1:9000,127.0.0.1:9001", "/admin/=unix:/tmp/app.sock"};
    const auto site = httpd::build_site(config.section("httpd"), quick);
    REQUIRE(site->servers.size() == 1);
    REQUIRE(site->upstreams.size() == 2);
    CHECK(site->upstreams[0]->members.size() == 2);
    const auto* server = site->server_for(0, "anything");
    CHECK(server->route_for("/api/x")->upstream == site->upstreams[0]);
    CHECK(server->route_for("/admin/")->upstream == site->upstreams[1]);
    CHECK(server->route_for("/index.html")->kind == httpd::Route::Kind::files);
    quick.proxies = {"api=127.0.0.1:1"};
    CHECK_THROWS_WITH_AS(httpd::build_site(config.section("httpd"), quick),
                         doctest::Contains("expected /PREFIX=ADDRESS"), core::config::Error);
}

TEST_CASE("a reload keeps the health of members that stay") {
    const std::string toml =
        "[httpd]\n[[httpd.upstream]]\nname = \"app\"\nmembers = [\"127.0.0.1:1\", "
        "\"127.0.0.1:2\"]\n";
    const auto config = core::config::load_text(toml, "webstack.toml", kSchemas);
    const auto before = httpd::build_site(config.section("httpd"));
    before->upstreams[0]->report_failure(1, httpd::monotonic_ms());
    const auto after = httpd::build_site(config.section("httpd"), {}, before.get());
    CHECK(after->upstreams[0]->available(0, httpd::monotonic_ms()));
    CHECK_FALSE(after->upstreams[0]->available(1, httpd::monotonic_ms()));
    const auto fresh = httpd::build_site(config.section("httpd"));
    CHECK(fresh->upstreams[0]->available(1, httpd::monotonic_ms()));
}
