// Configuration: the schema tables drive parsing, defaults, errors that
// name file, line and key, and the README's reference.
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "appsrv/config.hpp"
#include "core/config/load.hpp"
#include "core/config/reference.hpp"
#include "db/config.hpp"
#include "dnsd/config.hpp"
#include "httpd/config.hpp"

using core::config::Error;
using core::config::Key;
using core::config::Schema;
using core::config::Type;

namespace {

constexpr Key kUpstreamKeys[] = {
    {.name = "name",
     .type = Type::string,
     .default_value = "",
     .help = "pool name",
     .required = true},
    {.name = "members", .type = Type::string_list, .default_value = "[]", .help = "addresses"},
};
constexpr Schema kUpstreamSchema{.name = "test.upstream", .help = "", .keys = kUpstreamKeys};

constexpr Key kTestKeys[] = {
    {.name = "port",
     .type = Type::integer,
     .default_value = "53",
     .help = "",
     .reloadable = false,
     .min = 1,
     .max = 65535},
    {.name = "enabled",
     .type = Type::boolean,
     .default_value = "true",
     .help = "",
     .reloadable = true},
    {.name = "timeout",
     .type = Type::duration,
     .default_value = "\"10s\"",
     .help = "",
     .reloadable = true,
     .min = 1,
     .max = 60'000},
    {.name = "buffer",
     .type = Type::size,
     .default_value = "\"64k\"",
     .help = "",
     .reloadable = true},
    {.name = "mode",
     .type = Type::string,
     .default_value = "\"fast\"",
     .help = "",
     .reloadable = true,
     .choices = "fast|safe"},
    {.name = "upstream",
     .type = Type::table_list,
     .default_value = "",
     .help = "",
     .reloadable = true,
     .children = &kUpstreamSchema},
};
constexpr Schema kTestSchema{.name = "dnsd", .help = "a test section", .keys = kTestKeys};
constexpr const Schema* kTest[] = {&kTestSchema};

Error error_of(const std::string& text) {
    try {
        core::config::load_text(text, "test.toml", kTest);
    } catch (const Error& e) {
        return e;
    }
    FAIL("the configuration was accepted: " << text);
    return Error("", 0, "", "");
}

}  // namespace

TEST_CASE("values are read with their types, absent keys take their defaults") {
    const auto config = core::config::load_text(
        "[dnsd]\nport = 5300\ntimeout = \"500ms\"\nbuffer = \"2m\"\n"
        "[[dnsd.upstream]]\nname = \"app\"\nmembers = [\"127.0.0.1:9000\", \"127.0.0.1:9001\"]\n"
        "[[dnsd.upstream]]\nname = \"other\"\n",
        "test.toml", kTest);
    const auto& s = config.section("dnsd");
    CHECK(s.integer("port") == 5300);
    CHECK(s.boolean("enabled"));
    CHECK(s.duration_ms("timeout") == 500);
    CHECK(s.size("buffer") == 2 * 1024 * 1024);
    CHECK(s.string("mode") == "fast");
    CHECK(s.origin("port").line == 2);
    const auto& pools = s.tables("upstream");
    REQUIRE(pools.size() == 2);
    CHECK(pools[0].string("name") == "app");
    CHECK(pools[0].strings("members").size() == 2);
    CHECK(pools[1].strings("members").empty());
}

TEST_CASE("durations and sizes accept their units; integers count seconds and bytes") {
    CHECK(core::config::load_text("[dnsd]\ntimeout = 3\n", "t", kTest)
              .section("dnsd")
              .duration_ms("timeout") == 3000);
    CHECK(core::config::load_text("[dnsd]\ntimeout = \"1m\"\n", "t", kTest)
              .section("dnsd")
              .duration_ms("timeout") == 60'000);
    CHECK(core::config::load_text("[dnsd]\nbuffer = 512\n", "t", kTest)
              .section("dnsd")
              .size("buffer") == 512);
    CHECK(core::config::load_text("[dnsd]\nbuffer = \"1G\"\n", "t", kTest)
              .section("dnsd")
              .size("buffer") == (int64_t{1} << 30));
}

TEST_CASE("errors name the file, the line and the key") {
    auto e = error_of("[dnsd]\n\nport = 70000\n");
    CHECK(e.file() == "test.toml");
    CHECK(e.line() == 3);
    CHECK(e.key() == "dnsd.port");
    CHECK(std::string(e.what()) == "test.toml:3: dnsd.port: must be between 1 and 65535");

    e = error_of("[dnsd]\nprot = 53\n");
    CHECK(e.line() == 2);
    CHECK(e.key() == "dnsd.prot");
    CHECK(e.message() == "unknown key");

    e = error_of("[dnsd]\nport = \"53\"\n");
    CHECK(e.message() == "expected an integer");

    e = error_of("[dnsd]\nenabled = 1\n");
    CHECK(e.message() == "expected true or false");

    e = error_of("[dnsd]\ntimeout = \"ten seconds\"\n");
    CHECK(e.key() == "dnsd.timeout");
    CHECK(e.message().find("duration") != std::string::npos);

    e = error_of("[dnsd]\ntimeout = \"2m\"\n");
    CHECK(e.message() == "must be between 1ms and 60000ms");

    e = error_of("[dnsd]\nmode = \"slow\"\n");
    CHECK(e.message() == "must be one of fast|safe");

    e = error_of("[dnsd]\n[[dnsd.upstream]]\nmembers = []\n");
    CHECK(e.key() == "dnsd.upstream[1].name");
    CHECK(e.message() == "required key is missing");

    e = error_of("[dnsd]\n[[dnsd.upstream]]\nname = \"a\"\nmembers = [1]\n");
    CHECK(e.line() == 4);
    CHECK(e.key() == "dnsd.upstream[1].members");

    e = error_of("[dnsd]\nport = 53\n\n[dsnd]\nport = 1\n");
    CHECK(e.line() == 4);
    CHECK(e.key() == "dsnd");
    CHECK(e.message().find("unknown section") != std::string::npos);

    e = error_of("[dnsd]\nport = = 53\n");
    CHECK(e.line() == 2);
    CHECK(e.key() == "syntax");
}

TEST_CASE("a missing file is an error naming it") {
    try {
        core::config::load_file("/nonexistent/webstack.toml", kTest);
        FAIL("loaded a missing file");
    } catch (const Error& e) {
        CHECK(e.file() == "/nonexistent/webstack.toml");
        CHECK(e.message().find("cannot read") != std::string::npos);
    }
}

TEST_CASE("sections of the other daemons pass, unknown ones do not") {
    CHECK_NOTHROW(
        core::config::load_text("[httpd]\nwhatever = 1\n[db]\nurl = \"x\"\n", "t", kTest));
}

TEST_CASE("a reload reports the keys that only a restart can change") {
    const auto before = core::config::load_text("[dnsd]\nport = 53\nmode = \"fast\"\n", "t", kTest);
    const auto after = core::config::load_text("[dnsd]\nport = 54\nmode = \"safe\"\n", "t", kTest);
    const auto fixed =
        core::config::changed_fixed_keys(before.section("dnsd"), after.section("dnsd"));
    CHECK(fixed == std::vector<std::string>{"dnsd.port"});
}

TEST_CASE("every daemon's defaults parse, and the shipped configuration is valid") {
    constexpr const Schema* all[] = {&dnsd::config::kSchema, &httpd::config::kSchema,
                                     &appsrv::config::kSchema, &db::config::kSchema};
    const auto defaults = core::config::defaults(all);
    CHECK(defaults.section("dnsd").strings("listen") == std::vector<std::string>{"127.0.0.1:5300"});
    CHECK(defaults.section("httpd").size("max_header_size") == 16 * 1024);
    CHECK_NOTHROW(core::config::load_file(WEBSTACK_SOURCE_ROOT "/conf/webstack.toml", all));
}

TEST_CASE("addresses and allow lists are checked on load, naming the file, line and item") {
    constexpr const Schema* all[] = {&dnsd::config::kSchema, &httpd::config::kSchema,
                                     &appsrv::config::kSchema, &db::config::kSchema};
    const auto message = [&](const std::string& text) -> std::string {
        try {
            core::config::load_text(text, "w.toml", all);
        } catch (const Error& e) {
            return e.what();
        }
        return "accepted";
    };
    CHECK(message("[dnsd]\nlisten = [\n  \"127.0.0.1:53\",\n  \"127.0.0.1\",\n]\n")
              .starts_with("w.toml:4: dnsd.listen: 127.0.0.1: "));
    CHECK(message("[dnsd]\nlisten = [\"unix:/run/dns.sock\"]\n") ==
          "w.toml:2: dnsd.listen: unix:/run/dns.sock: an IP:PORT or [IPv6]:PORT address is "
          "needed here");
    CHECK(message("[dnsd]\ntransfer_allow = [\"10.0.0.0/33\"]\n")
              .starts_with("w.toml:2: dnsd.transfer_allow: 10.0.0.0/33: "));
    CHECK(message("[dnsd]\nnotify_allow = [\"::1\", \"bogus\"]\n")
              .starts_with("w.toml:2: dnsd.notify_allow: bogus: "));
    CHECK(message("[dnsd]\nmetrics_listen = [\"127.0.0.1:99999\"]\n")
              .starts_with("w.toml:2: dnsd.metrics_listen: 127.0.0.1:99999: "));
    CHECK(message("[dnsd]\n[[dnsd.zone]]\nfile = \"z\"\nnotify = [\"ns2\"]\n")
              .starts_with("w.toml:4: dnsd.zone[1].notify: ns2: "));
    CHECK(message("[httpd]\nlisten = [\"[::1]:80\", \"x:1\"]\n")
              .starts_with("w.toml:2: httpd.listen: x:1: "));
    CHECK(message("[appsrv]\nnotify = [\"unix:/x\"]\n").starts_with("w.toml:2: appsrv.notify: "));
    // appsrv listens on unix sockets too.
    CHECK(message("[appsrv]\nlisten = [\"unix:/run/app.sock\", \"[::1]:9000\"]\n") == "accepted");
    const auto config = core::config::load_text(
        "[dnsd]\nlisten = [\"[::1]:5300\"]\ntransfer_allow = [\"192.0.2.0/24\"]\n", "t", all);
    const auto addresses = config.section("dnsd").addresses("listen");
    REQUIRE(addresses.size() == 1);
    CHECK(addresses[0].to_string() == "[::1]:5300");
    REQUIRE(config.section("dnsd").ranges("transfer_allow").size() == 1);
}

TEST_CASE("the README's configuration reference is the one the schemas render") {
    std::ifstream in(WEBSTACK_SOURCE_ROOT "/README.md");
    REQUIRE(in);
    std::stringstream readme;
    readme << in.rdbuf();
    constexpr const Schema* all[] = {&dnsd::config::kSchema, &httpd::config::kSchema,
                                     &appsrv::config::kSchema, &db::config::kSchema};
    // Regenerate with: scripts/config-reference
    CHECK(readme.str().find(core::config::render_reference(all)) != std::string::npos);
}
