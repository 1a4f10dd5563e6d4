// Builds a DNS response in wire form: header, the question echoed,
// sections with name compression, and truncation by whole RRsets.
#include "dnsd/message_writer.hpp"

#include "core/dns/name.hpp"
#include "core/dns/wire.hpp"

namespace dnsd {

using core::dns::wire::append16;
using core::dns::wire::append32;
using core::dns::wire::put16;
namespace {

constexpr size_t kOptSize = 11;  // root name, type, class, TTL, rdlength

// Types whose rdata names may be compressed (RFC 3597 §4): the offset of
// their names within the rdata. SOA's two names are handled apart.
bool compressible_single_name(uint16_t type, size_t& skip) {
    switch (type) {
        case core::dns::type::NS:
        case core::dns::type::CNAME:
        case core::dns::type::PTR:
            skip = 0;
            return true;
        case core::dns::type::MX:
            skip = 2;
            return true;
        default:
            return false;
    }
}

}  // namespace

MessageWriter::MessageWriter(std::string& out, const Query& query, size_t limit)
    : out_(out), query_(query), limit_(limit - (query.edns ? kOptSize : 0)) {
    out_.clear();
    out_.resize(12, '\0');
    put16(out_, 0, query.id);
    out_ += query.question;
    // The question's name is the first target for compression. Its bytes
    // keep the client's case; compression compares lowercased names, and
    // query.qname() is the lowercased copy.
    if (!query.question.empty()) {
        std::string_view name = query_.qname();
        uint16_t offset = 12;
        while (!name.empty() && name[0] != 0) {
            remember(name, offset);
            offset = static_cast<uint16_t>(offset + static_cast<unsigned char>(name[0]) + 1);
            name = core::dns::parent_of(name);
        }
    }
}

void MessageWriter::write_name(std::string_view name) {
    while (!name.empty() && name[0] != 0) {
        for (size_t i = 0; i < written_count_; ++i) {
            const Written& w = written_[i];
            if (w.name == name) {
                append16(out_, static_cast<uint16_t>(0xc000 | w.offset));
                return;
            }
        }
        if (out_.size() < 0x3fff) remember(name, static_cast<uint16_t>(out_.size()));
        const size_t label = static_cast<unsigned char>(name[0]) + 1;
        out_.append(name.substr(0, label));
        name.remove_prefix(label);
    }
    out_ += '\0';
}

bool MessageWriter::add_one(Section section, std::string_view owner, uint16_t type, uint16_t rclass,
                            uint32_t ttl, std::string_view rdata) {
    const size_t mark = out_.size();
    const size_t names = written_count_;
    write_name(owner);
    append16(out_, type);
    append16(out_, rclass);
    append32(out_, ttl);
    const size_t length_at = out_.size();
    append16(out_, 0);
    size_t skip = 0;
    if (type == core::dns::type::SOA) {
        const size_t mname = core::dns::wire_name_length(rdata);
        const size_t rname = core::dns::wire_name_length(rdata.substr(mname));
        // The zone stores these names lowercased, so that they can serve
        // as compression targets as they are.
        write_name(rdata.substr(0, mname));
        write_name(rdata.substr(mname, rname));
        out_.append(rdata.substr(mname + rname));
    } else if (compressible_single_name(type, skip) && rdata.size() > skip) {
        out_.append(rdata.substr(0, skip));
        write_name(rdata.substr(skip));
    } else {
        out_.append(rdata);
    }
    put16(out_, length_at, static_cast<uint16_t>(out_.size() - length_at - 2));
    if (!fits()) {
        out_.resize(mark);
        written_count_ = names;
        return false;
    }
    ++counts_[static_cast<int>(section)];
    return true;
}

bool MessageWriter::add(Section section, std::string_view owner, const RRset& rrset,
                        const uint32_t* ttl_override) {
    const size_t mark = out_.size();
    const size_t names = written_count_;
    const uint16_t count = counts_[static_cast<int>(section)];
    const uint32_t ttl = ttl_override ? *ttl_override : rrset.ttl;
    for (const auto& rdata : rrset.rdatas) {
        if (!add_one(section, owner, rrset.type, rrset.rclass, ttl, rdata)) {
            // No partial RRsets (RFC 2181 §9): all of it, or none.
            out_.resize(mark);
            written_count_ = names;
            counts_[static_cast<int>(section)] = count;
            return false;
        }
    }
    return true;
}

void MessageWriter::finish() {
    uint8_t flags1 = 0x80 | static_cast<uint8_t>(query_.opcode << 3);
    if (aa_) flags1 |= 0x04;
    if (truncated_) flags1 |= 0x02;
    if (query_.rd) flags1 |= 0x01;
    uint8_t flags2 = static_cast<uint8_t>(rcode_ & 0x0f);
    if (query_.cd) flags2 |= 0x10;
    out_[2] = static_cast<char>(flags1);
    out_[3] = static_cast<char>(flags2);
    put16(out_, 4, query_.question.empty() ? 0 : 1);
    put16(out_, 6, counts_[0]);
    put16(out_, 8, counts_[1]);
    uint16_t additional = counts_[2];
    if (query_.edns) {
        // OPT (RFC 6891 §6.1.2): our UDP payload size, the upper bits of
        // an extended rcode, version 0, DO echoed.
        out_ += '\0';
        append16(out_, core::dns::type::OPT);
        append16(out_, kAdvertisedUdpSize);
        out_ += static_cast<char>(rcode_ >> 4);
        out_ += '\0';
        out_ += static_cast<char>(query_.dnssec_ok ? 0x80 : 0);
        out_ += '\0';
        append16(out_, 0);
        ++additional;
    }
    put16(out_, 10, additional);
}

}  // namespace dnsd
