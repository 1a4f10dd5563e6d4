// Reading an UPDATE (RFC 2136 §2, §3.1 to §3.4.1): what each section may
// hold, and the rcode for what it may not.
#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/wire.hpp"
#include "dnsd/update.hpp"

namespace dns = core::dns;
using core::dns::wire::append16;
using core::dns::wire::append32;

namespace {

struct Rr {
    std::string owner;  // presentation
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    std::string rdata;  // wire
};

std::string wire_name(const std::string& text) {
    std::string error;
    return *dns::name_from_text(text, error);
}

// An UPDATE of `zone` with `prerequisites` and `updates`.
std::string update(const std::string& zone, const std::vector<Rr>& prerequisites,
                   const std::vector<Rr>& updates, uint16_t zone_type = dns::type::SOA) {
    std::string m;
    append16(m, 0x1234);
    m += static_cast<char>(5 << 3);
    m += '\0';
    append16(m, 1);
    append16(m, static_cast<uint16_t>(prerequisites.size()));
    append16(m, static_cast<uint16_t>(updates.size()));
    append16(m, 0);
    m += wire_name(zone);
    append16(m, zone_type);
    append16(m, dns::rrclass::IN);
    for (const auto* list : {&prerequisites, &updates}) {
        for (const auto& rr : *list) {
            m += wire_name(rr.owner);
            append16(m, rr.type);
            append16(m, rr.rclass);
            append32(m, rr.ttl);
            append16(m, static_cast<uint16_t>(rr.rdata.size()));
            m += rr.rdata;
        }
    }
    return m;
}

int rcode_of(const std::string& message) {
    try {
        dnsd::read_update(message);
        return 0;
    } catch (const dnsd::UpdateRefused& e) {
        return e.rcode();
    }
}

const std::string kAddress("\xc0\x00\x02\x01", 4);
constexpr uint16_t kNone = 254, kAny = 255, kIn = 1, kA = 1;

}  // namespace

TEST_CASE("an UPDATE of each form RFC 2136 gives reads back as sent") {
    const auto request = dnsd::read_update(update(
        "Foobar.com.",
        {{"www.foobar.com.", kA, kAny, 0, ""}, {"new.foobar.com.", dns::type::ANY, kNone, 0, ""}},
        {{"WWW.foobar.com.", kA, kIn, 60, kAddress},
         {"old.foobar.com.", kA, kAny, 0, ""},
         {"old.foobar.com.", dns::type::ANY, kAny, 0, ""},
         {"www.foobar.com.", kA, kNone, 0, kAddress}}));
    CHECK(request.apex == wire_name("foobar.com."));
    REQUIRE(request.prerequisites.size() == 2);
    REQUIRE(request.updates.size() == 4);
    CHECK(request.updates[0].owner == wire_name("www.foobar.com."));  // lowercased
    CHECK(request.updates[0].rdata == kAddress);
    CHECK(request.updates[1].rdata.empty());
}

TEST_CASE("UPDATE: FORMERR for a section of no defined form, NOTZONE for a name outside") {
    constexpr int formerr = 1, notzone = 10;
    // The zone section: one SOA of class IN.
    CHECK(rcode_of(update("foobar.com.", {}, {}, kA)) == formerr);
    // A deletion with a TTL, or class ANY with data (§3.4.1.3).
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", kA, kAny, 60, ""}})) == formerr);
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", kA, kNone, 60, kAddress}})) ==
          formerr);
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", kA, kAny, 0, kAddress}})) ==
          formerr);
    // A meta type put in, a class that is none of the three.
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", dns::type::ANY, kIn, 60, ""}})) ==
          formerr);
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", dns::type::AXFR, kIn, 60, ""}})) ==
          formerr);
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.foobar.com.", kA, 3, 60, kAddress}})) == formerr);
    // A prerequisite with a TTL, or class NONE with data (§3.2).
    CHECK(rcode_of(update("foobar.com.", {{"a.foobar.com.", kA, kAny, 60, ""}}, {})) == formerr);
    CHECK(rcode_of(update("foobar.com.", {{"a.foobar.com.", kA, kNone, 0, kAddress}}, {})) ==
          formerr);
    // Names outside the zone.
    CHECK(rcode_of(update("foobar.com.", {}, {{"a.example.org.", kA, kIn, 60, kAddress}})) ==
          notzone);
    CHECK(rcode_of(update("foobar.com.", {{"foobar.org.", kA, kAny, 0, ""}}, {})) == notzone);
    // Truncated: a malformed message.
    std::string cut = update("foobar.com.", {}, {{"a.foobar.com.", kA, kIn, 60, kAddress}});
    cut.resize(cut.size() - 2);
    CHECK(rcode_of(cut) == formerr);
}
