// The rules a zone's data must keep (RFC 1034, 2181, 6672), checked when
// dnsd loads a zone and when appsrv validates a change.
#include "core/dns/zone_rules.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "core/dns/name.hpp"

namespace core::dns {
namespace {

// "z.zone:7: " or "record 42: ", for warnings.
std::string where(const Record& r) {
    const std::string origin = describe(r.origin);
    return origin.empty() ? std::string() : origin + ": ";
}

[[noreturn]] void fail(const Record& r, const std::string& message) {
    throw ZoneRuleError(r.origin,
                        name_to_text(r.owner) + " " + type_to_text(r.type) + ": " + message);
}

bool is_dnssec_type(uint16_t t) {
    return t == type::RRSIG || t == type::NSEC || t == 50 /* NSEC3 */;
}

}  // namespace

std::vector<std::string> check_zone(std::string_view apex, std::vector<Record>& records,
                                    Repairs repairs) {
    std::vector<std::string> warnings;

    // Exact duplicates: keep the first.
    {
        std::vector<Record> unique;
        unique.reserve(records.size());
        std::set<std::tuple<std::string, uint16_t, uint16_t, std::string>> seen;
        for (auto& r : records) {
            if (!seen.emplace(r.owner, r.type, r.rclass, r.rdata).second) {
                if (repairs == Repairs::refuse) fail(r, "a duplicate record");
                warnings.push_back(where(r) + "duplicate record ignored: " + record_to_text(r));
                continue;
            }
            unique.push_back(std::move(r));
        }
        records = std::move(unique);
    }

    std::map<std::string, std::vector<size_t>> by_owner;
    const Record* soa = nullptr;
    for (size_t i = 0; i < records.size(); ++i) {
        const Record& r = records[i];
        if (!is_at_or_below(r.owner, apex)) fail(r, "out of zone " + name_to_text(apex));
        if (r.type == type::SOA) {
            if (r.owner != apex) fail(r, "an SOA belongs only at the apex " + name_to_text(apex));
            if (soa) fail(r, "a second SOA (the first is " + describe(soa->origin) + ")");
            soa = &r;
        }
        by_owner[r.owner].push_back(i);
    }
    if (!soa) {
        throw ZoneRuleError(records.empty() ? RecordOrigin{} : records[0].origin,
                            "zone " + name_to_text(apex) + " has no SOA record at its apex");
    }
    for (const Record& r : records) {
        if (r.rclass != soa->rclass) fail(r, "class differs from the SOA's");
    }
    bool apex_ns = false;
    for (size_t i : by_owner[std::string(apex)])
        apex_ns |= records[i].type == type::NS;
    if (!apex_ns) fail(*soa, "zone " + name_to_text(apex) + " has no NS record at its apex");

    std::unordered_set<std::string> cuts;
    std::unordered_set<std::string> dnames;
    for (const auto& [owner, indexes] : by_owner) {
        size_t cnames = 0;
        bool other = false;
        for (size_t i : indexes) {
            const auto t = records[i].type;
            if (t == type::CNAME)
                ++cnames;
            else if (!is_dnssec_type(t))
                other = true;
            if (t == type::NS && owner != apex) cuts.insert(owner);
            if (t == type::DNAME) dnames.insert(owner);
            if (t == type::DS && owner == apex)
                fail(records[i], "a DS at the apex belongs in the parent zone");
        }
        const Record& first = records[indexes[0]];
        if (cnames > 1) fail(first, "more than one CNAME at a name");
        if (cnames == 1 && other)
            fail(first, "a CNAME cannot stand beside other data (RFC 1034 §3.6.2)");
    }

    for (const auto& [owner, indexes] : by_owner) {
        // The closest enclosing delegation or DNAME, the name itself excluded.
        for (std::string_view up = parent_of(owner); up.size() >= apex.size() && up != apex;
             up = parent_of(up)) {
            const std::string ancestor(up);
            if (dnames.count(ancestor)) {
                fail(records[indexes[0]],
                     "data below the DNAME at " + name_to_text(ancestor) + " (RFC 6672 §2.4)");
            }
            if (cuts.count(ancestor)) {
                for (size_t i : indexes) {
                    const auto t = records[i].type;
                    if (t != type::A && t != type::AAAA) {
                        fail(records[i], "below the delegation at " + name_to_text(ancestor) +
                                             " only glue (A, AAAA) may stand");
                    }
                }
            }
        }
        if (cuts.count(owner)) {
            for (size_t i : indexes) {
                const auto t = records[i].type;
                if (t != type::NS && t != type::DS && t != type::A && t != type::AAAA &&
                    !is_dnssec_type(t)) {
                    fail(records[i], "at a delegation only NS, DS and glue may stand");
                }
            }
        }
    }

    // RFC 2181 §5.2: the records of an RRset share one TTL.
    std::map<std::pair<std::string, uint16_t>, uint32_t> rrset_ttl;
    for (auto& r : records) {
        const auto [it, inserted] = rrset_ttl.emplace(std::make_pair(r.owner, r.type), r.ttl);
        if (!inserted && it->second != r.ttl) {
            if (repairs == Repairs::refuse) {
                fail(r, "TTL " + std::to_string(r.ttl) + " differs from its RRset's " +
                            std::to_string(it->second) +
                            " (RFC 2181 §5.2: one TTL an RRset; PATCH the RRset to change it)");
            }
            warnings.push_back(where(r) + "TTL " + std::to_string(r.ttl) +
                               " differs within its RRset; using " + std::to_string(it->second));
            r.ttl = it->second;
        }
    }
    return warnings;
}

ChangeScope change_scope(std::string_view apex, const std::vector<const Record*>& changed) {
    ChangeScope scope;
    scope.names.emplace_back(apex);
    for (const Record* record : changed) {
        for (std::string_view up = record->owner;
             up.size() > apex.size() && is_at_or_below(up, apex); up = parent_of(up)) {
            scope.names.emplace_back(up);
        }
        if ((record->type == type::NS && record->owner != apex) || record->type == type::DNAME)
            scope.below.push_back(record->owner);
    }
    std::sort(scope.names.begin(), scope.names.end());
    scope.names.erase(std::unique(scope.names.begin(), scope.names.end()), scope.names.end());
    return scope;
}

}  // namespace core::dns
