// dnsd's sockets on one loop thread: a UDP socket and a TCP listener per
// address, each bound with SO_REUSEPORT beside the other threads' own.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/net/address.hpp"
#include "core/net/cidr.hpp"
#include "core/net/connection_set.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/udp.hpp"
#include "dnsd/message_handler.hpp"
#include "dnsd/metrics.hpp"
#include "dnsd/reply_mailbox.hpp"
#include "dnsd/tcp_connection.hpp"

namespace dnsd {

struct ListenerSettings {
    uint64_t tcp_idle_timeout_ms = 10'000;
    size_t tcp_max_connections = 1000;
    MessageSettings messages;
};

class Listener {
  public:
    // `metrics` is this thread's, and outlives the listener.
    Listener(uv_loop_t* loop, ListenerSettings settings, std::shared_ptr<const ZoneSet> zones,
             ThreadMetrics& metrics);
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    ~Listener();

    void listen(const core::net::Address& address);
    // A new snapshot: every query read from now on is answered from it.
    // After a reload (`read_whole`), the thread that lets go of the last
    // reference to the old one hands its memory back (a reload of a large
    // zone would otherwise leave the process at twice its size); a
    // snapshot made from a few changes shares nearly all of the old one,
    // and the heap is not walked for it.
    void set_zones(std::shared_ptr<const ZoneSet> zones, bool read_whole = false);
    const std::shared_ptr<const ZoneSet>& zones() const { return zones_; }
    void set_answer_options(AnswerOptions options) {
        options.health = std::move(settings_.messages.answer.health);  // the checks' own
        settings_.messages.answer = std::move(options);
    }
    void set_health(std::shared_ptr<const HealthView> health) {
        settings_.messages.answer.health = std::move(health);
    }

    // Stop reading UDP and accepting TCP; TCP answers already queued are
    // written; `done` runs when no connection is left.
    void drain(std::function<void()> done);
    void close_all();

  private:
    void on_datagram(core::uv::Udp& socket, std::string_view packet, const sockaddr* from);
    // Sends the replies gathered during one receive batch with one
    // sendmmsg: a system call per batch instead of one per answer.
    void flush(core::uv::Udp& socket);
    void on_tcp_connection(core::uv::Stream& listener);
    // A reply made later (an UPDATE), from this loop, if the socket it
    // came in on is still open.
    void send_later(core::uv::Udp* socket, const sockaddr_storage& to, const std::string& reply);

    uv_loop_t* loop_;
    ListenerSettings settings_;
    std::shared_ptr<const ZoneSet> zones_;
    ThreadMetrics& metrics_;
    std::vector<std::unique_ptr<core::uv::Udp>> udp_;
    std::vector<std::unique_ptr<core::uv::Stream>> tcp_;
    core::net::ConnectionSet<TcpConnection> connections_;
    static constexpr size_t kBatch = 16;
    struct Reply {
        std::string message;  // capacity kept from batch to batch
        sockaddr_storage to;
    };
    std::array<Reply, kBatch> replies_;
    size_t reply_count_ = 0;
    core::uv::Udp* reply_socket_ = nullptr;  // the socket the gathered replies belong to
    std::shared_ptr<ReplyMailbox> mailbox_;  // replies made on another thread come back here
    // The datagram being handled, for a reply made later.
    core::uv::Udp* current_socket_ = nullptr;
    const sockaddr* current_from_ = nullptr;
    DeferReply defer_udp_;
};

}  // namespace dnsd
