// dnsd as users meet it: the real binary on a free port, queried with dig
// and kdig over UDP and TCP, with hand-made malformed packets, reloads
// while queries run, and a clean stop.
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "core/net/socket.hpp"
#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"
#include "tests/support/foobar_zone.hpp"
#include "tests/support/process.hpp"
#include "tests/support/prometheus.hpp"

namespace {

const std::string kZone = test::foobar_zone() + "*.dyn IN A   192.0.2.99\n";

std::string big_rrset() {
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += "big IN A 10.0.0." + std::to_string(i) + "\n";
    return text;
}

class Dnsd {
  public:
    explicit Dnsd(std::string_view zone_text = kZone, std::vector<std::string> extra = {},
                  int threads = 2)
        : threads_(threads),
          zone_path_(dir_.write("foobar.com.zone", std::string(zone_text) + big_rrset())),
          port_(test::free_port()),
          process_(arguments(extra), (dir_.path() / "dnsd.log").string()) {
        REQUIRE_MESSAGE(process_.wait_for_log("state serving"), process_.log());
    }

    std::string dig(const std::string& args) const {
        return test::run("dig @127.0.0.1 -p " + std::to_string(port_) + " +time=2 +tries=1 " +
                         args + " 2>&1");
    }
    std::string kdig(const std::string& args) const {
        return test::run("kdig @127.0.0.1 -p " + std::to_string(port_) + " +time=2 +retry=0 " +
                         args + " 2>&1");
    }
    void rewrite_zone(std::string_view text) const {
        dir_.write("foobar.com.zone", std::string(text) + big_rrset());
    }

    int port() const { return port_; }
    test::Process& process() { return process_; }

  private:
    std::vector<std::string> arguments(const std::vector<std::string>& extra) const {
        std::vector<std::string> argv = {WEBSTACK_DNSD,
                                         "--zone",
                                         zone_path_,
                                         "--listen",
                                         "127.0.0.1:" + std::to_string(port_),
                                         "--threads",
                                         std::to_string(threads_)};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    }

    int threads_;
    test::TempDir dir_;
    std::string zone_path_;
    int port_;
    test::Process process_;
};

std::string framed(const std::string& message) {
    std::string out;
    out += static_cast<char>(message.size() >> 8);
    out += static_cast<char>(message.size() & 0xff);
    return out + message;
}

}  // namespace

TEST_CASE("dig and kdig get www.foobar.com A 8.8.8.8 over UDP and TCP") {
    Dnsd dnsd;
    CHECK(dnsd.dig("www.foobar.com A +short") == "8.8.8.8\n");
    CHECK(dnsd.dig("www.foobar.com A +short +tcp") == "8.8.8.8\n");
    CHECK(dnsd.kdig("www.foobar.com A +short") == "8.8.8.8\n");
    CHECK(dnsd.kdig("www.foobar.com A +short +tcp") == "8.8.8.8\n");
    const auto full = dnsd.dig("WWW.FooBar.Com A +norec");
    CHECK(full.find("flags: qr aa;") != std::string::npos);
    CHECK(full.find(";WWW.FooBar.Com.\t\t\tIN\tA") != std::string::npos);
}

TEST_CASE("NXDOMAIN, NODATA and REFUSED as dig shows them") {
    Dnsd dnsd;
    auto out = dnsd.dig("nope.foobar.com A");
    CHECK(out.find("status: NXDOMAIN") != std::string::npos);
    CHECK(out.find("foobar.com.\t\t300\tIN\tSOA") != std::string::npos);
    out = dnsd.dig("www.foobar.com AAAA");
    CHECK(out.find("status: NOERROR") != std::string::npos);
    CHECK(out.find("ANSWER: 0") != std::string::npos);
    out = dnsd.dig("www.example.org A");
    CHECK(out.find("status: REFUSED") != std::string::npos);
    CHECK(dnsd.dig("anything.dyn.foobar.com A +short") == "192.0.2.99\n");
}

TEST_CASE("EDNS: 1232 advertised, version 1 is BADVERS, no OPT without EDNS") {
    Dnsd dnsd;
    auto out = dnsd.dig("www.foobar.com A +edns=0");
    CHECK(out.find("EDNS: version: 0, flags:; udp: 1232") != std::string::npos);
    out = dnsd.dig("www.foobar.com A +edns=1 +noednsneg");
    CHECK(out.find("status: BADVERS") != std::string::npos);
    out = dnsd.dig("www.foobar.com A +noedns");
    CHECK(out.find("OPT PSEUDOSECTION") == std::string::npos);
}

