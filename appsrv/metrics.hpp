// What appsrv counts for /metrics: requests by route and status on each
// loop thread, database time on each worker thread, each written only by
// its own thread and summed when Prometheus scrapes.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/notifier.hpp"
#include "core/metrics/counter.hpp"

namespace appsrv {

// The routes as /metrics names them: few, so that a label never grows
// with what clients send.
enum class Route {
    zones,
    zone,
    records,
    record,
    audit,
    zone_audit,
    zone_export,
    zone_import,
    public_zone,
    pdns,
    healthz,
    readyz,
    admin,
    metrics,
    other,
};
inline constexpr size_t kRouteCount = static_cast<size_t>(Route::other) + 1;

// The route of a request's path (no query).
Route route_of(std::string_view path);

class LoopMetrics {
  public:
    // Statuses counted by code; any other as "other".
    static constexpr std::array<int, 26> kStatuses = {200, 201, 204, 301, 302, 304, 400, 401, 403,
                                                      404, 405, 408, 409, 412, 413, 414, 415, 422,
                                                      429, 431, 500, 501, 502, 503, 504, 505};
    static constexpr size_t kStatusSlots = kStatuses.size() + 1;

    void count(Route route, int status);
    uint64_t requests(size_t route, size_t status_slot) const {
        return requests_[route * kStatusSlots + status_slot].value();
    }

    core::dns::NotifyCounters notify;  // this thread's notifier

  private:
    std::array<core::metrics::Counter, kRouteCount * kStatusSlots> requests_;
};

struct WorkerMetrics {
    // A task's time on its worker thread, the database's work included.
    core::metrics::DurationHistogram database{core::metrics::kDurationBounds};
};

// Owned by the daemon's main object, so that it outlives every thread.
struct Metrics {
    Metrics(size_t loops, size_t workers);
    std::vector<std::unique_ptr<LoopMetrics>> loops;
    std::vector<std::unique_ptr<WorkerMetrics>> workers;
    core::metrics::ReloadStatus reloads;
};

// The Prometheus text; `queued` is the worker pool's queue depth now.
std::string render(const Metrics& metrics, size_t queued);

}  // namespace appsrv
