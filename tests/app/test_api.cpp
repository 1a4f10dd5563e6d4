// The zones API, run against SQLite (suite `app`) and MariaDB (suite
// `mysql`): every endpoint and every refusal, with a look behind the API
// at what the database holds.
#include <csignal>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/net/socket.hpp"
#include "tests/app/app_fixture.hpp"
#include "tests/support/client.hpp"
#include "tests/support/prometheus.hpp"

namespace {

using nlohmann::json;

std::string zone_body(const std::string& name, const std::string& file = test::kFoobarZone) {
    return json{{"name", name}, {"zone_file", file}}.dump();
}

std::string record(const std::string& name, const std::string& type, const std::string& content,
                   std::optional<int> ttl = std::nullopt) {
    json body = {{"name", name}, {"type", type}, {"content", content}};
    if (ttl) body["ttl"] = *ttl;
    return body.dump();
}

int64_t serial_of(const test::App& app, const std::string& zone = "foobar.com") {
    return app.call("GET", "/api/v1/zones/" + zone).json().value("serial", int64_t{0});
}

int64_t count(test::TestDatabase& database, const std::string& sql, const db::Params& params = {}) {
    const auto rows = database.connection().query(sql, params);
    return rows.empty() ? -1 : rows[0].integer(0);
}

struct Fixture {
    test::TestDatabase database;
    test::App app{database};
    Fixture() { REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201); }
};

}  // namespace

TEST_CASE("health and readiness") {
    test::TestDatabase database;
    test::App app(database);
    const auto alive = app.call_with_token("", "GET", "/healthz");
    CHECK(alive.status == 200);
    CHECK(alive.json()["status"] == "alive");
    const auto ready = app.call_with_token("", "GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.json()["status"] == "ready");
    CHECK(app.call("GET", "/nowhere").status == 404);
}

TEST_CASE("the owner's page at /admin/ drives the API from a browser") {
    test::TestDatabase database;
    test::App app(database);
    const auto page = app.call_with_token("", "GET", "/admin/");
    CHECK(page.status == 200);
    CHECK(page.headers.get("Content-Type") == "text/html; charset=utf-8");
    CHECK(page.headers.has("Content-Security-Policy"));
    CHECK(page.body.find("fetch(\"/api/v1\" + path") != std::string::npos);
    CHECK(page.body.find("Bearer") != std::string::npos);
    CHECK(app.call_with_token("", "POST", "/admin/").status == 405);
}

TEST_CASE("every API call needs a valid bearer token; tokens are stored hashed") {
    test::TestDatabase database;
    test::App app(database);
    auto r = app.call_with_token("", "GET", "/api/v1/zones");
    CHECK(r.status == 401);
    CHECK(r.json()["error"] == "missing token");
    CHECK(r.headers.get("WWW-Authenticate") == "Bearer");
    r = app.call_with_token("wst_0000", "GET", "/api/v1/zones");
    CHECK(r.status == 401);
    CHECK(r.json()["error"] == "invalid token");
    r = app.call("GET", "/api/v1/zones", "", "Authorization: Basic " + app.token() + "\r\n");
    CHECK(r.status == 401);
    CHECK(app.call("GET", "/api/v1/zones").status == 200);
    // Only the SHA-256 is kept.
    const auto rows = database.connection().query("SELECT token_sha256 FROM api_tokens");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].text(0).size() == 64);
    CHECK(rows[0].text(0).find(app.token().substr(4)) == std::string::npos);
}

TEST_CASE("appsrv token list names the tokens; token revoke ends one at once") {
    test::TestDatabase database;
    test::App app(database);
    const std::string appsrv = std::string(WEBSTACK_APPSRV) + " --config " + app.config_path();
    std::string second = test::run(appsrv + " token create deploy-bot 2>/dev/null");
    while (!second.empty() && second.back() == '\n')
        second.pop_back();
    REQUIRE(second.rfind("wst_", 0) == 0);

    const std::string listed = test::run(appsrv + " token list 2>&1");
    CHECK(listed.find("deploy-bot\t20") != std::string::npos);
    CHECK(listed.find("tester\t20") != std::string::npos);
    CHECK(listed.find("deploy-bot") < listed.find("tester"));
    CHECK(listed.find("wst_") == std::string::npos);  // no token is ever shown again

    CHECK(app.call_with_token(second, "GET", "/api/v1/zones").status == 200);
    const std::string revoked =
        test::run(appsrv + " token revoke deploy-bot 2>&1; echo \"exit $?\"");
    CHECK(revoked.find("revoked") != std::string::npos);
    CHECK(revoked.find("exit 0") != std::string::npos);
    // The running appsrv refuses it from the next call on; the other still works.
    const auto refused = app.call_with_token(second, "GET", "/api/v1/zones");
    CHECK(refused.status == 401);
    CHECK(refused.json()["error"] == "invalid token");
    CHECK(app.call("GET", "/api/v1/zones").status == 200);
    CHECK(test::run(appsrv + " token list 2>&1").find("deploy-bot") == std::string::npos);

    const std::string unknown =
        test::run(appsrv + " token revoke deploy-bot 2>&1; echo \"exit $?\"");
    CHECK(unknown.find("no token named 'deploy-bot'") != std::string::npos);
    CHECK(unknown.find("exit 1") != std::string::npos);
}

TEST_CASE("zones: create from a file or empty, list, get, refuse duplicates, delete") {
    test::TestDatabase database;
    test::App app(database);
    auto r = app.call("POST", "/api/v1/zones", zone_body("foobar.com"));
    CHECK(r.status == 201);
    CHECK(r.json()["name"] == "foobar.com.");
    CHECK(r.json()["serial"] == 2099010100);
    CHECK(r.json()["records"] == 8);
    CHECK(r.headers.get("Location") == "/api/v1/zones/foobar.com.");
    r = app.call("POST", "/api/v1/zones", R"({"name": "Example.ORG"})");
    CHECK(r.status == 201);
    CHECK(r.json()["name"] == "example.org.");
    CHECK(r.json()["records"] == 2);  // a default SOA and NS

    r = app.call("GET", "/api/v1/zones");
    REQUIRE(r.json()["zones"].size() == 2);
    CHECK(r.json()["zones"][0]["name"] == "example.org.");
    CHECK(app.call("GET", "/api/v1/zones/foobar.com.").json()["records"] == 8);

    r = app.call("POST", "/api/v1/zones", zone_body("foobar.com"));
    CHECK(r.status == 409);
    CHECK(r.json()["error"] == "the zone exists already");
    r = app.call("POST", "/api/v1/zones",
                 zone_body("foobar.com", "@ IN SOA ns1 hostmaster 1 2 3 4\n"));
    CHECK(r.status == 400);
    CHECK(r.json()["field"] == "zone_file");
    CHECK(r.json()["detail"].get<std::string>().find("zone_file:1") != std::string::npos);
    r = app.call("POST", "/api/v1/zones", zone_body("other.com", "@ 300 IN A 192.0.2.1\n"));
    CHECK(r.status == 400);  // no SOA, no NS
    CHECK(app.call("POST", "/api/v1/zones", R"({"name": "bad..name"})").status == 400);
    CHECK(app.call("POST", "/api/v1/zones", R"({"zone_file": "x"})").json()["field"] == "name");

    CHECK(app.call("DELETE", "/api/v1/zones/example.org").status == 204);
    CHECK(app.call("GET", "/api/v1/zones/example.org").status == 404);
    CHECK(app.call("DELETE", "/api/v1/zones/example.org").status == 404);
    CHECK(count(database,
                "SELECT COUNT(*) FROM records r JOIN zones z ON z.id = r.zone_id WHERE "
                "z.name = 'example.org.'") == 0);
    r = app.call("PATCH", "/api/v1/zones/foobar.com");
    CHECK(r.status == 405);
    CHECK(r.headers.get("Allow") == "GET, DELETE");
}

