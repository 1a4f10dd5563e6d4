// dnsd serving the zones appsrv keeps in the database: the change path of
// the whole stack, from an API call to the answer on the wire. Run against
// SQLite (suite `app`) and MariaDB (suite `mysql`).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "core/net/socket.hpp"
#include "tests/app/app_fixture.hpp"
#include "tests/app/database_dnsd.hpp"
#include "tests/app/pebble.hpp"
#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"

namespace {

using nlohmann::json;

std::string zone_body(const std::string& name, const std::string& file = test::kFoobarZone) {
    return json{{"name", name}, {"zone_file", file}}.dump();
}

std::string a_record(const std::string& name, const std::string& address) {
    return json{{"name", name}, {"type", "A"}, {"content", address}}.dump();
}

// The next DNS message on a UDP socket (within 3 s).
test::DnsResponse receive_from(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 3000) != 1) return {};
    char buffer[512];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return {};
    return test::parse_dns_response(std::string_view(buffer, static_cast<size_t>(n)));
}

// A NOTIFY for foobar.com. sent from `source` (a loopback address); the
// answer dnsd gives it.
test::DnsResponse notify_from(const std::string& source, int port) {
    std::string error;
    const auto socket = core::net::bind_reuseport(*core::net::parse_address(source + ":0", error),
                                                  core::net::Transport::udp);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string query = test::make_query("foobar.com.", 6, {.opcode = 4});
    for (int attempt = 0; attempt < 3; ++attempt) {
        ::sendto(socket.get(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
        if (auto response = receive_from(socket.get()); response.parsed) return response;
    }
    return {};
}

}  // namespace

TEST_CASE("IXFR of a database zone: one record changed in a large zone is all a secondary gets") {
    test::TestDatabase database;
    const int dns_port = test::free_port();
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(dns_port) + "\"]");
    std::string zone = test::kFoobarZone;
    for (int i = 0; i < 2000; ++i)
        zone += "host" + std::to_string(i) + " 300 IN A 10.0." + std::to_string(i / 256) + "." +
                std::to_string(i % 256) + "\n";
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com", zone)).status == 201);
    test::DatabaseDnsd dnsd(database, dns_port, "database_refresh = \"1h\"");
    const auto serial_now = [&] {
        return app.call("GET", "/api/v1/zones/foobar.com").json()["serial"].get<int64_t>();
    };
    const int64_t first = serial_now();
    const auto ixfr = [&](int64_t from) {
        return test::run("dig @127.0.0.1 -p " + std::to_string(dns_port) +
                         " +nocmd +nostats +time=2 foobar.com IXFR=" + std::to_string(from) +
                         " 2>&1 | grep -v '^;' | grep -v '^$'");
    };
    const auto lines = [](const std::string& text) {
        return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    };

    // One record changed, then one added: each on the wire after its NOTIFY.
    auto r = app.call("GET", "/api/v1/zones/foobar.com/records?name=host7&type=A");
    const int64_t id = r.json()["records"][0]["id"].get<int64_t>();
    REQUIRE(app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(id),
                     a_record("host7", "192.0.2.7"))
                .status == 200);
    const int64_t second = serial_now();
    CHECK(test::wait_until([&] { return dnsd.dig("host7.foobar.com A") == "192.0.2.7\n"; }));
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("new", "192.0.2.99"))
                .status == 201);
    const int64_t third = serial_now();
    CHECK(test::wait_until([&] { return dnsd.dig("new.foobar.com A") == "192.0.2.99\n"; }));

    // From the first serial: the current SOA, each step (old SOA, out, new
    // SOA, in), the current SOA: 9 records, not 2000.
    const std::string both = ixfr(first);
    INFO(both);
    CHECK(lines(both) == 9);
    CHECK(both.find("host7.foobar.com.\t300\tIN\tA\t10.0.0.7") != std::string::npos);
    CHECK(both.find("host7.foobar.com.\t3600\tIN\tA\t192.0.2.7") != std::string::npos);
    CHECK(both.find("new.foobar.com.") != std::string::npos);
    CHECK(both.find(" " + std::to_string(second) + " ") != std::string::npos);
    CHECK(both.find(" " + std::to_string(third) + " ") != std::string::npos);
    // From the second: the last step alone; from the current: the SOA.
    CHECK(lines(ixfr(second)) == 5);
    CHECK(lines(ixfr(third)) == 1);
    // From a serial the history never saw: the whole zone.
    CHECK(lines(ixfr(first - 100)) > 2000);
}

