// The answer to a query: from a parsed query and a zone snapshot to a
// response, as a pure function with a named outcome.
#pragma once

#include <string>
#include <string_view>

#include "dnsd/health.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

enum class Outcome {
    hit,       // the data asked for
    nodata,    // the name exists, not with that type
    nxdomain,  // the name does not exist
    referral,  // at or below a delegation: NS and glue
    cname,     // a CNAME (or DNAME) chain that leaves the zone
    refused,   // not ours (no zone, another class, a transfer)
    servfail,  // ours, but without data: a secondary zone not transferred yet, or expired
    notimp,    // an opcode other than QUERY
    formerr,   // a malformed query with a readable header
    badvers,   // EDNS version above 0
    chaos,     // CH TXT version.bind / id.server
    notify,    // a NOTIFY acknowledged: its zone is to be read again
    transfer,  // a zone sent in transfer messages
    deferred,  // an UPDATE handed over: its reply is sent once it is applied
    dropped,   // not answered at all: a response, or no header
};

enum class Transport { udp, tcp };

struct AnswerOptions {
    // CH TXT version.bind / version.server and id.server / hostname.bind;
    // an empty string refuses that query.
    std::string version;
    std::string identity;
    // The verdicts of `[[dnsd.health]]`'s checks: A and AAAA answers of a
    // checked name give the addresses that pass. Null: none is checked.
    std::shared_ptr<const HealthView> health;
};

class MessageWriter;
struct Query;

// Answers a QUERY (not a transfer) from `zones` into `writer`: the zone's
// data by RFC 1034 §4.3.2, CH TXT version and identity, REFUSED for a zone
// not served here.
Outcome answer_query(const ZoneSet& zones, const Query& query, const AnswerOptions& options,
                     MessageWriter& writer);

}  // namespace dnsd
