// appsrv's metrics.
#include "appsrv/metrics.hpp"

#include "appsrv/pdns_api.hpp"
#include "core/metrics/exposition.hpp"

namespace appsrv {

namespace {

constexpr std::array<std::string_view, kRouteCount> kRouteNames = {
    "zones",       "zone", "records", "record", "audit", "zone_audit", "zone_export", "zone_import",
    "public_zone", "pdns", "healthz", "readyz", "admin", "metrics",    "other"};

// The path's segments after `prefix`, split at '/', empty ones skipped.
std::vector<std::string_view> segments_after(std::string_view path, std::string_view prefix) {
    std::vector<std::string_view> out;
    if (path.substr(0, prefix.size()) != prefix) return out;
    path.remove_prefix(prefix.size());
    while (!path.empty()) {
        const size_t slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (!segment.empty()) out.push_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

}  // namespace

Route route_of(std::string_view path) {
    if (path == "/healthz") return Route::healthz;
    if (path == "/readyz") return Route::readyz;
    if (path == "/metrics") return Route::metrics;
    if (path == "/admin" || path == "/admin/") return Route::admin;
    if (pdns::is_dialect_target(path)) return Route::pdns;
    const auto s = segments_after(path, "/api/v1/");
    if (s.empty()) return Route::other;
    if (s[0] == "public") return Route::public_zone;
    if (s[0] == "audit" && s.size() == 1) return Route::audit;
    if (s[0] != "zones") return Route::other;
    if (s.size() == 1) return Route::zones;
    if (s.size() == 2) return Route::zone;
    if (s[2] == "records") return s.size() == 3 ? Route::records : Route::record;
    if (s.size() == 3 && s[2] == "audit") return Route::zone_audit;
    if (s.size() == 3 && s[2] == "export") return Route::zone_export;
    if (s.size() == 3 && s[2] == "import") return Route::zone_import;
    return Route::other;
}

void LoopMetrics::count(Route route, int status) {
    size_t slot = kStatuses.size();
    for (size_t i = 0; i < kStatuses.size(); ++i) {
        if (kStatuses[i] == status) {
            slot = i;
            break;
        }
    }
    requests_[static_cast<size_t>(route) * kStatusSlots + slot].add();
}

Metrics::Metrics(size_t loop_count, size_t worker_count) {
    for (size_t i = 0; i < loop_count; ++i)
        loops.push_back(std::make_unique<LoopMetrics>());
    for (size_t i = 0; i < worker_count; ++i)
        workers.push_back(std::make_unique<WorkerMetrics>());
}

std::string render(const Metrics& metrics, size_t queued) {
    using Type = core::metrics::Exposition::Type;
    core::metrics::Exposition out("appsrv");

    out.family("requests_total", Type::counter, "requests answered, by route and status");
    for (size_t route = 0; route < kRouteCount; ++route) {
        for (size_t slot = 0; slot < LoopMetrics::kStatusSlots; ++slot) {
            uint64_t n = 0;
            for (const auto& loop : metrics.loops)
                n += loop->requests(route, slot);
            if (n == 0) continue;
            const std::string status = slot < LoopMetrics::kStatuses.size()
                                           ? std::to_string(LoopMetrics::kStatuses[slot])
                                           : std::string("other");
            out.sample({{"route", kRouteNames[route]}, {"status", status}}, n);
        }
    }

    out.family("database_duration_seconds", Type::histogram,
               "time a batch of calls spent on a worker thread, the database's work included");
    const auto& bounds = core::metrics::kDurationBounds;
    std::array<uint64_t, core::metrics::kDurationBounds.size() + 1> counts{};
    double sum = 0;
    for (const auto& worker : metrics.workers) {
        for (size_t i = 0; i < counts.size(); ++i)
            counts[i] += worker->database.bucket(i);
        sum += worker->database.sum_seconds();
    }
    out.histogram({}, bounds, counts, sum);

    out.family("worker_queue_depth", Type::gauge, "database tasks waiting for a worker thread");
    out.sample({}, static_cast<uint64_t>(queued));
    out.family("workers", Type::gauge, "worker threads, each with its database connection");
    out.sample({}, static_cast<uint64_t>(metrics.workers.size()));

    const auto notify_sum = [&](auto member) {
        uint64_t n = 0;
        for (const auto& loop : metrics.loops)
            n += (loop->notify.*member).value();
        return n;
    };
    out.family("notifies_sent_total", Type::counter,
               "NOTIFYs sent after a change, first transmissions only");
    out.sample({}, notify_sum(&core::dns::NotifyCounters::sent));
    out.family("notify_retransmissions_total", Type::counter,
               "NOTIFYs sent again because no acknowledgement came");
    out.sample({}, notify_sum(&core::dns::NotifyCounters::retransmitted));
    out.family("notifies_acknowledged_total", Type::counter, "NOTIFYs a DNS server acknowledged");
    out.sample({}, notify_sum(&core::dns::NotifyCounters::acknowledged));

    out.common(metrics.reloads);
    return std::move(out).take();
}

}  // namespace appsrv
