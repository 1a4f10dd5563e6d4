// Active HTTP health checks as httpd (upstream members) and dnsd (the
// addresses of a name) make them: one GET with a timeout, passed when the
// answer is 2xx or 3xx. Owns the connections of the checks in flight.
#pragma once

#include <functional>
#include <string>

#include "core/http/client_connection.hpp"
#include "core/net/address.hpp"
#include "core/net/connection_set.hpp"

namespace core::http {

class HealthProbes {
  public:
    explicit HealthProbes(uv_loop_t* loop) : loop_(loop), checks_(loop) {}
    HealthProbes(const HealthProbes&) = delete;
    HealthProbes& operator=(const HealthProbes&) = delete;
    ~HealthProbes() { close_all(); }

    struct Check {
        net::Address address;
        std::string host;  // the Host field
        std::string path;
        uint64_t timeout_ms = 1000;  // to connect, and for the answer
        std::string user_agent;
    };
    // `done` runs once, on the loop, unless close_all() comes first.
    void probe(const Check& check, std::function<void(bool passed)> done);
    // Abandons every check in flight; their `done` never runs.
    void close_all();

  private:
    uv_loop_t* loop_;
    Limits limits_;
    net::ConnectionSet<ClientConnection> checks_;
};

}  // namespace core::http
