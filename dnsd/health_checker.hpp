// The HTTP checks behind health-driven answers: every address a checked
// name has in the served zone is asked `GET path` at the interval; `fall`
// failures in a row take it out of the answers, `rise` passes bring it
// back. Runs on one loop thread; each change of verdict is published as a
// new HealthView.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/http/health_probes.hpp"
#include "core/uv/timer.hpp"
#include "dnsd/health.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

class HealthChecker {
  public:
    using Zones = std::function<std::shared_ptr<const ZoneSet>()>;
    using Publish = std::function<void(std::shared_ptr<const HealthView>)>;

    HealthChecker(uv_loop_t* loop, std::vector<HealthCheck> checks, Zones zones, Publish publish);
    HealthChecker(const HealthChecker&) = delete;
    HealthChecker& operator=(const HealthChecker&) = delete;
    ~HealthChecker();

    void stop();

  private:
    struct Address {
        int passes = 0;
        int failures = 0;
        bool up = true;  // until checks say otherwise, as the zone says
        bool in_flight = false;
    };
    struct Checked {
        HealthCheck check;
        core::uv::Timer timer;
        std::map<std::string, Address> addresses;  // by rdata (wire)
        bool all_down = false;
    };

    void round(Checked& checked);
    void probe(Checked& checked, const std::string& rdata);
    void conclude(Checked& checked, const std::string& rdata, bool passed);
    void publish();

    uv_loop_t* loop_;
    Zones zones_;
    Publish publish_;
    std::vector<std::unique_ptr<Checked>> checked_;
    core::http::HealthProbes probes_;
};

}  // namespace dnsd
