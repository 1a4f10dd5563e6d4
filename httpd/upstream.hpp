// A pool of app servers that routes proxy to: its members, its settings,
// and each member's health, which every thread reads and updates.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/http/client_connection.hpp"
#include "core/net/address.hpp"

namespace httpd {

// Milliseconds on a clock shared by every thread (CLOCK_MONOTONIC).
int64_t monotonic_ms();

// A member's health. Passive: a failed request leaves the member out until
// `down_until_ms`. Active: the health checker's verdict, moved by `rise`
// successes or `fall` failures in a row.
struct MemberHealth {
    std::atomic<int64_t> down_until_ms{0};
    std::atomic<bool> healthy{true};
    std::atomic<int> streak{0};  // > 0: successes in a row, < 0: failures in a row
};

struct Member {
    core::net::Address address;
    std::string label;  // the address as configured, for logs and X-Forwarded headers
    uint32_t weight = 1;
    std::shared_ptr<MemberHealth> health = std::make_shared<MemberHealth>();
};

enum class Balance { round_robin, least_conn };

struct Upstream {
    std::string name;
    std::vector<Member> members;
    Balance balance = Balance::round_robin;
    core::http::ClientTimeouts timeouts;
    uint64_t fail_timeout_ms = 10'000;
    size_t keepalive = 32;
    std::string health_path = "/healthz";
    uint64_t health_interval_ms = 5'000;  // 0: no active checks
    uint64_t health_timeout_ms = 2'000;
    int health_rise = 2;
    int health_fall = 3;

    bool active_checks() const { return health_interval_ms > 0; }
    bool available(size_t member, int64_t now_ms) const;
    // A request to `member` failed (connect error, reset, timeout).
    void report_failure(size_t member, int64_t now_ms) const;
    // The outcome of one active health check.
    void report_check(size_t member, bool passed) const;
};

// "127.0.0.1:9000", "unix:/run/app.sock weight=3". nullopt with `error`.
std::optional<Member> parse_member(const std::string& text, std::string& error);

}  // namespace httpd
