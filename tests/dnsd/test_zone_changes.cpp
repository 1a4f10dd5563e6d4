// A zone changed in place of being read again: each version made by
// with_changes must be the zone a whole build of its records makes, and
// the version it came from must stay as it was.
#include <algorithm>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "dnsd/zone.hpp"

namespace dns = core::dns;

namespace {

const std::string kApex("\7example\3com\0", 13);

dns::Record record(const std::string& text) {
    std::string error;
    auto r = dns::record_from_text(text, kApex, std::nullopt, error);
    REQUIRE_MESSAGE(r, error);
    return *r;
}

// Everything an answer can see of a zone, in one comparable text.
std::string dump(const dnsd::Zone& zone) {
    std::map<std::string, std::string> nodes;
    zone.for_each_node([&](const std::string& name, const dnsd::Node& node) {
        std::string text = "children=" + std::to_string(node.children) +
                           (node.delegation ? " cut" : "") + (node.dname ? " dname" : "");
        for (const auto& rrset : node.rrsets) {
            text += " | " + dns::type_to_text(rrset.type) + " " + std::to_string(rrset.ttl);
            std::multiset<std::string> rdatas(rrset.rdatas.begin(), rrset.rdatas.end());
            std::multiset<std::string> targets;
            for (const auto& t : rrset.targets)
                targets.insert(t.name + (t.in_zone ? "+" : "-") + (t.below_owner ? "b" : ""));
            for (const auto& r : rdatas)
                text += " [" + r + "]";
            for (const auto& t : targets)
                text += " ->" + t;
        }
        nodes[dns::name_to_text(name)] = text;
    });
    std::string out = "serial " + std::to_string(zone.serial()) + " records " +
                      std::to_string(zone.record_count()) + " negative " +
                      std::to_string(zone.negative_ttl()) + "\n";
    for (const auto& [name, text] : nodes)
        out += name + " " + text + "\n";
    return out;
}

std::shared_ptr<const dnsd::Zone> build(const std::vector<dns::Record>& records) {
    return std::make_shared<const dnsd::Zone>(kApex, records, dnsd::ZoneOrigin::from_database());
}

}  // namespace

TEST_CASE("a zone changed record by record is the zone built whole, and the old version stays") {
    // Enough names for several shards; deep ones for empty non-terminals.
    std::vector<std::string> names = {"@", "a", "b.a", "c.b.a", "d.c.b.a", "x.y.z", "z", "mail"};
    for (int i = 0; i < 1200; ++i)
        names.push_back("h" + std::to_string(i) + (i % 3 ? ".deep.er" : ""));
    const std::vector<std::string> kinds = {"A 192.0.2.1",    "A 192.0.2.2", "TXT \"t\"",
                                            "MX 10 mail",     "NS ns.a",     "AAAA 2001:db8::1",
                                            "SRV 0 0 1 c.b.a"};
    std::vector<dns::Record> current = {record("@ 300 IN SOA ns1 host 1 2 3 4 5"),
                                        record("@ 300 IN NS ns1")};
    for (size_t i = 0; i < names.size(); i += 2)
        current.push_back(record(names[i] + " 300 IN A 192.0.2.1"));
    auto zone = build(current);
    REQUIRE(dump(*zone) == dump(*build(current)));

    uint32_t seed = 7;
    const auto next = [&](size_t n) {
        seed = seed * 1103515245 + 12345;
        return static_cast<size_t>((seed >> 8) % n);
    };
    for (int step = 0; step < 150; ++step) {
        CAPTURE(step);
        std::vector<dns::Record> removed, added;
        // A few records out, a few in, and the SOA's serial raised, as
        // appsrv's changes come.
        for (size_t n = next(4); n > 0 && current.size() > 3; --n) {
            const size_t victim = 2 + next(current.size() - 2);
            removed.push_back(current[victim]);
            current.erase(current.begin() + static_cast<std::ptrdiff_t>(victim));
        }
        for (size_t n = next(4); n > 0; --n) {
            const auto r =
                record(names[next(names.size())] + " 300 IN " + kinds[next(kinds.size())]);
            if (std::any_of(current.begin(), current.end(),
                            [&](const dns::Record& c) { return c.same_data(r); }))
                continue;
            added.push_back(r);
            current.push_back(r);
        }
        removed.push_back(current[0]);
        current[0] = record("@ 300 IN SOA ns1 host " + std::to_string(step + 2) + " 2 3 4 5");
        added.push_back(current[0]);

        const std::string before = dump(*zone);
        const auto changed = zone->with_changes(removed, added);
        CHECK(dump(*zone) == before);  // the version being served is untouched
        const std::string whole = dump(*build(current));
        REQUIRE(dump(*changed) == whole);
        zone = changed;
    }
}

