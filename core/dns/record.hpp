// A DNS resource record as webstack keeps it: wire owner and rdata, and
// where it came from. Converts to and from presentation format with ldns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace core::dns {

namespace type {
inline constexpr uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                          SRV = 33, NAPTR = 35, DNAME = 39, OPT = 41, DS = 43, SSHFP = 44,
                          RRSIG = 46, NSEC = 47, DNSKEY = 48, TLSA = 52, SVCB = 64, HTTPS = 65,
                          TSIG = 250, IXFR = 251, AXFR = 252, ANY = 255, CAA = 257;
}
namespace rrclass {
inline constexpr uint16_t IN = 1, CH = 3, NONE = 254, ANY = 255;
}

// Where a record was read, for messages: a line of a zone file, a row of
// the database's `records` table (by its id), or an item of a request
// that changes several records (by its index from 0).
struct FileLine {
    std::string file;
    int line = 0;
};
struct StoredRow {
    int64_t id = 0;
};
struct RequestItem {
    size_t index = 0;
};
using RecordOrigin = std::variant<std::monostate, FileLine, StoredRow, RequestItem>;

// "zones/foobar.com.zone:12", "record 42", "change 3"; "" when not known.
std::string describe(const RecordOrigin& origin);

struct Record {
    std::string owner;  // wire, lowercased
    uint16_t type = 0;
    uint16_t rclass = rrclass::IN;
    uint32_t ttl = 0;
    std::string rdata;  // wire, uncompressed
    RecordOrigin origin;

    bool same_data(const Record& other) const {
        return owner == other.owner && type == other.type && rclass == other.rclass &&
               rdata == other.rdata;
    }
};

std::string type_to_text(uint16_t type);
std::string class_to_text(uint16_t rclass);
std::optional<uint16_t> type_from_text(std::string_view text);
std::optional<uint16_t> class_from_text(std::string_view text);

// Parses one record in presentation format ("www 300 IN A 8.8.8.8" or
// "www IN 300 A 8.8.8.8"), relative names completed with `origin` (wire).
// The TTL may be absent when `default_ttl` is given. Sets `error` on failure.
std::optional<Record> record_from_text(std::string_view text, std::string_view origin,
                                       std::optional<uint32_t> default_ttl, std::string& error);

// "www.foobar.com.\t300\tIN\tA\t8.8.8.8": a master-file line that
// record_from_text reads back to the same record.
std::string record_to_text(const Record& record);
// The rdata alone in presentation format: "10 mail.foobar.com.", the
// canonical form that rdata_from_text reads back to the same wire.
std::string rdata_to_text(const Record& record);

// Parses one rdata text for `type` (the content of an API record, or of a
// stored row) strictly: what a master file would read differently (a
// comment, grouping), text left over, an unterminated string or a number
// out of its field's range is refused, never cut or wrapped.
std::optional<std::string> rdata_from_text(uint16_t type, std::string_view text,
                                           std::string_view origin, std::string& error);

// A record as the database's `records` table holds it: each field in
// presentation form (owner absolute, content the canonical rdata text).
struct RecordFields {
    std::string name;  // "www.foobar.com."
    std::string type;  // "A"
    int64_t ttl = 0;
    std::string content;  // "8.8.8.8"
};
// The one writer of a record's fields...
RecordFields record_to_fields(const Record& record);
// ...and the one reader of them: strict as rdata_from_text, the owner
// inside the zone whose apex is `origin` (wire), class IN.
std::optional<Record> record_from_fields(const RecordFields& fields, std::string_view origin,
                                         std::string& error);

// The names inside an rdata that an answer's additional section follows:
// the exchange of MX, the host of NS, the target of SRV. Empty otherwise.
std::optional<std::string> additional_target(const Record& record);
// The SOA fields answers need.
struct SoaFields {
    std::string mname, rname;
    uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
std::optional<SoaFields> parse_soa(std::string_view rdata);
// Reads a (possibly compressed-free) wire name at the start of `data`;
// returns its length in bytes, or 0 when malformed.
size_t wire_name_length(std::string_view data);

}  // namespace core::dns
