// Zone transfer out: AXFR (RFC 5936), the whole zone over TCP, SOA first
// and last; IXFR (RFC 1995), the differences since the client's serial
// when the zone's history reaches back to it. Both in as many messages as
// it takes.
#include "dnsd/transfer.hpp"

#include <memory>

#include "core/dns/record.hpp"
#include "core/dns/serial.hpp"
#include "dnsd/message_writer.hpp"

namespace dnsd {
namespace {

// Messages are filled to about this size: large enough to carry a big zone
// in few messages, small enough that one RRset more never passes 65535.
constexpr size_t kMessageFill = 16 * 1024;

// Answer records split into messages, each emitted once full.
class MessageStream {
  public:
    MessageStream(const Query& query, size_t limit, const std::function<void(std::string)>& emit)
        : query_(query), limit_(limit), emit_(emit) {
        start();
    }

    void add(const std::string& owner, const RRset& rrset) {
        if (!writer_->add(Section::answer, owner, rrset)) {
            flush();
            writer_->add(Section::answer, owner, rrset);
        }
        if (message_.size() >= kMessageFill) flush();
    }

    void add(const core::dns::Record& record) {
        const auto put = [&] {
            return writer_->add_one(Section::answer, record.owner, record.type, record.rclass,
                                    record.ttl, record.rdata);
        };
        if (!put()) {
            flush();
            put();
        }
        if (message_.size() >= kMessageFill) flush();
    }

    // Emits what is left.
    void finish() {
        if (writer_->count(Section::answer) > 0) {
            writer_->finish();
            emit_(std::move(message_));
        }
    }

  private:
    void start() {
        message_ = std::string();
        writer_ = std::make_unique<MessageWriter>(message_, query_, limit_);
        writer_->set_aa(true);
    }
    void flush() {
        writer_->finish();
        emit_(std::move(message_));
        start();
    }

    const Query& query_;
    size_t limit_;
    const std::function<void(std::string)>& emit_;
    std::string message_;
    std::unique_ptr<MessageWriter> writer_;
};

}  // namespace

void write_transfer(const Zone& zone, const Query& query, size_t reserve,
                    const std::function<void(std::string)>& emit) {
    MessageStream stream(query, 65535 - reserve, emit);
    stream.add(zone.apex(), zone.soa());
    zone.for_each_node([&](const std::string& name, const Node& node) {
        for (const auto& rrset : node.rrsets) {
            if (rrset.type != core::dns::type::SOA) stream.add(name, rrset);
        }
    });
    stream.add(zone.apex(), zone.soa());
    stream.finish();
}

IxfrStyle write_ixfr(const Zone& zone, const Query& query, size_t reserve,
                     const std::function<void(std::string)>& emit) {
    // Up to date (or ahead, after a restore): the SOA alone says so.
    if (!core::dns::serial_newer(zone.serial(), query.client_serial)) {
        MessageStream stream(query, 65535 - reserve, emit);
        stream.add(zone.apex(), zone.soa());
        stream.finish();
        return IxfrStyle::current;
    }
    const auto steps = zone.history()->since(query.client_serial);
    if (!steps) {
        write_transfer(zone, query, reserve, emit);
        return IxfrStyle::whole_zone;
    }
    MessageStream stream(query, 65535 - reserve, emit);
    stream.add(zone.apex(), zone.soa());
    for (const ZoneDifference* step : *steps) {
        stream.add(step->old_soa);
        for (const auto& record : step->removed)
            stream.add(record);
        stream.add(step->new_soa);
        for (const auto& record : step->added)
            stream.add(record);
    }
    stream.add(zone.apex(), zone.soa());
    stream.finish();
    return IxfrStyle::differences;
}

}  // namespace dnsd