TEST_CASE("dnsd serves the zones appsrv keeps, and a change is on the wire after its NOTIFY") {
    test::TestDatabase database;
    const int dns_port = test::free_port();
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(dns_port) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    // A UDP socket of the test's own stands for a secondary of dnsd's.
    std::string error;
    const auto secondary = core::net::bind_reuseport(
        *core::net::parse_address("127.0.0.1:0", error), core::net::Transport::udp);
    // Compared only every hour: what changes sooner came by NOTIFY.
    test::DatabaseDnsd dnsd(database, dns_port,
                            "database_refresh = \"1h\"\ndatabase_notify = [\"127.0.0.1:" +
                                std::to_string(secondary.local_port()) + "\"]");
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");
    CHECK(dnsd.process().log().find("zone foobar.com. serial 2099010100: 8 records from the "
                                    "database") != std::string::npos);

    auto r = app.call("POST", "/api/v1/zones/foobar.com/records", a_record("api", "192.0.2.10"));
    REQUIRE(r.status == 201);
    const int64_t id = r.json()["id"].get<int64_t>();
    CHECK(test::wait_until([&] { return dnsd.dig("api.foobar.com A") == "192.0.2.10\n"; }));
    const std::string serial =
        std::to_string(app.call("GET", "/api/v1/zones/foobar.com").json()["serial"].get<int64_t>());
    CHECK(dnsd.dig("foobar.com SOA").find(" " + serial + " ") != std::string::npos);
    // dnsd passes the change on to its secondaries.
    const auto notify = receive_from(secondary.get());
    REQUIRE(notify.parsed);
    CHECK(notify.question == "foobar.com. IN SOA");

    REQUIRE(app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(id),
                     a_record("api", "192.0.2.11"))
                .status == 200);
    CHECK(test::wait_until([&] { return dnsd.dig("api.foobar.com A") == "192.0.2.11\n"; }));
    REQUIRE(app.call("DELETE", "/api/v1/zones/foobar.com/records/" + std::to_string(id)).status ==
            204);
    CHECK(test::wait_until([&] { return dnsd.status("api.foobar.com A") == "NXDOMAIN"; }));

    // A zone created through the API is served as soon as its NOTIFY comes.
    CHECK(dnsd.status("example.net SOA") == "REFUSED");
    REQUIRE(app.call("POST", "/api/v1/zones", json{{"name", "example.net"}}.dump()).status == 201);
    CHECK(test::wait_until([&] { return dnsd.status("example.net SOA") == "NOERROR"; }));
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");

    // SIGHUP reads the files and the database again.
    dnsd.process().signal(SIGHUP);
    CHECK(dnsd.process().wait_for_log("reloaded: 2 zones"));
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");
    CHECK(dnsd.status("example.net SOA") == "NOERROR");

    // A zone deleted through the API is gone from the wire after its NOTIFY.
    REQUIRE(app.call("DELETE", "/api/v1/zones/example.net").status == 204);
    CHECK(test::wait_until([&] { return dnsd.status("example.net SOA") == "REFUSED"; }));
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");
}

