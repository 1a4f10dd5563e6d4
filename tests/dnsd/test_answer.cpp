// dnsd's answer logic on in-memory zones, without sockets: one case per
// rule of RFC 1034 §4.3.2, 2181, 2308, 4592, 6672, 6891, 8482 and 9471.
#include <arpa/inet.h>
#include <ctime>
#include <netinet/in.h>

#include <doctest/doctest.h>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/tsig.hpp"
#include "core/dns/wire.hpp"
#include "core/dns/zone_rules.hpp"
#include "dnsd/message_handler.hpp"
#include "tests/support/dns.hpp"

using dnsd::Outcome;
using dnsd::Transport;
using test::contains;

namespace {

sockaddr_in loopback() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// One message through dnsd's handler, from 127.0.0.1; `notified`, when
// given, receives the zone of an accepted NOTIFY.
Outcome handle(const dnsd::ZoneSet& zones, std::string_view packet, Transport transport,
               const dnsd::AnswerOptions& options, std::string& out,
               std::string* notified = nullptr) {
    dnsd::MessageSettings settings;
    settings.answer = options;
    if (notified) {
        std::string error;
        settings.notify_allow = {*core::net::Cidr::parse("127.0.0.1", error)};
        settings.database_zones = true;
        settings.on_notify = [notified](std::string apex) { *notified = std::move(apex); };
    }
    dnsd::ThreadMetrics metrics;
    const sockaddr_in from = loopback();
    return dnsd::handle_message(zones, packet,
                                {transport, reinterpret_cast<const sockaddr*>(&from)}, settings,
                                metrics, out, nullptr);
}

constexpr std::string_view kZone = R"(
$ORIGIN example.com.
$TTL 3600
@        IN SOA ns1 hostmaster 2026112501 7200 3600 1209600 300
         IN NS  ns1
         IN NS  ns2.example.net.
         IN MX  10 mail
         IN A   192.0.2.1
ns1      IN A   192.0.2.53
mail     IN A   192.0.2.25
         IN AAAA 2001:db8::25
www      IN A   8.8.8.8
alias    IN CNAME www
chain    IN CNAME alias
outside  IN CNAME www.example.net.
loop1    IN CNAME loop2
loop2    IN CNAME loop1
*.wild   IN A   192.0.2.99
*.wild   IN TXT "wildcard"
exists.wild IN A 192.0.2.100
*.wcname IN CNAME www
a.b.ent  IN A   192.0.2.7
_sip._udp IN SRV 0 5 5060 mail
sub      IN NS  ns.sub
sub      IN NS  ns.example.net.
sub      IN DS  12345 8 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.sub   IN A   192.0.2.200
old      IN DNAME new.example.com.
new      IN A   192.0.2.8
x.new    IN A   192.0.2.9
pool     IN A   192.0.2.41
pool     IN A   192.0.2.42
viapool  IN CNAME POOL
)";

class Fixture {
  public:
    Fixture() {
        std::string error;
        const auto origin = *core::dns::name_from_text("example.com.", error);
        auto file = core::dns::parse_master_text(kZone, "test.zone", origin);
        core::dns::check_zone(origin, file.records);
        zones.add(std::make_shared<dnsd::Zone>(origin, file.records,
                                               dnsd::ZoneOrigin::from_file("test.zone")));
        options.version = "webstack dnsd test";
        options.identity = "test-host";
    }

    test::DnsResponse ask(std::string_view name, uint16_t type,
                          test::QueryOptions query_options = {},
                          Transport transport = Transport::udp) {
        std::string out;
        outcome =
            handle(zones, test::make_query(name, type, query_options), transport, options, out);
        return test::parse_dns_response(out);
    }

    dnsd::ZoneSet zones;
    dnsd::AnswerOptions options;
    Outcome outcome = Outcome::dropped;
};

constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, MX = 15, TXT = 16, AAAA = 28, SRV = 33,
                   DS = 43, ANY = 255, AXFR = 252;
const std::string kSoa =
    "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2026112501 7200 3600 1209600 "
    "300";

}  // namespace