TEST_CASE("public zone state: serial and record count without a token, nothing more") {
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    auto r = app.call("GET", "/api/v1/public/zones/FooBar.com", "", "");
    CHECK(r.status == 200);
    CHECK(r.json()["name"] == "foobar.com.");
    CHECK(r.json()["serial"] == 2099010100);
    CHECK(r.json()["records"] == 8);
    // Not a way around the token: nothing else is public, nor writable.
    CHECK(app.call_with_token("", "GET", "/api/v1/public/zones/foobar.com").status == 200);
    CHECK(app.call_with_token("", "GET", "/api/v1/zones/foobar.com").status == 401);
    CHECK(app.call_with_token("", "GET", "/api/v1/public/zones/foobar.com/records").status == 404);
    CHECK(app.call_with_token("", "GET", "/api/v1/public/zones").status == 404);
    r = app.call_with_token("", "DELETE", "/api/v1/public/zones/foobar.com");
    CHECK(r.status == 405);
    CHECK(r.headers.get("Allow") == "GET, HEAD");
    CHECK(app.call("GET", "/api/v1/zones/foobar.com").status == 200);
    r = app.call_with_token("", "GET", "/api/v1/public/zones/nowhere.example");
    CHECK(r.status == 404);
    CHECK(r.json()["error"] == "no such zone");
    CHECK(app.call_with_token("", "GET", "/api/v1/public/zones/foobar.com?x=1").status == 400);
}

TEST_CASE("records: create, read, update, delete; each change raises the serial and is audited") {
    Fixture f;
    const int64_t serial0 = serial_of(f.app);
    auto r = f.app.call("POST", "/api/v1/zones/foobar.com/records",
                        record("api", "A", "192.0.2.10", 300));
    REQUIRE(r.status == 201);
    const int64_t id = r.json()["id"];
    CHECK(r.json()["name"] == "api.foobar.com.");
    CHECK(r.json()["ttl"] == 300);
    CHECK(r.headers.get("Location") == "/api/v1/zones/foobar.com./records/" + std::to_string(id));
    const int64_t serial1 = serial_of(f.app);
    CHECK(serial1 > serial0);
    // The SOA record carries the serial too.
    const auto soa = f.app.call("GET", "/api/v1/zones/foobar.com/records?type=SOA").json();
    CHECK(soa["records"][0]["content"].get<std::string>().find(std::to_string(serial1)) !=
          std::string::npos);

    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(id))
              .json()["content"] == "192.0.2.10");
    r = f.app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(id),
                   record("api.foobar.com.", "A", "192.0.2.11"));
    CHECK(r.status == 200);
    CHECK(r.json()["content"] == "192.0.2.11");
    CHECK(r.json()["ttl"] == 3600);
    int64_t serial2 = serial_of(f.app);
    CHECK(serial2 > serial1);
    // An SOA written by the client keeps the zone's serial, raised; the
    // answer shows what was stored.
    const auto soa_id = soa["records"][0]["id"].get<int64_t>();
    r = f.app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(soa_id),
                   record("@", "SOA", "ns1.foobar.com. admin.foobar.com. 1 7200 3600 1209600 300"));
    CHECK(r.status == 200);
    const int64_t serial3 = serial_of(f.app);
    CHECK(serial3 > serial2);
    CHECK(r.json()["content"] == "ns1.foobar.com. admin.foobar.com. " + std::to_string(serial3) +
                                     " 7200 3600 1209600 300");
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(soa_id)).json() ==
          r.json());
    serial2 = serial3;
    CHECK(f.app.call("DELETE", "/api/v1/zones/foobar.com/records/" + std::to_string(id)).status ==
          204);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(id)).status ==
          404);
    CHECK(serial_of(f.app) > serial2);

    const auto audit = f.database.connection().query(
        "SELECT actor, action, before_value, after_value FROM audit_log WHERE record_id = ? ORDER "
        "BY id",
        {id});
    REQUIRE(audit.size() == 3);
    CHECK(audit[0].text(0) == "tester");
    CHECK(audit[0].text(1) == "record.create");
    CHECK(audit[0].is_null(2));
    CHECK(json::parse(audit[0].text(3))["content"] == "192.0.2.10");
    CHECK(audit[1].text(1) == "record.update");
    CHECK(json::parse(audit[1].text(2))["content"] == "192.0.2.10");
    CHECK(json::parse(audit[1].text(3))["content"] == "192.0.2.11");
    CHECK(audit[2].text(1) == "record.delete");
    CHECK(audit[2].is_null(3));
}

TEST_CASE("records that would break the zone are refused, and nothing is written") {
    Fixture f;
    const int64_t serial = serial_of(f.app);
    const int64_t records = count(f.database, "SELECT COUNT(*) FROM records");
    const auto post = [&](const std::string& body) {
        return f.app.call("POST", "/api/v1/zones/foobar.com/records", body);
    };
    auto r = post(record("www", "A", "8.8.8.8"));
    CHECK(r.status == 409);
    CHECK(r.json()["error"] == "duplicate record");
    r = post(record("www", "CNAME", "mail"));
    CHECK(r.status == 409);
    CHECK(r.json()["detail"].get<std::string>().find("CNAME") != std::string::npos);
    r = post(record("x.example.net.", "A", "192.0.2.1"));
    CHECK(r.status == 400);
    CHECK(r.json()["field"] == "name");
    r = post(record("x", "BOGUS", "1"));
    CHECK(r.status == 400);
    CHECK(r.json()["field"] == "type");
    r = post(record("x", "A", "192.0.2"));
    CHECK(r.status == 400);
    CHECK(r.json()["field"] == "content");
    r = post(record("x", "MX", "mail"));  // no preference
    CHECK(r.json()["field"] == "content");
    r = post(record("x", "A", "192.0.2.1", -1));
    CHECK(r.json()["field"] == "ttl");
    r = post(R"({"name": "x", "type": "A", "content": "192.0.2.1", "ttl": 4294967296})");
    CHECK(r.json()["field"] == "ttl");
    r = post(R"({"name": "x", "type": "A", "content": "192.0.2.1", "ttl": "300"})");
    CHECK(r.status == 400);
    CHECK(r.json()["error"] == "wrong type");
    r = post(R"({"name": "x", "type": "A", "content": "192.0.2.1", "colour": "red"})");
    CHECK(r.json()["error"] == "unknown field");
    CHECK(r.json()["field"] == "colour");
    r = post(R"({"name": "x", "type": "A"})");
    CHECK(r.json()["error"] == "missing field");
    r = post(R"({"name": "x", "type": )");
    CHECK(r.status == 400);
    CHECK(r.json()["error"] == "invalid JSON");
    CHECK(post("[1, 2]").json()["error"] == "expected a JSON object");
    CHECK(post(record("sub", "NS", "ns.elsewhere.net.")).status == 201);
    r = post(record("a.sub", "TXT", "\"x\""));  // below a delegation: not this zone's data
    CHECK(r.status == 409);
    CHECK(f.app.call("POST", "/api/v1/zones/nope.com/records", record("x", "A", "192.0.2.1"))
              .status == 404);

    // The SOA and the last NS at the apex stay.
    const auto find_id = [&](const std::string& query) -> int64_t {
        return f.app.call("GET", "/api/v1/zones/foobar.com/records?" + query)
            .json()["records"][0]["id"];
    };
    r = f.app.call("DELETE",
                   "/api/v1/zones/foobar.com/records/" + std::to_string(find_id("type=SOA")));
    CHECK(r.status == 409);
    CHECK(r.json()["error"] == "the apex SOA cannot be deleted");
    const auto ns = f.app.call("GET", "/api/v1/zones/foobar.com/records?type=NS&name=@").json();
    REQUIRE(ns["records"].size() == 2);
    CHECK(f.app
              .call("DELETE", "/api/v1/zones/foobar.com/records/" +
                                  std::to_string(ns["records"][0]["id"].get<int64_t>()))
              .status == 204);
    r = f.app.call("DELETE", "/api/v1/zones/foobar.com/records/" +
                                 std::to_string(ns["records"][1]["id"].get<int64_t>()));
    CHECK(r.status == 409);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/999999").status == 404);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/abc").status == 404);
    // Only the three accepted changes were written.
    CHECK(count(f.database, "SELECT COUNT(*) FROM records") == records + 1 - 1);
    CHECK(serial_of(f.app) == serial + 2);
}