TEST_CASE(
    "a dnsd secondary of the database's dnsd follows an API change at once: signed NOTIFY, "
    "signed IXFR") {
    test::TestDatabase database;
    const int primary_port = test::free_port();
    const int secondary_port = test::free_port();
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(primary_port) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    // One key both ways, as a name tier's two servers share it.
    test::TempDir dir;
    const std::string secret =
        dir.write("ns.key", "c2VjcmV0IG9mIHRoZSBuYW1lIHRpZXIncyB0d28gc2VydmVycw==\n");
    ::chmod(secret.c_str(), 0600);
    const std::string key =
        "[[dnsd.key]]\nname = \"ns.foobar.com.\"\nsecret_file = \"" + secret + "\"\n";
    // The primary: the database's zones, compared every hour only, so that
    // what the secondary learns sooner came by NOTIFY.
    test::DatabaseDnsd primary(database, primary_port,
                               "database_refresh = \"1h\"\ndatabase_notify = [\"127.0.0.1:" +
                                   std::to_string(secondary_port) +
                                   "\"]\ndatabase_notify_key = \"ns.foobar.com.\"\n"
                                   "transfer_keys = [\"ns.foobar.com.\"]\n" +
                                   key);
    const std::string copy = (dir.path() / "foobar.com.copy").string();
    const std::string config = dir.write(
        "secondary.toml", "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(secondary_port) +
                              "\"]\nthreads = 1\n" + key +
                              "[[dnsd.zone]]\nname = \"foobar.com\"\nfile = \"" + copy +
                              "\"\nprimaries = [\"127.0.0.1:" + std::to_string(primary_port) +
                              "\"]\nprimary_key = \"ns.foobar.com.\"\n");
    test::Process secondary({WEBSTACK_DNSD, "--config", config},
                            (dir.path() / "secondary.log").string());
    const auto dig = [](int port, const std::string& question) {
        return test::run("dig @127.0.0.1 -p " + std::to_string(port) + " +short +time=1 +tries=2 " +
                         question + " 2>&1");
    };
    REQUIRE(test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.8.8\n"; },
                             10000));

    // A change through the API: appsrv tells the primary, the primary tells
    // the secondary (signed), which asks for the difference (signed).
    const auto before = std::chrono::steady_clock::now();
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("api", "192.0.2.10"))
                .status == 201);
    CHECK(test::wait_until([&] {
        return dig(primary_port, "api.foobar.com A") == "192.0.2.10\n" &&
               dig(secondary_port, "api.foobar.com A") == "192.0.2.10\n";
    }));
    MESSAGE("answered by both " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - before)
                                       .count()
                                << " ms after the API's answer");
    CHECK(test::wait_until(
        [&] { return secondary.log().find("1 differences by IXFR") != std::string::npos; }));

    // A database_notify_key that is not a [[dnsd.key]]: --check names it.
    const auto wrong = dir.write("wrong.toml",
                                 "[dnsd]\ndatabase_zones = true\n"
                                 "database_notify_key = \"nobody\"\n[db]\nurl = \"" +
                                     database.url() + "\"\n");
    const auto out = test::run(std::string(WEBSTACK_DNSD) + " --config " + wrong +
                               " --check 2>&1; echo exit=$?");
    CHECK(out.find("dnsd.database_notify_key: nobody: no [[dnsd.key]] has that name") !=
          std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
}

TEST_CASE("without a NOTIFY, dnsd finds changes by their serial; a deleted zone stops") {
    test::TestDatabase database;
    test::App app(database);  // sends no NOTIFY
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    test::DatabaseDnsd dnsd(database, test::free_port(), "database_refresh = \"200ms\"");
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");

    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("new", "192.0.2.20"))
                .status == 201);
    CHECK(test::wait_until([&] { return dnsd.dig("new.foobar.com A") == "192.0.2.20\n"; }));
    REQUIRE(app.call("DELETE", "/api/v1/zones/foobar.com").status == 204);
    CHECK(test::wait_until([&] { return dnsd.status("www.foobar.com A") == "REFUSED"; }));
    CHECK(dnsd.process().log().find("foobar.com. is no longer in the database") !=
          std::string::npos);
}