TEST_CASE_FIXTURE(Fixture, "an exact match is authoritative; the question is echoed as sent") {
    const auto r = ask("WwW.Example.COM.", A);
    CHECK(outcome == Outcome::hit);
    CHECK(r.qr);
    CHECK(r.aa);
    CHECK(r.id == 0x1234);
    CHECK(r.rcode == 0);
    CHECK(r.question == "WwW.Example.COM. IN A");
    REQUIRE(r.answer.size() == 1);
    CHECK(test::parse_dns_response("").parsed == false);
    CHECK(r.answer[0].ends_with("3600 IN A 8.8.8.8"));
    CHECK(r.authority.empty());
}

TEST_CASE_FIXTURE(Fixture, "NODATA and NXDOMAIN carry the SOA with min(TTL, MINIMUM)") {
    auto r = ask("www.example.com.", AAAA);
    CHECK(outcome == Outcome::nodata);
    CHECK(r.rcode == 0);
    CHECK(r.aa);
    CHECK(r.answer.empty());
    CHECK(r.authority == std::vector<std::string>{kSoa});

    r = ask("nope.example.com.", A);
    CHECK(outcome == Outcome::nxdomain);
    CHECK(r.rcode == 3);
    CHECK(r.aa);
    CHECK(r.authority == std::vector<std::string>{kSoa});
}

TEST_CASE_FIXTURE(Fixture, "an empty non-terminal is NODATA, not NXDOMAIN") {
    auto r = ask("b.ent.example.com.", A);
    CHECK(outcome == Outcome::nodata);
    CHECK(r.rcode == 0);
    r = ask("ent.example.com.", A);
    CHECK(outcome == Outcome::nodata);
    r = ask("c.b.ent.example.com.", A);
    CHECK(outcome == Outcome::nxdomain);
}

TEST_CASE_FIXTURE(
    Fixture,
    "CNAME chains are followed inside the zone, loops stop, outside targets end the answer") {
    auto r = ask("chain.example.com.", A);
    CHECK(outcome == Outcome::hit);
    REQUIRE(r.answer.size() == 3);
    CHECK(r.answer[0] == "chain.example.com. 3600 IN CNAME alias.example.com.");
    CHECK(r.answer[1] == "alias.example.com. 3600 IN CNAME www.example.com.");
    CHECK(r.answer[2] == "www.example.com. 3600 IN A 8.8.8.8");

    r = ask("alias.example.com.", CNAME);
    CHECK(r.answer ==
          std::vector<std::string>{"alias.example.com. 3600 IN CNAME www.example.com."});

    r = ask("outside.example.com.", A);
    CHECK(outcome == Outcome::cname);
    CHECK(r.answer.size() == 1);

    r = ask("loop1.example.com.", A);
    CHECK(r.rcode == 0);
    CHECK(r.answer.size() == 2);

    r = ask("alias.example.com.", AAAA);  // the target has no AAAA: NODATA after the CNAME
    CHECK(r.answer.size() == 1);
    CHECK(r.authority == std::vector<std::string>{kSoa});
}

TEST_CASE_FIXTURE(Fixture,
                  "wildcards answer for names that do not exist, with the name asked as owner") {
    auto r = ask("anything.wild.example.com.", A);
    CHECK(outcome == Outcome::hit);
    CHECK(r.answer == std::vector<std::string>{"anything.wild.example.com. 3600 IN A 192.0.2.99"});
    r = ask("anything.wild.example.com.", TXT);
    CHECK(r.answer ==
          std::vector<std::string>{"anything.wild.example.com. 3600 IN TXT \"wildcard\""});
    r = ask("anything.wild.example.com.", MX);
    CHECK(outcome == Outcome::nodata);
    // An existing name blocks the wildcard (RFC 4592 §2.2.1).
    r = ask("exists.wild.example.com.", TXT);
    CHECK(outcome == Outcome::nodata);
    // The wildcard covers one level only below its closest encloser.
    r = ask("a.b.wild.example.com.", A);
    CHECK(outcome == Outcome::hit);
    CHECK(r.answer[0].starts_with("a.b.wild.example.com."));
    // An empty non-terminal blocks it as well: ent has no wildcard anyway,
    // but *.wild must not answer for names under exists.wild.
    r = ask("deeper.exists.wild.example.com.", A);
    CHECK(outcome == Outcome::nxdomain);
}

