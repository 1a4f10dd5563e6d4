// The HTTP checks behind health-driven answers.
#include "dnsd/health_checker.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

#include "core/dns/wire.hpp"
#include "core/log.hpp"
#include "core/net/address.hpp"

namespace dnsd {

namespace {

// The A or AAAA rdata as an address to connect to.
core::net::Address address_of(const std::string& rdata, uint16_t port) {
    core::net::Address address;
    if (rdata.size() == 4) {
        auto* in = reinterpret_cast<sockaddr_in*>(&address.ip);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        std::memcpy(&in->sin_addr, rdata.data(), 4);
    } else {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.ip);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, rdata.data(), 16);
    }
    return address;
}

std::string text_of(const std::string& rdata) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(rdata.size() == 4 ? AF_INET : AF_INET6, rdata.data(), text, sizeof text);
    return text;
}

}  // namespace

HealthChecker::HealthChecker(uv_loop_t* loop, std::vector<HealthCheck> checks, Zones zones,
                             Publish publish)
    : loop_(loop), zones_(std::move(zones)), publish_(std::move(publish)), probes_(loop) {
    for (auto& check : checks) {
        auto checked = std::make_unique<Checked>();
        checked->check = std::move(check);
        checked->timer = core::uv::Timer(loop_);
        checked->timer.unref();  // a check never keeps a draining loop alive
        Checked* raw = checked.get();
        checked->timer.start(
            0, [this, raw] { round(*raw); }, raw->check.interval_ms);
        checked_.push_back(std::move(checked));
    }
}

HealthChecker::~HealthChecker() {
    stop();
}

void HealthChecker::stop() {
    for (auto& checked : checked_)
        checked->timer.close();
    probes_.close_all();
}

void HealthChecker::round(Checked& checked) {
    // The addresses are the zone's as served now: one added through the
    // API is checked from the next round on, one removed is forgotten.
    std::map<std::string, Address> current;
    const auto zones = zones_();
    const Zone* zone = zones ? zones->find_zone(checked.check.name) : nullptr;
    const Node* node = nullptr;
    if (zone)
        node = checked.check.name == zone->apex() ? &zone->apex_node()
                                                  : zone->find(checked.check.name);
    if (node) {
        for (const uint16_t type : {core::dns::type::A, core::dns::type::AAAA}) {
            if (const RRset* rrset = node->find(type)) {
                for (const auto& rdata : rrset->rdatas) {
                    const auto known = checked.addresses.find(rdata);
                    current[rdata] = known == checked.addresses.end() ? Address{} : known->second;
                }
            }
        }
    }
    // A failed address that left the zone must leave the verdicts too: if
    // it came back it would start anew, as passing.
    bool failed_gone = false;
    for (const auto& [rdata, state] : checked.addresses)
        failed_gone = failed_gone || (!state.up && !current.count(rdata));
    checked.addresses = std::move(current);
    if (failed_gone) publish();
    for (auto& [rdata, state] : checked.addresses) {
        if (!state.in_flight) probe(checked, rdata);
    }
}

void HealthChecker::probe(Checked& checked, const std::string& rdata) {
    checked.addresses[rdata].in_flight = true;
    const HealthCheck& check = checked.check;
    Checked* owner = &checked;
    probes_.probe({.address = address_of(rdata, check.port),
                   .host = check.host,
                   .path = check.path,
                   .timeout_ms = check.timeout_ms,
                   .user_agent = "webstack-dnsd-health-check"},
                  [this, owner, rdata](bool passed) { conclude(*owner, rdata, passed); });
}

void HealthChecker::conclude(Checked& checked, const std::string& rdata, bool passed) {
    const auto it = checked.addresses.find(rdata);
    if (it == checked.addresses.end()) return;  // no longer in the zone
    Address& state = it->second;
    state.in_flight = false;
    bool changed = false;
    if (passed) {
        state.failures = 0;
        if (!state.up && ++state.passes >= checked.check.rise) {
            state.up = changed = true;
            core::log::info("dnsd") << checked.check.text << ": " << text_of(rdata)
                                    << " passes its checks again: answered";
        }
    } else {
        state.passes = 0;
        if (state.up && ++state.failures >= checked.check.fall) {
            state.up = false;
            changed = true;
            core::log::warn("dnsd") << checked.check.text << ": " << text_of(rdata) << " failed "
                                    << state.failures << " checks: no longer answered";
        }
    }
    if (!changed) return;
    bool all_down = !checked.addresses.empty();
    for (const auto& [other, other_state] : checked.addresses)
        all_down = all_down && !other_state.up;
    if (all_down != checked.all_down) {
        checked.all_down = all_down;
        if (all_down) {
            core::log::warn("dnsd") << checked.check.text
                                    << ": every address fails its checks: answering all of "
                                       "them (fail open)";
        }
    }
    publish();
}

void HealthChecker::publish() {
    HealthView::Names names;
    for (const auto& checked : checked_) {
        HealthView::Name& name = names[checked->check.name];
        name.ttl = checked->check.ttl;
        for (const auto& [rdata, state] : checked->addresses) {
            if (!state.up) name.down.insert(rdata);
        }
    }
    publish_(std::make_shared<const HealthView>(std::move(names)));
}

}  // namespace dnsd
