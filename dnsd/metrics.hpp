// What dnsd counts for /metrics: per answering thread, written only by its
// loop (no lock on the answer path), summed when Prometheus scrapes.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/notifier.hpp"
#include "core/metrics/counter.hpp"
#include "dnsd/answer.hpp"

namespace dnsd {

class ZoneSet;

class ThreadMetrics {
  public:
    // The query types counted by name; the rest count as "other".
    static constexpr std::array<uint16_t, 19> kTypes = {1,  2,  5,  6,  12, 15,  16,  28,  33, 35,
                                                        43, 48, 52, 64, 65, 257, 251, 252, 255};
    static constexpr size_t kTypeSlots = kTypes.size() + 1;
    // RCODE 0–10 by name, BADVERS, then anything else.
    static constexpr size_t kRcodeSlots = 13;

    // One answer sent to a question of `qtype` (0 when it had none to
    // read); its rcode and TC bit are read from `reply`'s header.
    void count_answer(Transport transport, uint16_t qtype, std::string_view reply, Outcome outcome);
    void count_dropped(Transport transport) { dropped_[index(transport)].add(); }
    void count_transfer(uint16_t qtype) { transfers_[qtype == 251 ? 1 : 0].add(); }
    void count_notify_received(bool accepted) { notifies_received_[accepted ? 1 : 0].add(); }

    uint64_t queries(size_t transport, size_t type, size_t rcode) const {
        return queries_[slot(transport, type, rcode)].value();
    }
    uint64_t truncated(size_t transport) const { return truncated_[transport].value(); }
    uint64_t dropped(size_t transport) const { return dropped_[transport].value(); }
    uint64_t transfers(size_t ixfr) const { return transfers_[ixfr].value(); }
    uint64_t notifies_received(size_t accepted) const {
        return notifies_received_[accepted].value();
    }

  private:
    static size_t index(Transport transport) { return transport == Transport::udp ? 0 : 1; }
    static size_t slot(size_t transport, size_t type, size_t rcode) {
        return (transport * kTypeSlots + type) * kRcodeSlots + rcode;
    }

    std::array<core::metrics::Counter, 2 * kTypeSlots * kRcodeSlots> queries_;
    std::array<core::metrics::Counter, 2> truncated_;
    std::array<core::metrics::Counter, 2> dropped_;
    std::array<core::metrics::Counter, 2> transfers_;          // AXFR, IXFR
    std::array<core::metrics::Counter, 2> notifies_received_;  // refused, accepted
};

// Everything a scrape reads. Owned by the daemon's main object, so that it
// outlives the threads that write it.
struct Metrics {
    explicit Metrics(size_t threads);
    std::vector<std::unique_ptr<ThreadMetrics>> threads;
    core::dns::NotifyCounters notify;  // the notifier's, on the first thread
    core::metrics::ReloadStatus reloads;
};

// What the zone service counts, read when Prometheus scrapes.
struct ZoneCounts {
    uint64_t database_updates = 0;  // snapshots made from the database's changes
    uint64_t transfers_in[4] = {};  // from primaries: incremental, whole, current, failed
};

// The Prometheus text of `metrics`, of the zones served (`zones`) and of
// what the zone service counted.
std::string render(const Metrics& metrics, const ZoneSet& zones, const ZoneCounts& counts);

}  // namespace dnsd