TEST_CASE("a stored zone that does not check is not served; NOTIFY only from notify_allow") {
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    const int dns_port = test::free_port();
    test::DatabaseDnsd dnsd(database, dns_port,
                            "database_refresh = \"1h\"\nnotify_allow = [\"127.0.0.1\"]");

    // 127.0.0.2 is loopback too, but not in notify_allow.
    auto refused = notify_from("127.0.0.2", dns_port);
    REQUIRE(refused.parsed);
    CHECK(refused.rcode == 5);
    auto acknowledged = notify_from("127.0.0.1", dns_port);
    REQUIRE(acknowledged.parsed);
    CHECK(acknowledged.rcode == 0);
    CHECK(acknowledged.aa);

    // Written behind appsrv's back: a CNAME beside www's A.
    auto& db = database.connection();
    const int64_t zone_id =
        db.query("SELECT id FROM zones WHERE name = ?", {std::string("foobar.com.")})[0].integer(0);
    db.execute("INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
               {zone_id, std::string("www.foobar.com."), std::string("CNAME"), int64_t{300},
                std::string("elsewhere.example.")});
    db.execute("UPDATE zones SET serial = serial + 1 WHERE id = ?", {zone_id});
    REQUIRE(notify_from("127.0.0.1", dns_port).rcode == 0);
    CHECK(dnsd.process().wait_for_log("still serving the previous version"));
    // The check names a record at the name in question, by its id.
    const std::string named = "zone foobar.com. in the database: record ";
    const std::string reason = "www.foobar.com. A: a CNAME cannot stand beside other data";
    CHECK(dnsd.process().log().find(named) != std::string::npos);
    CHECK(dnsd.process().log().find(reason) != std::string::npos);
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");

    // Nor does a dnsd start on it: it says which record, and exits.
    const int other_port = test::free_port();
    test::TempDir dir;
    const std::string config = dir.write(
        "dnsd.toml", "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(other_port) +
                         "\"]\ndatabase_zones = true\n[db]\nurl = \"" + database.url() + "\"\n");
    test::Process starting({WEBSTACK_DNSD, "--config", config}, (dir.path() / "dnsd.log").string());
    CHECK(starting.stop(0, 10000) != 0);
    CHECK(starting.log().find(named) != std::string::npos);
    CHECK(starting.log().find(reason) != std::string::npos);
}

TEST_CASE("a database that goes away: dnsd answers from what it has, then catches up") {
    // A SQLite file does not go away; a server does.
    if (!test::suite_uses_mysql()) return;
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    test::DatabaseDnsd dnsd(database, test::free_port(), "database_refresh = \"200ms\"");
    database.server()->stop();
    CHECK(dnsd.process().wait_for_log("the database cannot be read, still serving its zones"));
    CHECK(dnsd.dig("www.foobar.com A") == "8.8.8.8\n");
    CHECK(dnsd.process().running());
    database.server()->start();
    // The connection is opened again; a change made since is seen.
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("back", "192.0.2.30"))
                .status == 201);
    CHECK(test::wait_until([&] { return dnsd.dig("back.foobar.com A") == "192.0.2.30\n"; }, 10000));
}

TEST_CASE("dnsd on a database without appsrv's tables says how to make them, and exits") {
    test::TestDatabase database;  // no appsrv has run on it yet
    test::TempDir dir;
    const std::string config = dir.write(
        "dnsd.toml", "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(test::free_port()) +
                         "\"]\ndatabase_zones = true\n[db]\nurl = \"" + database.url() + "\"\n");
    test::Process dnsd({WEBSTACK_DNSD, "--config", config}, (dir.path() / "dnsd.log").string());
    CHECK(dnsd.stop(0, 10000) == 1);
    CHECK(dnsd.log().find("reading the zones in [db]: ") != std::string::npos);
    CHECK(dnsd.log().find("appsrv --config FILE migrate") != std::string::npos);
}

TEST_CASE("a zone both in a file and in the database: dnsd will not choose, and exits") {
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    test::TempDir dir;
    const std::string zone_file = dir.write("foobar.com.zone", test::kFoobarZone);
    const std::string config = dir.write(
        "dnsd.toml", "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(test::free_port()) +
                         "\"]\ndatabase_zones = true\n[[dnsd.zone]]\nfile = \"" + zone_file +
                         "\"\n[db]\nurl = \"" + database.url() + "\"\n");
    test::Process dnsd({WEBSTACK_DNSD, "--config", config}, (dir.path() / "dnsd.log").string());
    CHECK(dnsd.stop(0, 10000) == 1);
    CHECK(dnsd.log().find("zone foobar.com. is in the database and in " + zone_file) !=
          std::string::npos);
}