TEST_CASE_FIXTURE(Fixture, "a wildcard CNAME is synthesised and followed") {
    const auto r = ask("foo.wcname.example.com.", A);
    CHECK(outcome == Outcome::hit);
    REQUIRE(r.answer.size() == 2);
    CHECK(r.answer[0] == "foo.wcname.example.com. 3600 IN CNAME www.example.com.");
    CHECK(r.answer[1] == "www.example.com. 3600 IN A 8.8.8.8");
}

TEST_CASE_FIXTURE(Fixture, "DNAME substitution synthesises a CNAME and follows it") {
    auto r = ask("x.old.example.com.", A);
    REQUIRE(r.answer.size() == 3);
    CHECK(r.answer[0] == "old.example.com. 3600 IN DNAME new.example.com.");
    CHECK(r.answer[1] == "x.old.example.com. 3600 IN CNAME x.new.example.com.");
    CHECK(r.answer[2] == "x.new.example.com. 3600 IN A 192.0.2.9");
    r = ask("old.example.com.", A);  // the DNAME's owner itself is not redirected
    CHECK(outcome == Outcome::nodata);
}

TEST_CASE_FIXTURE(Fixture,
                  "at and below a delegation: a referral with NS and glue, not authoritative") {
    for (const char* name : {"sub.example.com.", "host.sub.example.com.", "a.b.sub.example.com."}) {
        CAPTURE(name);
        const auto r = ask(name, A);
        CHECK(outcome == Outcome::referral);
        CHECK_FALSE(r.aa);
        CHECK(r.rcode == 0);
        CHECK(r.answer.empty());
        CHECK(contains(r.authority, "sub.example.com. 3600 IN NS ns.sub.example.com."));
        CHECK(contains(r.authority, "sub.example.com. 3600 IN NS ns.example.net."));
        CHECK(r.additional ==
              std::vector<std::string>{"ns.sub.example.com. 3600 IN A 192.0.2.200"});
    }
}

TEST_CASE_FIXTURE(Fixture, "DS at a cut is answered from the parent side") {
    const auto r = ask("sub.example.com.", DS);
    CHECK(outcome == Outcome::hit);
    CHECK(r.aa);
    REQUIRE(r.answer.size() == 1);
    CHECK(r.answer[0].starts_with("sub.example.com. 3600 IN DS 12345 8 2"));
}

TEST_CASE_FIXTURE(Fixture,
                  "the additional section carries in-zone addresses of MX, NS and SRV targets") {
    auto r = ask("example.com.", MX);
    CHECK(r.answer == std::vector<std::string>{"example.com. 3600 IN MX 10 mail.example.com."});
    CHECK(contains(r.additional, "mail.example.com. 3600 IN A 192.0.2.25"));
    CHECK(contains(r.additional, "mail.example.com. 3600 IN AAAA 2001:db8::25"));
    r = ask("example.com.", NS);
    CHECK(r.additional == std::vector<std::string>{"ns1.example.com. 3600 IN A 192.0.2.53"});
    r = ask("_sip._udp.example.com.", SRV);
    CHECK(contains(r.additional, "mail.example.com. 3600 IN A 192.0.2.25"));
}

TEST_CASE_FIXTURE(Fixture,
                  "names outside every zone, other classes and transfers over UDP are REFUSED") {
    auto r = ask("www.example.org.", A);
    CHECK(outcome == Outcome::refused);
    CHECK(r.rcode == 5);
    CHECK_FALSE(r.aa);
    CHECK(r.question == "www.example.org. IN A");
    r = ask("www.example.com.", A, {.qclass = 4});
    CHECK(r.rcode == 5);
    r = ask("example.com.", AXFR);
    CHECK(r.rcode == 5);
}

TEST_CASE_FIXTURE(Fixture, "CH TXT version.bind and id.server answer, other CH names are refused") {
    auto r = ask("version.bind.", TXT, {.qclass = 3});
    CHECK(outcome == Outcome::chaos);
    CHECK(r.answer == std::vector<std::string>{"version.bind. 0 CH TXT \"webstack dnsd test\""});
    r = ask("id.server.", TXT, {.qclass = 3});
    CHECK(r.answer == std::vector<std::string>{"id.server. 0 CH TXT \"test-host\""});
    r = ask("www.example.com.", A, {.qclass = 3});
    CHECK(r.rcode == 5);
    options.version.clear();
    r = ask("version.bind.", TXT, {.qclass = 3});
    CHECK(r.rcode == 5);
}

