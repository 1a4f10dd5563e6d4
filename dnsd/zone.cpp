// A zone compiled for answering: nodes by lowercased wire name, each with
// its RRsets in wire form, built once at load and never changed after.
#include "dnsd/zone.hpp"

#include <algorithm>

#include "core/dns/name.hpp"

namespace dnsd {

using namespace core::dns;

namespace {

// Names inside the rdata of the types whose names an answer compresses are
// kept lowercased: compression then compares bytes, and the answer path
// never copies.
std::string normalized_rdata(const Record& record) {
    std::string rdata = record.rdata;
    size_t from = 0;
    size_t to = 0;
    switch (record.type) {
        case type::NS:
        case type::CNAME:
        case type::PTR:
        case type::DNAME:
            to = rdata.size();
            break;
        case type::MX:
            from = 2, to = rdata.size();
            break;
        case type::SOA: {
            const size_t mname = wire_name_length(rdata);
            to = mname + wire_name_length(std::string_view(rdata).substr(mname));
            break;
        }
        default:
            return rdata;
    }
    for (size_t i = from; i < to; ++i) {
        if (rdata[i] >= 'A' && rdata[i] <= 'Z') rdata[i] = static_cast<char>(rdata[i] - 'A' + 'a');
    }
    return rdata;
}

}  // namespace

Zone::Zone(std::string apex, const std::vector<Record>& records, ZoneOrigin origin,
           std::vector<core::net::Address> notify)
    : apex_(std::move(apex)), origin_(std::move(origin)), notify_(std::move(notify)) {
    nodes_.reserve(records.size() + 1);
    for (const auto& record : records) {
        Node& node = nodes_[record.owner];
        node.name = record.owner;
        RRset* rrset = nullptr;
        for (auto& existing : node.rrsets) {
            if (existing.type == record.type) rrset = &existing;
        }
        if (!rrset) {
            rrset = &node.rrsets.emplace_back();
            rrset->type = record.type;
            rrset->rclass = record.rclass;
            rrset->ttl = record.ttl;
        }
        rrset->rdatas.push_back(normalized_rdata(record));
        if (auto target = additional_target(record)) rrset->targets.push_back(Target{*target});
        if (record.type == type::NS && record.owner != apex_) node.delegation = true;
        if (record.type == type::DNAME) node.dname = true;
        ++record_count_;
    }
    // Empty non-terminals: every name between a record's owner and the apex
    // exists (RFC 4592 §2.2.2), which is what blocks a wildcard above it.
    std::vector<std::string> owners;
    owners.reserve(nodes_.size());
    for (const auto& [name, node] : nodes_)
        owners.push_back(name);
    for (const auto& owner : owners) {
        for (std::string_view up = parent_of(owner); up.size() > apex_.size(); up = parent_of(up)) {
            auto [it, inserted] = nodes_.try_emplace(std::string(up));
            if (!inserted) break;  // its ancestors were added already
            it->second.name = it->first;
        }
    }
    for (auto& [name, node] : nodes_) {
        std::sort(node.rrsets.begin(), node.rrsets.end(),
                  [](const RRset& a, const RRset& b) { return a.type < b.type; });
    }
    // Every node exists now and none will move: targets may point at them.
    for (auto& [name, node] : nodes_) {
        for (auto& rrset : node.rrsets) {
            for (auto& target : rrset.targets) {
                if (is_at_or_below(target.name, apex_)) target.node = find(target.name);
                target.below_owner = is_at_or_below(target.name, name);
            }
        }
    }
    apex_node_ = &nodes_.at(apex_);
    soa_ = apex_node_->find(type::SOA);
    const auto fields = parse_soa(soa_->rdatas.at(0));
    serial_ = fields ? fields->serial : 0;
    negative_ttl_ = fields ? std::min(soa_->ttl, fields->minimum) : soa_->ttl;
}

const Node* Zone::find(std::string_view name) const {
    const auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &it->second;
}

void ZoneSet::add(std::shared_ptr<const Zone> zone) {
    zones_[zone->apex()] = std::move(zone);
    by_length_.clear();
    for (const auto& [apex, z] : zones_)
        by_length_.push_back(z.get());
    std::sort(by_length_.begin(), by_length_.end(),
              [](const Zone* a, const Zone* b) { return a->apex().size() > b->apex().size(); });
}

const Zone* ZoneSet::find_zone(std::string_view name) const {
    if (by_length_.size() <= kScanLimit) {
        for (const Zone* zone : by_length_) {
            if (is_at_or_below(name, zone->apex())) return zone;
        }
        return nullptr;
    }
    for (std::string_view candidate = name;; candidate = parent_of(candidate)) {
        const auto it = zones_.find(candidate);
        if (it != zones_.end()) return it->second.get();
        if (candidate.size() <= 1) return nullptr;
    }
}

}  // namespace dnsd
