// The answer path: from a query packet and a zone snapshot to a response,
// as a pure function with a named outcome. Listeners only frame bytes.
#pragma once

#include <string>
#include <string_view>

#include "dnsd/zone.hpp"

namespace dnsd {

enum class Outcome {
    hit,       // the data asked for
    nodata,    // the name exists, not with that type
    nxdomain,  // the name does not exist
    referral,  // at or below a delegation: NS and glue
    cname,     // a CNAME (or DNAME) chain that leaves the zone
    refused,   // not ours (no zone, another class, a transfer)
    notimp,    // an opcode other than QUERY
    formerr,   // a malformed query with a readable header
    badvers,   // EDNS version above 0
    chaos,     // CH TXT version.bind / id.server
    notify,    // a NOTIFY acknowledged: its zone is to be read again
    dropped,   // not answered at all: a response, or no header
};

enum class Transport { udp, tcp };

struct AnswerOptions {
    // CH TXT version.bind / version.server and id.server / hostname.bind;
    // an empty string refuses that query.
    std::string version;
    std::string identity;
};

// Answers `packet` into `out` (replacing its contents). `out` is untouched
// and must not be sent when the outcome is Outcome::dropped. A NOTIFY
// (RFC 1996) is acknowledged only when `notified` is given (dnsd serves
// zones from the database and the sender may notify): the zone's name
// (wire) is put there, whether served yet or not (a zone just created).
// Any other NOTIFY is REFUSED.
Outcome answer(const ZoneSet& zones, std::string_view packet, Transport transport,
               const AnswerOptions& options, std::string& out, std::string* notified = nullptr);

// A NOTIFY's opcode, read from the header alone: whether the sender's
// address needs checking before answer().
bool is_notify(std::string_view packet);

}  // namespace dnsd
