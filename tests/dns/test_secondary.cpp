// dnsd as a secondary: its zones transferred from a primary (another dnsd,
// NSD, Knot), following it on NOTIFY, kept on disk across restarts, and
// answered SERVFAIL once expired. Every server runs on free loopback ports
// in a temporary directory and is stopped by PID.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/tsig.hpp"
#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"
#include "tests/support/foobar_zone.hpp"
#include "tests/support/process.hpp"
#include "tests/support/prometheus.hpp"

namespace {

constexpr uint16_t kSoa = 6;
const std::string kSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";

std::string dig(int port, const std::string& args, const std::string& address = "127.0.0.1") {
    return test::run("dig @" + address + " -p " + std::to_string(port) +
                     " +time=2 +tries=1 +short " + args + " 2>&1");
}

std::string status(int port, const std::string& args) {
    const auto out = test::run("dig @127.0.0.1 -p " + std::to_string(port) + " +time=2 +tries=1 " +
                               args + " 2>&1");
    const auto at = out.find("status: ");
    if (at == std::string::npos) return out;
    return out.substr(at + 8, out.find(',', at) - at - 8);
}

// The zone's records as dig prints a transfer: one line each, comments
// and the closing SOA left out, sorted.
std::vector<std::string> axfr(int port, const std::string& address = "127.0.0.1") {
    std::istringstream out(test::run("dig @" + address + " -p " + std::to_string(port) +
                                     " +time=2 +tries=1 +nocmd +nostats +nocomments foobar.com "
                                     "AXFR 2>&1"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(out, line);) {
        if (!line.empty() && line[0] != ';') lines.push_back(line);
    }
    if (!lines.empty()) lines.pop_back();  // the SOA again
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// foobar.com with `serial`, www at `address`, and the SOA timers given.
std::string zone(const std::string& serial, const std::string& address,
                 const std::string& timers = "7200 3600 1209600 300") {
    std::string text = test::foobar_zone(serial);
    text.replace(text.find("8.8.8.8"), 7, address);
    text.replace(text.find(" 7200 3600 1209600 300"), 22, " " + timers);
    for (int i = 0; i < 50; ++i)
        text += "host" + std::to_string(i) + " IN TXT \"x\\\"y;z\\\\ " + std::to_string(i) + "\"\n";
    return text;
}

std::string dnsd_config(int port, const std::string& zones, const std::string& extra = "") {
    return "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(port) + "\"]\nthreads = 1\n" + extra +
           zones;
}

// A NOTIFY for foobar.com from `from`, signed with `key` when given:
// the answer's rcode, or -1 when none came.
int send_notify(int port, const core::dns::tsig::Key* key = nullptr,
                const char* from = "127.0.0.1") {
    std::string message = test::make_query("foobar.com.", kSoa, {.opcode = 4});
    if (key)
        core::dns::tsig::Signer(*key, "").sign(message, static_cast<uint64_t>(::time(nullptr)));
    const auto answer = test::udp_exchange(port, message, 1000, from);
    if (answer.size() < 12) return -1;
    return static_cast<unsigned char>(answer[3]) & 0x0f;
}

core::dns::tsig::Key test_key(const std::string& secret = kSecret) {
    std::string error;
    return {core::dns::lowercase_name(*core::dns::name_from_text("xfr.foobar.com.", error)),
            *core::dns::tsig::algorithm_name("hmac-sha256"),
            core::dns::tsig::decode_secret(secret + "\n", "key")};
}

std::string key_file(const test::TempDir& dir, const std::string& name,
                     const std::string& secret = kSecret) {
    const auto path = dir.write(name, secret + "\n");
    ::chmod(path.c_str(), 0600);
    return path;
}

// A Knot configuration keeping its state in `home`, on `port`: it shares
// the test key with the dnsd on `peer_port` (remote and ACL `peer`, which
// may `action`: transfer or notify), and serves foobar.com with
// `zone_items` (the zone's other lines, naming `peer`).
std::string knot_conf(const std::string& home, int port, int peer_port, const std::string& action,
                      const std::string& zone_items) {
    std::filesystem::create_directories(home + "/db");
    return "server:\n    listen: 127.0.0.1@" + std::to_string(port) + "\n    rundir: \"" + home +
           "\"\ndatabase:\n    storage: \"" + home +
           "/db\"\nlog:\n  - target: stderr\n    any: info\n"
           "key:\n  - id: xfr.foobar.com\n    algorithm: hmac-sha256\n    secret: " +
           kSecret + "\nremote:\n  - id: peer\n    address: 127.0.0.1@" +
           std::to_string(peer_port) +
           "\n    key: xfr.foobar.com\nacl:\n  - id: peer\n    address: 127.0.0.0/8\n"
           "    key: xfr.foobar.com\n    action: " +
           action + "\nzone:\n  - domain: foobar.com\n    acl: peer\n" + zone_items;
}
}  // namespace

TEST_CASE("a secondary dnsd: SERVFAIL until transferred, IXFR on NOTIFY, its copy kept") {
    test::TempDir dir;
    const int primary_port = test::free_port();
    const int secondary_port = test::free_port();
    const auto copy = (dir.path() / "secondary.zone").string();
    // NOTIFYs come from the primaries, or from notify_allow: here none.
    const std::string secondary_zone =
        "[[dnsd.zone]]\nname = \"foobar.com\"\nfile = \"" + copy +
        "\"\nprimaries = [\"127.0.0.1:" + std::to_string(primary_port) + "\"]\n";
    const auto secondary_config = dir.write(
        "secondary.toml", dnsd_config(secondary_port, secondary_zone, "notify_allow = []\n"));
    auto secondary = std::make_unique<test::Process>(
        std::vector<std::string>{WEBSTACK_DNSD, "--config", secondary_config},
        (dir.path() / "secondary.log").string());
    REQUIRE(secondary->wait_for_log("state serving"));
    // No primary yet, no copy: configured, so SERVFAIL, not REFUSED.
    CHECK(status(secondary_port, "www.foobar.com A") == "SERVFAIL");
    CHECK(dig(secondary_port, "foobar.com AXFR").find("Transfer failed") != std::string::npos);
    CHECK(status(secondary_port, "www.example.org A") == "REFUSED");
    CHECK(secondary->log().find("no copy in " + copy) != std::string::npos);

    const auto primary_zone = dir.write("primary.zone", zone("2026112501", "8.8.8.8"));
    const auto primary_config =
        dir.write("primary.toml",
                  "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(primary_port) +
                      "\"]\nthreads = 1\n[[dnsd.zone]]\nfile = \"" + primary_zone +
                      "\"\nnotify = [\"127.0.0.1:" + std::to_string(secondary_port) + "\"]\n");
    test::Process primary({WEBSTACK_DNSD, "--config", primary_config},
                          (dir.path() / "primary.log").string());
    REQUIRE(primary.wait_for_log("state serving"));
    // A NOTIFY from 127.0.0.3, which is not a primary of the zone: REFUSED,
    // and nothing is transferred on it.
    CHECK(send_notify(secondary_port, nullptr, "127.0.0.3") == 5);
    // The retry of a zone without an SOA brings it.
    REQUIRE_MESSAGE(
        test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.8.8\n"; },
                         10'000),
        secondary->log());
    CHECK(secondary->log().find("serial 2026112501: 58 records by AXFR from 127.0.0.1:") !=
          std::string::npos);
    // The same zone, record for record (TXT with quotes, ';' and '\').
    CHECK(axfr(secondary_port).size() == 58);
    CHECK(axfr(secondary_port) == axfr(primary_port));
    CHECK(dig(primary_port, "host7.foobar.com TXT") == dig(secondary_port, "host7.foobar.com TXT"));
    CHECK(dig(secondary_port, "host7.foobar.com TXT") == "\"x\\\"y;z\\\\ 7\"\n");

    // A change on the primary: its NOTIFY brings the difference alone.
    dir.write("primary.zone", zone("2026112502", "8.8.4.4"));
    primary.signal(SIGHUP);
    REQUIRE(primary.wait_for_log("reloaded"));
    const auto notified = std::chrono::steady_clock::now();
    REQUIRE_MESSAGE(
        test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.4.4\n"; },
                         2000),
        secondary->log());
    MESSAGE("followed in " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - notified)
                                  .count()
                           << " ms after the primary's reload");
    CHECK(secondary->log().find("serial 2026112502: 1 differences by IXFR") != std::string::npos);
    // The secondary serves IXFR in its turn, from the history it was sent.
    const auto ixfr = test::run("dig @127.0.0.1 -p " + std::to_string(secondary_port) +
                                " +short foobar.com IXFR=2026112501");
    CHECK(ixfr.find("8.8.8.8") != std::string::npos);
    CHECK(ixfr.find("8.8.4.4") != std::string::npos);
    CHECK(ixfr.find("host7") == std::string::npos);
    // Its copy on disk is the new version.
    const auto kept = file_text(copy);
    CHECK(kept.find("2026112502") != std::string::npos);
    CHECK(kept.find("www.foobar.com.\t3600\tIN\tA\t8.8.4.4") != std::string::npos);

