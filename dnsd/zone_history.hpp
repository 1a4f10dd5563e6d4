// What changed in a zone from serial to serial (RFC 1995's differences),
// kept with each version for IXFR: the steps that led to it, oldest first,
// bounded so that a busy zone's history never outweighs the zone.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "core/dns/record.hpp"

namespace dnsd {

struct ZoneDifference {
    core::dns::Record old_soa;
    core::dns::Record new_soa;
    std::vector<core::dns::Record> removed;  // without the SOA
    std::vector<core::dns::Record> added;    // without the SOA
    size_t size() const { return removed.size() + added.size() + 2; }
};

class ZoneHistory {
  public:
    // At most this many records in all the steps kept, and this many
    // steps: older ones go first; a client further behind gets the zone.
    static constexpr size_t kMaxRecords = 100'000;
    static constexpr size_t kMaxSteps = 1'000;

    // This history with `step` after it; older steps dropped past the bounds.
    std::shared_ptr<const ZoneHistory> then(std::shared_ptr<const ZoneDifference> step) const;
    // The steps from `serial` to the newest, in order; nullopt when the
    // history does not reach back to it.
    std::optional<std::vector<const ZoneDifference*>> since(uint32_t serial) const;
    size_t steps() const { return steps_.size(); }

  private:
    std::deque<std::shared_ptr<const ZoneDifference>> steps_;
    size_t records_ = 0;
};

}  // namespace dnsd