namespace {

// "a\DDDz": a label with `octet` between two letters, as a client writes it.
std::string label_with(int octet) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\%03d", octet);
    return std::string("a") + escaped + "z";
}

}  // namespace

TEST_CASE("every octet in an owner name: written, read back, exported, imported and dug") {
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    std::map<int, std::string> names;  // octet → the name as the API gives it back
    for (int octet = 0; octet < 256; ++octet) {
        CAPTURE(octet);
        const auto r = app.call("POST", "/api/v1/zones/foobar.com/records",
                                json{{"name", label_with(octet)},
                                     {"type", "TXT"},
                                     {"content", "o" + std::to_string(octet)}}
                                    .dump());
        REQUIRE_MESSAGE(r.status == 201, r.body);
        names[octet] = r.json()["name"].get<std::string>();
        const auto id = r.json()["id"].get<int64_t>();
        const auto back = app.call("GET", "/api/v1/zones/foobar.com/records/" + std::to_string(id));
        CHECK(back.json()["name"] == names[octet]);
        CHECK_FALSE(back.json().contains("error"));
    }
    // Escaped as RFC 1035 §5.1 has it; letters lowercased, as every owner.
    CHECK(names['"'] == "a\\\"z.foobar.com.");
    CHECK(names['('] == "a\\(z.foobar.com.");
    CHECK(names[';'] == "a\\;z.foobar.com.");
    CHECK(names['@'] == "a\\@z.foobar.com.");
    CHECK(names['$'] == "a\\$z.foobar.com.");
    CHECK(names['.'] == "a\\.z.foobar.com.");
    CHECK(names['\\'] == "a\\\\z.foobar.com.");
    CHECK(names[' '] == "a\\032z.foobar.com.");
    CHECK(names[0] == "a\\000z.foobar.com.");
    CHECK(names[200] == "a\\200z.foobar.com.");
    CHECK(names['B'] == "abz.foobar.com.");

    // The zone is still writable, and its export is a zone file that
    // named-checkzone, dnsd and the import read back to the same names.
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("after", "192.0.2.9"))
                .status == 201);
    const auto exported = app.call("GET", "/api/v1/zones/foobar.com/export");
    REQUIRE(exported.status == 200);
    test::TempDir dir;
    const std::string path = dir.write("foobar.com.zone", exported.body);
    const std::string checked = test::run("named-checkzone foobar.com " + path + " 2>&1");
    CHECK_MESSAGE(checked.find("OK") != std::string::npos, checked);
    CHECK(
        test::run(std::string(WEBSTACK_DNSD) + " --zone " + path + " --check 2>&1").find("valid") !=
        std::string::npos);
    const auto listed = [&] {
        std::multiset<std::string> all;
        for (int offset = 0;; offset += 1000) {
            const auto page =
                app.call("GET", "/api/v1/zones/foobar.com/records?limit=1000&offset=" +
                                    std::to_string(offset))
                    .json();
            for (const auto& r : page["records"])
                if (r["type"] != "SOA")
                    all.insert(r["name"].get<std::string>() + " " + r["type"].get<std::string>() +
                               " " + r["content"].get<std::string>());
            if (page["records"].size() < 1000) break;
        }
        return all;
    };
    const auto before = listed();
    const auto imported = app.call("POST", "/api/v1/zones/foobar.com/import", exported.body,
                                   "Content-Type: text/dns\r\n");
    REQUIRE_MESSAGE(imported.status == 200, imported.body);
    CHECK(listed() == before);

    // dnsd reads the same names from the database, and dig finds each.
    const int dns_port = test::free_port();
    test::DatabaseDnsd dnsd(database, dns_port, "");
    for (int octet = 0; octet < 256; ++octet) {
        CAPTURE(octet);
        // Asked again when an answer lacks it: once a mysql run's dig took
        // a stray datagram (no QR bit) on its port for the answer.
        std::string answer;
        const bool found = test::wait_until(
            [&] {
                answer = dnsd.dig("'" + label_with(octet) + ".foobar.com' TXT");
                return answer.find("\"o" + std::to_string(octet) + "\"") != std::string::npos;
            },
            3000);
        CHECK_MESSAGE(found, answer);
    }
}

