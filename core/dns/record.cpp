// A DNS resource record as webstack keeps it: wire owner and rdata, and
// where it came from. Converts to and from presentation format with ldns.
#include "core/dns/record.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>
#include <cstring>
#include <utility>

#include "core/dns/ldns_ptr.hpp"
#include "core/dns/name.hpp"
#include "core/dns/tokens.hpp"
#include "core/dns/wire.hpp"

namespace core::dns {

using core::dns::wire::append16;
using core::dns::wire::append32;
using core::dns::wire::read32;
namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

// The record in wire form, for ldns_wire2rr.
std::string to_wire(const Record& record) {
    std::string wire = record.owner;
    append16(wire, record.type);
    append16(wire, record.rclass);
    append32(wire, record.ttl);
    append16(wire, static_cast<uint16_t>(record.rdata.size()));
    wire += record.rdata;
    return wire;
}

RrPtr to_ldns(const Record& record) {
    const std::string wire = to_wire(record);
    ldns_rr* rr = nullptr;
    size_t pos = 0;
    if (ldns_wire2rr(&rr, reinterpret_cast<const uint8_t*>(wire.data()), wire.size(), &pos,
                     LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
        return nullptr;
    }
    return RrPtr(rr);
}

// The field types of which ldns reads exactly one token; a field of any
// other type (base64, hex, LOC, NSEC type lists, SVCB parameters...) may
// take the rest of the line.
bool is_one_token(ldns_rdf_type field) {
    switch (field) {
        case LDNS_RDF_TYPE_INT8:
        case LDNS_RDF_TYPE_INT16:
        case LDNS_RDF_TYPE_INT32:
        case LDNS_RDF_TYPE_A:
        case LDNS_RDF_TYPE_AAAA:
        case LDNS_RDF_TYPE_DNAME:
        case LDNS_RDF_TYPE_STR:
        case LDNS_RDF_TYPE_PERIOD:
        case LDNS_RDF_TYPE_ALG:
        case LDNS_RDF_TYPE_TAG:
        case LDNS_RDF_TYPE_TYPE:
            return true;
        default:
            return false;
    }
}

// ldns reads the integers of an RDATA with strtol and keeps the low bits:
// a CAA flag of 300 became 44, an MX preference of 70000 became 4464, -1
// became 65535. Each integer field is checked here first, in decimal, and
// each SOA timer as a duration that fits 32 bits.
bool numbers_in_range(uint16_t type, std::span<const Token> tokens, std::string& why) {
    const ldns_rr_descriptor* descriptor = ldns_rr_descript(type);
    if (!descriptor || (!tokens.empty() && tokens[0].text == "\\#")) return true;
    const size_t fields = std::min(tokens.size(), ldns_rr_descriptor_maximum(descriptor));
    for (size_t i = 0; i < fields; ++i) {
        const ldns_rdf_type field = ldns_rr_descriptor_field_type(descriptor, i);
        if (!is_one_token(field)) return true;  // the tokens no longer map onto fields
        const std::string& token = tokens[i].text;
        uint64_t max = 0;
        switch (field) {
            case LDNS_RDF_TYPE_INT8:
                max = 0xff;
                break;
            case LDNS_RDF_TYPE_INT16:
                max = 0xffff;
                break;
            case LDNS_RDF_TYPE_INT32:
                max = 0xffffffff;
                break;
            case LDNS_RDF_TYPE_PERIOD:
                if (!parse_duration(token, 0xffffffff)) {
                    why = "field " + std::to_string(i + 1) + " '" + token +
                          "' is not a duration from 0 to 4294967295 s";
                    return false;
                }
                continue;
            default:
                continue;
        }
        uint64_t value = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
        if (token.empty() || ec != std::errc() || end != token.data() + token.size() ||
            value > max) {
            why = "field " + std::to_string(i + 1) + " '" + token + "' is not a number from 0 to " +
                  std::to_string(max);
            return false;
        }
    }
    return true;
}

}  // namespace

std::string describe(const RecordOrigin& origin) {
    if (const auto* at = std::get_if<FileLine>(&origin))
        return at->file + ":" + std::to_string(at->line);
    if (const auto* row = std::get_if<StoredRow>(&origin))
        return "record " + std::to_string(row->id);
    if (const auto* item = std::get_if<RequestItem>(&origin))
        return "change " + std::to_string(item->index);
    return {};
}

std::string type_to_text(uint16_t type) {
    CString text(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
    return text ? std::string(text.get()) : "TYPE" + std::to_string(type);
}

std::optional<uint16_t> type_from_text(std::string_view text) {
    const std::string name = upper(text);
    if (name.starts_with("TYPE") && name.size() > 4) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), value);
        if (ec != std::errc() || end != name.data() + name.size() || value > 65535)
            return std::nullopt;
        return static_cast<uint16_t>(value);
    }
    const ldns_rr_type type = ldns_get_rr_type_by_name(name.c_str());
    // ldns answers 0 for names it does not know.
    if (type == 0) return std::nullopt;
    return static_cast<uint16_t>(type);
}

