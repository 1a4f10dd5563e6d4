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
    dropped,   // not answered at all: a response, or no header
};

const char* outcome_name(Outcome outcome);

enum class Transport { udp, tcp };

struct AnswerOptions {
    // CH TXT version.bind / version.server and id.server / hostname.bind;
    // an empty string refuses that query.
    std::string version;
    std::string identity;
};

// Answers `packet` into `out` (replacing its contents). `out` is untouched
// and must not be sent when the outcome is Outcome::dropped.
Outcome answer(const ZoneSet& zones, std::string_view packet, Transport transport,
               const AnswerOptions& options, std::string& out);

}  // namespace dnsd
