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
    checks_.for_each([this](core::http::ClientConnection& connection) {
        connection.close();
        checks_.release(&connection);
    });
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
    const core::http::ClientTimeouts timeouts{.connect_ms = upstream.health_timeout_ms,
                                              .read_ms = upstream.health_timeout_ms};
    auto& connection = checks_.add(
        std::make_unique<core::http::ClientConnection>(loop_, member.address, limits_, timeouts));
    core::http::RequestHead head;
    head.method = "GET";
    head.target = upstream.health_path;
    head.keep_alive = false;
    head.headers.add("Host", member.label);
    head.headers.add("Connection", "close");
    head.headers.add("User-Agent", "webstack-httpd-health-check");
    auto status = std::make_shared<int>(0);
    std::weak_ptr<Probe> weak = probe;
    auto* raw = &connection;
    const auto conclude = [this, weak, raw](bool passed) {
        raw->close();
        checks_.release(raw);
        if (auto p = weak.lock()) {
            p->in_flight = false;
            p->upstream->report_check(p->member, passed);
        }
    };
    connection.send_request(
        std::move(head),
        core::http::ClientConnection::Callbacks{
            .on_response = [status](core::http::ResponseHead& h) { *status = h.status; },
            .on_body = {},
            .on_complete = [conclude, status] { conclude(*status >= 200 && *status < 400); },
            .on_error = [conclude](int, std::string_view) { conclude(false); },
        });
}

}  // namespace httpd