TEST_CASE("records: filters and pagination") {
    Fixture f;
    for (int i = 0; i < 12; ++i) {
        REQUIRE(f.app
                    .call("POST", "/api/v1/zones/foobar.com/records",
                          record("host" + std::to_string(i), "A", "10.0.0." + std::to_string(i)))
                    .status == 201);
    }
    auto page =
        f.app.call("GET", "/api/v1/zones/foobar.com/records?type=A&limit=5&offset=10").json();
    CHECK(page["total"] == 16);  // 12 + ns1, ns2, mail, www
    CHECK(page["records"].size() == 5);
    CHECK(page["limit"] == 5);
    page = f.app.call("GET", "/api/v1/zones/foobar.com/records?type=A&limit=5&offset=15").json();
    CHECK(page["records"].size() == 1);
    page = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=host3").json();
    REQUIRE(page["records"].size() == 1);
    CHECK(page["records"][0]["content"] == "10.0.0.3");
    page =
        f.app.call("GET", "/api/v1/zones/foobar.com/records?name=host3.foobar.com.&type=mx").json();
    CHECK(page["total"] == 0);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?limit=0").status == 400);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?limit=x").json()["field"] == "limit");
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?sort=name").json()["error"] ==
          "unknown query parameter");
}

TEST_CASE("export is a zone file named-checkzone and dnsd accept; import replaces the zone") {
    Fixture f;
    REQUIRE(f.app.call("POST", "/api/v1/zones/foobar.com/records", record("api", "A", "192.0.2.10"))
                .status == 201);
    auto r = f.app.call("GET", "/api/v1/zones/foobar.com/export");
    REQUIRE(r.status == 200);
    CHECK(r.headers.get("Content-Type") == "text/dns; charset=utf-8");
    test::TempDir dir;
    const std::string path = dir.write("foobar.com.zone", r.body);
    const std::string checked = test::run("named-checkzone foobar.com " + path + " 2>&1");
    CHECK_MESSAGE(checked.find("OK") != std::string::npos, checked);
    CHECK(
        test::run(std::string(WEBSTACK_DNSD) + " --zone " + path + " --check 2>&1").find("valid") !=
        std::string::npos);
    CHECK(r.body.find("api.foobar.com.\t3600\tIN\tA\t192.0.2.10") != std::string::npos);

    const int64_t serial = serial_of(f.app);
    r = f.app.call("POST", "/api/v1/zones/foobar.com/import",
                   "$ORIGIN foobar.com.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                   "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n",
                   "Content-Type: text/dns\r\n");
    REQUIRE(r.status == 200);
    CHECK(r.json()["records"] == 3);
    CHECK(r.json()["serial"].get<int64_t>() > serial);  // the file's serial 1 would go backwards
    // A broken file changes nothing.
    r = f.app.call("POST", "/api/v1/zones/foobar.com/import",
                   json{{"zone_file", "@ IN A 1.2.3.4\n"}}.dump(),
                   "Content-Type: application/json\r\n");
    CHECK(r.status == 400);
    // What a zone file reader would repair is refused: it would not be
    // what was sent.
    const std::string head =
        "$ORIGIN foobar.com.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
        "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\n";
    r = f.app.call("POST", "/api/v1/zones/foobar.com/import",
                   head + "www 300 IN A 192.0.2.1\nwww 300 IN A 192.0.2.1\n",
                   "Content-Type: text/dns\r\n");
    CHECK(r.status == 400);
    CHECK(r.json()["detail"].get<std::string>().find("duplicate") != std::string::npos);
    r = f.app.call("POST", "/api/v1/zones/foobar.com/import",
                   head + "www 300 IN A 192.0.2.1\nwww 600 IN A 192.0.2.2\n",
                   "Content-Type: text/dns\r\n");
    CHECK(r.status == 400);
    CHECK(r.json()["detail"].get<std::string>().find("TTL 600 differs") != std::string::npos);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com").json()["records"] == 3);
}

TEST_CASE("bad requests of every kind get a 4xx with a JSON reason") {
    test::TestDatabase database;
    test::App app(database,
                  "max_body_size = \"2k\"\nmax_url_size = \"256\"\nmax_headers = 20\n"
                  "header_timeout = \"300ms\"");
    const auto json_reason = [](const test::Reply& r, int status) {
        CAPTURE(r.body);
        CHECK(r.status == status);
        CHECK(r.headers.get("Content-Type") == "application/json");
        CHECK_FALSE(r.json().value("error", "").empty());
    };
    // Made by the HTTP layer, before the API sees the request.
    json_reason(app.call("POST", "/api/v1/zones", std::string(4000, ' ')), 413);
    json_reason(app.call("GET", "/api/v1/zones?" + std::string(300, 'x')), 414);
    std::string many;
    for (int i = 0; i < 30; ++i)
        many += "X-" + std::to_string(i) + ": y\r\n";
    json_reason(app.call("GET", "/api/v1/zones", "", many), 431);
    json_reason(app.call("POST", "/api/v1/zones", "{}",
                         "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n"),
                400);
    {
        test::Client slow(app.port());
        slow.send("GET /api/v1/zones HTTP/1.1\r\nHost: app\r\n");
        const auto parsed = test::parse_responses(slow.read_responses(1, 5000), false, true);
        REQUIRE(parsed.size() == 1);
        CHECK(parsed[0].head.status == 408);
        CHECK(parsed[0].head.headers.get("Content-Type") == "application/json");
        CHECK(json::parse(parsed[0].body)["detail"] == "request header timeout");
    }
    // Made by the API.
    auto r = app.call("GET", "/api/v1/nothing");
    json_reason(r, 404);
    CHECK(r.json()["error"] == "no such endpoint");
    r = app.call("PUT", "/api/v1/zones");
    json_reason(r, 405);
    CHECK(r.headers.get("Allow") == "GET, POST");
    r = app.call("POST", "/api/v1/zones", "\xff\xfe");
    json_reason(r, 400);
    CHECK(r.json()["error"] == "invalid JSON");
    // A form (what curl -d sends) or no type at all: 415, naming the type.
    r = app.call("POST", "/api/v1/zones", R"({"name": "example.org"})",
                 "Content-Type: application/x-www-form-urlencoded\r\n");
    json_reason(r, 415);
    CHECK(r.json()["detail"].get<std::string>().find("application/json") != std::string::npos);
    json_reason(app.call("POST", "/api/v1/zones/foobar.com/import", "@ IN A 192.0.2.1\n",
                         "Content-Type: text/plain\r\n"),
                415);
    CHECK(app.call("POST", "/api/v1/zones", R"({"name": "example.org"})",
                   "Content-Type: Application/JSON; charset=utf-8\r\n")
              .status == 201);
    CHECK(count(database, "SELECT COUNT(*) FROM zones") == 1);
}

TEST_CASE("a change sends a DNS NOTIFY for its zone to the configured servers") {
    // A UDP socket of the test's own stands for dnsd.
    std::string error;
    const auto dnsd = core::net::bind_reuseport(*core::net::parse_address("127.0.0.1:0", error),
                                                core::net::Transport::udp);
    const int fd = dnsd.get();
    REQUIRE(fd >= 0);
    const int port = dnsd.local_port();

    test::TestDatabase database;
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(port) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    const auto receive = [&]() -> std::string {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 3000) != 1) return {};
        char buffer[512];
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
    };
    std::string packet = receive();
    REQUIRE(packet.size() > 12);
    CHECK(((static_cast<unsigned char>(packet[2]) >> 3) & 0xf) == 4);  // opcode NOTIFY
    CHECK(packet.find("\x06"
                      "foobar\x03"
                      "com") != std::string::npos);
    const std::string first_id = packet.substr(0, 2);
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", record("api", "A", "192.0.2.10"))
                .status == 201);
    // Unacknowledged NOTIFYs are retried with their id; the change's own
    // NOTIFY has a new one. Drain until it comes.
    bool saw_change = false;
    for (int i = 0; i < 6 && !saw_change; ++i) {
        packet = receive();
        saw_change = packet.size() > 12 && packet.substr(0, 2) != first_id &&
                     packet.find(
                         "\x06"
                         "foobar\x03"
                         "com") != std::string::npos;
    }
    CHECK(saw_change);
}

