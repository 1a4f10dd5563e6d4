// What httpd counts for /metrics: requests by virtual server and status,
// their duration and bytes, upstream failures and retries, open
// connections. Each thread keeps its own and is the only one to touch
// them; a scrape asks every thread for a copy and sums them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/metrics/counter.hpp"

namespace httpd {

struct Site;

struct Counters {
    struct ServerCounts {
        std::map<int, uint64_t> statuses;
        uint64_t bytes_sent = 0;  // response bodies
    };
    // virtual server label → its counts
    std::map<std::string, ServerCounts, std::less<>> requests;
    // Request durations, from the head read to the response's end:
    // per bucket of core::metrics::kDurationBounds, the last one above all.
    std::array<uint64_t, core::metrics::kDurationBounds.size() + 1> durations{};
    double duration_sum = 0;
    // upstream name → count
    std::map<std::string, uint64_t, std::less<>> upstream_failures;  // connect, reset, timeout
    std::map<std::string, uint64_t, std::less<>> upstream_retries;   // sent again to another member
    uint64_t open_connections = 0;  // filled in when a snapshot is taken

    void count_request(std::string_view server, int status, uint64_t bytes, double seconds);
    void count_upstream_failure(std::string_view upstream) { ++entry(upstream_failures, upstream); }
    void count_upstream_retry(std::string_view upstream) { ++entry(upstream_retries, upstream); }
    void add(const Counters& other);

  private:
    static uint64_t& entry(std::map<std::string, uint64_t, std::less<>>& map, std::string_view key);
};

// The Prometheus text of `total` (every thread's counters summed), with
// each upstream member's state in `site` now, and the reloads.
std::string render_metrics(const Counters& total, const Site& site,
                           const core::metrics::ReloadStatus& reloads);

}  // namespace httpd
