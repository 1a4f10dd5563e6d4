// The records of a DNS message read whole.
#include "dnsd/message_records.hpp"

#include <memory>
#include <stdexcept>

#include "core/dns/ldns_ptr.hpp"
#include "core/dns/name.hpp"

namespace dnsd {

namespace {

std::vector<core::dns::Record> records_of(const ldns_rr_list* list, ldns_buffer* buffer) {
    std::vector<core::dns::Record> records;
    records.reserve(ldns_rr_list_rr_count(list));
    for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(list, i);
        const ldns_rdf* owner = ldns_rr_owner(rr);
        core::dns::Record record;
        record.owner = core::dns::lowercase_name(std::string_view(
            reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner)));
        record.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
        record.rclass = static_cast<uint16_t>(ldns_rr_get_class(rr));
        record.ttl = ldns_rr_ttl(rr);
        ldns_buffer_clear(buffer);
        if (ldns_rr_rdata2buffer_wire(buffer, rr) != LDNS_STATUS_OK)
            throw std::runtime_error("a record that cannot be encoded again");
        record.rdata.assign(reinterpret_cast<const char*>(ldns_buffer_begin(buffer)),
                            ldns_buffer_position(buffer));
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace

MessageRecords read_message_records(std::string_view message) {
    ldns_pkt* parsed = nullptr;
    if (ldns_wire2pkt(&parsed, reinterpret_cast<const uint8_t*>(message.data()), message.size()) !=
        LDNS_STATUS_OK)
        throw std::runtime_error("a malformed message");
    const std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> packet(parsed, ldns_pkt_free);
    const core::dns::BufferPtr buffer(ldns_buffer_new(512));
    MessageRecords out;
    out.question = records_of(ldns_pkt_question(packet.get()), buffer.get());
    out.answer = records_of(ldns_pkt_answer(packet.get()), buffer.get());
    out.authority = records_of(ldns_pkt_authority(packet.get()), buffer.get());
    return out;
}

}  // namespace dnsd
