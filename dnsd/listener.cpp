// dnsd's sockets on one loop thread: a UDP socket and a TCP listener per
// address, each bound with SO_REUSEPORT beside the other threads' own.
#include "dnsd/listener.hpp"

#include <algorithm>
#include <cstring>
#include <sys/socket.h>
#include <utility>

#include "core/log.hpp"
#include "core/net/socket.hpp"
#include "core/release_memory.hpp"
#include "dnsd/message_writer.hpp"

namespace dnsd {

Listener::Listener(uv_loop_t* loop, ListenerSettings settings, std::shared_ptr<const ZoneSet> zones,
                   ThreadMetrics& metrics)
    : loop_(loop),
      settings_(std::move(settings)),
      zones_(std::move(zones)),
      metrics_(metrics),
      connections_(loop),
      mailbox_(std::make_shared<ReplyMailbox>(loop)) {
    for (auto& reply : replies_)
        reply.message.reserve(kAdvertisedUdpSize);
    defer_udp_ = [this]() -> ReplySink {
        sockaddr_storage to{};
        std::memcpy(
            &to, current_from_,
            current_from_->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
        return [mailbox = mailbox_, this, socket = current_socket_, to](std::string reply) {
            mailbox->post(
                [this, socket, to, reply = std::move(reply)] { send_later(socket, to, reply); });
        };
    };
}

Listener::~Listener() {
    mailbox_->close();
}

void Listener::set_zones(std::shared_ptr<const ZoneSet> zones, bool read_whole) {
    std::shared_ptr<const ZoneSet> old = std::exchange(zones_, std::move(zones));
    if (read_whole && old.use_count() == 1) {
        old.reset();
        core::release_freed_memory();
    }
}

void Listener::send_later(core::uv::Udp* socket, const sockaddr_storage& to,
                          const std::string& reply) {
    const bool open =
        std::any_of(udp_.begin(), udp_.end(), [&](const auto& udp) { return udp.get() == socket; });
    if (!open) return;
    ::sendto(socket->fd(), reply.data(), reply.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&to),
             to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
}

void Listener::listen(const core::net::Address& address) {
    auto udp = std::make_unique<core::uv::Udp>(loop_, core::uv::Udp::Receive::batched);
    udp->open(core::net::bind_reuseport(address, core::net::Transport::udp).release());
    core::uv::Udp* socket = udp.get();
    udp->recv_start([this, socket](std::string_view packet,
                                   const sockaddr* from) { on_datagram(*socket, packet, from); },
                    [this, socket] { flush(*socket); });
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
    if (reply_socket_ && reply_socket_ != &socket) flush(*reply_socket_);
    reply_socket_ = &socket;
    Reply& reply = replies_[reply_count_];
    current_socket_ = &socket;
    current_from_ = from;
    const Outcome outcome = handle_message(*zones_, packet, Peer{Transport::udp, from, &defer_udp_},
                                           settings_.messages, metrics_, reply.message, nullptr);
    if (outcome == Outcome::dropped || outcome == Outcome::deferred) return;
    std::memcpy(&reply.to, from,
                from->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
    if (++reply_count_ == kBatch) flush(socket);
}

void Listener::flush(core::uv::Udp& socket) {
    if (reply_count_ == 0) return;
    std::array<mmsghdr, kBatch> messages{};
    std::array<iovec, kBatch> parts{};
    for (size_t i = 0; i < reply_count_; ++i) {
        parts[i] = {replies_[i].message.data(), replies_[i].message.size()};
        messages[i].msg_hdr.msg_name = &replies_[i].to;
        messages[i].msg_hdr.msg_namelen =
            replies_[i].to.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
        messages[i].msg_hdr.msg_iov = &parts[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent =
        ::sendmmsg(socket.fd(), messages.data(), static_cast<unsigned>(reply_count_), MSG_DONTWAIT);
    if (sent < 0) sent = 0;
    // What the socket could not take now (its buffer is full) is queued.
    for (size_t i = static_cast<size_t>(sent); i < reply_count_; ++i) {
        socket.send(replies_[i].message, reinterpret_cast<const sockaddr*>(&replies_[i].to));
    }
    reply_count_ = 0;
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
        std::move(client), zones_, settings_.messages, settings_.tcp_idle_timeout_ms, metrics_,
        mailbox_, [this](TcpConnection* c) { connections_.release(c); }));
    connection.start();
}

void Listener::drain(std::function<void()> done) {
    if (reply_socket_) flush(*reply_socket_);
    reply_socket_ = nullptr;
    udp_.clear();
    tcp_.clear();
    mailbox_->close();  // an UPDATE applied from now on is not answered
    connections_.for_each([](TcpConnection& c) { c.drain(); });
    connections_.when_empty(std::move(done));
}

void Listener::close_all() {
    reply_count_ = 0;
    reply_socket_ = nullptr;
    udp_.clear();
    tcp_.clear();
    mailbox_->close();
    connections_.for_each([](TcpConnection& c) { c.close(); });
}

}  // namespace dnsd
