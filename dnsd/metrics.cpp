// dnsd's metrics.
#include "dnsd/metrics.hpp"

#include "core/dns/name.hpp"
#include "core/metrics/exposition.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

namespace {

constexpr std::array<std::string_view, ThreadMetrics::kTypeSlots> kTypeNames = {
    "A",  "NS",     "CNAME", "SOA",  "PTR",   "MX",  "TXT",  "AAAA", "SRV", "NAPTR",
    "DS", "DNSKEY", "TLSA",  "SVCB", "HTTPS", "CAA", "IXFR", "AXFR", "ANY", "other"};

constexpr std::array<std::string_view, ThreadMetrics::kRcodeSlots> kRcodeNames = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED", "YXDOMAIN",
    "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE",  "BADVERS", "other"};

constexpr std::array<std::string_view, 2> kTransports = {"udp", "tcp"};

// The slot of each type below 256, looked up once per answer rather than
// searched; CAA (257) is the one counted type above.
constexpr size_t kCaaSlot = 15;
static_assert(ThreadMetrics::kTypes[kCaaSlot] == 257);
constexpr std::array<uint8_t, 256> kSlotOfType = [] {
    std::array<uint8_t, 256> slots{};
    slots.fill(static_cast<uint8_t>(kTypeNames.size() - 1));
    for (size_t i = 0; i < ThreadMetrics::kTypes.size(); ++i) {
        if (ThreadMetrics::kTypes[i] < 256)
            slots[ThreadMetrics::kTypes[i]] = static_cast<uint8_t>(i);
    }
    return slots;
}();

size_t type_slot(uint16_t type) {
    if (type < kSlotOfType.size()) return kSlotOfType[type];
    return type == 257 ? kCaaSlot : kTypeNames.size() - 1;
}

}  // namespace

void ThreadMetrics::count_answer(Transport transport, uint16_t qtype, std::string_view reply,
                                 Outcome outcome) {
    if (reply.size() < 12) return;
    size_t rcode = static_cast<unsigned char>(reply[3]) & 0x0f;
    if (outcome == Outcome::badvers) rcode = 11;
    if (rcode > 11) rcode = 12;
    queries_[slot(index(transport), type_slot(qtype), rcode)].add();
    if (static_cast<unsigned char>(reply[2]) & 0x02) truncated_[index(transport)].add();
}

Metrics::Metrics(size_t thread_count) {
    for (size_t i = 0; i < thread_count; ++i)
        threads.push_back(std::make_unique<ThreadMetrics>());
}

std::string render(const Metrics& metrics, const ZoneSet& zones, const ZoneCounts& counts) {
    using Type = core::metrics::Exposition::Type;
    core::metrics::Exposition out("dnsd");
    const auto sum = [&](auto read) {
        uint64_t total = 0;
        for (const auto& thread : metrics.threads)
            total += read(*thread);
        return total;
    };

    out.family("queries_total", Type::counter, "queries answered, by transport, type and rcode");
    for (size_t t = 0; t < kTransports.size(); ++t) {
        for (size_t type = 0; type < kTypeNames.size(); ++type) {
            for (size_t rcode = 0; rcode < kRcodeNames.size(); ++rcode) {
                const uint64_t n =
                    sum([&](const ThreadMetrics& m) { return m.queries(t, type, rcode); });
                if (n == 0) continue;
                out.sample({{"transport", kTransports[t]},
                            {"type", kTypeNames[type]},
                            {"rcode", kRcodeNames[rcode]}},
                           n);
            }
        }
    }
    out.family("queries_dropped_total", Type::counter,
               "messages not answered: responses, or too short to have a header");
    for (size_t t = 0; t < kTransports.size(); ++t)
        out.sample({{"transport", kTransports[t]}},
                   sum([&](const ThreadMetrics& m) { return m.dropped(t); }));
    out.family("answers_truncated_total", Type::counter,
               "answers sent with TC set, for the client to ask again over TCP");
    for (size_t t = 0; t < kTransports.size(); ++t)
        out.sample({{"transport", kTransports[t]}},
                   sum([&](const ThreadMetrics& m) { return m.truncated(t); }));
    out.family("transfers_total", Type::counter, "zone transfers sent");
    out.sample({{"type", "AXFR"}}, sum([](const ThreadMetrics& m) { return m.transfers(0); }));
    out.sample({{"type", "IXFR"}}, sum([](const ThreadMetrics& m) { return m.transfers(1); }));
    out.family("notifies_received_total", Type::counter,
               "NOTIFYs received, acknowledged or refused (sender not in notify_allow)");
    out.sample({{"result", "accepted"}},
               sum([](const ThreadMetrics& m) { return m.notifies_received(1); }));
    out.sample({{"result", "refused"}},
               sum([](const ThreadMetrics& m) { return m.notifies_received(0); }));
    out.family("notifies_sent_total", Type::counter,
               "NOTIFYs sent to secondaries, first transmissions only");
    out.sample({}, metrics.notify.sent.value());
    out.family("notify_retransmissions_total", Type::counter,
               "NOTIFYs sent again because no acknowledgement came");
    out.sample({}, metrics.notify.retransmitted.value());
    out.family("notifies_acknowledged_total", Type::counter, "NOTIFYs a secondary acknowledged");
    out.sample({}, metrics.notify.acknowledged.value());

    out.family("zones", Type::gauge, "zones served");
    out.sample({}, static_cast<uint64_t>(zones.zones().size()));
    out.family("zone_serial", Type::gauge, "the SOA serial served, by zone");
    for (const auto& [apex, zone] : zones.zones())
        out.sample({{"zone", core::dns::name_to_text(apex)}}, uint64_t{zone->serial()});
    out.family("zone_available", Type::gauge,
               "1 for a zone answered from, 0 for a secondary zone not transferred yet or expired "
               "(answered SERVFAIL)");
    for (const auto& [apex, zone] : zones.zones())
        out.sample({{"zone", core::dns::name_to_text(apex)}},
                   uint64_t{zone->available() ? 1u : 0u});
    out.family("zone_database_updates_total", Type::counter,
               "zone snapshots published after a change in the database");
    out.sample({}, counts.database_updates);
    out.family("transfers_in_total", Type::counter,
               "refreshes of secondary zones from a primary, by what it answered");
    const char* const results[] = {"incremental", "whole", "current", "failed"};
    for (size_t i = 0; i < 4; ++i)
        out.sample({{"result", results[i]}}, counts.transfers_in[i]);
    out.common(metrics.reloads);
    return std::move(out).take();
}

}  // namespace dnsd