TEST_CASE("the characters a master file gives a meaning are stored escaped, never bare") {
    test::TestDatabase database;
    test::App app(database);
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    // As a client types them: bare, not escaped (a backslash only doubled).
    const std::vector<std::pair<std::string, std::string>> typed = {
        {"a\"b", "a\\\"b.foobar.com."},   {"a(b", "a\\(b.foobar.com."},
        {"a)b", "a\\)b.foobar.com."},     {"a;b", "a\\;b.foobar.com."},
        {"a\\\\b", "a\\\\b.foobar.com."}, {"a@b", "a\\@b.foobar.com."},
        {"$b", "\\$b.foobar.com."},       {"a b", "a\\032b.foobar.com."},
        {"a\tb", "a\\009b.foobar.com."},  {"\"", "\\\".foobar.com."}};
    for (const auto& [name, stored] : typed) {
        CAPTURE(name);
        const auto r =
            app.call("POST", "/api/v1/zones/foobar.com/records",
                     json{{"name", name}, {"type", "A"}, {"content", "192.0.2.7"}}.dump());
        REQUIRE_MESSAGE(r.status == 201, r.body);
        CHECK(r.json()["name"] == stored);
        CHECK(
            database.connection()
                .query("SELECT name FROM records WHERE id = ?", {r.json()["id"].get<int64_t>()})[0]
                .text(0) == stored);
    }
    // The longest name, every octet escaped: some 1000 characters of text.
    std::string longest;
    for (const size_t octets : {62, 62, 62, 53}) {
        if (!longest.empty()) longest += '.';
        for (size_t i = 0; i < octets; ++i)
            longest += "\\200";
    }
    auto r = app.call("POST", "/api/v1/zones/foobar.com/records",
                      json{{"name", longest}, {"type", "A"}, {"content", "192.0.2.7"}}.dump());
    REQUIRE_MESSAGE(r.status == 201, r.body);
    CHECK(r.json()["name"] == longest + ".foobar.com.");
    r = app.call("POST", "/api/v1/zones/foobar.com/records",
                 json{{"name", "\\200" + longest}, {"type", "A"}, {"content", "192.0.2.7"}}.dump());
    CHECK(r.status == 400);  // one octet more than 255
    // A raw NUL or a lone backslash cannot be what was meant: refused.
    for (const std::string& name : {std::string("a\0b", 3), std::string("a\\")}) {
        const auto r =
            app.call("POST", "/api/v1/zones/foobar.com/records",
                     json{{"name", name}, {"type", "A"}, {"content", "192.0.2.7"}}.dump());
        CHECK(r.status == 400);
        CHECK(r.json()["field"] == "name");
    }
    // Every write and the export still work; dnsd loads the zone.
    CHECK(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("next", "192.0.2.8"))
              .status == 201);
    const auto exported = app.call("GET", "/api/v1/zones/foobar.com/export");
    REQUIRE(exported.status == 200);
    CHECK(exported.body.find("a\\\"b.foobar.com.\t3600\tIN\tA\t192.0.2.7") != std::string::npos);
    const int dns_port = test::free_port();
    test::DatabaseDnsd dnsd(database, dns_port, "");
    CHECK(dnsd.dig("'a\\\"b.foobar.com' A") == "192.0.2.7\n");
    CHECK(dnsd.dig("'\\$b.foobar.com' A") == "192.0.2.7\n");
}