// The classes known by name (RFC 1035 §3.2.4); the rest are CLASSn.
constexpr std::pair<uint16_t, std::string_view> kClassNames[] = {
    {rrclass::IN, "IN"}, {2, "CS"}, {rrclass::CH, "CH"}, {4, "HS"}};

std::optional<uint16_t> class_from_text(std::string_view text) {
    const std::string name = upper(text);
    for (const auto& [rclass, known] : kClassNames) {
        if (name == known) return rclass;
    }
    if (name.starts_with("CLASS") && name.size() > 5) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(name.data() + 5, name.data() + name.size(), value);
        if (ec != std::errc() || end != name.data() + name.size() || value > 65535)
            return std::nullopt;
        return static_cast<uint16_t>(value);
    }
    return std::nullopt;
}

std::string class_to_text(uint16_t rclass) {
    for (const auto& [known, name] : kClassNames) {
        if (rclass == known) return std::string(name);
    }
    return "CLASS" + std::to_string(rclass);
}

std::optional<Record> record_from_tokens(const std::vector<Token>& tokens, RecordContext& context,
                                         std::string& error) {
    size_t i = 0;
    Record record;
    if (tokens.empty()) {
        error = "empty record";
        return std::nullopt;
    }
    if (tokens[0].blank_owner) {
        if (context.previous_owner.empty()) {
            error = "the first record needs an owner name";
            return std::nullopt;
        }
        record.owner = context.previous_owner;
    } else {
        auto owner = name_from_text(tokens[0].text, context.origin, error);
        if (!owner) return std::nullopt;
        record.owner = *owner;
        i = 1;
    }
    // TTL and class, each optional, in either order (RFC 1035 §5.1).
    std::optional<uint32_t> ttl;
    std::optional<uint16_t> rrclass;
    for (int k = 0; k < 2 && i < tokens.size(); ++k) {
        if (!ttl && !tokens[i].text.empty() &&
            std::isdigit(static_cast<unsigned char>(tokens[i].text[0]))) {
            // No class or type begins with a digit: this is meant as a TTL.
            ttl = parse_ttl(tokens[i].text);
            if (!ttl) {
                error = "TTL '" + tokens[i].text + "' is not a duration from 0 to 2147483647 s";
                return std::nullopt;
            }
            ++i;
            continue;
        }
        if (!rrclass) {
            if (auto value = class_from_text(tokens[i].text)) {
                rrclass = value;
                ++i;
                continue;
            }
        }
        break;
    }
    if (i >= tokens.size()) {
        error = "missing record type";
        return std::nullopt;
    }
    const auto type = type_from_text(tokens[i].text);
    if (!type) {
        error = "unknown record type '" + tokens[i].text + "'";
        return std::nullopt;
    }
    ++i;
    record.type = *type;
    record.rclass = rrclass.value_or(context.previous_class.value_or(rrclass::IN));
    if (ttl) {
        record.ttl = *ttl;
    } else if (context.default_ttl) {
        record.ttl = *context.default_ttl;
    } else if (context.previous_ttl) {
        record.ttl = *context.previous_ttl;
    } else {
        error = "no TTL: give one, or a $TTL before the first record";
        return std::nullopt;
    }
    auto rdata =
        rdata_from_tokens(record.type, std::span(tokens).subspan(i), context.origin, error);
    if (!rdata) return std::nullopt;
    record.rdata = std::move(*rdata);
    context.previous_owner = record.owner;
    context.previous_class = record.rclass;
    context.previous_ttl = record.ttl;
    return record;
}

