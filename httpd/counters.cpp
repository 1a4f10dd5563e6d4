// What httpd counts for /metrics.
#include "httpd/counters.hpp"

#include "core/metrics/exposition.hpp"
#include "httpd/site.hpp"
#include "httpd/upstream.hpp"

namespace httpd {

void Counters::count_request(std::string_view server, int status, uint64_t bytes, double seconds) {
    auto it = requests.find(server);
    if (it == requests.end()) it = requests.emplace(std::string(server), ServerCounts{}).first;
    ++it->second.statuses[status];
    it->second.bytes_sent += bytes;
    const auto& bounds = core::metrics::kDurationBounds;
    size_t bucket = 0;
    while (bucket < bounds.size() && seconds > bounds[bucket])
        ++bucket;
    ++durations[bucket];
    duration_sum += seconds;
}

uint64_t& Counters::entry(std::map<std::string, uint64_t, std::less<>>& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), 0).first;
    return it->second;
}

void Counters::add(const Counters& other) {
    for (const auto& [server, counts] : other.requests) {
        auto& mine = requests[server];
        for (const auto& [status, count] : counts.statuses)
            mine.statuses[status] += count;
        mine.bytes_sent += counts.bytes_sent;
    }
    for (size_t i = 0; i < durations.size(); ++i)
        durations[i] += other.durations[i];
    duration_sum += other.duration_sum;
    for (const auto& [name, count] : other.upstream_failures)
        upstream_failures[name] += count;
    for (const auto& [name, count] : other.upstream_retries)
        upstream_retries[name] += count;
    open_connections += other.open_connections;
}

std::string render_metrics(const Counters& total, const Site& site,
                           const core::metrics::ReloadStatus& reloads) {
    using Type = core::metrics::Exposition::Type;
    core::metrics::Exposition out("httpd");
    out.family("requests_total", Type::counter,
               "requests answered, by virtual server and status (499: the client left first)");
    for (const auto& [server, counts] : total.requests) {
        for (const auto& [status, count] : counts.statuses)
            out.sample({{"server", server}, {"status", std::to_string(status)}}, count);
    }
    out.family("response_body_bytes_total", Type::counter,
               "bytes of response bodies sent, by virtual server");
    for (const auto& [server, counts] : total.requests)
        out.sample({{"server", server}}, counts.bytes_sent);
    out.family("request_duration_seconds", Type::histogram,
               "from a request's head read to its response's last byte queued");
    out.histogram({}, core::metrics::kDurationBounds, total.durations, total.duration_sum);
    out.family("open_connections", Type::gauge, "client connections open now");
    out.sample({}, total.open_connections);

    out.family("upstream_member_up", Type::gauge,
               "1 when the member takes requests, 0 while it is out (failed, or its health "
               "checks fail)");
    const int64_t now = monotonic_ms();
    for (const auto& upstream : site.upstreams) {
        for (size_t i = 0; i < upstream->members.size(); ++i) {
            out.sample({{"upstream", upstream->name}, {"member", upstream->members[i].label}},
                       uint64_t{upstream->available(i, now) ? 1u : 0u});
        }
    }
    const auto per_upstream = [&](const std::map<std::string, uint64_t, std::less<>>& counts) {
        for (const auto& upstream : site.upstreams) {
            const auto it = counts.find(upstream->name);
            out.sample({{"upstream", upstream->name}}, it == counts.end() ? 0 : it->second);
        }
    };
    out.family("upstream_failures_total", Type::counter,
               "requests a member failed (connect error, reset, timeout, bad answer)");
    per_upstream(total.upstream_failures);
    out.family("upstream_retries_total", Type::counter,
               "requests sent again to another member after a failure");
    per_upstream(total.upstream_retries);
    out.common(reloads);
    return std::move(out).take();
}

}  // namespace httpd
