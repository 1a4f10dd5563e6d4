// One thread's connections to upstream members.
#include "httpd/connection_pool.hpp"

#include <limits>

namespace httpd {

namespace {

core::http::Limits response_limits() {
    core::http::Limits limits;
    // An upstream's response head may be larger than a client's request
    // head (cookies, CSP); its body is streamed, so not bounded here.
    limits.max_header_bytes = 64 * 1024;
    limits.max_headers = 200;
    limits.max_body_bytes = std::numeric_limits<uint64_t>::max();
    return limits;
}

}  // namespace

ConnectionPool::ConnectionPool(uv_loop_t* loop)
    : loop_(loop), response_limits_(response_limits()), all_(loop) {}

core::http::ClientConnection& ConnectionPool::acquire(const Member& member,
                                                      const core::http::ClientTimeouts& timeouts,
                                                      bool& reused, bool fresh) {
    auto it = idle_.find(member.label);
    if (it != idle_.end() && fresh) {
        for (auto* connection : it->second)
            discard(*connection);
        it->second.clear();
    } else if (it != idle_.end()) {
        auto& idle = it->second;
        while (!idle.empty()) {
            core::http::ClientConnection* connection = idle.back();
            idle.pop_back();
            // The member may have closed it while it waited.
            if (connection->reusable()) {
                reused = true;
                return *connection;
            }
            discard(*connection);
        }
    }
    reused = false;
    return all_.add(std::make_unique<core::http::ClientConnection>(loop_, member.address,
                                                                   response_limits_, timeouts));
}

void ConnectionPool::release(core::http::ClientConnection& connection,
                             const std::string& member_label, size_t keepalive) {
    if (draining_ || !connection.reusable()) {
        discard(connection);
        return;
    }
    auto& idle = idle_[member_label];
    // Drop the ones the member closed meanwhile before counting.
    std::erase_if(idle, [this](core::http::ClientConnection* c) {
        if (c->reusable()) return false;
        discard(*c);
        return true;
    });
    if (idle.size() >= keepalive) {
        discard(connection);
        return;
    }
    idle.push_back(&connection);
}

void ConnectionPool::discard(core::http::ClientConnection& connection) {
    connection.close();
    all_.release(&connection);
}

void ConnectionPool::close_idle() {
    draining_ = true;
    for (auto& [label, idle] : idle_) {
        for (auto* connection : idle)
            discard(*connection);
    }
    idle_.clear();
}

}  // namespace httpd