TEST_CASE("SIGHUP applies notify, the HTTP limits and the log level; a bad file is not applied") {
    std::string error;
    const auto first = core::net::bind_reuseport(*core::net::parse_address("127.0.0.1:0", error),
                                                 core::net::Transport::udp);
    const auto second = core::net::bind_reuseport(*core::net::parse_address("127.0.0.1:0", error),
                                                  core::net::Transport::udp);
    // True when a NOTIFY for foobar.com reaches `socket` within `ms`.
    const auto notified = [](const core::net::Socket& socket, int ms) {
        pollfd p{socket.get(), POLLIN, 0};
        if (poll(&p, 1, ms) != 1) return false;
        char buffer[512];
        const ssize_t n = recv(socket.get(), buffer, sizeof buffer, 0);
        const std::string apex = std::string("\x06") + "foobar" + "\x03" + "com";
        return n > 12 &&
               std::string(buffer, static_cast<size_t>(n)).find(apex) != std::string::npos;
    };
    test::TestDatabase database;
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(first.local_port()) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    CHECK(notified(first, 3000));
    std::string strings;
    for (int i = 0; i < 12; ++i)
        strings += "\"" + std::string(250, 'x') + "\" ";
    const std::string big_body = record("big", "TXT", strings);
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", big_body).status == 201);

    std::ifstream in(app.config_path());
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string old_notify = "127.0.0.1:" + std::to_string(first.local_port());
    config.replace(config.find(old_notify), old_notify.size(),
                   "127.0.0.1:" + std::to_string(second.local_port()));
    const std::string reloaded = config;
    config.insert(config.find("[db]"), "max_body_size = 1000\n");
    std::ofstream(app.config_path()) << config;
    app.process().signal(SIGHUP);
    REQUIRE(app.process().wait_for_log("reloaded: NOTIFY to 1 servers"));

    // The new limit: a body over it is refused; a small one is taken.
    const auto refused = app.call("POST", "/api/v1/zones/foobar.com/records", big_body);
    CHECK(refused.status == 413);
    CHECK(refused.json()["error"] == "content too large");
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", record("small", "A", "192.0.2.9"))
              .status == 201);
    // The new NOTIFY target, and the old one no more.
    bool to_second = false;
    for (int i = 0; i < 5 && !to_second; ++i)
        to_second = notified(second, 1000);
    CHECK(to_second);
    while (notified(first, 200)) {
        // retries of NOTIFYs sent before the reload
    }
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", record("after", "A", "192.0.2.8"))
              .status == 201);
    CHECK_FALSE(notified(first, 1500));
    // log_level warn: the info line of the next NOTIFY is not written. A
    // key that needs a restart says so, at warn.
    config.insert(config.find("[db]"), "log_level = \"warn\"\nworkers = 5\n");
    std::ofstream(app.config_path()) << config;
    app.process().signal(SIGHUP);
    REQUIRE(app.process().wait_for_log("workers changed: it takes effect at the next restart"));
    const size_t logged = app.process().log().size();
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", record("quiet", "A", "192.0.2.7"))
              .status == 201);
    CHECK(notified(second, 3000));
    CHECK(app.process().log().substr(logged).find("NOTIFY foobar.com.") == std::string::npos);

    // A file that does not check is not applied: the previous one serves.
    std::ofstream(app.config_path()) << reloaded << "\n[appsrv.nonsense]\n";
    app.process().signal(SIGHUP);
    CHECK(app.process().wait_for_log("reload failed, still serving the previous configuration"));
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", big_body).status == 413);
    CHECK(app.process().running());
}

TEST_CASE("/metrics: requests by route and status, database time, queue, NOTIFYs, reloads") {
    std::string error;
    const auto dns = core::net::bind_reuseport(*core::net::parse_address("127.0.0.1:0", error),
                                               core::net::Transport::udp);
    test::TestDatabase database;
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(dns.local_port()) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    CHECK(app.call("GET", "/api/v1/zones/foobar.com/records").status == 200);
    CHECK(app.call("GET", "/api/v1/zones/foobar.com/records").status == 200);
    CHECK(app.call("GET", "/api/v1/zones/nowhere.example").status == 404);
    CHECK(app.call_with_token("", "GET", "/api/v1/zones").status == 401);
    CHECK(app.call("GET", "/healthz").status == 200);
    app.process().signal(SIGHUP);
    REQUIRE(app.process().wait_for_log("reloaded"));

    const auto scrape = app.call_with_token("", "GET", "/metrics");
    CHECK(scrape.status == 200);
    CHECK(scrape.headers.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    const std::string& text = scrape.body;
    INFO(text);
    CHECK(test::promtool_findings(text) == "");
    const auto value = [&](const std::string& series) {
        return test::metric_value(text, "webstack_appsrv_" + series);
    };
    CHECK(value(R"(requests_total{route="zones",status="201"})") == 1);
    CHECK(value(R"(requests_total{route="records",status="200"})") == 2);
    CHECK(value(R"(requests_total{route="zone",status="404"})") == 1);
    CHECK(value(R"(requests_total{route="zones",status="401"})") == 1);
    CHECK(value(R"(requests_total{route="healthz",status="200"})") == 1);
    // Every API call ran on a worker: at least one batch each time.
    CHECK(value("database_duration_seconds_count") >= 1);
    CHECK(value("database_duration_seconds_count") <= 5);
    CHECK(value("worker_queue_depth") == 0);
    CHECK(value("notifies_sent_total") == 1);
    CHECK(value(R"(config_reloads_total{result="success"})") == 1);
    CHECK(value("config_last_reload_successful") == 1);
    CHECK(app.call_with_token("", "POST", "/metrics", "{}").status == 405);
}

TEST_CASE("SIGTERM: /readyz turns 503, requests in flight finish, then appsrv exits 0") {
    test::TestDatabase database;
    test::App app(database);
    // A request under way when the signal comes: its head is not complete.
    test::Client in_flight(app.port());
    in_flight.send("GET /readyz HTTP/1.1\r\nHost: app\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    app.process().signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    in_flight.send("\r\n");
    const auto parsed = test::parse_responses(in_flight.read_responses(1), false, true);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].head.status == 503);
    CHECK(parsed[0].body.find("draining") != std::string::npos);
    CHECK(app.process().stop(0, 10000) == 0);  // signalled already: wait
}

TEST_CASE("two appsrv on one database: parallel writers lose nothing, duplicate nothing") {
    test::TestDatabase database;
    test::App first(database);
    test::App second(database);
    REQUIRE(first.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    const int64_t serial0 = serial_of(first);
    constexpr int kWriters = 4;
    constexpr int kEach = 15;
    std::atomic<int> created{0};
    std::vector<std::string> failures(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            const test::App& app = w % 2 ? second : first;
            for (int i = 0; i < kEach; ++i) {
                const auto r =
                    app.call("POST", "/api/v1/zones/foobar.com/records",
                             record("w" + std::to_string(w) + "-" + std::to_string(i), "A",
                                    "10.1." + std::to_string(w) + "." + std::to_string(i)));
                if (r.status == 201) {
                    ++created;
                } else if (failures[w].empty()) {
                    failures[w] = std::to_string(r.status) + " " + r.body;
                }
            }
        });
    }
    for (auto& t : writers)
        t.join();
    for (const auto& failure : failures)
        CHECK_MESSAGE(failure.empty(), failure);
    CHECK(created == kWriters * kEach);
    CHECK(count(database, "SELECT COUNT(*) FROM records WHERE name LIKE 'w%-%'") ==
          kWriters * kEach);
    CHECK(count(database, "SELECT COUNT(DISTINCT name) FROM records WHERE name LIKE 'w%-%'") ==
          kWriters * kEach);
    // One serial step per change: none lost, none repeated.
    CHECK(serial_of(second) == serial0 + kWriters * kEach);
    CHECK(count(database, "SELECT COUNT(*) FROM audit_log WHERE action = 'record.create'") ==
          kWriters * kEach);
}