std::optional<std::string> rdata_from_tokens(uint16_t type, std::span<const Token> tokens,
                                             std::string_view origin, std::string& error) {
    std::string text;
    for (const auto& token : tokens) {
        if (!text.empty()) text += ' ';
        text += token.text;
    }
    const auto refuse = [&](const std::string& why) {
        error = "invalid " + type_to_text(type) + " data '" + text + "': " + why;
        return std::nullopt;
    };
    if (std::string why; !numbers_in_range(type, tokens, why)) return refuse(why);
    // ldns parses whole records: give it one with a fixed owner, TTL and class.
    const std::string line = ". 0 IN " + type_to_text(type) + " " + text;
    RdfPtr origin_rdf;
    if (!origin.empty()) {
        origin_rdf.reset(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin.size(), origin.data()));
    }
    ldns_rr* parsed = nullptr;
    const ldns_status status =
        ldns_rr_new_frm_str(&parsed, line.c_str(), 0, origin_rdf.get(), nullptr);
    RrPtr rr(parsed);
    if (status != LDNS_STATUS_OK) return refuse(ldns_get_errorstr_by_id(status));
    if (tokens.empty() && ldns_rr_rd_count(rr.get()) == 0 && type != type::NSEC) {
        error = type_to_text(type) + " record without data";
        return std::nullopt;
    }
    BufferPtr buffer(ldns_buffer_new(512));
    if (ldns_rr_rdata2buffer_wire(buffer.get(), rr.get()) != LDNS_STATUS_OK) {
        error = "cannot encode " + type_to_text(type) + " data";
        return std::nullopt;
    }
    return std::string(reinterpret_cast<const char*>(ldns_buffer_begin(buffer.get())),
                       ldns_buffer_position(buffer.get()));
}

std::optional<std::string> rdata_from_text(uint16_t type, std::string_view text,
                                           std::string_view origin, std::string& error) {
    std::vector<Token> tokens;
    if (!tokenize_rdata(text, tokens, error)) {
        error = "invalid " + type_to_text(type) + " data '" + std::string(text) + "': " + error;
        return std::nullopt;
    }
    return rdata_from_tokens(type, tokens, origin, error);
}

std::optional<Record> record_from_text(std::string_view text, std::string_view origin,
                                       std::optional<uint32_t> default_ttl, std::string& error) {
    std::vector<Token> tokens;
    if (!tokenize_line(text, tokens, error)) return std::nullopt;
    RecordContext context;
    context.origin = std::string(origin);
    context.default_ttl = default_ttl;
    return record_from_tokens(tokens, context, error);
}

std::string record_to_text(const Record& record) {
    std::string text = name_to_text(record.owner) + '\t' + std::to_string(record.ttl) + '\t' +
                       class_to_text(record.rclass) + '\t' + type_to_text(record.type);
    if (const std::string rdata = rdata_to_text(record); !rdata.empty()) text += '\t' + rdata;
    return text;
}

