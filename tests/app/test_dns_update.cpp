// Dynamic update (RFC 2136) of the zones appsrv keeps: nsupdate against
// dnsd, signed with a key dnsd allows, written through the same store as
// the API (serial, journal, audit) and on the wire a moment later. Run
// against SQLite (suite `app`) and MariaDB (suite `mysql`).
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "tests/app/app_fixture.hpp"
#include "tests/app/database_dnsd.hpp"
#include "tests/app/pebble.hpp"
#include "tests/support/client.hpp"

namespace {

using nlohmann::json;

const std::string kSecret = "dXBkYXRlLXVwZGF0ZS11cGRhdGUtdXBkYXRlLXVwZGF0ZQ==";

struct UpdateFixture {
    test::TestDatabase database;
    test::App app{database};
    test::TempDir dir;
    int port = test::free_port();
    std::unique_ptr<test::DatabaseDnsd> dnsd;

    // `extra`: more of [dnsd], after the key update.foobar.com (secret
    // kSecret, in the file `key`).
    explicit UpdateFixture(const std::string& update_keys = "[\"update.foobar.com\"]",
                           const std::string& extra = "") {
        REQUIRE(app.call("POST", "/api/v1/zones",
                         json{{"name", "foobar.com"}, {"zone_file", test::kFoobarZone}}.dump())
                    .status == 201);
        key = dir.write("update.key", kSecret + "\n");
        ::chmod(key.c_str(), 0600);
        dnsd = std::make_unique<test::DatabaseDnsd>(
            database, port,
            "update_keys = " + update_keys +
                "\n[[dnsd.key]]\nname = \"update.foobar.com\"\nsecret_file = \"" + key + "\"\n" +
                extra);
    }
    std::string key;

    // nsupdate's output for `commands` (the server line and send added),
    // signed with `key` ("" for none).
    std::string nsupdate(const std::string& commands,
                         const std::string& key = "hmac-sha256:update.foobar.com:" + kSecret) {
        const auto script = dir.write("commands", "server 127.0.0.1 " + std::to_string(port) +
                                                      "\nzone foobar.com\n" + commands + "send\n");
        return test::run("nsupdate " + (key.empty() ? "" : "-y " + key + " ") + "-t 3 " + script +
                         " 2>&1; echo exit=$?");
    }
    uint32_t serial() const {
        return app.call("GET", "/api/v1/zones/foobar.com").json()["serial"].get<uint32_t>();
    }
};

}  // namespace

TEST_CASE("nsupdate adds and deletes records of a database zone; the audit names the key") {
    UpdateFixture f;
    const uint32_t before = f.serial();
    const auto out = f.nsupdate(
        "update add _acme-challenge.foobar.com. 60 IN TXT \"token one\"\n"
        "update add _acme-challenge.foobar.com. 60 IN TXT \"token two\"\n"
        "update add api.foobar.com. 300 IN A 192.0.2.80\n");
    CHECK(out == "exit=0\n");
    // On the wire a moment later, and in the API: one serial raise.
    CHECK(
        test::wait_until([&] { return f.dnsd->dig("api.foobar.com A") == "192.0.2.80\n"; }, 2000));
    CHECK(f.dnsd->dig("_acme-challenge.foobar.com TXT") == "\"token one\"\n\"token two\"\n");
    CHECK(f.serial() == before + 1);
    const auto records =
        f.app.call("GET", "/api/v1/zones/foobar.com/records?name=api.foobar.com.").json();
    REQUIRE(records["records"].size() == 1);
    CHECK(records["records"][0]["ttl"] == 300);

    // A record out of an RRset, then a whole RRset.
    CHECK(f.nsupdate("update delete _acme-challenge.foobar.com. TXT \"token one\"\n") ==
          "exit=0\n");
    CHECK(test::wait_until(
        [&] { return f.dnsd->dig("_acme-challenge.foobar.com TXT") == "\"token two\"\n"; }, 2000));
    CHECK(f.nsupdate("update delete api.foobar.com. A\n") == "exit=0\n");
    CHECK(test::wait_until([&] { return f.dnsd->status("api.foobar.com A") == "NXDOMAIN"; }, 2000));
    CHECK(f.serial() == before + 3);

    // The audit: each change by the key's name.
    const auto audit = f.database.connection().query(
        "SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 2", {});
    REQUIRE(audit.size() == 2);
    CHECK(audit[0].text(0) == "update.foobar.com.");
    CHECK(audit[0].text(1) == "record.delete");
    // A change that changes nothing raises no serial: the record is there.
    CHECK(f.nsupdate("update add www.foobar.com. 3600 IN A 8.8.8.8\n") == "exit=0\n");
    CHECK(f.serial() == before + 3);
}

