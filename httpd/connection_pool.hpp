// One thread's connections to upstream members: kept open between
// requests (keep-alive) and handed out again, so that a proxied request
// does not pay for a new TCP connection.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/http/client_connection.hpp"
#include "core/net/connection_set.hpp"
#include "httpd/upstream.hpp"

namespace httpd {

class ConnectionPool {
  public:
    explicit ConnectionPool(uv_loop_t* loop);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // An idle connection to `member` when one is open, else a new one;
    // `reused` says which. `fresh`: a new one in any case, and the idle
    // ones closed (the member closed one: it may have closed them all).
    core::http::ClientConnection& acquire(const Member& member,
                                          const core::http::ClientTimeouts& timeouts, bool& reused,
                                          bool fresh = false);
    // The exchange on `connection` is over: it waits for the next request
    // (at most `keepalive` idle per member), or closes.
    void release(core::http::ClientConnection& connection, const std::string& member_label,
                 size_t keepalive);
    // Closes it and forgets it (destroyed on the next loop turn).
    void discard(core::http::ClientConnection& connection);
    // On drain: the idle connections are of no further use, and those in
    // use close when their exchange is over.
    void close_idle();
    size_t open_count() const { return all_.size(); }

  private:
    uv_loop_t* loop_;
    core::http::Limits response_limits_;
    core::net::ConnectionSet<core::http::ClientConnection> all_;
    std::unordered_map<std::string, std::vector<core::http::ClientConnection*>> idle_;
    bool draining_ = false;
};

}  // namespace httpd
