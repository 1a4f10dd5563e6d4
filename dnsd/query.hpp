// The parsed form of a DNS query: header, question and EDNS, read straight
// from the wire without copying the packet.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dnsd {

namespace rcode {
inline constexpr uint8_t noerror = 0, formerr = 1, servfail = 2, nxdomain = 3, notimp = 4,
                         refused = 5, yxdomain = 6, yxrrset = 7, nxrrset = 8, notauth = 9,
                         notzone = 10;
inline constexpr uint16_t badvers = 16;  // extended: needs EDNS
}  // namespace rcode

namespace opcode {
inline constexpr uint8_t query = 0, notify = 4, update = 5;
}

struct Query {
    uint16_t id = 0;
    uint8_t opcode = 0;
    bool rd = false;
    bool cd = false;
    uint16_t qdcount = 0;
    // The question as sent (name, type, class): echoed byte for byte.
    std::string_view question;
    // The name asked, wire, lowercased; kept in place (no allocation on the
    // answer path).
    std::string_view qname() const { return std::string_view(qname_data, qname_size); }
    char qname_data[256];
    size_t qname_size = 0;
    uint16_t qtype = 0;
    uint16_t qclass = 0;

    // An IXFR's authority section: the SOA serial the client has (RFC 1995 §3).
    bool has_client_serial = false;
    uint32_t client_serial = 0;

    // A TSIG record somewhere in the message: only then is it looked for
    // and checked (RFC 8945), off the path of every unsigned query.
    bool has_tsig = false;

    bool edns = false;
    uint16_t udp_size = 512;
    uint8_t edns_version = 0;
    bool dnssec_ok = false;
};

enum class ParseResult {
    ok,
    drop,     // not even a header, or a response (QR=1): never answered
    formerr,  // the header is readable: answer FORMERR
    notimp,   // an opcode this server does not implement
};

// Parses `packet`. On formerr/notimp the header fields (and the question,
// when it was readable) are filled for the error answer.
ParseResult parse_query(std::string_view packet, Query& query);

}  // namespace dnsd