TEST_CASE("UPDATE prerequisites: each unmet one refuses the whole update with its rcode") {
    UpdateFixture f;
    const uint32_t before = f.serial();
    const auto refused = [&](const std::string& prerequisite, const std::string& rcode) {
        const auto out =
            f.nsupdate(prerequisite + "update add new.foobar.com. 60 IN A 192.0.2.1\n");
        CHECK_MESSAGE(out.find("update failed: " + rcode) != std::string::npos, out);
    };
    refused("prereq nxdomain www.foobar.com.\n", "YXDOMAIN");
    refused("prereq yxdomain nothing.foobar.com.\n", "NXDOMAIN");
    refused("prereq nxrrset www.foobar.com. A\n", "YXRRSET");
    refused("prereq yxrrset www.foobar.com. AAAA\n", "NXRRSET");
    refused("prereq yxrrset www.foobar.com. A 192.0.2.9\n", "NXRRSET");
    CHECK(f.serial() == before);
    CHECK(f.dnsd->status("new.foobar.com A") == "NXDOMAIN");
    // All met: applied.
    CHECK(
        f.nsupdate("prereq yxrrset www.foobar.com. A 8.8.8.8\nprereq nxdomain new.foobar.com.\n"
                   "prereq yxdomain foobar.com.\nupdate add new.foobar.com. 60 IN A 192.0.2.1\n") ==
        "exit=0\n");
    CHECK(test::wait_until([&] { return f.dnsd->dig("new.foobar.com A") == "192.0.2.1\n"; }, 2000));
}

TEST_CASE("UPDATE rules: no CNAME beside data, the apex SOA and NS kept, a lower SOA ignored") {
    UpdateFixture f;
    const uint32_t before = f.serial();
    // Each is ignored, as RFC 2136 §3.4.2 says, and the update succeeds.
    CHECK(f.nsupdate("update add www.foobar.com. 60 IN CNAME elsewhere.example.\n") == "exit=0\n");
    CHECK(f.nsupdate("update add mail.foobar.com. 60 IN TXT \"beside\"\n"
                     "update delete mail.foobar.com. A\n"
                     "update add mail.foobar.com. 60 IN CNAME www.foobar.com.\n") == "exit=0\n");
    CHECK(f.nsupdate("update delete foobar.com. SOA\nupdate delete foobar.com. NS\n") ==
          "exit=0\n");
    CHECK(f.nsupdate("update delete foobar.com. NS ns1.foobar.com.\n") == "exit=0\n");
    CHECK(f.nsupdate("update delete foobar.com. NS ns2.foobar.com.\n") == "exit=0\n");
    CHECK(f.nsupdate("update add foobar.com. 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 "
                     "300\n") == "exit=0\n");
    // Two changes made: mail's records, and ns1 out of the apex NS.
    CHECK(f.serial() == before + 2);
    CHECK(test::wait_until([&] { return f.dnsd->dig("foobar.com NS") == "ns2.foobar.com.\n"; },
                           2000));
    CHECK(f.dnsd->dig("www.foobar.com A") == "8.8.8.8\n");
    CHECK(f.dnsd->dig("mail.foobar.com TXT") == "\"beside\"\n");  // no CNAME beside it
    CHECK(f.dnsd->dig("mail.foobar.com A") == "");
    // The last apex NS stays; the SOA stays, its serial raised by the changes.
    CHECK(f.dnsd->dig("foobar.com NS") == "ns2.foobar.com.\n");
    CHECK(f.dnsd->dig("foobar.com SOA")
              .find("hostmaster.foobar.com. " + std::to_string(f.serial())) != std::string::npos);
}

TEST_CASE("UPDATE refused: unsigned, a wrong key, a zone not in the database, a name outside") {
    UpdateFixture f;
    const uint32_t before = f.serial();
    CHECK(f.nsupdate("update add x.foobar.com. 60 IN A 192.0.2.1\n", "").find("REFUSED") !=
          std::string::npos);
    CHECK(f.nsupdate("update add x.foobar.com. 60 IN A 192.0.2.1\n",
                     "hmac-sha256:update.foobar.com:d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=")
              .find("BADSIG") != std::string::npos);
    CHECK(f.nsupdate("update add x.foobar.com. 60 IN A 192.0.2.1\n",
                     "hmac-sha256:other.key:" + kSecret)
              .find("BADKEY") != std::string::npos);
    const auto script = f.dir.write("other", "server 127.0.0.1 " + std::to_string(f.port) +
                                                 "\nzone example.org\nupdate add x.example.org. 60 "
                                                 "IN A 192.0.2.1\nsend\n");
    CHECK(test::run("nsupdate -y hmac-sha256:update.foobar.com:" + kSecret + " -t 3 " + script +
                    " 2>&1")
              .find("NOTAUTH") != std::string::npos);
    const auto outside = f.dir.write("outside", "server 127.0.0.1 " + std::to_string(f.port) +
                                                    "\nzone foobar.com\nupdate add x.example.org. "
                                                    "60 IN A 192.0.2.1\nsend\n");
    CHECK(test::run("nsupdate -y hmac-sha256:update.foobar.com:" + kSecret + " -t 3 " + outside +
                    " 2>&1")
              .find("NOTZONE") != std::string::npos);
    CHECK(f.serial() == before);
    CHECK(f.dnsd->status("x.foobar.com A") == "NXDOMAIN");
}

