// Chooses the member of an upstream that takes the next request.
#include "httpd/balancer.hpp"

namespace httpd {

Balancer::Balancer(const Upstream& upstream)
    : upstream_(upstream),
      current_weight_(upstream.members.size(), 0),
      in_flight_(upstream.members.size(), 0) {}

std::optional<size_t> Balancer::pick(int64_t now_ms, std::optional<size_t> exclude) {
    const auto& members = upstream_.members;
    // least_conn narrows the candidates to the least loaded per weight;
    // round robin among them then spreads ties by weight.
    std::optional<size_t> least;
    if (upstream_.balance == Balance::least_conn) {
        for (size_t i = 0; i < members.size(); ++i) {
            if (i == exclude || !upstream_.available(i, now_ms)) continue;
            if (!least || uint64_t{in_flight_[i]} * members[*least].weight <
                              uint64_t{in_flight_[*least]} * members[i].weight) {
                least = i;
            }
        }
        if (!least) return soonest_back(exclude);
    }
    int64_t total = 0;
    std::optional<size_t> best;
    for (size_t i = 0; i < members.size(); ++i) {
        if (i == exclude || !upstream_.available(i, now_ms)) continue;
        if (least && uint64_t{in_flight_[i]} * members[*least].weight !=
                         uint64_t{in_flight_[*least]} * members[i].weight) {
            continue;
        }
        current_weight_[i] += members[i].weight;
        total += members[i].weight;
        if (!best || current_weight_[i] > current_weight_[*best]) best = i;
    }
    if (best) current_weight_[*best] -= total;
    return best ? best : soonest_back(exclude);
}

std::optional<size_t> Balancer::soonest_back(std::optional<size_t> exclude) const {
    std::optional<size_t> soonest;
    for (size_t i = 0; i < upstream_.members.size(); ++i) {
        if (i == exclude) continue;
        const MemberHealth& health = *upstream_.members[i].health;
        if (!soonest ||
            health.down_until_ms.load(std::memory_order_relaxed) <
                upstream_.members[*soonest].health->down_until_ms.load(std::memory_order_relaxed))
            soonest = i;
    }
    return soonest;
}

}  // namespace httpd
