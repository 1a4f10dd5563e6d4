// Active health checks of the upstream members.
#include "httpd/health_checker.hpp"

namespace httpd {

struct HealthChecker::Probe {
    std::shared_ptr<const Upstream> upstream;
    size_t member = 0;
    core::uv::Timer timer;
    bool in_flight = false;
};

HealthChecker::HealthChecker(uv_loop_t* loop) : loop_(loop), checks_(loop) {}

HealthChecker::~HealthChecker() {
    stop();
}

void HealthChecker::stop() {
    probes_.clear();
    checks_.close_all();
}

void HealthChecker::watch(const std::shared_ptr<const Site>& site) {
    stop();
    for (const auto& upstream : site->upstreams) {
        if (!upstream->active_checks()) continue;
        for (size_t i = 0; i < upstream->members.size(); ++i) {
            auto probe = std::make_shared<Probe>();
            probe->upstream = upstream;
            probe->member = i;
            probe->timer = core::uv::Timer(loop_);
            probe->timer.unref();  // a check never keeps a draining loop alive
            std::weak_ptr<Probe> weak = probe;
            probe->timer.start(
                0,
                [this, weak] {
                    if (auto p = weak.lock()) check(p);
                },
                upstream->health_interval_ms);
            probes_.push_back(std::move(probe));
        }
    }
}

void HealthChecker::check(const std::shared_ptr<Probe>& probe) {
    if (probe->in_flight) return;  // the last one has not timed out yet
    probe->in_flight = true;
    const Upstream& upstream = *probe->upstream;
    const Member& member = upstream.members[probe->member];
    std::weak_ptr<Probe> weak = probe;
    checks_.probe({.address = member.address,
                   .host = member.label,
                   .path = upstream.health_path,
                   .timeout_ms = upstream.health_timeout_ms,
                   .user_agent = "webstack-httpd-health-check"},
                  [weak](bool passed) {
                      if (auto p = weak.lock()) {
                          p->in_flight = false;
                          p->upstream->report_check(p->member, passed);
                      }
                  });
}

}  // namespace httpd