TEST_CASE("[[dnsd.update]]: a zone whose UPDATE keys are its own") {
    // Two keys share the secret file: the names are what differ.
    test::TempDir keys;
    const auto key_file = keys.write("zone.key", kSecret + "\n");
    ::chmod(key_file.c_str(), 0600);
    UpdateFixture f(
        "[\"update.foobar.com\"]",
        "[[dnsd.key]]\nname = \"zone.foobar.com\"\nsecret_file = \"" + key_file +
            "\"\n[[dnsd.update]]\nzone = \"foobar.com\"\nkeys = [\"zone.foobar.com\"]\n");
    const uint32_t before = f.serial();
    // The [dnsd] update key no longer changes foobar.com; the zone's own does.
    CHECK(f.nsupdate("update add x.foobar.com. 60 IN A 192.0.2.1\n").find("REFUSED") !=
          std::string::npos);
    CHECK(f.serial() == before);
    CHECK(f.nsupdate("update add x.foobar.com. 60 IN A 192.0.2.1\n",
                     "hmac-sha256:zone.foobar.com:" + kSecret) == "exit=0\n");
    CHECK(f.serial() == before + 1);
    // A key that is not a [[dnsd.key]]: --check names it.
    test::TempDir other;
    const auto config =
        other.write("dnsd.toml",
                    "[dnsd]\ndatabase_zones = true\n[[dnsd.update]]\nzone = \"foobar.com\"\n"
                    "keys = [\"nobody\"]\n[db]\nurl = \"" +
                        f.database.url() + "\"\n");
    const auto out = test::run(std::string(WEBSTACK_DNSD) + " --config " + config +
                               " --check 2>&1; echo exit=$?");
    CHECK(out.find("keys: nobody: no [[dnsd.key]] has that name") != std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
}

TEST_CASE("lego's rfc2136 provider gets www.foobar.com and *.foobar.com from pebble via UPDATE") {
    // ACME DNS-01 with the domain's own DNS: lego writes each challenge
    // with a signed UPDATE, pebble reads it from dnsd and signs, lego
    // deletes it again.
    UpdateFixture f;
    test::Pebble pebble(f.port);
    const std::string d = f.dir.path().string();
    const std::string out = test::run(
        "cd " + d + " && timeout 120 env LEGO_CA_CERTIFICATES=" + pebble.certificate() +
        " RFC2136_NAMESERVER=127.0.0.1:" + std::to_string(f.port) +
        " RFC2136_TSIG_KEY=update.foobar.com. RFC2136_TSIG_ALGORITHM=hmac-sha256."
        " RFC2136_TSIG_SECRET=" +
        kSecret +
        " RFC2136_PROPAGATION_TIMEOUT=60 RFC2136_POLLING_INTERVAL=1 RFC2136_TTL=60"
        " lego " +
        pebble.lego_server() +
        " --accept-tos --email owner@foobar.com --domains www.foobar.com --domains '*.foobar.com'"
        " --dns rfc2136 --dns.resolvers 127.0.0.1:" +
        std::to_string(f.port) + " --dns.disable-cp --key-type ec256 --path " + d +
        "/lego run 2>&1; echo \"exit $?\"");
    INFO(out);
    INFO(pebble.log());
    INFO(f.dnsd->process().log());
    REQUIRE(out.find("exit 0") != std::string::npos);
    const std::string certificate = test::run("openssl x509 -noout -text -in " + d +
                                              "/lego/certificates/www.foobar.com.crt 2>&1");
    CHECK(certificate.find("DNS:www.foobar.com") != std::string::npos);
    CHECK(certificate.find("DNS:*.foobar.com") != std::string::npos);
    CHECK(certificate.find("Pebble") != std::string::npos);
    // Each challenge written and removed by UPDATE, the key named in the audit.
    const auto audit = f.database.connection().query(
        "SELECT COUNT(*) FROM audit_log WHERE actor = 'update.foobar.com.'", {});
    CHECK(audit[0].integer(0) >= 4);
    CHECK(test::wait_until([&] {
        return f.dnsd->status("_acme-challenge.www.foobar.com TXT") == "NXDOMAIN" &&
               f.dnsd->status("_acme-challenge.foobar.com TXT") == "NXDOMAIN";
    }));
}
