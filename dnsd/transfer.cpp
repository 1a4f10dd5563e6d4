// Zone transfer out (AXFR, RFC 5936): the whole zone over TCP, SOA first
// and last, in as many messages as it takes.
#include "dnsd/transfer.hpp"

#include <memory>

#include "core/dns/record.hpp"
#include "dnsd/message_writer.hpp"

namespace dnsd {
namespace {

// Messages are filled to about this size: large enough to carry a big zone
// in few messages, small enough that one RRset more never passes 65535.
constexpr size_t kMessageFill = 16 * 1024;

}  // namespace

void write_transfer(const Zone& zone, const Query& query, size_t reserve,
                    const std::function<void(std::string)>& emit) {
    const size_t limit = 65535 - reserve;
    std::string message;
    auto writer = std::make_unique<MessageWriter>(message, query, limit);
    writer->set_aa(true);
    const auto flush = [&] {
        writer->finish();
        emit(std::move(message));
        message = std::string();
        writer = std::make_unique<MessageWriter>(message, query, limit);
        writer->set_aa(true);
    };
    const auto add = [&](const std::string& owner, const RRset& rrset) {
        if (!writer->add(Section::answer, owner, rrset)) {
            flush();
            writer->add(Section::answer, owner, rrset);
        }
        if (message.size() >= kMessageFill) flush();
    };
    add(zone.apex(), zone.soa());
    zone.for_each_node([&](const std::string& name, const Node& node) {
        for (const auto& rrset : node.rrsets) {
            if (rrset.type != core::dns::type::SOA) add(name, rrset);
        }
    });
    add(zone.apex(), zone.soa());
    if (writer->count(Section::answer) > 0) {
        writer->finish();
        emit(std::move(message));
    }
}

}  // namespace dnsd