TEST_CASE("a database that goes away: 503 with a reason, nothing half-written, then recovery") {
    // A SQLite file does not go away; a server does.
    if (!test::suite_uses_mysql()) return;
    Fixture f;
    const int64_t records = count(f.database, "SELECT COUNT(*) FROM records");
    f.database.server()->stop();
    auto r =
        f.app.call("POST", "/api/v1/zones/foobar.com/records", record("api", "A", "192.0.2.10"));
    CHECK(r.status == 503);
    CHECK(r.json()["error"] == "database unavailable");
    CHECK(r.headers.get("Retry-After") == "1");
    r = f.app.call_with_token("", "GET", "/readyz");
    CHECK(r.status == 503);
    CHECK(f.app.process().running());
    f.database.server()->start();
    // The lost connections are opened again on the next request.
    r = f.app.call("POST", "/api/v1/zones/foobar.com/records", record("api", "A", "192.0.2.10"));
    CHECK(r.status == 201);
    CHECK(f.app.call_with_token("", "GET", "/readyz").status == 200);
    f.database.reconnect();
    CHECK(count(f.database, "SELECT COUNT(*) FROM records") == records + 1);
}

TEST_CASE("appsrv migrate brings the schema up to date and exits; appsrv serves on a unix socket") {
    test::TestDatabase database;
    test::TempDir dir;
    const std::string config = dir.write(
        "webstack.toml", "[appsrv]\nlisten = [\"unix:" + (dir.path() / "app.sock").string() +
                             "\"]\nthreads = 2\n[db]\nurl = \"" + database.url() + "\"\n");
    const std::string out = test::run(std::string(WEBSTACK_APPSRV) + " --config " + config +
                                      " migrate 2>&1; echo \"exit $?\"");
    CHECK(out.find("migration 0001 schema applied") != std::string::npos);
    CHECK(out.find("migration 0002 escaped_names applied") != std::string::npos);
    CHECK(out.find("migration 0003 zone_changes applied") != std::string::npos);
    CHECK(out.find("migration 0004 audit_serials applied") != std::string::npos);
    CHECK(out.find("exit 0") != std::string::npos);
    CHECK(test::run(std::string(WEBSTACK_APPSRV) + " --config " + config + " migrate 2>&1")
              .find("applied") == std::string::npos);
    // Each applied once, and recorded.
    size_t applied = 0;
    for (size_t at = out.find(" applied"); at != std::string::npos;
         at = out.find(" applied", at + 1))
        ++applied;
    CHECK(count(database, "SELECT COUNT(*) FROM schema_migrations") ==
          static_cast<int64_t>(applied));

    test::Process app({WEBSTACK_APPSRV, "--config", config}, (dir.path() / "appsrv.log").string());
    REQUIRE_MESSAGE(app.wait_for_log("state serving"), app.log());
    CHECK(test::run("curl -s --unix-socket " + (dir.path() / "app.sock").string() +
                    " http://app/healthz") == "{\"status\":\"alive\"}\n");
}

TEST_CASE(
    "content is one RDATA of its type, exactly: refused with a reason, never cut or wrapped") {
    Fixture f;
    const int64_t records = count(f.database, "SELECT COUNT(*) FROM records");
    const auto post = [&](const std::string& type, const std::string& content) {
        return f.app.call("POST", "/api/v1/zones/foobar.com/records", record("x", type, content));
    };
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"TXT", "a;b"},
        {"TXT", "\"unterminated"},
        {"TXT", "(a b)"},
        {"TXT", "one\ntwo"},
        {"A", "192.0.2.1 192.0.2.2"},
        {"CAA", "300 issue \"ca.example\""},
        {"MX", "70000 mail"},
        {"MX", "-1 mail"},
        {"SRV", "1 2 65536 sip"},
        {"SRV", "65536 2 5060 sip"},
        {"SOA", "ns1 hostmaster 4294967296 7200 3600 1209600 300"},
    };
    for (const auto& [type, content] : refused) {
        CAPTURE(type);
        CAPTURE(content);
        const auto r = post(type, content);
        CHECK(r.status == 400);
        CHECK(r.json()["field"] == "content");
        CHECK_FALSE(r.json()["detail"].get<std::string>().empty());
    }
    CHECK(count(f.database, "SELECT COUNT(*) FROM records") == records);

    // What is read back is the canonical form of what was sent.
    const std::vector<std::tuple<std::string, std::string, std::string>> kept = {
        {"TXT", "a\\;b", "\"a;b\""},
        {"TXT", "\"a;b (c)\" d", "\"a;b (c)\" \"d\""},
        {"CAA", "0 issue \"ca.example\"", "0 issue \"ca.example\""},
        {"MX", "65535 mail", "65535 mail.foobar.com."},
        {"SRV", "0 5 5060 sip", "0 5 5060 sip.foobar.com."},
    };
    for (const auto& [type, content, canonical] : kept) {
        CAPTURE(content);
        const auto r = post(type, content);
        REQUIRE_MESSAGE(r.status == 201, r.body);
        CHECK(r.json()["content"] == canonical);
        CHECK(f.app
                  .call("GET", "/api/v1/zones/foobar.com/records/" +
                                   std::to_string(r.json()["id"].get<int64_t>()))
                  .json()["content"] == canonical);
    }
}

TEST_CASE("a stored row that does not parse is listed with its reason, and can be fixed") {
    Fixture f;
    auto& db = f.database.connection();
    const int64_t zone_id =
        db.query("SELECT id FROM zones WHERE name = ?", {std::string("foobar.com.")})[0].integer(0);
    // Written by hand, or by an older version: an empty label, and a CAA
    // flag out of range. (A bare '"' as older versions stored it is read
    // as the name it means: each field is read on its own.)
    const auto insert = [&](const std::string& name, const std::string& type,
                            const std::string& content) {
        return db
            .execute(
                "INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
                {zone_id, name, type, int64_t{300}, content})
            .last_insert_id;
    };
    const int64_t bad_name = insert("a..b.foobar.com.", "A", "192.0.2.1");
    const int64_t old_quote = insert("a\"b.foobar.com.", "A", "192.0.2.1");
    const int64_t bad_content = insert("caa.foobar.com.", "CAA", "300 issue \"ca.example\"");

    const auto listed = f.app.call("GET", "/api/v1/zones/foobar.com/records?limit=1000").json();
    int broken = 0;
    for (const auto& r : listed["records"]) {
        if (!r.contains("error")) continue;
        ++broken;
        const auto id = r["id"].get<int64_t>();
        CHECK((id == bad_name || id == bad_content));
        if (id == bad_content) {
            CHECK(r["content"] == "300 issue \"ca.example\"");  // as stored
            CHECK(r["error"].get<std::string>().find("0 to 255") != std::string::npos);
        }
    }
    CHECK(broken == 2);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(old_quote))
              .json()["name"] == "a\"b.foobar.com.");
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(bad_name))
              .json()
              .contains("error"));

    // The rest of the zone is still written; the export will not pretend.
    CHECK(f.app.call("POST", "/api/v1/zones/foobar.com/records", record("new", "A", "192.0.2.3"))
              .status == 201);
    auto r = f.app.call("GET", "/api/v1/zones/foobar.com/export");
    CHECK(r.status == 409);
    CHECK(r.json()["detail"].get<std::string>().find("record " + std::to_string(bad_name)) !=
          std::string::npos);

    // The owner replaces one and deletes the other.
    r = f.app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(bad_content),
                   record("caa", "CAA", "128 issue \"ca.example\""));
    CHECK(r.status == 200);
    CHECK_FALSE(r.json().contains("error"));
    const auto audit = db.query(
        "SELECT before_value FROM audit_log WHERE record_id = ? AND action = 'record.update'",
        {bad_content});
    REQUIRE(audit.size() == 1);
    CHECK(json::parse(audit[0].text(0))["content"] == "300 issue \"ca.example\"");
    CHECK(f.app.call("DELETE", "/api/v1/zones/foobar.com/records/" + std::to_string(bad_name))
              .status == 204);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/export").status == 200);
}