TEST_CASE("dnsd applies the journal of appsrv's changes; without one it reads the zone whole") {
    test::TestDatabase database;
    const int dns_port = test::free_port();
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(dns_port) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    test::DatabaseDnsd dnsd(database, dns_port, "database_refresh = \"1h\"");
    const auto count_in_log = [&](const std::string& text) {
        const std::string log = dnsd.process().log();
        size_t count = 0;
        for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
            ++count;
        return count;
    };
    // Changes that come close together are applied together: what is
    // counted is whether the zone was ever read whole.
    const auto journal_uses = [&] { return count_in_log("from the database's journal"); };
    const auto whole_reads = [&] { return count_in_log("records from the database"); };
    REQUIRE(whole_reads() == 1);  // at start
    const auto serial = [&] {
        return std::to_string(
            app.call("GET", "/api/v1/zones/foobar.com").json()["serial"].get<int64_t>());
    };

    // Each kind of change, and a delegation with glue below it.
    auto r = app.call("POST", "/api/v1/zones/foobar.com/records", a_record("a.b.c", "192.0.2.1"));
    REQUIRE(r.status == 201);
    const auto deep = r.json()["id"].get<int64_t>();
    CHECK(test::wait_until([&] { return dnsd.dig("a.b.c.foobar.com A") == "192.0.2.1\n"; }));
    CHECK(dnsd.status("b.c.foobar.com A") == "NOERROR");  // an empty non-terminal
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records",
                     json{{"name", "sub"}, {"type", "NS"}, {"content", "ns.sub"}}.dump())
                .status == 201);
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("ns.sub", "192.0.2.53"))
                .status == 201);
    r = app.call("PUT", "/api/v1/zones/foobar.com/records/" + std::to_string(deep),
                 a_record("a.b.c", "192.0.2.2"));
    REQUIRE(r.status == 200);
    CHECK(test::wait_until([&] { return dnsd.dig("a.b.c.foobar.com A") == "192.0.2.2\n"; }));
    REQUIRE(app.call("DELETE", "/api/v1/zones/foobar.com/records/" + std::to_string(deep)).status ==
            204);
    CHECK(test::wait_until([&] { return dnsd.status("a.b.c.foobar.com A") == "NXDOMAIN"; }));
    CHECK(dnsd.status("b.c.foobar.com A") == "NXDOMAIN");  // gone with its last descendant
    CHECK(test::wait_until([&] {
        return dnsd.dig("foobar.com SOA").find(" " + serial() + " ") != std::string::npos;
    }));
    CHECK(test::run("dig @127.0.0.1 -p " + std::to_string(dns_port) +
                    " +norec x.sub.foobar.com A 2>&1")
              .find("ns.sub.foobar.com.\t3600\tIN\tA\t192.0.2.53") != std::string::npos);
    CHECK(journal_uses() >= 1);
    CHECK(whole_reads() == 1);

    // Several changes in one PATCH: one serial, one journal entry.
    const size_t before_patch = journal_uses();
    r = app.call("PATCH", "/api/v1/zones/foobar.com/records",
                 json{{"changes",
                       {{{"action", "replace"},
                         {"name", "pool"},
                         {"type", "A"},
                         {"ttl", 60},
                         {"contents", {"192.0.2.61", "192.0.2.62"}}},
                        {{"action", "delete"}, {"name", "sub"}, {"type", "NS"}},
                        {{"action", "delete"}, {"name", "ns.sub"}, {"type", "A"}}}}}
                     .dump());
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(test::wait_until([&] {
        return dnsd.dig("pool.foobar.com A +nocmd") == "192.0.2.61\n192.0.2.62\n" ||
               dnsd.dig("pool.foobar.com A +nocmd") == "192.0.2.62\n192.0.2.61\n";
    }));
    CHECK(dnsd.status("x.sub.foobar.com A") == "NXDOMAIN");
    CHECK(journal_uses() == before_patch + 1);
    CHECK(whole_reads() == 1);

    // A change written behind appsrv's back leaves a gap in the journal:
    // dnsd reads the zone whole, and the journal serves again after it.
    auto& db = database.connection();
    const int64_t zone_id =
        db.query("SELECT id FROM zones WHERE name = ?", {std::string("foobar.com.")})[0].integer(0);
    db.execute("INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
               {zone_id, std::string("hand.foobar.com."), std::string("A"), int64_t{3600},
                std::string("192.0.2.77")});
    db.execute("UPDATE zones SET serial = serial + 1 WHERE id = ?", {zone_id});
    const size_t before = journal_uses();
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("after", "192.0.2.78"))
                .status == 201);
    CHECK(test::wait_until([&] { return dnsd.dig("after.foobar.com A") == "192.0.2.78\n"; }));
    CHECK(dnsd.dig("hand.foobar.com A") == "192.0.2.77\n");
    CHECK(journal_uses() == before);
    CHECK(whole_reads() == 2);
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/records", a_record("next", "192.0.2.79"))
                .status == 201);
    CHECK(test::wait_until([&] { return dnsd.dig("next.foobar.com A") == "192.0.2.79\n"; }));
    CHECK(journal_uses() == before + 1);
    CHECK(whole_reads() == 2);

    // An import is too large to list: the zone is read whole.
    REQUIRE(app.call("POST", "/api/v1/zones/foobar.com/import",
                     "$ORIGIN foobar.com.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
                     "@ 300 IN NS ns1\nns1 300 IN A 192.0.2.53\nonly 300 IN A 192.0.2.99\n",
                     "Content-Type: text/dns\r\n")
                .status == 200);
    CHECK(test::wait_until([&] { return dnsd.dig("only.foobar.com A") == "192.0.2.99\n"; }));
    CHECK(dnsd.status("www.foobar.com A") == "NXDOMAIN");
    CHECK(journal_uses() == before + 1);
    CHECK(whole_reads() == 3);
}

