// One place decides what a message is.
#include "dnsd/message_handler.hpp"

#include "core/dns/record.hpp"
#include "dnsd/message_writer.hpp"
#include "dnsd/transfer.hpp"

namespace dnsd {

using namespace core::dns;

namespace {

// A NOTIFY: acknowledged when its sender may notify and it names a zone by
// its SOA (RFC 1996 §3.7), else REFUSED.
Outcome handle_notify(const Query& query, Peer peer, const MessageSettings& settings,
                      MessageWriter& writer, ThreadMetrics& metrics) {
    const bool accepted = settings.on_notify && peer.transport == Transport::udp &&
                          core::net::allowed(settings.notify_allow, peer.address) &&
                          query.qclass == rrclass::IN && query.qtype == type::SOA;
    metrics.count_notify_received(accepted);
    if (!accepted) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    writer.set_aa(true);
    // Handed over whether the zone is served yet or not: a zone just
    // created in the database is read on this NOTIFY.
    settings.on_notify(std::string(query.qname()));
    return Outcome::notify;
}

// AXFR, and IXFR answered with the whole zone (RFC 1995 §4 allows it), to
// an allowed client over TCP; over UDP an IXFR gets the current SOA alone,
// which says "ask over TCP" (RFC 1995 §2).
Outcome handle_transfer(const ZoneSet& zones, const Query& query, Peer peer,
                        const MessageSettings& settings, MessageWriter& writer,
                        const std::function<void(std::string)>* emit, ThreadMetrics& metrics) {
    const Zone* zone = zones.find_zone(query.qname());
    const bool at_apex = zone && zone->apex() == query.qname() && query.qclass == rrclass::IN;
    if (at_apex && peer.transport == Transport::udp && query.qtype == type::IXFR) {
        writer.set_aa(true);
        writer.add(Section::answer, zone->apex(), zone->soa());
        return Outcome::hit;
    }
    if (!at_apex || peer.transport != Transport::tcp || !emit ||
        !core::net::allowed(settings.transfer_allow, peer.address)) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    metrics.count_transfer(query.qtype);
    write_transfer(*zone, query, *emit);
    return Outcome::transfer;
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
    const size_t limit =
        peer.transport == Transport::tcp
            ? 65535
            : (query.edns ? std::min<size_t>(query.udp_size, kAdvertisedUdpSize) : 512);
    MessageWriter writer(out, query, limit);
    Outcome outcome = Outcome::refused;
    const MessageKind kind = classify(parsed, query);
    if (kind == MessageKind::malformed) {
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
                outcome = handle_transfer(zones, query, peer, settings, writer, emit, metrics);
                break;
            case MessageKind::notify:
                outcome = handle_notify(query, peer, settings, writer, metrics);
                break;
            case MessageKind::update:
                // Dynamic update is not taken yet (RFC 2136 §3.1: NOTIMP).
                writer.set_rcode(rcode::notimp);
                outcome = Outcome::notimp;
                break;
            case MessageKind::malformed:
                break;
        }
    }
    if (outcome == Outcome::transfer) {
        out.clear();
        return outcome;
    }
    writer.finish();
    metrics.count_answer(peer.transport, out, outcome);
    return outcome;
}

}  // namespace dnsd
