// Active health checks: every member of every pool that asks for them is
// sent `GET health_path` at its interval; `rise` passes in a row bring a
// member back, `fall` failures take it out. Runs on one thread; the
// verdicts are shared with all through MemberHealth.
#pragma once

#include <memory>
#include <vector>

#include "core/http/health_probes.hpp"
#include "core/uv/timer.hpp"
#include "httpd/site.hpp"

namespace httpd {

class HealthChecker {
  public:
    explicit HealthChecker(uv_loop_t* loop);
    HealthChecker(const HealthChecker&) = delete;
    HealthChecker& operator=(const HealthChecker&) = delete;
    ~HealthChecker();

    // Checks the pools of `site` from now on (replacing the previous ones).
    void watch(const std::shared_ptr<const Site>& site);
    void stop();

  private:
    struct Probe;
    void check(const std::shared_ptr<Probe>& probe);

    uv_loop_t* loop_;
    std::vector<std::shared_ptr<Probe>> probes_;
    core::http::HealthProbes checks_;
};

}  // namespace httpd