TEST_CASE_FIXTURE(Fixture, "QTYPE ANY gets one RRset (RFC 8482)") {
    const auto r = ask("example.com.", ANY);
    CHECK(outcome == Outcome::hit);
    REQUIRE(r.answer.size() == 1);
    CHECK(r.answer[0] == "example.com. 3600 IN A 192.0.2.1");
}

TEST_CASE_FIXTURE(Fixture, "QTYPE ANY at a CNAME is the CNAME alone: no restart at its target") {
    // ANY matches the CNAME RRset itself (RFC 1034 §3.6.2, §4.3.2 step 3a).
    const auto r = ask("alias.example.com.", ANY);
    CHECK(outcome == Outcome::hit);
    REQUIRE(r.answer.size() == 1);
    CHECK(r.answer[0] == "alias.example.com. 3600 IN CNAME www.example.com.");
    CHECK(r.aa);
}

TEST_CASE_FIXTURE(Fixture, "CD is copied into the answer; AD is never set without DNSSEC") {
    auto r = ask("www.example.com.", A, {.cd = true});
    CHECK(r.cd);
    CHECK_FALSE(r.ad);
    r = ask("www.example.com.", A, {.ad = true});  // "I understand AD" (RFC 6840 §5.7)
    CHECK_FALSE(r.cd);
    CHECK_FALSE(r.ad);
    r = ask("missing.example.com.", A, {.cd = true, .ad = true});
    CHECK(r.rcode == 3);
    CHECK(r.cd);
    CHECK_FALSE(r.ad);
}

TEST_CASE_FIXTURE(Fixture, "opcodes other than QUERY are NOTIMP, with the question echoed") {
    const auto r = ask("www.example.com.", A, {.opcode = 2});
    CHECK(outcome == Outcome::notimp);
    CHECK(r.rcode == 4);
    CHECK(r.question == "www.example.com. IN A");
}

TEST_CASE_FIXTURE(Fixture, "EDNS: OPT answered with 1232, DO echoed, version above 0 is BADVERS") {
    auto r = ask("www.example.com.", A, {.edns = true, .udp_size = 4096, .dnssec_ok = true});
    CHECK(r.has_opt);
    CHECK(r.opt_udp_size == 1232);
    CHECK(r.opt_do);
    r = ask("www.example.com.", A);
    CHECK_FALSE(r.has_opt);
    r = ask("www.example.com.", A, {.edns = true, .edns_version = 1});
    CHECK(outcome == Outcome::badvers);
    CHECK(r.rcode == 16);
    CHECK(r.has_opt);
    CHECK(r.answer.empty());
}

namespace {

std::string big_zone() {
    std::string text =
        "$ORIGIN big.test.\n$TTL 300\n@ IN SOA ns hostmaster 1 2 3 4 5\n@ IN NS ns\nns IN A "
        "192.0.2.1\n";
    for (int i = 0; i < 60; ++i)
        text += "many IN A 10.0.0." + std::to_string(i) + "\n";
    // A delegation whose in-domain glue cannot fit 512 bytes.
    for (int i = 0; i < 13; ++i) {
        const std::string ns = "ns-" + std::to_string(i) + ".deleg";
        text += "deleg IN NS " + ns + "\n" + ns + " IN A 192.0.2." + std::to_string(i + 10) + "\n" +
                ns + " IN AAAA 2001:db8::" + std::to_string(i + 10) + "\n";
    }
    return text;
}

}  // namespace

TEST_CASE("UDP answers that do not fit are truncated by whole RRsets; TCP carries them") {
    std::string error;
    const auto origin = *core::dns::name_from_text("big.test.", error);
    auto file = core::dns::parse_master_text(big_zone(), "big.zone", origin);
    core::dns::check_zone(origin, file.records);
    dnsd::ZoneSet zones;
    zones.add(std::make_shared<dnsd::Zone>(origin, file.records,
                                           dnsd::ZoneOrigin::from_file("big.zone")));
    std::string out;

    handle(zones, test::make_query("many.big.test.", A), Transport::udp, {}, out);
    auto r = test::parse_dns_response(out);
    CHECK(r.tc);
    CHECK(r.answer.empty());  // no partial RRset
    CHECK(out.size() <= 512);

    handle(zones, test::make_query("many.big.test.", A, {.edns = true, .udp_size = 4096}),
           Transport::udp, {}, out);
    r = test::parse_dns_response(out);
    CHECK_FALSE(r.tc);
    CHECK(r.answer.size() == 60);
    CHECK(out.size() <= 1232);

    handle(zones, test::make_query("many.big.test.", A), Transport::tcp, {}, out);
    r = test::parse_dns_response(out);
    CHECK_FALSE(r.tc);
    CHECK(r.answer.size() == 60);

    // RFC 9471: in-domain glue that does not fit sets TC on a referral.
    handle(zones, test::make_query("www.deleg.big.test.", A), Transport::udp, {}, out);
    r = test::parse_dns_response(out);
    CHECK(r.tc);
    CHECK(r.authority.size() == 13);
    CHECK(out.size() <= 512);
}