TEST_CASE("a large answer is truncated over UDP and complete over TCP") {
    Dnsd dnsd;
    auto out = dnsd.dig("big.foobar.com A +noedns +ignore +norec");
    CHECK(out.find("flags: qr aa tc;") != std::string::npos);
    CHECK(out.find("ANSWER: 0,") != std::string::npos);  // no partial RRset
    out = dnsd.dig("big.foobar.com A +noedns");          // dig retries over TCP by itself
    CHECK(out.find("ANSWER: 100") != std::string::npos);
    out = dnsd.kdig("big.foobar.com A +tcp");
    CHECK(out.find("ANSWER: 100") != std::string::npos);
}

TEST_CASE("CH TXT version.bind answers") {
    Dnsd dnsd;
    CHECK(dnsd.dig("version.bind TXT CH +short") == "\"webstack dnsd 0.1.0\"\n");
}

TEST_CASE(
    "malformed packets: FORMERR when the header is readable, silence otherwise, and dnsd lives "
    "on") {
    Dnsd dnsd;
    CHECK(test::udp_exchange(dnsd.port(), "\x12\x34", 300).empty());
    std::string two_questions = test::make_query("www.foobar.com.", 1);
    two_questions[5] = 2;
    auto response = test::parse_dns_response(test::udp_exchange(dnsd.port(), two_questions));
    CHECK(response.parsed);
    CHECK(response.rcode == 1);
    std::string pointer_loop(
        "\xab\xcd\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01", 18);
    response = test::parse_dns_response(test::udp_exchange(dnsd.port(), pointer_loop));
    CHECK(response.rcode == 1);
    CHECK(response.id == 0xabcd);
    std::string answer_to_us = test::make_query("www.foobar.com.", 1);
    answer_to_us[2] = static_cast<char>(0x80);
    CHECK(test::udp_exchange(dnsd.port(), answer_to_us, 300).empty());
    CHECK(dnsd.dig("www.foobar.com A +short") == "8.8.8.8\n");
}

TEST_CASE("TCP: pipelined queries in one write are all answered") {
    Dnsd dnsd;
    test::Client client(dnsd.port());
    client.send(framed(test::make_query("www.foobar.com.", 1, {.id = 1})) +
                framed(test::make_query("mail.foobar.com.", 1, {.id = 2})) +
                framed(test::make_query("nope.foobar.com.", 1, {.id = 3})));
    std::string bytes;
    for (int i = 0; i < 50 && bytes.size() < 6; ++i)
        bytes += client.read_some(100);
    std::vector<test::DnsResponse> responses;
    size_t at = 0;
    while (true) {
        while (at + 2 <= bytes.size()) {
            const size_t length = (static_cast<unsigned char>(bytes[at]) << 8) |
                                  static_cast<unsigned char>(bytes[at + 1]);
            if (at + 2 + length > bytes.size()) break;
            responses.push_back(
                test::parse_dns_response(std::string_view(bytes).substr(at + 2, length)));
            at += 2 + length;
        }
        if (responses.size() == 3) break;
        const auto more = client.read_some(1000);
        if (more.empty()) break;
        bytes += more;
    }
    REQUIRE(responses.size() == 3);
    CHECK(responses[0].id == 1);
    CHECK(responses[0].answer.at(0) == "www.foobar.com. 3600 IN A 8.8.8.8");
    CHECK(responses[1].id == 2);
    CHECK(responses[2].rcode == 3);
}

TEST_CASE("TCP: a half-sent client is cut off at the idle timeout and delays no one") {
    test::TempDir conf;
    const auto config = conf.write("dnsd.toml", "[dnsd]\ntcp_idle_timeout = \"300ms\"\n");
    Dnsd dnsd(kZone, {"--config", config});
    test::Client stalled(dnsd.port());
    stalled.send(std::string("\x00\x40\x12", 3));  // a length and one byte, then nothing
    CHECK(dnsd.dig("www.foobar.com A +short +tcp") == "8.8.8.8\n");
    CHECK(stalled.closed_by_peer(3000));
}

TEST_CASE("SIGHUP reloads a changed zone; a broken one keeps the old data and names the line") {
    Dnsd dnsd;
    std::string changed(kZone);
    changed.replace(changed.find("8.8.8.8"), 7, "8.8.4.4");
    dnsd.rewrite_zone(changed);
    dnsd.process().signal(SIGHUP);
    REQUIRE(dnsd.process().wait_for_log("reloaded"));
    CHECK(dnsd.dig("www.foobar.com A +short") == "8.8.4.4\n");

    dnsd.rewrite_zone(std::string(kZone) + "bad IN A 999.1.1.1\n");
    dnsd.process().signal(SIGHUP);
    REQUIRE(dnsd.process().wait_for_log("reload failed"));
    CHECK(dnsd.process().log().find("foobar.com.zone:12: invalid A data") != std::string::npos);
    CHECK(dnsd.dig("www.foobar.com A +short") == "8.8.4.4\n");
}