TEST_CASE("a change that does not fit the version served is refused, and nothing changes") {
    const std::vector<dns::Record> records = {record("@ 300 IN SOA ns1 host 1 2 3 4 5"),
                                              record("@ 300 IN NS ns1"),
                                              record("www 300 IN A 192.0.2.1")};
    const auto zone = build(records);
    const std::string before = dump(*zone);
    CHECK_THROWS_WITH_AS(zone->with_changes({record("www 300 IN A 192.0.2.9")}, {}),
                         doctest::Contains("not served"), std::runtime_error);
    CHECK_THROWS_WITH_AS(zone->with_changes({}, {record("www 300 IN A 192.0.2.1")}),
                         doctest::Contains("served already"), std::runtime_error);
    CHECK_THROWS_WITH_AS(zone->with_changes({}, {record("www 600 IN A 192.0.2.2")}),
                         doctest::Contains("TTL 600"), std::runtime_error);
    CHECK_THROWS_WITH_AS(zone->with_changes({records[0]}, {}), doctest::Contains("no SOA"),
                         std::runtime_error);
    CHECK(dump(*zone) == before);
}

TEST_CASE("many changes applied at once, and a zone that outgrows its shards") {
    std::vector<dns::Record> current = {record("@ 300 IN SOA ns1 host 1 2 3 4 5"),
                                        record("@ 300 IN NS ns1")};
    auto zone = build(current);  // small: one shard
    std::vector<dnsd::Zone::Change> changes;
    for (int i = 0; i < 6000; ++i) {
        dnsd::Zone::Change& change = changes.emplace_back();
        change.removed.push_back(current[0]);
        current[0] = record("@ 300 IN SOA ns1 host " + std::to_string(i + 2) + " 2 3 4 5");
        change.added.push_back(current[0]);
        const auto added = record("n" + std::to_string(i) + ".x" + std::to_string(i % 7) +
                                  " 300 IN A 192.0.2." + std::to_string(i % 250));
        change.added.push_back(added);
        current.push_back(added);
        if (i % 5 == 4) {  // one in five taken out again by a later change
            change.removed.push_back(current[current.size() - 3]);
            current.erase(current.end() - 3);
        }
        // In batches, as a refresher that fell behind reads them.
        if (changes.size() == 1000) {
            zone = zone->with_changes(changes);
            changes.clear();
        }
    }
    REQUIRE(dump(*zone) == dump(*build(current)));
    CHECK(zone->serial() == 6001);
}

TEST_CASE("history: each change that replaces the SOA is a step; a reload's difference is one") {
    const auto base =
        build({record("@ 3600 IN SOA ns hostmaster 1 2 3 4 5"), record("@ 3600 IN NS ns"),
               record("ns 3600 IN A 192.0.2.1"), record("www 300 IN A 192.0.2.80")});
    CHECK(base->history()->steps() == 0);
    const auto v2 = base->with_changes(
        {{{record("@ 3600 IN SOA ns hostmaster 1 2 3 4 5"), record("www 300 IN A 192.0.2.80")},
          {record("@ 3600 IN SOA ns hostmaster 2 2 3 4 5"), record("www 300 IN A 192.0.2.81")}},
         {{record("@ 3600 IN SOA ns hostmaster 2 2 3 4 5")},
          {record("@ 3600 IN SOA ns hostmaster 3 2 3 4 5"), record("new 60 IN TXT \"x\"")}}});
    REQUIRE(v2->history()->steps() == 2);
    auto steps = v2->history()->since(1);
    REQUIRE(steps);
    REQUIRE(steps->size() == 2);
    CHECK((*steps)[0]->removed.size() == 1);
    CHECK((*steps)[0]->added.size() == 1);
    CHECK((*steps)[1]->removed.empty());
    CHECK((*steps)[1]->added.size() == 1);
    REQUIRE(v2->history()->since(2));
    CHECK(v2->history()->since(2)->size() == 1);
    CHECK_FALSE(v2->history()->since(3));  // the current serial: nothing to replay
    CHECK_FALSE(v2->history()->since(7));

    // A change that leaves the SOA alone cannot be replayed: the history restarts.
    const auto v3 = v2->with_changes({{{record("new 60 IN TXT \"x\"")}, {}}});
    CHECK(v3->history()->steps() == 0);

    // Two versions read whole: what differs, RRset by RRset.
    const auto reread =
        build({record("@ 3600 IN SOA ns hostmaster 9 2 3 4 5"), record("@ 3600 IN NS ns"),
               record("ns 600 IN A 192.0.2.1"), record("mail 300 IN A 192.0.2.25")});
    const auto step = dnsd::difference(*base, *reread);
    CHECK(step->removed.size() == 2);  // ns (its TTL changed: out whole) and www
    CHECK(step->added.size() == 2);    // ns at its new TTL, and mail
    const auto history = base->history()->then(step);
    CHECK(history->since(1));
    // A step that does not follow on from the last breaks the chain.
    CHECK(history->then(dnsd::difference(*v2, *reread))->steps() == 1);
}

TEST_CASE("history is bounded: the oldest steps go first") {
    auto history = std::make_shared<const dnsd::ZoneHistory>();
    for (uint32_t serial = 1; serial <= dnsd::ZoneHistory::kMaxSteps + 10; ++serial) {
        auto step = std::make_shared<dnsd::ZoneDifference>();
        step->old_soa =
            record("@ 3600 IN SOA ns hostmaster " + std::to_string(serial) + " 2 3 4 5");
        step->new_soa =
            record("@ 3600 IN SOA ns hostmaster " + std::to_string(serial + 1) + " 2 3 4 5");
        history = history->then(step);
    }
    CHECK(history->steps() == dnsd::ZoneHistory::kMaxSteps);
    CHECK_FALSE(history->since(1));
    CHECK(history->since(11));
}
