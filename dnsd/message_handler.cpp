// One place decides what a message is.
#include "dnsd/message_handler.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/tsig.hpp"
#include "core/dns/wire.hpp"
#include "dnsd/message_writer.hpp"
#include "dnsd/transfer.hpp"

namespace dnsd {

using namespace core::dns;

namespace {

// Whether `address` is one of `primaries` (any port: a server's NOTIFYs
// leave from a port of its own).
bool from_primary(const std::vector<core::net::Address>& primaries, const sockaddr* address) {
    return std::any_of(primaries.begin(), primaries.end(), [&](const core::net::Address& primary) {
        return core::net::same_ip(primary.sockaddr_ptr(), address);
    });
}

// A NOTIFY: acknowledged when its sender may notify the zone it names by
// its SOA (RFC 1996 §3.7), else REFUSED.
Outcome handle_notify(const ZoneSet& zones, const Query& query, Peer peer,
                      const MessageSettings& settings, const core::dns::tsig::Key* key,
                      MessageWriter& writer, ThreadMetrics& metrics) {
    // Over UDP or TCP (RFC 1996 §3.4 allows both; Knot sends over TCP).
    bool accepted = settings.on_notify && query.qclass == rrclass::IN && query.qtype == type::SOA;
    if (accepted) {
        const Zone* zone = zones.find_zone(query.qname());
        if (zone && zone->apex() == query.qname() && zone->origin().is_secondary()) {
            const ZoneOrigin& origin = zone->origin();
            accepted = (from_primary(origin.primaries, peer.address) ||
                        core::net::allowed(settings.notify_allow, peer.address)) &&
                       (origin.key.empty() || (key && key->name == origin.key));
        } else {
            // Handed over whether the zone is served yet or not: a zone
            // just created in the database is read on this NOTIFY.
            accepted =
                settings.database_zones && core::net::allowed(settings.notify_allow, peer.address);
        }
    }
    metrics.count_notify_received(accepted);
    if (!accepted) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    writer.set_aa(true);
    settings.on_notify(std::string(query.qname()));
    return Outcome::notify;
}

// AXFR, and IXFR answered with the whole zone (RFC 1995 §4 allows it), to
// an allowed client over TCP; over UDP an IXFR gets the current SOA alone,
// which says "ask over TCP" (RFC 1995 §2).
// With transfer_keys set, a transfer must be signed by one of them too.
// The zone's own transfer_keys, else [dnsd]'s.
bool key_may_transfer(const Zone& zone, const MessageSettings& settings,
                      const core::dns::tsig::Key* key) {
    const auto& allowed = zone.access().transfer_keys.empty() ? settings.tsig.transfer_keys
                                                              : zone.access().transfer_keys;
    if (allowed.empty()) return true;
    return key && std::find(allowed.begin(), allowed.end(), key->name) != allowed.end();
}

Outcome handle_transfer(const ZoneSet& zones, const Query& query, Peer peer,
                        const MessageSettings& settings, MessageWriter& writer,
                        const std::function<void(std::string)>* emit, ThreadMetrics& metrics,
                        core::dns::tsig::Signer* signer, const core::dns::tsig::Key* key,
                        uint64_t now) {
    const Zone* zone = zones.find_zone(query.qname());
    const bool at_apex = zone && zone->apex() == query.qname() && query.qclass == rrclass::IN;
    if (at_apex && !zone->available()) {
        writer.set_rcode(rcode::servfail);
        return Outcome::servfail;
    }
    if (at_apex && peer.transport == Transport::udp && query.qtype == type::IXFR) {
        writer.set_aa(true);
        writer.add(Section::answer, zone->apex(), zone->soa());
        return Outcome::hit;
    }
    if (!at_apex || peer.transport != Transport::tcp || !emit ||
        !core::net::allowed(settings.transfer_allow, peer.address) ||
        !key_may_transfer(*zone, settings, key)) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    if (query.qtype == type::IXFR && !query.has_client_serial) {
        // RFC 1995 §3: the client's SOA is what an IXFR is asked from.
        writer.set_rcode(rcode::formerr);
        return Outcome::formerr;
    }
    metrics.count_transfer(query.qtype);
    // Signed, every message is, each MAC covering the one before (RFC 8945
    // §5.3.1).
    const std::function<void(std::string)> signed_emit = [&](std::string message) {
        signer->sign(message, now);
        (*emit)(std::move(message));
    };
    const auto& out = signer ? signed_emit : *emit;
    const size_t reserve = signer ? signer->record_size() : 0;
    if (query.qtype == type::IXFR) {
        write_ixfr(*zone, query, reserve, out);
    } else {
        write_transfer(*zone, query, reserve, out);
    }
    return Outcome::transfer;
}

// The reply to an UPDATE: its header and zone section, QR and `rcode` set.
std::string update_reply(const Query& query, uint8_t rcode) {
    std::string reply;
    core::dns::wire::append16(reply, query.id);
    reply += static_cast<char>(0x80 | (opcode::update << 3));
    reply += static_cast<char>(rcode);
    core::dns::wire::append16(reply, 1);
    core::dns::wire::append16(reply, 0);
    core::dns::wire::append16(reply, 0);
    core::dns::wire::append16(reply, 0);
    reply += query.question;
    return reply;
}

// An UPDATE (RFC 2136): for a database zone, signed with an update key,
// read and checked here, then handed over to be applied off this thread;
// its reply, signed with the same key, goes out once it is.
Outcome handle_update(const ZoneSet& zones, const Query& query, std::string_view packet, Peer peer,
                      const MessageSettings& settings, const core::dns::tsig::Key* key,
                      const std::string& request_mac, MessageWriter& writer) {
    const Zone* zone = zones.find_zone(query.qname());
    if (!zone || zone->apex() != query.qname() || query.qclass != rrclass::IN) {
        writer.set_rcode(rcode::notauth);  // RFC 2136 §3.1.2: not a zone of this server
        return Outcome::refused;
    }
    const auto& allowed = settings.tsig.may_update(zone->apex());
    if (!zone->origin().is_database() || !settings.on_update || !peer.defer || !key ||
        std::find(allowed.begin(), allowed.end(), key->name) == allowed.end()) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    UpdateRequest request;
    try {
        request = read_update(packet);
    } catch (const UpdateRefused& e) {
        writer.set_rcode(e.rcode());
        return e.rcode() == rcode::formerr ? Outcome::formerr : Outcome::refused;
    }
    settings.on_update(std::move(request), core::dns::name_to_text(key->name),
                       [sink = (*peer.defer)(), head = update_reply(query, 0), signing_key = *key,
                        request_mac](uint8_t rcode) {
                           std::string reply = head;
                           reply[3] = static_cast<char>(rcode);
                           core::dns::tsig::Signer(signing_key, request_mac)
                               .sign(reply, static_cast<uint64_t>(::time(nullptr)));
                           sink(std::move(reply));
                       });
    return Outcome::deferred;
}

}  // namespace

MessageKind classify(ParseResult parsed, const Query& query) {
    if (parsed != ParseResult::ok) return MessageKind::malformed;
    if (query.opcode == opcode::notify) return MessageKind::notify;
    if (query.opcode == opcode::update) return MessageKind::update;
    if (query.qtype == type::AXFR || query.qtype == type::IXFR) return MessageKind::transfer;
    return MessageKind::query;
}

Outcome handle_message(const ZoneSet& zones, std::string_view packet, Peer peer,
                       const MessageSettings& settings, ThreadMetrics& metrics, std::string& out,
                       const std::function<void(std::string)>* emit) {
    Query query;
    const ParseResult parsed = parse_query(packet, query);
    if (parsed == ParseResult::drop) {
        metrics.count_dropped(peer.transport);
        return Outcome::dropped;
    }
    size_t limit = peer.transport == Transport::tcp
                       ? 65535
                       : (query.edns ? std::min<size_t>(query.udp_size, kAdvertisedUdpSize) : 512);
    // A signed message is checked before anything else is done with it;
    // its answer is signed with the same key (RFC 8945 §5.2, §5.3).
    namespace tsig = core::dns::tsig;
    tsig::Record record;
    // Found only where parsing saw one: an unsigned query pays nothing.
    const bool signed_message = parsed == ParseResult::ok && query.has_tsig;
    const tsig::Found signed_by = signed_message ? tsig::find(packet, record) : tsig::Found::none;
    // The clock is read for signed messages only, which alone use it.
    const uint64_t now =
        signed_message
            ? static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count())
            : 0;
    tsig::Check check;
    std::optional<tsig::Signer> signer;
    if (signed_by == tsig::Found::one) {
        check = tsig::check_request(packet, record, settings.tsig.keys, now);
        if (check.rcode == 0 || check.error == tsig::kBadTime) {
            signer.emplace(*check.key, record.mac);
            limit -= std::min(limit - 12, signer->record_size(6));
        }
    }
    MessageWriter writer(out, query, limit);
    // What /metrics counts the answer under: the type parsed here, not
    // read again from the answer.
    const uint16_t asked_type = query.question.empty() ? 0 : query.qtype;
    Outcome outcome = Outcome::refused;
    const MessageKind kind = classify(parsed, query);
    if (signed_by == tsig::Found::malformed || check.rcode == rcode::formerr) {
        writer.set_rcode(rcode::formerr);
        outcome = Outcome::formerr;
    } else if (check.rcode == rcode::notauth) {
        // BADKEY, BADSIG, BADTRUNC: the answer carries the error, unsigned;
        // BADTIME: signed, with this server's time (RFC 8945 §5.2.3).
        writer.set_rcode(rcode::notauth);
        writer.finish();
        if (check.error == tsig::kBadTime) {
            std::string server_time;
            core::dns::wire::append16(server_time, static_cast<uint16_t>(now >> 32));
            core::dns::wire::append32(server_time, static_cast<uint32_t>(now & 0xffffffff));
            signer->sign(out, now, tsig::kBadTime, server_time);
        } else {
            tsig::append_unsigned(out, record, now, check.error);
        }
        metrics.count_answer(peer.transport, asked_type, out, Outcome::refused);
        return Outcome::refused;
    } else if (kind == MessageKind::malformed) {
        const bool notimp = parsed == ParseResult::notimp;
        writer.set_rcode(notimp ? rcode::notimp : rcode::formerr);
        outcome = notimp ? Outcome::notimp : Outcome::formerr;
    } else if (query.edns && query.edns_version > 0) {
        // RFC 6891 §6.1.3: whatever the message, an EDNS version above 0.
        writer.set_rcode(rcode::badvers);
        outcome = Outcome::badvers;
    } else {
        switch (kind) {
            case MessageKind::query:
                outcome = answer_query(zones, query, settings.answer, writer);
                break;
            case MessageKind::transfer:
                outcome = handle_transfer(zones, query, peer, settings, writer, emit, metrics,
                                          signer ? &*signer : nullptr, check.key, now);
                break;
            case MessageKind::notify:
                outcome = handle_notify(zones, query, peer, settings, check.key, writer, metrics);
                break;
            case MessageKind::update:
                outcome = handle_update(zones, query, packet, peer, settings, check.key, record.mac,
                                        writer);
                break;
            case MessageKind::malformed:
                break;
        }
    }
    if (outcome == Outcome::transfer || outcome == Outcome::deferred) {
        out.clear();
        return outcome;
    }
    writer.finish();
    if (signer) signer->sign(out, now);
    metrics.count_answer(peer.transport, asked_type, out, outcome);
    return outcome;
}

}  // namespace dnsd
