// What changed in a zone from serial to serial.
#include "dnsd/zone_history.hpp"

#include "core/dns/record.hpp"

namespace dnsd {

namespace {

uint32_t serial_of(const core::dns::Record& soa) {
    const auto fields = core::dns::parse_soa(soa.rdata);
    return fields ? fields->serial : 0;
}

}  // namespace

std::shared_ptr<const ZoneHistory> ZoneHistory::then(
    std::shared_ptr<const ZoneDifference> step) const {
    auto next = std::make_shared<ZoneHistory>(*this);
    // A step that does not follow on from the last one breaks the chain:
    // what came before it can no longer be replayed.
    if (!next->steps_.empty() &&
        serial_of(next->steps_.back()->new_soa) != serial_of(step->old_soa)) {
        next->steps_.clear();
        next->records_ = 0;
    }
    next->records_ += step->size();
    next->steps_.push_back(std::move(step));
    while (!next->steps_.empty() &&
           (next->records_ > kMaxRecords || next->steps_.size() > kMaxSteps)) {
        next->records_ -= next->steps_.front()->size();
        next->steps_.pop_front();
    }
    return next;
}

std::optional<std::vector<const ZoneDifference*>> ZoneHistory::since(uint32_t serial) const {
    for (size_t i = 0; i < steps_.size(); ++i) {
        if (serial_of(steps_[i]->old_soa) != serial) continue;
        std::vector<const ZoneDifference*> out;
        for (size_t j = i; j < steps_.size(); ++j)
            out.push_back(steps_[j].get());
        return out;
    }
    return std::nullopt;
}

}  // namespace dnsd