TEST_CASE_FIXTURE(Fixture,
                  "malformed queries: FORMERR when the header is readable, silence otherwise") {
    std::string out;
    // Shorter than a header: dropped.
    CHECK(handle(zones, std::string("\x12\x34\x00", 3), Transport::udp, options, out) ==
          Outcome::dropped);
    // A response (QR=1) is never answered.
    std::string response = test::make_query("www.example.com.", A);
    response[2] = static_cast<char>(response[2] | 0x80);
    CHECK(handle(zones, response, Transport::udp, options, out) == Outcome::dropped);
    // Two questions.
    std::string two = test::make_query("www.example.com.", A);
    two[5] = 2;
    CHECK(handle(zones, two, Transport::udp, options, out) == Outcome::formerr);
    CHECK(test::parse_dns_response(out).rcode == 1);
    CHECK(test::parse_dns_response(out).id == 0x1234);
    // A compression pointer in the question (a loop onto itself).
    std::string loop("\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01",
                     18);
    CHECK(handle(zones, loop, Transport::udp, options, out) == Outcome::formerr);
    // A label running past the end.
    std::string overrun(
        "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f"
        "abc",
        16);
    CHECK(handle(zones, overrun, Transport::udp, options, out) == Outcome::formerr);
    // An additional record with a pointer out of bounds.
    std::string bad_additional = test::make_query("www.example.com.", A);
    bad_additional[11] = 1;
    bad_additional += std::string("\xc0\xff\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 12);
    CHECK(handle(zones, bad_additional, Transport::udp, options, out) == Outcome::formerr);
    // Two OPT records.
    std::string two_opts = test::make_query("www.example.com.", A, {.edns = true});
    two_opts[11] = 2;
    two_opts += std::string("\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
    CHECK(handle(zones, two_opts, Transport::udp, options, out) == Outcome::formerr);
    // Trailing garbage.
    CHECK(handle(zones, test::make_query("www.example.com.", A) + "xx", Transport::udp, options,
                 out) == Outcome::formerr);
}

TEST_CASE("with several zones, the longest matching zone answers") {
    std::string error;
    dnsd::ZoneSet zones;
    for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
             {"example.com.",
              "$ORIGIN example.com.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
              "sub NS ns.sub\nns.sub A 192.0.2.2\nwww A 192.0.2.80\n"},
             {"sub.example.com.",
              "$ORIGIN sub.example.com.\n$TTL 300\n@ SOA ns h 7 2 3 4 5\n@ NS ns\n"
              "ns A 192.0.2.2\nwww A 192.0.2.81\n"},
         }) {
        const auto origin = *core::dns::name_from_text(name, error);
        auto file = core::dns::parse_master_text(text, name, origin);
        core::dns::check_zone(origin, file.records);
        zones.add(
            std::make_shared<dnsd::Zone>(origin, file.records, dnsd::ZoneOrigin::from_file(name)));
    }
    std::string out;
    // The child zone answers for its names instead of the parent's referral.
    CHECK(handle(zones, test::make_query("www.sub.example.com.", A), Transport::udp, {}, out) ==
          Outcome::hit);
    auto r = test::parse_dns_response(out);
    CHECK(r.aa);
    CHECK(r.answer == std::vector<std::string>{"www.sub.example.com. 300 IN A 192.0.2.81"});
    CHECK(handle(zones, test::make_query("www.example.com.", A), Transport::udp, {}, out) ==
          Outcome::hit);
    CHECK(test::parse_dns_response(out).answer ==
          std::vector<std::string>{"www.example.com. 300 IN A 192.0.2.80"});
    CHECK(handle(zones, test::make_query("nope.sub.example.com.", A), Transport::udp, {}, out) ==
          Outcome::nxdomain);
    CHECK(test::parse_dns_response(out).authority.at(0).find("sub.example.com. 5 IN SOA") ==
          0);  // min(TTL, MINIMUM)
}