std::string rdata_to_text(const Record& record) {
    const auto rr = to_ldns(record);
    if (!rr) return {};
    std::string out;
    for (size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
        const ldns_rdf* field = ldns_rr_rdf(rr.get(), i);
        if (!out.empty()) out += ' ';
        if (ldns_rdf_get_type(field) == LDNS_RDF_TYPE_DNAME) {
            // Written by core::dns, whose escapes every reader takes back
            // (ldns leaves '"', '@' and '$' bare).
            out += name_to_text(std::string_view(
                reinterpret_cast<const char*>(ldns_rdf_data(field)), ldns_rdf_size(field)));
            continue;
        }
        CString text(ldns_rdf2str(field));
        if (text) out += text.get();
    }
    if (ldns_rr_rd_count(rr.get()) == 0 && !record.rdata.empty()) {
        // A type ldns knows by number only: the RFC 3597 form.
        char hex[3];
        out = "\\# " + std::to_string(record.rdata.size()) + " ";
        for (unsigned char c : record.rdata) {
            std::snprintf(hex, sizeof hex, "%02x", c);
            out += hex;
        }
    }
    return out;
}

RecordFields record_to_fields(const Record& record) {
    return {name_to_text(record.owner), type_to_text(record.type), record.ttl,
            rdata_to_text(record)};
}

std::optional<Record> record_from_fields(const RecordFields& fields, std::string_view origin,
                                         std::string& error) {
    Record record;
    auto owner = name_from_text(fields.name, origin, error);
    if (!owner) return std::nullopt;
    record.owner = lowercase_name(*owner);
    if (!is_at_or_below(record.owner, origin)) {
        error = "the name " + fields.name + " is outside the zone " + name_to_text(origin);
        return std::nullopt;
    }
    const auto type = type_from_text(fields.type);
    if (!type) {
        error = "unknown record type '" + fields.type + "'";
        return std::nullopt;
    }
    record.type = *type;
    if (fields.ttl < 0 || fields.ttl > 0x7fffffff) {
        error = "TTL " + std::to_string(fields.ttl) + " is not from 0 to 2147483647";
        return std::nullopt;
    }
    record.ttl = static_cast<uint32_t>(fields.ttl);
    auto rdata = rdata_from_text(record.type, fields.content, origin, error);
    if (!rdata) return std::nullopt;
    record.rdata = std::move(*rdata);
    return record;
}

size_t wire_name_length(std::string_view data) {
    size_t i = 0;
    while (i < data.size()) {
        const auto length = static_cast<unsigned char>(data[i]);
        if (length == 0) return i + 1;
        if (length > 63) return 0;  // compression or reserved: not in stored rdata
        i += length + 1;
    }
    return 0;
}

std::optional<std::string> additional_target(const Record& record) {
    size_t skip = 0;
    switch (record.type) {
        case type::NS:
            skip = 0;
            break;
        case type::MX:
            skip = 2;
            break;
        case type::SRV:
            skip = 6;
            break;
        default:
            return std::nullopt;
    }
    if (record.rdata.size() <= skip) return std::nullopt;
    const std::string_view name = std::string_view(record.rdata).substr(skip);
    const size_t length = wire_name_length(name);
    if (length == 0) return std::nullopt;
    return lowercase_name(name.substr(0, length));
}

std::optional<SoaFields> parse_soa(std::string_view rdata) {
    SoaFields soa;
    const size_t mname = wire_name_length(rdata);
    if (mname == 0) return std::nullopt;
    const size_t rname = wire_name_length(rdata.substr(mname));
    if (rname == 0 || rdata.size() != mname + rname + 20) return std::nullopt;
    soa.mname = std::string(rdata.substr(0, mname));
    soa.rname = std::string(rdata.substr(mname, rname));
    const size_t at = mname + rname;
    soa.serial = read32(rdata, at);
    soa.refresh = read32(rdata, at + 4);
    soa.retry = read32(rdata, at + 8);
    soa.expire = read32(rdata, at + 12);
    soa.minimum = read32(rdata, at + 16);
    return soa;
}

}  // namespace core::dns