TEST_CASE("a write checks what it can affect, and decides as a check of the whole zone would") {
    Fixture f;
    namespace dns = core::dns;
    std::string error;
    const std::string apex = dns::name_from_text("foobar.com.", error).value();
    // Names that are each other's ancestors and descendants, and two whose
    // text a LIKE pattern would confuse ('_' is its one-character wildcard).
    const std::vector<std::string> names = {"a",   "b.a", "c.b.a", "d.c.b.a", "x",
                                            "y.x", "_t",  "q.xt",  "z.q.xt",  "@"};
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"A", "192.0.2.1"}, {"A", "192.0.2.2"},          {"TXT", "\"t\""},
        {"CNAME", "www"},   {"NS", "ns.elsewhere.net."}, {"DNAME", "elsewhere.net."},
        {"MX", "10 mail"}};
    // The zone as the API lists it, parsed as dnsd would.
    const auto current = [&] {
        std::vector<std::pair<int64_t, dns::Record>> records;
        const auto page = f.app.call("GET", "/api/v1/zones/foobar.com/records?limit=1000").json();
        for (const auto& r : page["records"]) {
            auto record = dns::record_from_fields({r["name"], r["type"], r["ttl"], r["content"]},
                                                  apex, error);
            REQUIRE_MESSAGE(record, error);
            records.emplace_back(r["id"].get<int64_t>(), std::move(*record));
        }
        return records;
    };
    const auto whole_zone_accepts = [&](std::vector<dns::Record> records) {
        try {
            dns::check_zone(apex, records);
            return true;
        } catch (const dns::ZoneRuleError&) {
            return false;
        }
    };
    uint32_t seed = 12345;
    const auto next = [&](size_t n) {
        seed = seed * 1103515245 + 12345;
        return static_cast<size_t>((seed >> 8) % n);
    };
    int accepted = 0, refused = 0;
    for (int step = 0; step < 250; ++step) {
        CAPTURE(step);
        const auto records = current();
        std::vector<dns::Record> after;
        const size_t op = records.size() > 9 ? next(3) : 0;           // 0 add, 1 replace, 2 delete
        const size_t victim = op ? 9 + next(records.size() - 9) : 0;  // never the first 9 (SOA...)
        for (size_t i = 0; i < records.size(); ++i)
            if (op == 0 || i != victim) after.push_back(records[i].second);
        std::string body;
        bool duplicate = false;
        if (op != 2) {
            const auto& [type, content] = kinds[next(kinds.size())];
            const std::string name = names[next(names.size())];
            body = json{{"name", name}, {"type", type}, {"content", content}, {"ttl", 3600}}.dump();
            auto record = dns::record_from_fields(
                {name == "@" ? "foobar.com." : name + ".foobar.com.", type, 3600, content}, apex,
                error);
            REQUIRE(record);
            for (const auto& r : after)
                duplicate |= r.same_data(*record);
            after.push_back(*record);
        }
        const bool expected = !duplicate && whole_zone_accepts(after);
        const std::string path = "/api/v1/zones/foobar.com/records";
        const auto r =
            op == 0   ? f.app.call("POST", path, body)
            : op == 1 ? f.app.call("PUT", path + "/" + std::to_string(records[victim].first), body)
                      : f.app.call("DELETE", path + "/" + std::to_string(records[victim].first));
        CAPTURE(body);
        CAPTURE(r.body);
        CHECK((r.status < 300) == expected);
        if (r.status >= 300) CHECK(r.status == 409);
        (r.status < 300 ? accepted : refused)++;
    }
    // Both outcomes were tried many times.
    CHECK(accepted > 40);
    CHECK(refused > 20);
}

TEST_CASE("PATCH: several changes in one transaction, one serial, an audit row each") {
    Fixture f;
    const int64_t serial = serial_of(f.app);
    const auto www = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=www&type=A")
                         .json()["records"][0]["id"]
                         .get<int64_t>();
    const auto mail = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=mail&type=A")
                          .json()["records"][0]["id"]
                          .get<int64_t>();
    const json changes = {
        {"changes",
         {{{"action", "create"}, {"name", "api"}, {"type", "A"}, {"content", "192.0.2.10"}},
          {{"action", "replace"},
           {"id", www},
           {"name", "www"},
           {"type", "A"},
           {"content", "192.0.2.80"},
           {"ttl", 600}},
          {{"action", "replace"},
           {"name", "pool"},
           {"type", "A"},
           {"ttl", 60},
           {"contents", {"192.0.2.1", "192.0.2.2", "192.0.2.3"}}},
          {{"action", "delete"}, {"id", mail}},
          {{"action", "delete"}, {"name", "@"}, {"type", "MX"}}}}};
    auto r = f.app.call("PATCH", "/api/v1/zones/foobar.com/records", changes.dump());
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.json()["serial"] == serial + 1);  // one raise for all
    CHECK(serial_of(f.app) == serial + 1);
    REQUIRE(r.json()["changes"].size() == 5);
    CHECK(r.json()["changes"][0]["records"][0]["name"] == "api.foobar.com.");
    CHECK(r.json()["changes"][1]["records"][0]["id"] == www);  // a replaced record keeps its id
    CHECK(r.json()["changes"][1]["records"][0]["ttl"] == 600);
    CHECK(r.json()["changes"][2]["records"].size() == 3);
    CHECK(r.json()["changes"][3]["records"].empty());
    const auto pool = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=pool").json();
    CHECK(pool["total"] == 3);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?type=MX").json()["total"] == 0);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(mail)).status ==
          404);
    const auto actions = f.database.connection().query(
        "SELECT action, record_id, after_value FROM audit_log WHERE action <> 'zone.create' ORDER "
        "BY id");
    REQUIRE(actions.size() == 5);
    CHECK(actions[0].text(0) == "record.create");
    CHECK(actions[1].text(0) == "record.update");
    CHECK(actions[1].integer(1) == www);
    CHECK(actions[2].text(0) == "rrset.replace");
    CHECK(json::parse(actions[2].text(2)).size() == 3);
    CHECK(actions[3].text(0) == "record.delete");
    CHECK(actions[4].text(0) == "rrset.delete");

    // An RRset's TTL is changed whole; one record of it alone is refused.
    r = f.app.call("POST", "/api/v1/zones/foobar.com/records",
                   record("pool", "A", "192.0.2.4", 300));
    CHECK(r.status == 409);
    CHECK(r.json()["detail"].get<std::string>().find("TTL 300 differs") != std::string::npos);
    r = f.app.call("PATCH", "/api/v1/zones/foobar.com/records",
                   json{{"changes",
                         {{{"action", "replace"},
                           {"name", "pool"},
                           {"type", "A"},
                           {"ttl", 300},
                           {"contents", {"192.0.2.1", "192.0.2.4"}}}}}}
                       .dump());
    CHECK(r.status == 200);
    const auto listed = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=pool").json();
    CHECK(listed["total"] == 2);
    for (const auto& record : listed["records"])
        CHECK(record["ttl"] == 300);
}