TEST_CASE_FIXTURE(Fixture,
                  "EDNS options unknown to dnsd are ignored; a malformed option list is FORMERR") {
    std::string query = test::make_query("www.example.com.", A, {.edns = true});
    // An option of an unknown code (65001) with two bytes of data.
    std::string with_option = query;
    with_option[with_option.size() - 1] = 6;  // rdlength
    with_option += std::string("\xfd\xe9\x00\x02\xab\xcd", 6);
    std::string out;
    CHECK(handle(zones, with_option, Transport::udp, options, out) == Outcome::hit);
    auto r = test::parse_dns_response(out);
    CHECK(r.has_opt);
    CHECK(r.answer.size() == 1);
    // The same option claiming more data than the OPT holds.
    std::string broken = query;
    broken[broken.size() - 1] = 6;
    broken += std::string("\xfd\xe9\x00\x09\xab\xcd", 6);
    CHECK(handle(zones, broken, Transport::udp, options, out) == Outcome::formerr);
}

TEST_CASE_FIXTURE(Fixture,
                  "an UPDATE without a key is REFUSED, of a zone not served NOTAUTH; two zones "
                  "FORMERR") {
    // A zone from a file is never updated over DNS, and this one unsigned.
    auto r = ask("example.com.", SOA, {.opcode = 5});
    CHECK(outcome == Outcome::refused);
    CHECK(r.rcode == 5);
    CHECK(r.question == "example.com. IN SOA");
    r = ask("example.org.", SOA, {.opcode = 5});
    CHECK(r.rcode == 9);
    std::string update = test::make_query("example.com.", SOA, {.opcode = 5});
    update[5] = 2;  // ZOCOUNT 2
    std::string out;
    CHECK(handle(zones, update, Transport::udp, options, out) == Outcome::formerr);
}

TEST_CASE_FIXTURE(Fixture,
                  "a signed query from a skewed clock: NOTAUTH, BADTIME, signed, with our time") {
    namespace tsig = core::dns::tsig;
    std::string error;
    const tsig::Key key{*core::dns::name_from_text("k.example.", error),
                        *tsig::algorithm_name("hmac-sha256"), std::string(32, 's')};
    dnsd::MessageSettings settings;
    settings.tsig.keys = {key};
    dnsd::ThreadMetrics metrics;
    const sockaddr_in from = loopback();
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    const auto send = [&](uint64_t signed_at, std::string& out) {
        std::string query = test::make_query("www.example.com.", A);
        tsig::Signer(key, "").sign(query, signed_at);
        return dnsd::handle_message(zones, query,
                                    {Transport::udp, reinterpret_cast<const sockaddr*>(&from)},
                                    settings, metrics, out, nullptr);
    };
    std::string out;
    send(now, out);
    tsig::Record record;
    REQUIRE(tsig::find(out, record) == tsig::Found::one);
    CHECK(test::parse_dns_response(out).rcode == 0);
    CHECK(record.error == tsig::kNoError);
    CHECK(record.mac.size() == 32);

    send(now - 1000, out);
    CHECK(test::parse_dns_response(out).rcode == 9);  // NOTAUTH
    REQUIRE(tsig::find(out, record) == tsig::Found::one);
    CHECK(record.error == tsig::kBadTime);
    CHECK(record.mac.size() == 32);  // signed, so the client can trust the time
    REQUIRE(record.other.size() == 6);
    const uint64_t ours = (uint64_t{core::dns::wire::read16(record.other, 0)} << 32) |
                          core::dns::wire::read32(record.other, 2);
    CHECK(ours >= now);
    CHECK(ours <= now + 5);
    CHECK(test::parse_dns_response(out).answer.empty());
}

