// dnsd's sockets on one loop thread: a UDP socket and a TCP listener per
// address, each bound with SO_REUSEPORT beside the other threads' own.
#include "dnsd/listener.hpp"

#include <sys/socket.h>

#include "core/log.hpp"
#include "core/net/socket.hpp"

namespace dnsd {

Listener::Listener(uv_loop_t* loop, ListenerSettings settings, std::shared_ptr<const ZoneSet> zones)
    : loop_(loop), settings_(std::move(settings)), zones_(std::move(zones)), connections_(loop) {
    response_.reserve(65535);
}

void Listener::listen(const core::net::Address& address) {
    auto udp = std::make_unique<core::uv::Udp>(loop_);
    udp->open(core::net::bind_reuseport(address, core::net::Transport::udp).release());
    core::uv::Udp* socket = udp.get();
    udp->recv_start([this, socket](std::string_view packet, const sockaddr* from) {
        on_datagram(*socket, packet, from);
    });
    udp_.push_back(std::move(udp));

    auto tcp = std::make_unique<core::uv::Stream>(loop_, core::uv::Stream::Kind::tcp);
    tcp->open(core::net::bind_reuseport(address, core::net::Transport::tcp).release());
    core::uv::Stream* listener = tcp.get();
    tcp->listen(SOMAXCONN, [this, listener](int status) {
        if (status == 0) on_tcp_connection(*listener);
    });
    tcp_.push_back(std::move(tcp));
}

void Listener::on_datagram(core::uv::Udp& socket, std::string_view packet, const sockaddr* from) {
    const Outcome outcome = answer(*zones_, packet, Transport::udp, settings_.answer, response_);
    ++counters_[static_cast<size_t>(outcome)];
    if (outcome == Outcome::dropped) return;
    // The fast path sends at once; a full socket buffer takes the slow one.
    if (socket.try_send(response_, from) == UV_EAGAIN) socket.send(response_, from);
}

void Listener::on_tcp_connection(core::uv::Stream& listener) {
    core::uv::Stream client(loop_, core::uv::Stream::Kind::tcp);
    if (listener.accept(client) != 0) return;
    if (connections_.size() >= settings_.tcp_max_connections) {
        core::log::warn("dnsd") << "TCP connection limit " << settings_.tcp_max_connections
                                << " reached; closing a new connection";
        return;
    }
    auto& connection = connections_.add(std::make_unique<TcpConnection>(
        std::move(client), zones_, settings_.answer, settings_.transfer_allow,
        settings_.tcp_idle_timeout_ms, [this](TcpConnection* c) { connections_.release(c); }));
    connection.start();
}

void Listener::drain(std::function<void()> done) {
    udp_.clear();
    tcp_.clear();
    connections_.for_each([](TcpConnection& c) { c.drain(); });
    connections_.when_empty(std::move(done));
}

void Listener::close_all() {
    udp_.clear();
    tcp_.clear();
    connections_.for_each([](TcpConnection& c) { c.close(); });
}

}  // namespace dnsd
