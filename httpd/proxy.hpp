// The reverse proxy of one thread: passes a request to a member of an
// upstream pool chosen by its balancer, streams both bodies with
// backpressure, retries once on another member when that is safe, and
// marks failing members down.
#pragma once

#include <memory>
#include <unordered_map>

#include "core/http/exchange.hpp"
#include "httpd/balancer.hpp"
#include "httpd/connection_pool.hpp"
#include "httpd/counters.hpp"
#include "httpd/request_info.hpp"
#include "httpd/upstream.hpp"

namespace httpd {

class Proxy {
  public:
    Proxy(uv_loop_t* loop, Counters& counters);
    Proxy(const Proxy&) = delete;
    Proxy& operator=(const Proxy&) = delete;

    void forward(const std::shared_ptr<core::http::Exchange>& exchange,
                 const std::shared_ptr<const Upstream>& upstream,
                 const std::shared_ptr<RequestInfo>& info);

    // After a reload: balancers of pools that are gone are dropped (the
    // requests still using them keep them alive).
    void forget_balancers();
    // On drain: idle upstream connections close.
    void close_idle() { pool_.close_idle(); }

  private:
    friend struct ProxiedRequest;
    std::shared_ptr<Balancer> balancer_for(const std::shared_ptr<const Upstream>& upstream);

    ConnectionPool pool_;
    Counters& counters_;
    struct BalancerEntry {
        std::shared_ptr<const Upstream> upstream;
        std::shared_ptr<Balancer> balancer;
    };
    std::unordered_map<const Upstream*, BalancerEntry> balancers_;
};

}  // namespace httpd
