// NOTIFY out (RFC 1996): after a zone's serial rises (dnsd's reload,
// appsrv's commit), tell the servers that copy it, retrying until each acknowledges or the retries
// run out.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/tsig.hpp"
#include "core/metrics/counter.hpp"
#include "core/net/address.hpp"
#include "core/uv/timer.hpp"
#include "core/uv/udp.hpp"

namespace core::dns {

// What a Notifier counts, for /metrics; kept by the daemon so that a
// scrape never reads a Notifier being destroyed. Written only on the
// Notifier's loop.
struct NotifyCounters {
    core::metrics::Counter sent;           // first transmissions
    core::metrics::Counter retransmitted;  // sent again, unacknowledged
    core::metrics::Counter acknowledged;
};

class Notifier {
  public:
    // Retransmissions start 1 s apart and double up to this interval; they
    // go on until the secondary acknowledges, a newer serial supersedes
    // them, or the daemon stops. After kQuietAttempts a warning says so, once.
    static constexpr uint64_t kMaxIntervalMs = 60'000;
    static constexpr int kQuietAttempts = 5;

    // `component` names the daemon in log lines; `counters` outlives this.
    Notifier(uv_loop_t* loop, std::string component, NotifyCounters& counters);
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Sends NOTIFY for `apex` (wire) with `serial` to each target; an
    // earlier NOTIFY of the same zone to the same target is superseded.
    // With `key`, each transmission is signed afresh (TSIG, RFC 8945) and
    // only an acknowledgement signed with it counts.
    void notify(const std::string& apex, uint32_t serial,
                const std::vector<core::net::Address>& targets,
                const std::optional<tsig::Key>& key = std::nullopt);
    // A reload changed the targets: NOTIFYs still retried to a server no
    // longer among `targets` stop.
    void keep_only(const std::vector<core::net::Address>& targets);
    void close();
    size_t pending() const { return pending_.size(); }

  private:
    struct Pending {
        std::string apex;
        core::net::Address target;
        uint16_t id = 0;
        int attempts = 0;
        std::string packet;  // unsigned
        std::optional<tsig::Key> key;
        std::string request_mac;  // of the last transmission, when signed
        core::uv::Timer timer;
    };

    void send(Pending& pending);
    void on_reply(std::string_view packet, const sockaddr* from);
    core::uv::Udp& socket_for(int family);

    uv_loop_t* loop_;
    std::string component_;
    NotifyCounters& counters_;
    core::uv::Udp v4_;
    core::uv::Udp v6_;
    std::list<Pending> pending_;
    uint16_t next_id_;
};

}  // namespace core::dns
