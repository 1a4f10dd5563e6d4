// Balancing over an upstream's members, and their passive and active health.
#include <map>

#include <doctest/doctest.h>

#include "httpd/balancer.hpp"

namespace {

httpd::Upstream pool(std::vector<std::string> members, httpd::Balance balance) {
    httpd::Upstream upstream;
    upstream.name = "app";
    upstream.balance = balance;
    for (const auto& text : members) {
        std::string error;
        auto member = httpd::parse_member(text, error);
        REQUIRE_MESSAGE(member, error);
        upstream.members.push_back(std::move(*member));
    }
    return upstream;
}

}  // namespace

TEST_CASE("weighted round robin spreads requests by weight, smoothly") {
    const auto upstream =
        pool({"127.0.0.1:1 weight=5", "127.0.0.1:2", "127.0.0.1:3"}, httpd::Balance::round_robin);
    httpd::Balancer balancer(upstream);
    std::map<size_t, int> picks;
    std::string order;
    for (int i = 0; i < 7; ++i) {
        const auto m = balancer.pick(0);
        REQUIRE(m);
        ++picks[*m];
        order += std::to_string(*m);
    }
    CHECK(picks[0] == 5);
    CHECK(picks[1] == 1);
    CHECK(picks[2] == 1);
    // nginx's smooth sequence: never five in a row.
    CHECK(order == "0010200");
}

TEST_CASE("least_conn picks the member with the fewest requests in flight per weight") {
    const auto upstream = pool({"127.0.0.1:1", "127.0.0.1:2 weight=2"}, httpd::Balance::least_conn);
    httpd::Balancer balancer(upstream);
    balancer.started(1);
    CHECK(balancer.pick(0) == 0u);  // 0/1 < 1/2
    balancer.started(0);
    CHECK(balancer.pick(0) == 1u);  // 1/2 < 1/1
    balancer.started(1);
    balancer.finished(0);
    CHECK(balancer.pick(0) == 0u);
}

TEST_CASE("a failed member is left out for fail_timeout, and excluded members are skipped") {
    auto upstream = pool({"127.0.0.1:1", "127.0.0.1:2"}, httpd::Balance::round_robin);
    upstream.health_interval_ms = 0;  // passive only
    upstream.fail_timeout_ms = 1000;
    httpd::Balancer balancer(upstream);
    upstream.report_failure(0, 5000);
    for (int i = 0; i < 4; ++i)
        CHECK(balancer.pick(5500) == 1u);
    CHECK(balancer.pick(6000).has_value());
    // Excluding the only one left up: the one out, rather than nothing.
    CHECK(balancer.pick(5500, size_t{1}) == 0u);
    // Every member out: the one whose time out ends first.
    upstream.report_failure(1, 5200);
    CHECK(balancer.pick(5500) == 0u);
    CHECK(balancer.pick(5500, size_t{0}) == 1u);
    upstream.report_failure(0, 5400);
    CHECK(balancer.pick(5500) == 1u);
}

TEST_CASE("a pool of one never takes its member out") {
    auto upstream = pool({"127.0.0.1:1"}, httpd::Balance::round_robin);
    upstream.health_interval_ms = 0;
    httpd::Balancer balancer(upstream);
    upstream.report_failure(0, 5000);
    CHECK(upstream.available(0, 5001));
    CHECK(balancer.pick(5001) == 0u);
    CHECK(balancer.pick(5001, size_t{0}) == std::nullopt);  // after its own failure: none else
}

TEST_CASE("with active checks a failed member returns only after `rise` passing checks") {
    auto upstream = pool({"127.0.0.1:1", "127.0.0.1:2"}, httpd::Balance::round_robin);
    upstream.health_interval_ms = 1000;
    upstream.fail_timeout_ms = 10;
    upstream.health_rise = 2;
    upstream.health_fall = 3;
    upstream.report_failure(0, 0);
    CHECK_FALSE(upstream.available(0, 1'000'000));  // fail_timeout alone does not bring it back
    upstream.report_check(0, true);
    CHECK_FALSE(upstream.available(0, 1'000'000));
    upstream.report_check(0, true);
    CHECK(upstream.available(0, 1'000'000));
    upstream.report_check(0, false);
    upstream.report_check(0, false);
    CHECK(upstream.available(0, 1'000'000));
    upstream.report_check(0, false);
    CHECK_FALSE(upstream.available(0, 1'000'000));
}

TEST_CASE("members are parsed with their weight") {
    std::string error;
    auto member = httpd::parse_member("unix:/run/app.sock weight=3", error);
    REQUIRE(member);
    CHECK(member->weight == 3);
    CHECK(member->address.kind == core::net::Address::Kind::unix_socket);
    CHECK_FALSE(httpd::parse_member("127.0.0.1:1 weight=0", error));
    CHECK_FALSE(httpd::parse_member("127.0.0.1:1 heavy", error));
    CHECK(error.find("unknown member option") != std::string::npos);
    CHECK_FALSE(httpd::parse_member("nowhere", error));
}
