// NOTIFY out (RFC 1996), retried until each target acknowledges.
#include "core/dns/notifier.hpp"

#include <algorithm>
#include <ctime>
#include <random>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/wire.hpp"
#include "core/log.hpp"

namespace core::dns {

using core::dns::wire::append16;
namespace {

// A NOTIFY message: opcode 4, AA, the zone's SOA as question (RFC 1996 §3.7).
std::string notify_packet(uint16_t id, const std::string& apex) {
    std::string packet;
    append16(packet, id);
    packet += static_cast<char>((4 << 3) | 0x04);
    packet += '\0';
    append16(packet, 1);
    append16(packet, 0);
    append16(packet, 0);
    append16(packet, 0);
    packet += apex;
    append16(packet, core::dns::type::SOA);
    append16(packet, core::dns::rrclass::IN);
    return packet;
}

}  // namespace

Notifier::Notifier(uv_loop_t* loop, std::string component, NotifyCounters& counters)
    : loop_(loop),
      component_(std::move(component)),
      counters_(counters),
      next_id_(static_cast<uint16_t>(std::random_device{}())) {}

core::uv::Udp& Notifier::socket_for(int family) {
    core::uv::Udp& socket = family == AF_INET6 ? v6_ : v4_;
    if (!socket.is_open()) {
        socket = core::uv::Udp(loop_);
        // Bound to an ephemeral port of the right family, then read for acknowledgements.
        sockaddr_storage any{};
        any.ss_family = static_cast<sa_family_t>(family);
        core::uv::check(uv_udp_bind(socket.raw(), reinterpret_cast<const sockaddr*>(&any), 0),
                        "bind for NOTIFY");
        socket.recv_start(
            [this](std::string_view packet, const sockaddr* from) { on_reply(packet, from); });
    }
    return socket;
}

void Notifier::notify(const std::string& apex, uint32_t serial,
                      const std::vector<core::net::Address>& targets,
                      const std::optional<tsig::Key>& key) {
    for (const auto& target : targets) {
        pending_.remove_if([&](const Pending& p) {
            return p.apex == apex &&
                   core::net::same_ip_and_port(target.sockaddr_ptr(), p.target.sockaddr_ptr());
        });
        Pending& pending = pending_.emplace_back();
        pending.apex = apex;
        pending.target = target;
        pending.id = next_id_++;
        pending.packet = notify_packet(pending.id, apex);
        pending.key = key;
        pending.timer = core::uv::Timer(loop_);
        core::log::info(component_) << "NOTIFY " << core::dns::name_to_text(apex) << " serial "
                                    << serial << " to " << target.to_string();
        send(pending);
    }
}

void Notifier::send(Pending& pending) {
    if (pending.key) {
        // Signed at each transmission: a retry a minute later is not BADTIME.
        std::string packet = pending.packet;
        tsig::Signer signer(*pending.key, "");
        signer.sign(packet, static_cast<uint64_t>(::time(nullptr)));
        pending.request_mac = signer.last_mac();
        socket_for(pending.target.family()).send(packet, pending.target.sockaddr_ptr());
    } else {
        socket_for(pending.target.family()).send(pending.packet, pending.target.sockaddr_ptr());
    }
    (pending.attempts == 0 ? counters_.sent : counters_.retransmitted).add();
    const uint64_t delay =
        std::min(kMaxIntervalMs, uint64_t{1000} << std::min(pending.attempts, 16));
    ++pending.attempts;
    if (pending.attempts == kQuietAttempts + 1) {
        core::log::warn(component_)
            << "NOTIFY " << core::dns::name_to_text(pending.apex) << " to "
            << pending.target.to_string() << ": no answer after " << kQuietAttempts
            << " tries; still trying every " << kMaxIntervalMs / 1000 << " s at most";
    }
    pending.timer.start(delay, [this, &pending] { send(pending); });
}

void Notifier::on_reply(std::string_view packet, const sockaddr* from) {
    if (packet.size() < 12) return;
    const uint16_t id = static_cast<uint16_t>((static_cast<unsigned char>(packet[0]) << 8) |
                                              static_cast<unsigned char>(packet[1]));
    const bool is_response = static_cast<unsigned char>(packet[2]) & 0x80;
    const int opcode = (static_cast<unsigned char>(packet[2]) >> 3) & 0x0f;
    if (!is_response || opcode != 4) return;
    const unsigned rcode = static_cast<unsigned char>(packet[3]) & 0x0f;
    pending_.remove_if([&](const Pending& p) {
        if (p.id != id || !core::net::same_ip_and_port(from, p.target.sockaddr_ptr())) return false;
        const std::string zone = core::dns::name_to_text(p.apex);
        std::string why;
        if (p.key) why = tsig::Verifier(*p.key, p.request_mac).verify(packet, ::time(nullptr));
        if (rcode != 0) {
            // The secondary will not take it (not its zone, not from us, not
            // our key): asking again changes nothing.
            core::log::warn(component_)
                << "NOTIFY " << zone << " to " << p.target.to_string() << ": answered with rcode "
                << rcode << (why.empty() ? "" : " (" + why + ")") << "; not retried";
            return true;
        }
        if (!why.empty()) {
            // An acknowledgement that is not signed with the key may not be
            // the secondary's: retried.
            core::log::warn(component_) << "NOTIFY " << zone << " to " << p.target.to_string()
                                        << ": acknowledgement not taken: " << why;
            return false;
        }
        core::log::info(component_)
            << "NOTIFY " << zone << " acknowledged by " << p.target.to_string();
        counters_.acknowledged.add();
        return true;
    });
}

void Notifier::keep_only(const std::vector<core::net::Address>& targets) {
    pending_.remove_if([&](const Pending& p) {
        return std::none_of(targets.begin(), targets.end(), [&](const core::net::Address& target) {
            return core::net::same_ip_and_port(target.sockaddr_ptr(), p.target.sockaddr_ptr());
        });
    });
}

void Notifier::close() {
    pending_.clear();
    v4_.close();
    v6_.close();
}

}  // namespace core::dns
