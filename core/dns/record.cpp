// A DNS resource record as webstack keeps it: wire owner and rdata, and
// where it came from. Converts to and from presentation format with ldns.
#include "core/dns/record.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

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

}  // namespace

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

std::optional<uint16_t> class_from_text(std::string_view text) {
    const std::string name = upper(text);
    if (name == "IN") return rrclass::IN;
    if (name == "CH") return rrclass::CH;
    if (name == "HS") return uint16_t{4};
    if (name == "CS") return uint16_t{2};
    if (name.starts_with("CLASS") && name.size() > 5) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(name.data() + 5, name.data() + name.size(), value);
        if (ec != std::errc() || end != name.data() + name.size() || value > 65535)
            return std::nullopt;
        return static_cast<uint16_t>(value);
    }
    return std::nullopt;
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
        if (!ttl) {
            if (auto value = parse_ttl(tokens[i].text)) {
                ttl = value;
                ++i;
                continue;
            }
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
    std::string rdata_text;
    for (; i < tokens.size(); ++i) {
        if (!rdata_text.empty()) rdata_text += ' ';
        rdata_text += tokens[i].text;
    }
    auto rdata = rdata_from_text(record.type, rdata_text, context.origin, error);
    if (!rdata) return std::nullopt;
    record.rdata = std::move(*rdata);
    context.previous_owner = record.owner;
    context.previous_class = record.rclass;
    context.previous_ttl = record.ttl;
    return record;
}

std::optional<std::string> rdata_from_text(uint16_t type, std::string_view text,
                                           std::string_view origin, std::string& error) {
    // ldns parses whole records: give it one with a fixed owner, TTL and class.
    const std::string line = ". 0 IN " + type_to_text(type) + " " + std::string(text);
    RdfPtr origin_rdf;
    if (!origin.empty()) {
        origin_rdf.reset(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin.size(), origin.data()));
    }
    ldns_rr* parsed = nullptr;
    const ldns_status status =
        ldns_rr_new_frm_str(&parsed, line.c_str(), 0, origin_rdf.get(), nullptr);
    RrPtr rr(parsed);
    if (status != LDNS_STATUS_OK) {
        error = "invalid " + type_to_text(type) + " data '" + std::string(text) +
                "': " + ldns_get_errorstr_by_id(status);
        return std::nullopt;
    }
    if (text.empty() && ldns_rr_rd_count(rr.get()) == 0 && type != type::NSEC) {
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
    const auto rr = to_ldns(record);
    if (!rr) return {};
    CString text(ldns_rr2str(rr.get()));
    std::string out = text ? text.get() : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

std::string rdata_to_text(const Record& record) {
    const auto rr = to_ldns(record);
    if (!rr) return {};
    std::string out;
    for (size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
        CString field(ldns_rdf2str(ldns_rr_rdf(rr.get(), i)));
        if (!out.empty()) out += ' ';
        if (field) out += field.get();
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
