// One place decides what a message is: each message is parsed once and
// classified once, for UDP and TCP alike, then handed to the handler of
// its kind (a query, a zone transfer, a NOTIFY, an UPDATE). Listeners only
// frame bytes and send what comes back.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

#include "core/net/cidr.hpp"
#include "dnsd/answer.hpp"
#include "dnsd/metrics.hpp"
#include "dnsd/query.hpp"
#include "dnsd/tsig_keys.hpp"
#include "dnsd/update.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

enum class MessageKind {
    malformed,  // answered FORMERR (or NOTIMP for an unknown opcode) from its header
    query,      // QUERY for anything but a whole zone
    transfer,   // QUERY for AXFR or IXFR
    notify,     // NOTIFY (RFC 1996)
    update,     // UPDATE (RFC 2136)
};

// The kind of a message whose parse did not drop it.
MessageKind classify(ParseResult parsed, const Query& query);

// What the handlers need besides the zones; the listener owns it and a
// reload replaces it between messages.
struct MessageSettings {
    AnswerOptions answer;
    std::vector<core::net::Cidr> transfer_allow;
    // A NOTIFY (over UDP or TCP) that is accepted is acknowledged and handed to
    // on_notify (the zone's wire name), on the loop thread: it must not
    // wait. Without on_notify every NOTIFY is REFUSED. For a secondary
    // zone, its primaries and senders in notify_allow may notify (a
    // primary may send from an address other than the one it answers on),
    // signed with the zone's key when it has one; for any other name, with
    // database_zones, senders in notify_allow (a zone just made in the
    // database is not served yet).
    std::vector<core::net::Cidr> notify_allow;
    bool database_zones = false;
    std::function<void(std::string apex)> on_notify;
    // The keys a signed message is checked against, and those a transfer
    // needs (none: the address alone decides).
    TsigSettings tsig;
    // UPDATE (RFC 2136) of a database zone, signed with one of the keys
    // tsig.may_update gives for it: the request, the key's name (the audit's author)
    // and what to call with the rcode once it is applied, or refused, on
    // another thread. Without it every UPDATE is REFUSED.
    std::function<void(UpdateRequest, std::string actor, std::function<void(uint8_t rcode)> done)>
        on_update;
};

// Sends a reply made later, from the listener's loop, whatever thread
// calls it; dropped when the client is gone.
using ReplySink = std::function<void(std::string)>;
// Makes the sink for the message being handled.
using DeferReply = std::function<ReplySink()>;

// Where a message came from.
struct Peer {
    Transport transport = Transport::udp;
    const sockaddr* address = nullptr;  // checked against the allow lists
    // How to answer later (an UPDATE, applied on another thread); none:
    // every UPDATE is REFUSED.
    const DeferReply* defer = nullptr;
};

// Handles one message. Its single reply is written into `out` (replacing
// its contents) unless the outcome is Outcome::dropped (nothing is sent),
// Outcome::deferred (the reply goes to the peer's sink later) or
// Outcome::transfer (the zone went to `emit`, one message at a time, and
// `out` is left empty). `emit` may be null where no transfer is possible
// (UDP). Counts the reply in `metrics`.
Outcome handle_message(const ZoneSet& zones, std::string_view packet, Peer peer,
                       const MessageSettings& settings, ThreadMetrics& metrics, std::string& out,
                       const std::function<void(std::string)>* emit);

}  // namespace dnsd