TEST_CASE(
    "lego's PowerDNS provider gets a certificate for www.foobar.com from pebble through appsrv") {
    // The whole DNS-01 path with real clients: lego writes the challenge
    // through appsrv's PowerDNS dialect, appsrv's NOTIFY puts it on dnsd's
    // wire, pebble (an ACME server, offline) reads it from dnsd and signs.
    test::TestDatabase database;
    const int dns_port = test::free_port();
    test::App app(database, "notify = [\"127.0.0.1:" + std::to_string(dns_port) + "\"]");
    REQUIRE(app.call("POST", "/api/v1/zones", zone_body("foobar.com")).status == 201);
    test::DatabaseDnsd dnsd(database, dns_port, "database_refresh = \"1h\"");

    test::Pebble pebble(dns_port);
    test::TempDir dir;
    const std::string d = dir.path().string();
    const std::string out = test::run(
        "cd " + d + " && timeout 120 env LEGO_CA_CERTIFICATES=" + pebble.certificate() +
        " PDNS_API_URL=http://127.0.0.1:" + std::to_string(app.port()) +
        " PDNS_API_KEY=" + app.token() + " PDNS_PROPAGATION_TIMEOUT=60 PDNS_POLLING_INTERVAL=1" +
        " PDNS_TTL=60 lego " + pebble.lego_server() +
        " --accept-tos --email owner@foobar.com --domains www.foobar.com --dns pdns" +
        " --dns.resolvers 127.0.0.1:" + std::to_string(dns_port) +
        " --dns.disable-cp --key-type ec256 --path " + d + "/lego run 2>&1; echo \"exit $?\"");
    INFO(out);
    INFO(pebble.log());
    REQUIRE(out.find("exit 0") != std::string::npos);
    const std::string certificate = test::run("openssl x509 -noout -text -in " + d +
                                              "/lego/certificates/www.foobar.com.crt 2>&1");
    CHECK(certificate.find("DNS:www.foobar.com") != std::string::npos);
    CHECK(certificate.find("Pebble") != std::string::npos);
    // lego cleaned up after itself, through the same API, and it is audited.
    CHECK(app.call("GET", "/api/v1/zones/foobar.com/records?name=_acme-challenge.www")
              .json()["total"] == 0);
    const auto audit = app.call("GET", "/api/v1/zones/foobar.com/audit?limit=2").json();
    CHECK(audit["entries"][0]["action"] == "rrset.delete");
    CHECK(audit["entries"][1]["action"] == "rrset.replace");
    CHECK(test::wait_until(
        [&] { return dnsd.status("_acme-challenge.www.foobar.com TXT") == "NXDOMAIN"; }));
}