TEST_CASE("PATCH: all or nothing; a refused change names its index") {
    Fixture f;
    const int64_t serial = serial_of(f.app);
    const int64_t records = count(f.database, "SELECT COUNT(*) FROM records");
    const auto patch = [&](const json& changes) {
        return f.app.call("PATCH", "/api/v1/zones/foobar.com/records",
                          json{{"changes", changes}}.dump());
    };
    const json good = {
        {"action", "create"}, {"name", "ok"}, {"type", "A"}, {"content", "192.0.2.1"}};
    struct Case {
        json bad;
        int status;
        std::string field;
    };
    const std::vector<Case> cases = {
        {{{"action", "create"}, {"name", "x"}, {"type", "A"}, {"content", "300.1.1.1"}},
         400,
         "changes[1].content"},
        {{{"action", "create"}, {"name", "www"}, {"type", "CNAME"}, {"content", "x"}},
         409,
         "changes[1]"},
        {{{"action", "delete"}, {"id", 999999}}, 404, "changes[1].id"},
        {{{"action", "delete"}, {"name", "nothing"}, {"type", "A"}}, 404, "changes[1]"},
        {{{"action", "rename"}}, 400, "changes[1].action"},
        {{{"action", "create"}, {"name", "ok"}, {"type", "A"}, {"content", "192.0.2.1"}},
         409,
         "changes[1]"},
        {{{"action", "delete"}, {"name", "@"}, {"type", "SOA"}}, 409, "changes[1].id"},
        {{{"action", "create"},
          {"name", "x"},
          {"type", "A"},
          {"content", "192.0.2.1"},
          {"colour", 1}},
         400,
         "changes[1].colour"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bad.dump());
        const auto r = patch({good, c.bad});
        CHECK(r.status == c.status);
        CHECK(r.json()["field"] == c.field);
    }
    // The same record changed twice.
    const auto www = f.app.call("GET", "/api/v1/zones/foobar.com/records?name=www")
                         .json()["records"][0]["id"]
                         .get<int64_t>();
    auto r = patch({{{"action", "delete"}, {"id", www}}, {{"action", "delete"}, {"id", www}}});
    CHECK(r.status == 409);
    CHECK(r.json()["field"] == "changes[1]");
    CHECK(patch(json::array()).status == 400);
    CHECK(f.app.call("PATCH", "/api/v1/zones/foobar.com/records", R"({"changes": "x"})").status ==
          400);
    // Nothing was written.
    CHECK(count(f.database, "SELECT COUNT(*) FROM records") == records);
    CHECK(serial_of(f.app) == serial);
    // An earlier change makes room for a later one: a CNAME where an A was.
    r = patch({{{"action", "delete"}, {"id", www}},
               {{"action", "create"}, {"name", "www"}, {"type", "CNAME"}, {"content", "mail"}}});
    CHECK(r.status == 200);
}

TEST_CASE("the audit log: newest first, by zone or all, filtered by author and time, paginated") {
    Fixture f;
    const std::string appsrv = std::string(WEBSTACK_APPSRV) + " --config " + f.app.config_path();
    std::string other = test::run(appsrv + " token create deploy-bot 2>/dev/null");
    while (!other.empty() && other.back() == '\n')
        other.pop_back();
    REQUIRE(f.app.call("POST", "/api/v1/zones", R"({"name": "example.org"})").status == 201);
    const int64_t serial = serial_of(f.app);
    auto r =
        f.app.call("POST", "/api/v1/zones/foobar.com/records", record("api", "A", "192.0.2.10"));
    REQUIRE(r.status == 201);
    const int64_t id = r.json()["id"];
    REQUIRE(f.app
                .call_with_token(other, "PUT",
                                 "/api/v1/zones/foobar.com/records/" + std::to_string(id),
                                 record("api", "A", "192.0.2.11"))
                .status == 200);
    REQUIRE(f.app
                .call_with_token(other, "DELETE",
                                 "/api/v1/zones/foobar.com/records/" + std::to_string(id))
                .status == 204);

    auto log = f.app.call("GET", "/api/v1/zones/foobar.com/audit").json();
    REQUIRE(log["total"] == 4);  // the zone's creation, and three changes
    const json newest = log["entries"][0];
    CHECK(newest["action"] == "record.delete");
    CHECK(newest["actor"] == "deploy-bot");
    CHECK(newest["record_id"] == id);
    CHECK(newest["before"]["content"] == "192.0.2.11");
    CHECK(newest["after"].is_null());
    CHECK(newest["serial_before"] == serial + 2);
    CHECK(newest["serial_after"] == serial + 3);
    CHECK(newest["zone"] == "foobar.com.");
    CHECK(newest["at"].get<std::string>().size() == 20);
    CHECK(log["entries"][1]["action"] == "record.update");
    CHECK(log["entries"][1]["before"]["content"] == "192.0.2.10");
    CHECK(log["entries"][1]["after"]["content"] == "192.0.2.11");
    CHECK(log["entries"][2]["actor"] == "tester");
    CHECK(log["entries"][2]["serial_before"] == serial);
    CHECK(log["entries"][3]["action"] == "zone.create");

    CHECK(f.app.call("GET", "/api/v1/audit").json()["total"] == 5);  // example.org's too
    log = f.app.call("GET", "/api/v1/audit?actor=deploy-bot").json();
    CHECK(log["total"] == 2);
    log = f.app.call("GET", "/api/v1/audit?limit=2&offset=1").json();
    REQUIRE(log["entries"].size() == 2);
    CHECK(log["entries"][0]["action"] == "record.update");
    CHECK(f.app.call("GET", "/api/v1/audit?since=2000-01-01").json()["total"] == 5);
    CHECK(f.app.call("GET", "/api/v1/audit?until=2000-01-01T00:00:00Z").json()["total"] == 0);
    CHECK(f.app.call("GET", "/api/v1/audit?since=2999-01-01&actor=tester").json()["total"] == 0);
    CHECK(f.app.call("GET", "/api/v1/audit?until=2999-01-01&actor=tester").json()["total"] == 3);
    r = f.app.call("GET", "/api/v1/audit?since=yesterday");
    CHECK(r.status == 400);
    CHECK(r.json()["field"] == "since");
    CHECK(f.app.call("GET", "/api/v1/audit?colour=red").status == 400);
    CHECK(f.app.call("GET", "/api/v1/zones/nope.com/audit").status == 404);
    CHECK(f.app.call("POST", "/api/v1/audit", "{}").status == 405);
}

TEST_CASE(
    "tokens kept to some zones, and read-only tokens: 403 with a reason outside their scope") {
    Fixture f;
    REQUIRE(f.app.call("POST", "/api/v1/zones", R"({"name": "example.org"})").status == 201);
    const std::string appsrv = std::string(WEBSTACK_APPSRV) + " --config " + f.app.config_path();
    const auto create = [&](const std::string& arguments) {
        std::string token = test::run(appsrv + " token create " + arguments + " 2>/dev/null");
        while (!token.empty() && token.back() == '\n')
            token.pop_back();
        return token;
    };
    const std::string scoped = create("foobar-admin --zones FOOBAR.com,other.net.");
    const std::string reader = create("auditor --read-only");
    const std::string both = create("foobar-reader --zones foobar.com --read-only");
    REQUIRE(scoped.rfind("wst_", 0) == 0);
    REQUIRE(reader.rfind("wst_", 0) == 0);
    REQUIRE(both.rfind("wst_", 0) == 0);
    CHECK(test::run(appsrv + " token create bad --zones 'a..b' 2>&1; echo \"exit $?\"")
              .find("exit 1") != std::string::npos);
    const std::string listed = test::run(appsrv + " token list 2>&1");
    CHECK(listed.find("foobar-admin\t") != std::string::npos);
    CHECK(listed.find("\tfoobar.com.,other.net.\tread-write") != std::string::npos);
    CHECK(listed.find("auditor\t") != std::string::npos);
    CHECK(listed.find("\tall zones\tread-only") != std::string::npos);

    const auto forbidden = [](const test::Reply& r, const std::string& error) {
        CAPTURE(r.body);
        CHECK(r.status == 403);
        CHECK(r.json()["error"] == error);
    };
    // A zone token: its zones only.
    CHECK(f.app
              .call_with_token(scoped, "POST", "/api/v1/zones/foobar.com/records",
                               record("api", "A", "192.0.2.10"))
              .status == 201);
    forbidden(f.app.call_with_token(scoped, "POST", "/api/v1/zones/example.org/records",
                                    record("api", "A", "192.0.2.10")),
              "the token is not for this zone");
    forbidden(f.app.call_with_token(scoped, "GET", "/api/v1/zones/example.org"),
              "the token is not for this zone");
    forbidden(f.app.call_with_token(scoped, "DELETE", "/api/v1/zones/example.org"),
              "the token is not for this zone");
    forbidden(f.app.call_with_token(scoped, "POST", "/api/v1/zones", R"({"name": "third.com"})"),
              "the token is not for this zone");
    CHECK(
        f.app.call_with_token(scoped, "POST", "/api/v1/zones", R"({"name": "other.net"})").status ==
        201);
    const auto zones = f.app.call_with_token(scoped, "GET", "/api/v1/zones").json()["zones"];
    REQUIRE(zones.size() == 2);  // foobar.com and other.net, not example.org
    CHECK(zones[0]["name"] == "foobar.com.");
    CHECK(zones[1]["name"] == "other.net.");
    const auto audit = f.app.call_with_token(scoped, "GET", "/api/v1/audit").json();
    for (const auto& entry : audit["entries"])
        CHECK(entry["zone"] != "example.org.");
    CHECK(audit["total"] == 3);

    // A read-only token: every zone, nothing changed.
    CHECK(f.app.call_with_token(reader, "GET", "/api/v1/zones/example.org/records").status == 200);
    CHECK(f.app.call_with_token(reader, "GET", "/api/v1/audit").status == 200);
    forbidden(f.app.call_with_token(reader, "POST", "/api/v1/zones/foobar.com/records",
                                    record("x", "A", "192.0.2.1")),
              "the token is read-only");
    forbidden(f.app.call_with_token(reader, "PATCH", "/api/v1/zones/foobar.com/records",
                                    R"({"changes": []})"),
              "the token is read-only");
    forbidden(f.app.call_with_token(reader, "DELETE", "/api/v1/zones/foobar.com"),
              "the token is read-only");
    // Both.
    CHECK(f.app.call_with_token(both, "GET", "/api/v1/zones/foobar.com/export").status == 200);
    forbidden(f.app.call_with_token(both, "GET", "/api/v1/zones/other.net"),
              "the token is not for this zone");
    forbidden(f.app.call_with_token(both, "DELETE", "/api/v1/zones/foobar.com"),
              "the token is read-only");
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com").json()["records"] == 9);
}