    // Restarted with the primary gone: the copy is served at once.
    CHECK(primary.stop() == 0);
    CHECK(secondary->stop() == 0);
    secondary.reset();
    test::Process again({WEBSTACK_DNSD, "--config", secondary_config},
                        (dir.path() / "again.log").string());
    REQUIRE(again.wait_for_log("state serving"));
    CHECK(dig(secondary_port, "www.foobar.com A") == "8.8.4.4\n");
    CHECK(dig(secondary_port, "host7.foobar.com TXT") == "\"x\\\"y;z\\\\ 7\"\n");
    CHECK(again.log().find("serial 2026112502: 58 records from its copy in " + copy) !=
          std::string::npos);
    CHECK(again.stop() == 0);
}

TEST_CASE("a secondary zone expires as its SOA says, and comes back when a primary answers") {
    test::TempDir dir;
    const int primary_port = test::free_port();
    const int secondary_port = test::free_port();
    const auto primary_zone = dir.write("primary.zone", zone("7", "8.8.8.8", "1 1 3 300"));
    const auto primary_config =
        dir.write("primary.toml",
                  dnsd_config(primary_port, "[[dnsd.zone]]\nfile = \"" + primary_zone + "\"\n"));
    auto primary = std::make_unique<test::Process>(
        std::vector<std::string>{WEBSTACK_DNSD, "--config", primary_config},
        (dir.path() / "primary.log").string());
    REQUIRE(primary->wait_for_log("state serving"));
    const auto copy = (dir.path() / "copy.zone").string();
    const int metrics_port = test::free_port();
    const auto secondary_config = dir.write(
        "secondary.toml",
        dnsd_config(secondary_port,
                    "[[dnsd.zone]]\nname = \"foobar.com.\"\nfile = \"" + copy +
                        "\"\nprimaries = [\"127.0.0.1:" + std::to_string(primary_port) + "\"]\n",
                    "metrics_listen = [\"127.0.0.1:" + std::to_string(metrics_port) + "\"]\n"));
    // A series of the secondary's /metrics.
    const auto metric = [&](const std::string& series) {
        const auto text =
            test::run("curl -s http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
        return test::metric_value(text, "webstack_dnsd_" + series).value_or(-1);
    };
    auto secondary = std::make_unique<test::Process>(
        std::vector<std::string>{WEBSTACK_DNSD, "--config", secondary_config},
        (dir.path() / "secondary.log").string());
    REQUIRE(secondary->wait_for_log("state serving"));
    REQUIRE(test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.8.8\n"; },
                             5000));

    // The primary goes: refresh and retry fail; at the expire time (3 s)
    // the zone is answered SERVFAIL.
    CHECK(primary->stop() == 0);
    primary.reset();
    REQUIRE_MESSAGE(
        test::wait_until([&] { return status(secondary_port, "www.foobar.com A") == "SERVFAIL"; },
                         10'000),
        secondary->log());
    CHECK(secondary->log().find("zone foobar.com. expired") != std::string::npos);
    CHECK(metric(R"(zone_available{zone="foobar.com."})") == 0);
    CHECK(metric(R"(transfers_in_total{result="failed"})") >= 1);
    CHECK(metric(R"(transfers_in_total{result="whole"})") == 1);
    CHECK(secondary->log().find("no transfer from 127.0.0.1:" + std::to_string(primary_port)) !=
          std::string::npos);

    // Restarted meanwhile: the copy is older than its expire time.
    CHECK(secondary->stop() == 0);
    secondary = std::make_unique<test::Process>(
        std::vector<std::string>{WEBSTACK_DNSD, "--config", secondary_config},
        (dir.path() / "secondary2.log").string());
    REQUIRE(secondary->wait_for_log("state serving"));
    CHECK(secondary->log().find("from its copy in " + copy + ", expired") != std::string::npos);
    CHECK(status(secondary_port, "www.foobar.com A") == "SERVFAIL");

    // The primary is back, with the same serial: answered again on retry.
    primary = std::make_unique<test::Process>(
        std::vector<std::string>{WEBSTACK_DNSD, "--config", primary_config},
        (dir.path() / "primary2.log").string());
    REQUIRE(primary->wait_for_log("state serving"));
    REQUIRE_MESSAGE(
        test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.8.8\n"; },
                         10'000),
        secondary->log());
    CHECK(secondary->log().find("answers again; serving serial 7") != std::string::npos);
    CHECK(metric(R"(zone_available{zone="foobar.com."})") == 1);
    CHECK(metric(R"(transfers_in_total{result="current"})") >= 1);
}

TEST_CASE("a zone with keys: signed transfers and NOTIFYs both ways; a wrong secret gets nothing") {
    test::TempDir dir;
    const int primary_port = test::free_port();
    const int good_port = test::free_port();
    const int bad_port = test::free_port();
    const auto primary_zone = dir.write("primary.zone", zone("2026112501", "8.8.8.8"));
    // The keys are the zone's own: [dnsd] has no transfer_keys.
    const auto primary_config = dir.write(
        "primary.toml",
        dnsd_config(primary_port, "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
                                      key_file(dir, "primary.key") +
                                      "\"\n[[dnsd.zone]]\nfile = \"" + primary_zone +
                                      "\"\ntransfer_keys = [\"xfr.foobar.com\"]\n"
                                      "notify_key = \"xfr.foobar.com\"\nnotify = [\"127.0.0.1:" +
                                      std::to_string(good_port) +
                                      "\", \"127.0.0.1:" + std::to_string(bad_port) + "\"]\n"));
    test::Process primary({WEBSTACK_DNSD, "--config", primary_config},
                          (dir.path() / "primary.log").string());
    REQUIRE(primary.wait_for_log("state serving"));
    CHECK(test::run("dig @127.0.0.1 -p " + std::to_string(primary_port) + " foobar.com AXFR")
              .find("Transfer failed") != std::string::npos);

    const auto start_secondary = [&](const std::string& name, const std::string& secret, int port) {
        const auto config = dir.write(
            name + ".toml",
            dnsd_config(port,
                        "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
                            key_file(dir, name + ".key", secret) +
                            "\"\n[[dnsd.zone]]\nname = \"foobar.com\"\nfile = \"" +
                            (dir.path() / (name + ".zone")).string() +
                            "\"\nprimaries = [\"127.0.0.1:" + std::to_string(primary_port) +
                            "\"]\nprimary_key = \"xfr.foobar.com\"\n",
                        "notify_allow = []\n"));
        return std::make_unique<test::Process>(
            std::vector<std::string>{WEBSTACK_DNSD, "--config", config},
            (dir.path() / (name + ".log")).string());
    };
    const auto good = start_secondary("good", kSecret, good_port);
    const auto bad = start_secondary("bad", "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=", bad_port);
    REQUIRE(good->wait_for_log("state serving"));
    REQUIRE(bad->wait_for_log("state serving"));
    REQUIRE_MESSAGE(
        test::wait_until([&] { return dig(good_port, "www.foobar.com A") == "8.8.8.8\n"; }, 5000),
        good->log());
    REQUIRE(bad->wait_for_log("TSIG error BADSIG", 5000));
    CHECK(status(bad_port, "www.foobar.com A") == "SERVFAIL");

    // The primary's signed NOTIFY brings the change; the secondary's
    // signed acknowledgement ends its retries. The other secondary cannot
    // check the signature: NOTAUTH, and no retry.
    dir.write("primary.zone", zone("2026112502", "8.8.4.4"));
    primary.signal(SIGHUP);
    REQUIRE(primary.wait_for_log("reloaded"));
    REQUIRE_MESSAGE(
        test::wait_until([&] { return dig(good_port, "www.foobar.com A") == "8.8.4.4\n"; }, 1000),
        good->log());
    CHECK(primary.wait_for_log("NOTIFY foobar.com. acknowledged by 127.0.0.1:" +
                               std::to_string(good_port)));
    CHECK(primary.wait_for_log("NOTIFY foobar.com. to 127.0.0.1:" + std::to_string(bad_port) +
                               ": answered with rcode 9 (TSIG error BADSIG"));

    // NOTIFY for a zone with a key, by hand: unsigned or wrongly signed,
    // refused; signed with the key, acknowledged.
    CHECK(send_notify(good_port) == 5);
    const auto other = test_key("d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=");
    CHECK(send_notify(good_port, &other) == 9);  // NOTAUTH: BADSIG
    const auto key = test_key();
    CHECK(send_notify(good_port, &key) == 0);
}

namespace {

// dnsd on `port` as the secondary of `primary_port`, with `zone_extra` in
// its zone table (a key) and `extra` in [dnsd] (the key itself).
struct SecondaryDnsd {
    SecondaryDnsd(const test::TempDir& dir, int port, int primary_port,
                  const std::string& extra = "", const std::string& zone_extra = "")
        : port(port),
          process({WEBSTACK_DNSD, "--config",
                   dir.write(
                       "secondary.toml",
                       dnsd_config(port, extra + "[[dnsd.zone]]\nname = \"foobar.com\"\nfile = \"" +
                                             (dir.path() / "copy.zone").string() +
                                             "\"\nprimaries = [\"127.0.0.1:" +
                                             std::to_string(primary_port) + "\"]\n" + zone_extra))},
                  (dir.path() / "secondary.log").string()) {
        REQUIRE(process.wait_for_log("state serving"));
    }
    // Waits until dnsd answers www with `address`, at most `timeout_ms`;
    // then its log must say `how` (the kind of transfer).
    void answers(const std::string& address, const std::string& how, int timeout_ms) {
        const auto start = std::chrono::steady_clock::now();
        REQUIRE_MESSAGE(
            test::wait_until([&] { return dig(port, "www.foobar.com A") == address + "\n"; },
                             timeout_ms),
            process.log());
        MESSAGE("www " << address << " after "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count()
                       << " ms");
        CHECK_MESSAGE(process.log().find(how) != std::string::npos, process.log());
    }
    int port;
    test::Process process;
};

}  // namespace

TEST_CASE("interop: dnsd as a secondary of NSD follows its NOTIFY") {
    test::TempDir dir;
    const int nsd_port = test::free_port();
    const int secondary_port = test::free_port();
    const auto zone_path = dir.write("foobar.com.zone", zone("2026112501", "8.8.8.8"));
    const std::string at = dir.path().string();
    const auto config = dir.write(
        "nsd.conf",
        "server:\n    ip-address: 127.0.0.1@" + std::to_string(nsd_port) +
            "\n    server-count: 1\n    username: \"\"\n    chroot: \"\"\n    zonesdir: \"" + at +
            "\"\n    database: \"\"\n    zonelistfile: \"" + at + "/zone.list\"\n    xfrdfile: \"" +
            at + "/xfrd.state\"\n    xfrdir: \"" + at + "\"\n    pidfile: \"" + at +
            "/nsd.pid\"\n    verbosity: 2\nremote-control:\n    control-enable: no\n"
            "zone:\n    name: \"foobar.com\"\n    zonefile: \"" +
            zone_path + "\"\n    notify: 127.0.0.1@" + std::to_string(secondary_port) +
            " NOKEY\n    provide-xfr: 127.0.0.0/8 NOKEY\n");
    test::Process nsd({"/usr/sbin/nsd", "-d", "-c", config}, (dir.path() / "nsd.log").string());
    REQUIRE(test::wait_until([&] { return dig(nsd_port, "www.foobar.com A") == "8.8.8.8\n"; }));
    SecondaryDnsd secondary(dir, secondary_port, nsd_port);
    secondary.answers("8.8.8.8", "58 records by AXFR from 127.0.0.1:" + std::to_string(nsd_port),
                      5000);
    CHECK(dig(secondary.port, "host7.foobar.com TXT") == dig(nsd_port, "host7.foobar.com TXT"));

    dir.write("foobar.com.zone", zone("2026112502", "8.8.4.4"));
    nsd.signal(SIGHUP);
    // NSD keeps no differences of a zone file it reads again: its answer
    // to the IXFR is the whole zone.
    secondary.answers("8.8.4.4", "serial 2026112502: 58 records by IXFR", 1500);
    CHECK(nsd.stop() == 0);
}

TEST_CASE("interop: dnsd as a secondary of Knot, signed with TSIG, by IXFR on its NOTIFY") {
    test::TempDir dir;
    const int knot_port = test::free_port();
    const int secondary_port = test::free_port();
    const auto zone_path = dir.write("foobar.com.zone", zone("2026112501", "8.8.8.8"));
    const std::string at = dir.path().string();
    const auto config =
        dir.write("knot.conf",
                  knot_conf(at, knot_port, secondary_port, "transfer",
                            "    file: \"" + zone_path +
                                "\"\n    notify: peer\n    zonefile-sync: -1\n"
                                "    zonefile-load: difference\n    journal-content: changes\n"));
    test::Process knot({"/usr/sbin/knotd", "-c", config}, (dir.path() / "knot.log").string());
    REQUIRE(test::wait_until([&] { return dig(knot_port, "www.foobar.com A") == "8.8.8.8\n"; }));
    SecondaryDnsd secondary(dir, secondary_port, knot_port,
                            "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
                                key_file(dir, "xfr.key") + "\"\n",
                            "primary_key = \"xfr.foobar.com\"\n");
    secondary.answers("8.8.8.8", "58 records by AXFR from 127.0.0.1:" + std::to_string(knot_port),
                      5000);

    dir.write("foobar.com.zone", zone("2026112502", "8.8.4.4"));
    CHECK(test::run("knotc -c " + config + " zone-reload foobar.com 2>&1") == "OK\n");
    // Knot signs its NOTIFY with the key, and sends the difference alone.
    INFO(knot.log());
    secondary.answers("8.8.4.4", "serial 2026112502: 1 differences by IXFR", 1500);
    CHECK(knot.log().find("IXFR, outgoing") != std::string::npos);
    CHECK(knot.stop() == 0);
}

TEST_CASE("interop: Knot and BIND as secondaries of dnsd with TSIG; a wrong secret is refused") {
    test::TempDir dir;
    const int primary_port = test::free_port();
    const int knot_port = test::free_port();
    const int bind_port = test::free_port();
    const int wrong_port = test::free_port();
    const std::string at = dir.path().string();
    const std::string wrong_secret = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=";
    const auto primary_zone = dir.write("primary.zone", zone("2026112501", "8.8.8.8"));
    const auto primary_config = dir.write(
        "primary.toml",
        dnsd_config(primary_port, "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
                                      key_file(dir, "primary.key") +
                                      "\"\n[[dnsd.zone]]\nfile = \"" + primary_zone +
                                      "\"\ntransfer_keys = [\"xfr.foobar.com\"]\n"
                                      "notify_key = \"xfr.foobar.com\"\nnotify = [\"127.0.0.1:" +
                                      std::to_string(knot_port) +
                                      "\", \"127.0.0.1:" + std::to_string(bind_port) + "\"]\n"));
    test::Process primary({WEBSTACK_DNSD, "--config", primary_config},
                          (dir.path() / "primary.log").string());
    REQUIRE(primary.wait_for_log("state serving"));

    const auto knot_config =
        dir.write("knot.conf",
                  knot_conf(at + "/knot", knot_port, primary_port, "notify",
                            "    file: \"" + at + "/knot/foobar.com.zone\"\n    master: peer\n"));
    test::Process knot({"/usr/sbin/knotd", "-c", knot_config}, (dir.path() / "knot.log").string());

    const auto bind_config = [&](const std::string& name, int port, const std::string& secret) {
        std::filesystem::create_directories(dir.path() / name);
        const std::string home = at + "/" + name;
        return dir.write(name + "/named.conf",
                         "options {\n  directory \"" + home + "\";\n  pid-file \"" + home +
                             "/named.pid\";\n  session-keyfile \"" + home +
                             "/session.key\";\n  managed-keys-directory \"" + home +
                             "\";\n  listen-on port " + std::to_string(port) +
                             " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  recursion no;\n"
                             "  dnssec-validation no;\n  notify no;\n};\ncontrols { };\n"
                             "key \"xfr.foobar.com\" { algorithm hmac-sha256; secret \"" +
                             secret +
                             "\"; };\nzone \"foobar.com\" {\n  type secondary;\n  primaries { "
                             "127.0.0.1 port " +
                             std::to_string(primary_port) +
                             " key \"xfr.foobar.com\"; };\n  file \"" + home +
                             "/foobar.com.copy\";\n};\n");
    };
    test::Process bind(
        {"/usr/sbin/named", "-g", "-n", "1", "-c", bind_config("bind", bind_port, kSecret)},
        (dir.path() / "bind.log").string());
    test::Process wrong(
        {"/usr/sbin/named", "-g", "-n", "1", "-c", bind_config("wrong", wrong_port, wrong_secret)},
        (dir.path() / "wrong.log").string());

    // Each transfers the zone, signed, at start-up.
    INFO(knot.log());
    INFO(bind.log());
    REQUIRE(test::wait_until([&] { return dig(knot_port, "www.foobar.com A") == "8.8.8.8\n"; },
                             10'000));
    REQUIRE(test::wait_until([&] { return dig(bind_port, "www.foobar.com A") == "8.8.8.8\n"; },
                             10'000));
    CHECK(dig(knot_port, "host7.foobar.com TXT") == dig(primary_port, "host7.foobar.com TXT"));
    CHECK(dig(bind_port, "host7.foobar.com TXT") == dig(primary_port, "host7.foobar.com TXT"));
    // The wrong secret: dnsd answers BADSIG, BIND has no zone to serve.
    REQUIRE(wrong.wait_for_log("foobar.com", 10'000));
    REQUIRE(test::wait_until(
        [&] {
            return wrong.log().find("tsig") != std::string::npos ||
                   wrong.log().find("TSIG") != std::string::npos;
        },
        10'000));
    CHECK(status(wrong_port, "www.foobar.com A") == "SERVFAIL");

    // A change: dnsd's signed NOTIFY, and each follows by IXFR.
    dir.write("primary.zone", zone("2026112502", "8.8.4.4"));
    primary.signal(SIGHUP);
    REQUIRE(primary.wait_for_log("reloaded"));
    CHECK(
        test::wait_until([&] { return dig(knot_port, "www.foobar.com A") == "8.8.4.4\n"; }, 2000));
    CHECK(
        test::wait_until([&] { return dig(bind_port, "www.foobar.com A") == "8.8.4.4\n"; }, 2000));
    CHECK(primary.wait_for_log("acknowledged by 127.0.0.1:" + std::to_string(knot_port)));
    CHECK(primary.wait_for_log("acknowledged by 127.0.0.1:" + std::to_string(bind_port)));
    CHECK(knot.log().find("IXFR") != std::string::npos);
    // BIND names no kind: six records are the difference (SOA, old SOA,
    // old www, new SOA, new www, SOA), the zone being 58.
    CHECK(bind.log().find("Transfer completed: 1 messages, 6 records") != std::string::npos);
    CHECK(knot.stop() == 0);
    CHECK(bind.stop() == 0);
    CHECK(wrong.stop() == 0);
}

TEST_CASE("SIGHUP: a secondary zone added, its primary changed, its keys changed, then removed") {
    test::TempDir dir;
    const int first_port = test::free_port();
    const int second_port = test::free_port();
    const int secondary_port = test::free_port();
    // Two primaries with different versions of the zone.
    const auto start_primary = [&](int port, const std::string& address) {
        const auto path = dir.write("primary" + std::to_string(port) + ".zone",
                                    zone(address == "8.8.8.8" ? "1" : "2", address));
        return std::make_unique<test::Process>(
            std::vector<std::string>{
                WEBSTACK_DNSD, "--config",
                dir.write("primary" + std::to_string(port) + ".toml",
                          dnsd_config(port, "[[dnsd.zone]]\nfile = \"" + path + "\"\n"))},
            (dir.path() / ("primary" + std::to_string(port) + ".log")).string());
    };
    const auto first = start_primary(first_port, "8.8.8.8");
    const auto second = start_primary(second_port, "8.8.4.4");
    REQUIRE(first->wait_for_log("state serving"));
    REQUIRE(second->wait_for_log("state serving"));

    const auto key = key_file(dir, "xfr.key");
    const auto write_config = [&](const std::string& zones) {
        return dir.write("secondary.toml",
                         dnsd_config(secondary_port,
                                     "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
                                         key + "\"\n" + zones));
    };
    const auto secondary_zone = [&](int primary, const std::string& extra = "") {
        return "[[dnsd.zone]]\nname = \"foobar.com\"\nfile = \"" +
               (dir.path() / "copy.zone").string() +
               "\"\nprimaries = [\"127.0.0.1:" + std::to_string(primary) + "\"]\n" + extra;
    };
    const auto config = write_config("");
    test::Process secondary({WEBSTACK_DNSD, "--config", config},
                            (dir.path() / "secondary.log").string());
    REQUIRE(secondary.wait_for_log("state serving"));
    CHECK(status(secondary_port, "www.foobar.com A") == "REFUSED");

    // Added: transferred at once.
    write_config(secondary_zone(first_port));
    secondary.signal(SIGHUP);
    CHECK(test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.8.8\n"; },
                           3000));
    // Its primary changed: asked at once, and its newer serial taken.
    write_config(secondary_zone(second_port));
    secondary.signal(SIGHUP);
    CHECK(test::wait_until([&] { return dig(secondary_port, "www.foobar.com A") == "8.8.4.4\n"; },
                           3000));
    // A transfer key of its own: an unsigned AXFR of it is refused now.
    CHECK(axfr(secondary_port).size() == 58);
    write_config(secondary_zone(second_port, "transfer_keys = [\"xfr.foobar.com\"]\n"));
    secondary.signal(SIGHUP);
    REQUIRE(secondary.wait_for_log("reloaded: 1 zones"));
    CHECK(test::wait_until([&] { return axfr(secondary_port).empty(); }, 3000));
    // Removed: no longer served.
    write_config("");
    secondary.signal(SIGHUP);
    CHECK(test::wait_until([&] { return status(secondary_port, "www.foobar.com A") == "REFUSED"; },
                           3000));
    CHECK(secondary.stop() == 0);
}
