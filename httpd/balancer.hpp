// Chooses the member of an upstream that takes the next request, on one
// thread: smooth weighted round robin (as nginx does it), or the fewest
// requests in flight per unit of weight.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "httpd/upstream.hpp"

namespace httpd {

class Balancer {
  public:
    explicit Balancer(const Upstream& upstream);

    // An available member other than `exclude`. When every one is out,
    // the member whose time out ends first (rather than a 502 for the
    // rest of fail_timeout); nullopt only when `exclude` was the only one.
    std::optional<size_t> pick(int64_t now_ms, std::optional<size_t> exclude = std::nullopt);
    // Requests in flight, for least_conn.
    void started(size_t member) { ++in_flight_[member]; }
    void finished(size_t member) {
        if (in_flight_[member] > 0) --in_flight_[member];
    }
    uint32_t in_flight(size_t member) const { return in_flight_[member]; }

  private:
    std::optional<size_t> soonest_back(std::optional<size_t> exclude) const;

    const Upstream& upstream_;
    std::vector<int64_t> current_weight_;
    std::vector<uint32_t> in_flight_;
};

}  // namespace httpd