TEST_CASE("no query is lost while reloads run") {
    Dnsd dnsd;
    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::atomic<int> lost{0};
    std::thread load([&] {
        const auto query = test::make_query("www.foobar.com.", 1);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (int i = 0; i < 3000 && !done && std::chrono::steady_clock::now() < deadline; ++i) {
            const auto r = test::parse_dns_response(test::udp_exchange(dnsd.port(), query));
            if (r.parsed && r.answer.size() == 1)
                ++answered;
            else
                ++lost;
        }
    });
    for (int i = 0; i < 10; ++i) {
        dnsd.process().signal(SIGHUP);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    done = true;
    load.join();
    CHECK(answered > 0);
    CHECK(lost == 0);
}

TEST_CASE("a broken zone stops dnsd at start-up with file and line") {
    test::TempDir dir;
    const auto zone = dir.write("bad.zone",
                                "$ORIGIN bad.test.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nwww "
                                "CNAME a\nwww A 192.0.2.1\n");
    test::Process dnsd({WEBSTACK_DNSD, "--zone", zone, "--listen",
                        "127.0.0.1:" + std::to_string(test::free_port())},
                       (dir.path() / "log").string());
    const int status = dnsd.stop(0, 5000);  // signal 0: only wait for it to exit
    CHECK(status == 1);
    CHECK(dnsd.log().find(
              "bad.zone:5: www.bad.test. CNAME: a CNAME cannot stand beside other data") !=
          std::string::npos);
    const auto check =
        test::run(std::string(WEBSTACK_DNSD) + " --zone " + zone + " --check 2>&1; echo exit=$?");
    CHECK(check.find("bad.zone:5:") != std::string::npos);
    CHECK(check.find("exit=1") != std::string::npos);
}

TEST_CASE("--listen is checked as the file's listen is: DNS needs IP:PORT") {
    test::TempDir dir;
    const auto zone = dir.write("foobar.com.zone", kZone);
    const auto out = test::run(std::string(WEBSTACK_DNSD) + " --zone " + zone + " --listen unix:" +
                               (dir.path() / "dns.sock").string() + " --check 2>&1; echo exit=$?");
    CHECK(out.find("--listen: unix:") != std::string::npos);
    CHECK(out.find("an IP:PORT or [IPv6]:PORT address is needed here") != std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
}

TEST_CASE("SIGTERM stops dnsd with exit status 0") {
    Dnsd dnsd;
    CHECK(dnsd.process().stop(SIGTERM) == 0);
}

TEST_CASE("AXFR: the whole zone, SOA first and last, in several messages when large") {
    std::string zone(kZone);
    for (int i = 0; i < 1000; ++i)
        zone += "host" + std::to_string(i) + " IN A 10.1." + std::to_string(i / 256) + "." +
                std::to_string(i % 256) + "\n";
    Dnsd dnsd(zone);
    const auto out = dnsd.dig("foobar.com AXFR +nocmd +nostats");
    std::vector<std::string> records;
    size_t start = 0;
    while (start < out.size()) {
        const auto end = out.find('\n', start);
        const auto line = out.substr(start, end - start);
        if (!line.empty() && line[0] != ';') records.push_back(line);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    // 9 records of kZone, 100 of big, 1000 hosts, and the closing SOA.
    REQUIRE(records.size() == 1110);
    CHECK(records.front().find("\tSOA\t") != std::string::npos);
    CHECK(records.back() == records.front());
    const auto stats = dnsd.dig("foobar.com AXFR +nocmd");
    const auto messages = stats.find("(messages ");
    REQUIRE(messages != std::string::npos);
    CHECK(std::stoi(stats.substr(messages + 10)) > 1);
}

TEST_CASE("AXFR is refused outside transfer_allow and over UDP; IXFR over UDP gets the SOA") {
    test::TempDir conf;
    const auto config = conf.write("dnsd.toml", "[dnsd]\ntransfer_allow = [\"10.0.0.0/8\"]\n");
    Dnsd dnsd(kZone, {"--config", config});
    auto out = dnsd.dig("foobar.com AXFR");
    CHECK(out.find("Transfer failed") != std::string::npos);
    // dig always transfers over TCP: ask over UDP by hand.
    const auto over_udp = test::parse_dns_response(
        test::udp_exchange(dnsd.port(), test::make_query("foobar.com.", 252)));
    CHECK(over_udp.rcode == 5);
    out = dnsd.dig("foobar.com IXFR=1 +notcp +nocmd +nostats");
    CHECK(out.find(
              "foobar.com.\t\t3600\tIN\tSOA\tns1.foobar.com. hostmaster.foobar.com. 2026112501") !=
          std::string::npos);
}

TEST_CASE("NOTIFY goes to the secondaries when a reload raises the serial, until acknowledged") {
    // A secondary of our own: a UDP socket that records what arrives.
    const int secondary = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(secondary, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    ::getsockname(secondary, reinterpret_cast<sockaddr*>(&address), &length);
    const int secondary_port = ntohs(address.sin_port);
    struct Received {
        std::string packet;
        sockaddr_in from{};
    };
    const auto receive = [&](int timeout_ms) {
        Received r;
        pollfd p{secondary, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) == 1) {
            char buffer[4096];
            socklen_t from_length = sizeof r.from;
            const ssize_t n = ::recvfrom(secondary, buffer, sizeof buffer, 0,
                                         reinterpret_cast<sockaddr*>(&r.from), &from_length);
            if (n > 0) r.packet.assign(buffer, static_cast<size_t>(n));
        }
        return r;
    };

    test::TempDir dir;
    const auto zone_path = dir.write("foobar.com.zone", kZone);
    const auto config = dir.write(
        "dnsd.toml", "[dnsd]\n[[dnsd.zone]]\nfile = \"" + zone_path +
                         "\"\nnotify = [\"127.0.0.1:" + std::to_string(secondary_port) + "\"]\n");
    const int port = test::free_port();
    test::Process dnsd(
        {WEBSTACK_DNSD, "--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
        (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));

    // A reload without a new serial notifies no one.
    dnsd.signal(SIGHUP);
    REQUIRE(dnsd.wait_for_log("reloaded"));
    CHECK(receive(1500).packet.empty());

    std::string raised(kZone);
    raised.replace(raised.find("2026112501"), 10, "2026112502");
    dir.write("foobar.com.zone", raised);
    dnsd.signal(SIGHUP);
    const auto first = receive(3000);
    REQUIRE(first.packet.size() >= 12);
    CHECK(((static_cast<unsigned char>(first.packet[2]) >> 3) & 0x0f) == 4);  // opcode NOTIFY
    CHECK((static_cast<unsigned char>(first.packet[2]) & 0x04) != 0);         // AA
    CHECK(first.packet.find(std::string("\6foobar\3com\0\0\6\0\1", 16)) == 12);
    // Not acknowledged: it comes again, with the same id.
    const auto again = receive(3000);
    REQUIRE(again.packet.size() >= 12);
    CHECK(again.packet.substr(0, 2) == first.packet.substr(0, 2));
    // Acknowledged: it stops.
    std::string ack = again.packet;
    ack[2] = static_cast<char>(ack[2] | 0x80);
    ::sendto(secondary, ack.data(), ack.size(), 0, reinterpret_cast<const sockaddr*>(&again.from),
             sizeof again.from);
    CHECK(dnsd.wait_for_log("acknowledged by 127.0.0.1:" + std::to_string(secondary_port)));
    CHECK(receive(2500).packet.empty());
    ::close(secondary);
}

TEST_CASE("SIGHUP applies answer_version and answer_identity") {
    test::TempDir dir;
    const auto zone_path = dir.write("foobar.com.zone", kZone);
    const int port = test::free_port();
    const auto write_config = [&](bool answer) {
        const std::string flag = answer ? "true" : "false";
        return dir.write("dnsd.toml", "[dnsd]\nanswer_version = " + flag + "\nanswer_identity = " +
                                          flag + "\n[[dnsd.zone]]\nfile = \"" + zone_path + "\"\n");
    };
    const auto config = write_config(false);
    test::Process dnsd(
        {WEBSTACK_DNSD, "--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
        (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));
    const std::string dig = "dig @127.0.0.1 -p " + std::to_string(port) + " +time=2 +tries=1 ";
    CHECK(test::run(dig + "version.bind TXT CH").find("status: REFUSED") != std::string::npos);
    CHECK(test::run(dig + "id.server TXT CH").find("status: REFUSED") != std::string::npos);
    write_config(true);
    dnsd.signal(SIGHUP);
    REQUIRE(dnsd.wait_for_log("reloaded"));
    CHECK(test::run(dig + "version.bind TXT CH +short") == "\"webstack dnsd " WEBSTACK_VERSION
                                                           "\"\n");
    CHECK(test::run(dig + "id.server TXT CH").find("status: NOERROR") != std::string::npos);
}

TEST_CASE("/metrics on metrics_listen: queries by transport, type and rcode, and the rest") {
    test::TempDir dir;
    const auto zone_path = dir.write("foobar.com.zone", kZone + big_rrset());
    const int port = test::free_port();
    const int metrics_port = test::free_port();
    const auto config = dir.write(
        "dnsd.toml", "[dnsd]\nmetrics_listen = [\"127.0.0.1:" + std::to_string(metrics_port) +
                         "\"]\n[[dnsd.zone]]\nfile = \"" + zone_path + "\"\n");
    test::Process dnsd(
        {WEBSTACK_DNSD, "--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
        (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));
    CHECK(dnsd.log().find("metrics on http://127.0.0.1:" + std::to_string(metrics_port) +
                          "/metrics") != std::string::npos);
    const std::string dig = "dig @127.0.0.1 -p " + std::to_string(port) + " +time=2 +tries=1 ";
    for (int i = 0; i < 3; ++i)
        test::run(dig + "www.foobar.com A");
    test::run(dig + "nowhere.foobar.com AAAA");
    test::run(dig + "www.example.org A");                      // not ours: REFUSED
    test::run(dig + "+tcp www.foobar.com A");                  // TCP
    test::run(dig + "+noedns +ignore big.foobar.com A");       // truncated over UDP
    test::run(dig + "foobar.com AXFR");                        // a transfer over TCP
    CHECK(test::udp_exchange(port, "\x12\x34", 300).empty());  // no header: dropped
    dnsd.signal(SIGHUP);
    REQUIRE(dnsd.wait_for_log("reloaded"));

    const std::string text =
        test::run("curl -s http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
    INFO(text);
    CHECK(test::promtool_findings(text) == "");
    const auto value = [&](const std::string& series) {
        return test::metric_value(text, "webstack_dnsd_" + series);
    };
    CHECK(value(R"(queries_total{transport="udp",type="A",rcode="NOERROR"})") == 4);  // + big
    CHECK(value(R"(queries_total{transport="udp",type="AAAA",rcode="NXDOMAIN"})") == 1);
    CHECK(value(R"(queries_total{transport="udp",type="A",rcode="REFUSED"})") == 1);
    CHECK(value(R"(queries_total{transport="tcp",type="A",rcode="NOERROR"})") == 1);
    CHECK(value(R"(answers_truncated_total{transport="udp"})") == 1);
    CHECK(value(R"(queries_dropped_total{transport="udp"})") == 1);
    CHECK(value(R"(transfers_total{type="AXFR"})") == 1);
    CHECK(value(R"(zone_serial{zone="foobar.com."})") == 2026112501);
    CHECK(value("zones") == 1);
    CHECK(value(R"(config_reloads_total{result="success"})") == 1);
    CHECK(value("config_last_reload_successful") == 1);
    // Only /metrics, only GET.
    CHECK(test::run("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" +
                    std::to_string(metrics_port) + "/other") == "404");
    CHECK(test::run("curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:" +
                    std::to_string(metrics_port) + "/metrics") == "405");
    CHECK(dnsd.stop() == 0);
}

TEST_CASE("TSIG: transfers signed in every message, checked by dig and kdig; others refused") {
    test::TempDir dir;
    std::string zone(kZone);
    for (int i = 0; i < 3000; ++i)
        zone += "host" + std::to_string(i) + " IN TXT \"" + std::string(40, 'x') + "\"\n";
    const auto zone_path = dir.write("foobar.com.zone", zone);
    const std::string secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";
    const auto key_path = dir.write("xfr.key", secret + "\n");
    ::chmod(key_path.c_str(), 0600);
    const int port = test::free_port();
    const std::string config_text =
        "[dnsd]\ntransfer_keys = [\"xfr.foobar.com\"]\n"
        "[[dnsd.key]]\nname = \"xfr.foobar.com\"\nsecret_file = \"" +
        key_path + "\"\n[[dnsd.zone]]\nfile = \"" + zone_path + "\"\n";
    const auto config = dir.write("dnsd.toml", config_text);
    test::Process dnsd(
        {WEBSTACK_DNSD, "--config", config, "--listen", "127.0.0.1:" + std::to_string(port)},
        (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));
    const std::string at = "@127.0.0.1 -p " + std::to_string(port) + " ";

    // dig checks the MAC of every message; a bad one ends the transfer.
    const auto dig = test::run("dig " + at + "-y hmac-sha256:xfr.foobar.com:" + secret +
                               " foobar.com AXFR 2>&1");
    CHECK(dig.find(";; XFR size: ") != std::string::npos);
    CHECK(dig.find("host2999.foobar.com.") != std::string::npos);
    CHECK(dig.find("(messages 1,") == std::string::npos);  // several messages, each signed
    CHECK(dig.find("failure") == std::string::npos);
    CHECK(dig.find("Transfer failed") == std::string::npos);
    const auto kdig = test::run("kdig " + at + "-y hmac-sha256:xfr.foobar.com:" + secret +
                                " foobar.com AXFR 2>&1");
    CHECK(kdig.find("host2999.foobar.com.") != std::string::npos);
    CHECK(kdig.find(" messages, ") != std::string::npos);
    CHECK(kdig.find("(1 messages") == std::string::npos);
    CHECK(kdig.find("WARNING") == std::string::npos);
    CHECK(kdig.find("TSIG") != std::string::npos);

    // Unsigned, or signed with another secret: no zone.
    const auto unsigned_out = test::run("dig " + at + "foobar.com AXFR 2>&1");
    CHECK(unsigned_out.find("Transfer failed") != std::string::npos);
    CHECK(unsigned_out.find("host1.foobar.com") == std::string::npos);
    const auto wrong = test::run("dig " + at +
                                 "-y hmac-sha256:xfr.foobar.com:d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc= "
                                 "foobar.com AXFR 2>&1");
    CHECK(wrong.find("BADSIG") != std::string::npos);
    CHECK(wrong.find("host1.foobar.com") == std::string::npos);
    const auto unknown =
        test::run("dig " + at + "-y hmac-sha256:nobody:" + secret + " www.foobar.com A 2>&1");
    CHECK(unknown.find("status: NOTAUTH") != std::string::npos);
    CHECK(unknown.find("BADKEY") != std::string::npos);
    // A signed query is answered, and the answer signed.
    const auto query = test::run("dig " + at + "-y hmac-sha256:xfr.foobar.com:" + secret +
                                 " www.foobar.com A 2>&1");
    CHECK(query.find("status: NOERROR") != std::string::npos);
    CHECK(query.find("8.8.8.8") != std::string::npos);
    CHECK(query.find("NOERROR 0") != std::string::npos);  // the TSIG record's error field
    CHECK(query.find("Couldn't verify") == std::string::npos);
    CHECK(dnsd.stop() == 0);

    // --check: a secret others may read, or a transfer key never defined.
    ::chmod(key_path.c_str(), 0644);
    auto out = test::run(std::string(WEBSTACK_DNSD) + " --config " + config +
                         " --check 2>&1; echo exit=$?");
    CHECK(out.find("xfr.key: group or others may read it") != std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
    ::chmod(key_path.c_str(), 0600);
    const auto other =
        dir.write("other.toml", "[dnsd]\ntransfer_keys = [\"missing\"]\n[[dnsd.zone]]\nfile = \"" +
                                    zone_path + "\"\n");
    out = test::run(std::string(WEBSTACK_DNSD) + " --config " + other +
                    " --check 2>&1; echo exit=$?");
    CHECK(out.find("dnsd.transfer_keys: missing: no [[dnsd.key]] has that name") !=
          std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
}

TEST_CASE("IXFR after reloads of a zone file: the differences, the SOA, or the whole zone") {
    Dnsd dnsd;
    const auto ixfr = [&](const std::string& from) {
        return test::run("dig @127.0.0.1 -p " + std::to_string(dnsd.port()) +
                         " +nocmd +nostats +time=2 foobar.com IXFR=" + from +
                         " 2>&1 | grep -v '^;' | grep -v '^$'");
    };
    const auto lines = [](const std::string& text) {
        return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    };
    // Serial 2: www moves, a name is added; serial 3: that name goes again.
    std::string second(kZone);
    second.replace(second.find("2026112501"), 10, "2026112502");
    second.replace(second.find("8.8.8.8"), 7, "8.8.4.4");
    second += "new IN TXT \"added\"\n";
    dnsd.rewrite_zone(second);
    dnsd.process().signal(SIGHUP);
    REQUIRE(test::wait_until([&] { return dnsd.dig("www.foobar.com A +short") == "8.8.4.4\n"; }));
    std::string third = second.substr(0, second.find("new IN TXT"));
    third.replace(third.find("2026112502"), 10, "2026112503");
    dnsd.rewrite_zone(third);
    dnsd.process().signal(SIGHUP);
    REQUIRE(test::wait_until([&] {
        return dnsd.dig("foobar.com SOA +short").find(" 2026112503 ") != std::string::npos;
    }));

    const std::string both = ixfr("2026112501");
    INFO(both);
    // SOA 3; SOA 1, www 8.8.8.8 out; SOA 2, www 8.8.4.4 and new in; SOA 2,
    // new out; SOA 3; SOA 3.
    CHECK(lines(both) == 10);
    CHECK(both.find("IN\tA\t8.8.8.8\n") < both.find(" 2026112502 "));
    CHECK(both.find("IN\tA\t8.8.4.4\n") > both.find(" 2026112502 "));
    CHECK(both.rfind("new.foobar.com.") > both.find("new.foobar.com."));  // in, then out
    CHECK(lines(ixfr("2026112502")) == 5);
    CHECK(lines(ixfr("2026112503")) == 1);
    CHECK(lines(ixfr("2026010100")) > 100);  // not in the history: the zone, AXFR-style
    // kdig reads the differences as an IXFR too.
    const auto kdig = dnsd.kdig("foobar.com IXFR=2026112501");
    CHECK(kdig.find("8.8.4.4") != std::string::npos);
    CHECK(kdig.find("WARNING") == std::string::npos);
}

TEST_CASE("a reload that drops a secondary from notify stops the NOTIFYs still retried to it") {
    std::string error;
    const auto old_secondary = core::net::bind_reuseport(
        *core::net::parse_address("127.0.0.1:0", error), core::net::Transport::udp);
    const auto new_secondary = core::net::bind_reuseport(
        *core::net::parse_address("127.0.0.1:0", error), core::net::Transport::udp);
    // Whether a NOTIFY reaches `socket` within `ms`.
    const auto notified = [](const core::net::Socket& socket, int ms) {
        pollfd p{socket.get(), POLLIN, 0};
        if (::poll(&p, 1, ms) != 1) return false;
        char buffer[512];
        const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
        return n > 12 && ((static_cast<unsigned char>(buffer[2]) >> 3) & 0x0f) == 4;
    };
    test::TempDir dir;
    const auto zone_path = dir.write("foobar.com.zone", kZone);
    const auto write_config = [&](const core::net::Socket& secondary) {
        return dir.write("dnsd.toml", "[dnsd]\n[[dnsd.zone]]\nfile = \"" + zone_path +
                                          "\"\nnotify = [\"127.0.0.1:" +
                                          std::to_string(secondary.local_port()) + "\"]\n");
    };
    const auto config = write_config(old_secondary);
    test::Process dnsd({WEBSTACK_DNSD, "--config", config, "--listen",
                        "127.0.0.1:" + std::to_string(test::free_port())},
                       (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));
    // Serial 2 for the old secondary, which never answers: retried.
    std::string zone(kZone);
    zone.replace(zone.find("2026112501"), 10, "2026112502");
    dir.write("foobar.com.zone", zone);
    dnsd.signal(SIGHUP);
    CHECK(notified(old_secondary, 3000));
    CHECK(notified(old_secondary, 3000));  // the first retransmission, a second later
    // Serial 3 for the new one only.
    zone.replace(zone.find("2026112502"), 10, "2026112503");
    dir.write("foobar.com.zone", zone);
    write_config(new_secondary);
    dnsd.signal(SIGHUP);
    CHECK(notified(new_secondary, 3000));
    while (notified(old_secondary, 100)) {
        // sent before the reload took effect
    }
    CHECK_FALSE(notified(old_secondary, 4500));  // the next retry was due within 4 s
    CHECK(dnsd.stop() == 0);
}

TEST_CASE("IPv6: dnsd answers on [::1] over UDP and TCP") {
    // Skipped where the machine has no IPv6 loopback.
    const int probe = ::socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 loopback6{};
    loopback6.sin6_family = AF_INET6;
    loopback6.sin6_addr = in6addr_loopback;
    const bool has_ipv6 =
        probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&loopback6), sizeof loopback6) == 0;
    if (probe >= 0) ::close(probe);
    if (!has_ipv6) {
        MESSAGE("no IPv6 loopback here: skipped");
        return;
    }
    test::TempDir dir;
    const auto zone = dir.write("foobar.com.zone", kZone);
    const int port = test::free_port();
    test::Process dnsd({WEBSTACK_DNSD, "--zone", zone, "--listen", "[::1]:" + std::to_string(port)},
                       (dir.path() / "dnsd.log").string());
    REQUIRE(dnsd.wait_for_log("state serving"));
    const std::string dig =
        "dig @::1 -p " + std::to_string(port) + " +time=2 +tries=1 +short www.foobar.com A";
    CHECK(test::run(dig) == "8.8.8.8\n");
    CHECK(test::run(dig + " +tcp") == "8.8.8.8\n");
}

TEST_CASE("TCP: connections beyond tcp_max_connections are closed at once, others still served") {
    test::TempDir conf;
    const auto config = conf.write("dnsd.toml", "[dnsd]\ntcp_max_connections = 2\n");
    Dnsd dnsd(kZone, {"--config", config}, 1);  // one thread: one limit for all connections
    test::Client first(dnsd.port());
    test::Client second(dnsd.port());
    first.send(framed(test::make_query("www.foobar.com.", 1)));
    second.send(framed(test::make_query("www.foobar.com.", 1)));
    CHECK(first.read_some(1000).size() > 2);
    CHECK(second.read_some(1000).size() > 2);
    test::Client third(dnsd.port());
    CHECK(third.closed_by_peer(2000));
    CHECK(dnsd.dig("www.foobar.com A +short") == "8.8.8.8\n");  // UDP is not affected
}

TEST_CASE("a second dnsd on a port already in use stops with a clear error") {
    Dnsd first;
    test::TempDir dir;
    const auto zone = dir.write("foobar.com.zone", kZone);
    test::Process second(
        {WEBSTACK_DNSD, "--zone", zone, "--listen", "127.0.0.1:" + std::to_string(first.port())},
        (dir.path() / "log").string());
    CHECK(second.stop(0, 5000) == 1);
    CHECK(second.log().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) !=
          std::string::npos);
    CHECK(first.dig("www.foobar.com A +short") == "8.8.8.8\n");
}

TEST_CASE("--replace: a new dnsd binds beside the running one, which then drains; none is lost") {
    Dnsd first;
    test::TempDir dir;
    const auto zone = dir.write("foobar.com.zone", kZone);
    test::Process second({WEBSTACK_DNSD, "--zone", zone, "--listen",
                          "127.0.0.1:" + std::to_string(first.port()), "--replace"},
                         (dir.path() / "log").string());
    REQUIRE_MESSAGE(second.wait_for_log("state serving"), second.log());
    const auto answered = [&](int queries) {
        int count = 0;
        for (int i = 0; i < queries; ++i) {
            test::QueryOptions options;
            options.id = static_cast<uint16_t>(i);
            const auto response = test::parse_dns_response(test::udp_exchange(
                first.port(), test::make_query("www.foobar.com", 1, options), 2000));
            if (response.parsed && response.id == options.id &&
                test::contains(response.answer, "www.foobar.com. 3600 IN A 8.8.8.8"))
                ++count;
        }
        return count;
    };
    // Both serve the port (the kernel spreads queries by their source).
    CHECK(answered(100) == 100);
    CHECK(first.process().stop() == 0);
    CHECK(answered(100) == 100);
    CHECK(second.log().find("cannot listen") == std::string::npos);
}

TEST_CASE("[[dnsd.health]]: a name's A answers give the addresses that pass dnsd's own checks") {
    // Two web hosts on loopback addresses of their own, the same port.
    test::TempDir site;
    site.write("healthz", "ok\n");
    const int web_port = test::free_port();
    const auto web = [&](const std::string& ip) {
        auto process = std::make_unique<test::Process>(
            std::vector<std::string>{"/usr/bin/python3", "-u", "-m", "http.server", "--bind", ip,
                                     "--directory", site.path().string(), std::to_string(web_port)},
            (site.path() / ("web-" + ip + ".log")).string());
        REQUIRE(process->wait_for_log("Serving HTTP"));
        return process;
    };
    auto web2 = web("127.0.0.2");
    auto web3 = web("127.0.0.3");
    test::TempDir dir;
    const std::string config = dir.write(
        "dnsd.toml",
        "[dnsd]\n[[dnsd.health]]\nname = \"app.foobar.com\"\nport = " + std::to_string(web_port) +
            "\ninterval = \"100ms\"\ntimeout = \"500ms\"\nrise = 1\nfall = 1\n"
            "ttl = \"5s\"\n");
    Dnsd dnsd(kZone + "app IN A 127.0.0.2\napp IN A 127.0.0.3\napp IN TXT \"both\"\n",
              {"--config", config});
    // The addresses answered, one a line, in order.
    const auto sorted = [](const std::string& text) {
        std::vector<std::string> lines;
        for (size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
            lines.push_back(text.substr(at, end - at + 1));
        std::sort(lines.begin(), lines.end());
        std::string out;
        for (const auto& line : lines)
            out += line;
        return out;
    };
    const auto answer = [&] { return sorted(dnsd.dig("+short app.foobar.com A")); };
    // Both pass: both answered, with the checks' short TTL.
    CHECK(answer() == sorted("127.0.0.2\n127.0.0.3\n"));
    CHECK(dnsd.dig("+noall +answer app.foobar.com A").find("\t5\tIN\tA\t127.0.0.2") !=
          std::string::npos);
    // One host dies: it stops being handed out.
    web3.reset();
    CHECK(test::wait_until([&] { return answer() == sorted("127.0.0.2\n"); }));
    CHECK(dnsd.process().log().find("127.0.0.3 failed 1 checks: no longer answered") !=
          std::string::npos);
    // Every host dies: all are answered (fail open), said in the log.
    web2.reset();
    CHECK(test::wait_until([&] {
        return dnsd.process().log().find("every address fails its checks") != std::string::npos;
    }));
    CHECK(answer() == sorted("127.0.0.2\n127.0.0.3\n"));
    // One comes back: it alone is answered.
    web3 = web("127.0.0.3");
    CHECK(test::wait_until([&] { return answer() == sorted("127.0.0.3\n"); }));
    CHECK(dnsd.process().log().find("127.0.0.3 passes its checks again") != std::string::npos);
    // Other types and names are the zone's as stored; so is a transfer.
    CHECK(dnsd.dig("+short app.foobar.com TXT") == "\"both\"\n");
    CHECK(dnsd.dig("+short www.foobar.com A") == "8.8.8.8\n");
    const std::string axfr = dnsd.dig("+noall +answer foobar.com AXFR");
    CHECK(axfr.find("127.0.0.2") != std::string::npos);

    // A check that cannot be made is refused by --check, naming it.
    const std::string wrong = dir.write(
        "wrong.toml", "[dnsd]\n[[dnsd.health]]\nname = \"app.foobar.com\"\npath = \"healthz\"\n");
    const std::string out =
        test::run(std::string(WEBSTACK_DNSD) + " --config " + wrong + " --zone " +
                  dir.write("z.zone", kZone) + " --check 2>&1; echo exit=$?");
    CHECK(out.find("dnsd.health[1].path: healthz: a path begins with /") != std::string::npos);
    CHECK(out.find("exit=1") != std::string::npos);
}
