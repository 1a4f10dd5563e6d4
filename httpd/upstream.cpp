// A pool of app servers: members, settings and shared health.
#include "httpd/upstream.hpp"

#include <charconv>
#include <ctime>

#include "core/log.hpp"

namespace httpd {

int64_t monotonic_ms() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

bool Upstream::available(size_t member, int64_t now_ms) const {
    // A pool of one never takes its member out: there is nowhere else to
    // send the request (nginx's rule).
    if (members.size() == 1) return true;
    const MemberHealth& health = *members[member].health;
    return health.healthy.load(std::memory_order_relaxed) &&
           health.down_until_ms.load(std::memory_order_relaxed) <= now_ms;
}

void Upstream::report_failure(size_t member, int64_t now_ms) const {
    if (members.size() == 1) return;  // never out: see available()
    MemberHealth& health = *members[member].health;
    const bool was_up =
        health.down_until_ms.exchange(now_ms + static_cast<int64_t>(fail_timeout_ms),
                                      std::memory_order_relaxed) <= now_ms;
    if (active_checks()) {
        // With active checks, a member that failed comes back only once
        // the checks see it healthy again.
        health.streak.store(0, std::memory_order_relaxed);
        if (health.healthy.exchange(false, std::memory_order_relaxed)) {
            core::log::warn("httpd") << "upstream " << name << " member " << members[member].label
                                     << " failed: out until its health checks pass";
        }
    } else if (was_up) {
        core::log::warn("httpd") << "upstream " << name << " member " << members[member].label
                                 << " failed: out for " << fail_timeout_ms << " ms";
    }
}

void Upstream::report_check(size_t member, bool passed) const {
    MemberHealth& health = *members[member].health;
    int streak = health.streak.load(std::memory_order_relaxed);
    streak = passed ? (streak > 0 ? streak + 1 : 1) : (streak < 0 ? streak - 1 : -1);
    health.streak.store(streak, std::memory_order_relaxed);
    const bool healthy = health.healthy.load(std::memory_order_relaxed);
    if (!healthy && streak >= health_rise) {
        health.healthy.store(true, std::memory_order_relaxed);
        health.down_until_ms.store(0, std::memory_order_relaxed);
        core::log::info("httpd") << "upstream " << name << " member " << members[member].label
                                 << " is healthy again";
    } else if (healthy && -streak >= health_fall) {
        health.healthy.store(false, std::memory_order_relaxed);
        core::log::warn("httpd") << "upstream " << name << " member " << members[member].label
                                 << " failed " << -streak << " health checks: out";
    }
}

std::optional<Member> parse_member(const std::string& text, std::string& error) {
    std::string_view rest = text;
    const size_t space = rest.find(' ');
    const std::string address_text(rest.substr(0, space));
    Member member;
    auto address = core::net::parse_address(address_text, error);
    if (!address) return std::nullopt;
    member.address = std::move(*address);
    member.label = address_text;
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    while (!rest.empty()) {
        const size_t next = rest.find(' ');
        const std::string_view option = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        if (option.empty()) continue;
        constexpr std::string_view kWeight = "weight=";
        if (option.substr(0, kWeight.size()) != kWeight) {
            error = "unknown member option '" + std::string(option) + "' (expected weight=N)";
            return std::nullopt;
        }
        const std::string_view value = option.substr(kWeight.size());
        uint32_t weight = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
        if (ec != std::errc{} || end != value.data() + value.size() || weight < 1 ||
            weight > 1000) {
            error = "weight must be an integer from 1 to 1000";
            return std::nullopt;
        }
        member.weight = weight;
    }
    return member;
}

}  // namespace httpd