TEST_CASE("the PowerDNS dialect: X-API-Key, servers, zones and the RRset PATCH on the same store") {
    Fixture f;
    const std::string key = "X-API-Key: " + f.app.token() + "\r\nAuthorization:\r\n";
    const auto call = [&](const std::string& method, const std::string& path,
                          const std::string& body = "") {
        return f.app.call(method, path, body, key);
    };
    auto r = call("GET", "/api");
    REQUIRE(r.status == 200);
    CHECK(r.json()[0]["version"] == 1);
    CHECK(call("GET", "/api/v1/servers").json()[0]["id"] == "localhost");
    r = call("GET", "/api/v1/servers/localhost");
    CHECK(r.json()["daemon_type"] == "authoritative");
    CHECK(
        f.app.call("GET", "/api/v1/servers/localhost", "", "X-API-Key: wrong\r\nAuthorization:\r\n")
            .status == 401);

    r = call("GET", "/api/v1/servers/localhost/zones");
    REQUIRE(r.status == 200);
    REQUIRE(r.json().size() == 1);
    CHECK(r.json()[0]["id"] == "foobar.com.");
    CHECK(r.json()[0]["kind"] == "Native");
    CHECK(r.json()[0]["dnssec"] == false);
    CHECK_FALSE(r.json()[0].contains("rrsets"));
    r = call("GET", "/api/v1/servers/localhost/zones/foobar.com.");
    REQUIRE(r.status == 200);
    bool www = false;
    const json zone = r.json();
    for (const auto& rrset : zone["rrsets"]) {
        if (rrset["name"] == "www.foobar.com." && rrset["type"] == "A") {
            www = true;
            CHECK(rrset["ttl"] == 3600);
            CHECK(rrset["records"] ==
                  json::parse(R"([{"content": "8.8.8.8", "disabled": false}])"));
        }
    }
    CHECK(www);

    // The RRset PATCH, as lego's provider sends it.
    const int64_t serial = serial_of(f.app);
    r = call("PATCH", "/api/v1/servers/localhost/zones/foobar.com.",
             R"({"rrsets": [{"name": "_acme-challenge.www.foobar.com.", "type": "TXT", "ttl": 120,
                 "changetype": "REPLACE", "records": [{"content": "\"token-1\"", "disabled": false},
                 {"content": "\"token-2\"", "disabled": false}]},
                {"name": "mail.foobar.com.", "type": "A", "changetype": "DELETE"}]})");
    CHECK(r.status == 204);
    CHECK(serial_of(f.app) == serial + 1);
    auto listed =
        f.app.call("GET", "/api/v1/zones/foobar.com/records?name=_acme-challenge.www").json();
    CHECK(listed["total"] == 2);
    CHECK(listed["records"][0]["ttl"] == 120);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?name=mail&type=A").json()["total"] ==
          0);
    const auto audit = f.app.call("GET", "/api/v1/zones/foobar.com/audit?limit=2").json();
    CHECK(audit["entries"][0]["action"] == "rrset.delete");
    CHECK(audit["entries"][1]["action"] == "rrset.replace");
    CHECK(audit["entries"][1]["actor"] == "tester");
    // REPLACE with no records deletes, and DELETE of what is not there is done.
    r = call("PATCH", "/api/v1/servers/localhost/zones/foobar.com.",
             R"({"rrsets": [{"name": "_acme-challenge.www.foobar.com.", "type": "TXT",
                 "changetype": "REPLACE", "records": []},
                {"name": "nothing.foobar.com.", "type": "A", "changetype": "DELETE"}]})");
    CHECK(r.status == 204);
    CHECK(f.app.call("GET", "/api/v1/zones/foobar.com/records?name=_acme-challenge.www")
              .json()["total"] == 0);

    // What webstack does not keep is refused, in PowerDNS's error form.
    const std::vector<std::string> refused = {
        R"({"rrsets": [{"name": "x.foobar.com.", "type": "A", "ttl": 60, "changetype": "REPLACE",
            "records": [{"content": "192.0.2.1", "disabled": true}]}]})",
        R"({"rrsets": [{"name": "x.foobar.com.", "type": "A", "ttl": 60, "changetype": "REPLACE",
            "records": [{"content": "192.0.2.1"}], "comments": [{"content": "hi"}]}]})",
        R"({"rrsets": [{"name": "x", "type": "A", "ttl": 60, "changetype": "REPLACE",
            "records": [{"content": "192.0.2.1"}]}]})",
        R"({"rrsets": [{"name": "x.foobar.com.", "type": "A", "changetype": "REPLACE",
            "records": [{"content": "192.0.2.1"}]}]})",
        R"({"rrsets": [{"name": "x.foobar.com.", "type": "A", "ttl": 60, "changetype": "EXTEND",
            "records": [{"content": "192.0.2.1"}]}]})",
        R"({"rrsets": [{"name": "x.foobar.com.", "type": "A", "ttl": 60, "changetype": "REPLACE",
            "records": [{"content": "192.0.2.300"}]}]})",
    };
    for (const auto& body : refused) {
        CAPTURE(body);
        r = call("PATCH", "/api/v1/servers/localhost/zones/foobar.com.", body);
        CHECK(r.status >= 400);
        CHECK(r.status < 500);
        CHECK_FALSE(r.json().value("error", "").empty());
    }
    CHECK(serial_of(f.app) == serial + 2);

    // Zones made and deleted.
    r = call("POST", "/api/v1/servers/localhost/zones",
             R"({"name": "example.org.", "kind": "Native", "nameservers": ["ns1.example.org."],
                 "rrsets": [{"name": "ns1.example.org.", "type": "A", "ttl": 300,
                             "records": [{"content": "192.0.2.53", "disabled": false}]}]})");
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(r.json()["name"] == "example.org.");
    CHECK(r.json()["rrsets"].size() == 3);  // SOA, NS, the A
    CHECK(call("POST", "/api/v1/servers/localhost/zones",
               R"({"name": "third.org.", "kind": "Slave", "masters": ["192.0.2.1"]})")
              .status == 422);
    CHECK(
        call("POST", "/api/v1/servers/localhost/zones", R"({"name": "third.org.", "dnssec": true})")
            .status == 422);
    CHECK(call("DELETE", "/api/v1/servers/localhost/zones/example.org.").status == 204);
    CHECK(call("GET", "/api/v1/servers/localhost/zones/example.org.").status == 404);
    CHECK(call("PUT", "/api/v1/servers/localhost/zones/foobar.com./notify").json()["result"] ==
          "Notification queued");
}
