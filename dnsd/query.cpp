// The parsed form of a DNS query: header, question and EDNS, read straight
// from the wire without copying the packet.
#include "dnsd/query.hpp"

#include <algorithm>

#include "core/dns/record.hpp"
#include "core/dns/wire.hpp"

namespace dnsd {

using core::dns::wire::read16;
namespace {

// Reads a name at `at` in `packet`, following compression pointers only
// backwards and at most 128 times, so a loop or an out-of-bounds pointer is
// caught. Returns the offset after the name as it stands at `at`, or 0.
size_t skip_name(std::string_view packet, size_t at, Query* lowercase_out) {
    size_t end = 0;  // where the name ends in place, once a pointer is followed
    size_t total = 0;
    int jumps = 0;
    size_t i = at;
    while (true) {
        if (i >= packet.size()) return 0;
        const auto length = static_cast<unsigned char>(packet[i]);
        if (length == 0) {
            if (lowercase_out) lowercase_out->qname_data[lowercase_out->qname_size++] = '\0';
            return end ? end : i + 1;
        }
        if ((length & 0xc0) == 0xc0) {
            if (i + 1 >= packet.size() || ++jumps > 128) return 0;
            const size_t target =
                ((length & 0x3f) << 8) | static_cast<unsigned char>(packet[i + 1]);
            if (target >= i) return 0;  // pointers point backwards only
            if (!end) end = i + 2;
            i = target;
            continue;
        }
        if (length > 63) return 0;  // 0x40 and 0x80: reserved label types
        if (i + 1 + length > packet.size()) return 0;
        total += length + 1;
        if (total + 1 > 255) return 0;
        if (lowercase_out) {
            // total + 1 <= 255 was checked above: the buffer holds it.
            char* out = lowercase_out->qname_data + lowercase_out->qname_size;
            *out++ = static_cast<char>(length);
            for (size_t k = 0; k < length; ++k) {
                char c = packet[i + 1 + k];
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                *out++ = c;
            }
            lowercase_out->qname_size += length + 1;
        }
        i += 1 + length;
    }
}

}  // namespace

ParseResult parse_query(std::string_view packet, Query& query) {
    if (packet.size() < 12) return ParseResult::drop;
    const uint8_t flags1 = static_cast<uint8_t>(packet[2]);
    const uint8_t flags2 = static_cast<uint8_t>(packet[3]);
    if (flags1 & 0x80) return ParseResult::drop;  // QR=1: a response is never answered
    query.id = read16(packet, 0);
    query.opcode = (flags1 >> 3) & 0x0f;
    query.rd = flags1 & 0x01;
    query.cd = flags2 & 0x10;
    query.qdcount = read16(packet, 4);
    const uint16_t ancount = read16(packet, 6);
    const uint16_t nscount = read16(packet, 8);
    const uint16_t arcount = read16(packet, 10);

    // An UPDATE's zone section has the question's form, ZOCOUNT = 1 too
    // (RFC 2136 §3.1.1).
    const bool known = query.opcode == opcode::query || query.opcode == opcode::notify ||
                       query.opcode == opcode::update;
    if (query.qdcount != 1)
        return query.opcode == opcode::query || query.opcode == opcode::update
                   ? ParseResult::formerr
                   : ParseResult::notimp;
    query.qname_size = 0;
    const size_t question_end = skip_name(packet, 12, &query);
    if (question_end == 0 || question_end + 4 > packet.size()) return ParseResult::formerr;
    // A compressed question name has nothing to point back to.
    if (query.qname_size != question_end - 12) return ParseResult::formerr;
    query.qtype = read16(packet, question_end);
    query.qclass = read16(packet, question_end + 2);
    query.question = packet.substr(12, question_end + 4 - 12);
    if (!known) return ParseResult::notimp;

    // Skip answer and authority (a NOTIFY may carry an SOA), read EDNS.
    size_t at = question_end + 4;
    const size_t records = size_t{ancount} + nscount + arcount;
    bool seen_opt = false;
    for (size_t r = 0; r < records; ++r) {
        const size_t name_start = at;
        at = skip_name(packet, at, nullptr);
        if (at == 0 || at + 10 > packet.size()) return ParseResult::formerr;
        const uint16_t type = read16(packet, at);
        const uint16_t rdlength = read16(packet, at + 8);
        if (at + 10 + rdlength > packet.size()) return ParseResult::formerr;
        const bool in_additional = r >= size_t{ancount} + nscount;
        const bool in_authority = r >= ancount && !in_additional;
        if (type == core::dns::type::TSIG) query.has_tsig = true;
        // An IXFR's: an UPDATE's authority section holds its updates instead.
        if (query.opcode == opcode::query && in_authority && type == core::dns::type::SOA &&
            !query.has_client_serial) {
            // MNAME and RNAME (compressed, perhaps), then the serial.
            size_t field = skip_name(packet, at + 10, nullptr);
            if (field) field = skip_name(packet, field, nullptr);
            if (field == 0 || field + 4 > at + 10 + rdlength) return ParseResult::formerr;
            query.has_client_serial = true;
            query.client_serial = core::dns::wire::read32(packet, field);
        }
        if (type == core::dns::type::OPT) {
            // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
            if (!in_additional || seen_opt || packet[name_start] != 0) return ParseResult::formerr;
            seen_opt = true;
            query.edns = true;
            query.udp_size = std::max<uint16_t>(512, read16(packet, at + 2));
            query.edns_version = static_cast<uint8_t>(packet[at + 5]);
            query.dnssec_ok = static_cast<unsigned char>(packet[at + 6]) & 0x80;
            // Options are walked only to check their framing; none is acted on.
            size_t option = at + 10;
            const size_t options_end = at + 10 + rdlength;
            while (option < options_end) {
                if (option + 4 > options_end) return ParseResult::formerr;
                const uint16_t length = read16(packet, option + 2);
                option += 4 + length;
                if (option > options_end) return ParseResult::formerr;
            }
        }
        at += 10 + rdlength;
    }
    // Trailing bytes after the last record are a malformed message.
    if (at != packet.size()) return ParseResult::formerr;
    return ParseResult::ok;
}

}  // namespace dnsd