TEST_CASE("messages are classified once: query, transfer, notify, update") {
    const auto kind = [](std::string packet) {
        dnsd::Query query;
        return dnsd::classify(dnsd::parse_query(packet, query), query);
    };
    CHECK(kind(test::make_query("a.test.", 1)) == dnsd::MessageKind::query);
    CHECK(kind(test::make_query("a.test.", 252)) == dnsd::MessageKind::transfer);
    CHECK(kind(test::make_query("a.test.", 251)) == dnsd::MessageKind::transfer);
    CHECK(kind(test::make_query("a.test.", 6, {.opcode = 4})) == dnsd::MessageKind::notify);
    CHECK(kind(test::make_query("a.test.", 6, {.opcode = 5})) == dnsd::MessageKind::update);
    CHECK(kind(test::make_query("a.test.", 1, {.opcode = 2})) == dnsd::MessageKind::malformed);
}

TEST_CASE_FIXTURE(Fixture, "a NOTIFY sent to dnsd, a primary, is REFUSED (not NOTIMP)") {
    const auto r = ask("example.com.", SOA, {.opcode = 4});
    CHECK(outcome == Outcome::refused);
    CHECK(r.rcode == 5);
    CHECK(r.question == "example.com. IN SOA");
}

TEST_CASE_FIXTURE(Fixture, "a NOTIFY dnsd may take is acknowledged and names its zone") {
    // Any zone name: one just created in the database is not served yet.
    for (const char* name : {"example.com.", "New.Example.NET."}) {
        std::string out, notified;
        outcome = handle(zones, test::make_query(name, SOA, {.opcode = 4}), Transport::udp, options,
                         out, &notified);
        const auto r = test::parse_dns_response(out);
        CHECK(outcome == Outcome::notify);
        CHECK(r.rcode == 0);
        CHECK(r.aa);
        CHECK(r.qr);
        std::string error;
        CHECK(notified == core::dns::name_from_text(name, error));
    }
    // A NOTIFY is about an SOA in class IN; anything else is refused.
    std::string out, notified, error_text;
    outcome = handle(zones, test::make_query("example.com.", A, {.opcode = 4}), Transport::udp,
                     options, out, &notified);
    CHECK(outcome == Outcome::refused);
    CHECK(notified.empty());
    // From a sender outside notify_allow: refused, and nothing handed over.
    dnsd::MessageSettings settings;
    settings.notify_allow = {*core::net::Cidr::parse("192.0.2.0/24", error_text)};
    settings.database_zones = true;
    settings.on_notify = [&](std::string apex) { notified = apex; };
    dnsd::ThreadMetrics metrics;
    const sockaddr_in from = loopback();
    outcome = dnsd::handle_message(zones, test::make_query("example.com.", SOA, {.opcode = 4}),
                                   {Transport::udp, reinterpret_cast<const sockaddr*>(&from)},
                                   settings, metrics, out, nullptr);
    CHECK(outcome == Outcome::refused);
    CHECK(notified.empty());
    CHECK(metrics.notifies_received(0) == 1);
}

TEST_CASE_FIXTURE(Fixture, "a checked name answers the addresses that pass, all when none does") {
    const std::string pool = "\4pool\7example\3com" + std::string(1, '\0');
    const std::string first("\xc0\x00\x02\x29", 4);  // 192.0.2.41
    const std::string second("\xc0\x00\x02\x2a", 4);
    dnsd::HealthView::Names names;
    names[pool].ttl = 5;
    names[pool].down = {first};
    options.health = std::make_shared<const dnsd::HealthView>(names);
    auto r = ask("pool.example.com.", A);
    REQUIRE(r.answer.size() == 1);
    CHECK(r.answer[0] == "pool.example.com. 5 IN A 192.0.2.42");
    CHECK(r.aa);
    // Reached through a CNAME: filtered too.
    r = ask("viapool.example.com.", A);
    REQUIRE(r.answer.size() == 2);
    CHECK(r.answer[1] == "pool.example.com. 5 IN A 192.0.2.42");
    // Every address down: all of them (fail open), still with the short TTL.
    names[pool].down = {first, second};
    options.health = std::make_shared<const dnsd::HealthView>(names);
    r = ask("pool.example.com.", A);
    CHECK(r.answer.size() == 2);
    CHECK(r.answer[0].find(" 5 IN A ") != std::string::npos);
    // Names not checked are the zone's.
    r = ask("www.example.com.", A);
    REQUIRE(r.answer.size() == 1);
    CHECK(r.answer[0] == "www.example.com. 3600 IN A 8.8.8.8");
}
