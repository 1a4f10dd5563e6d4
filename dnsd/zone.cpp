// A zone compiled for answering: nodes by lowercased wire name, each with
// its RRsets in wire form, built once at load and never changed after.
#include "dnsd/zone.hpp"

#include <algorithm>
#include <stdexcept>

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

bool is_target_type(uint16_t t) {
    return t == type::NS || t == type::MX || t == type::SRV;
}

RRset* find_rrset(Node& node, uint16_t t) {
    for (auto& rrset : node.rrsets) {
        if (rrset.type == t) return &rrset;
    }
    return nullptr;
}

void set_flags(Node& node, std::string_view name, std::string_view apex) {
    node.delegation = name != apex && node.find(type::NS);
    node.dname = node.find(type::DNAME) != nullptr;
}

std::string describe(const Record& record) {
    return name_to_text(record.owner) + " " + type_to_text(record.type);
}

}  // namespace

Zone::Zone(std::string apex, const std::vector<Record>& records, ZoneOrigin origin,
           ZoneAccess access)
    : apex_(std::move(apex)),
      origin_(std::move(origin)),
      access_(std::move(access)),
      nodes_(records.size() + 1) {
    for (const auto& record : records)
        insert(record);
    finish();
}

Zone::Zone(NoData, std::string apex, ZoneOrigin origin, ZoneAccess access)
    : apex_(std::move(apex)), origin_(std::move(origin)), access_(std::move(access)), nodes_(1) {}

std::shared_ptr<const Zone> Zone::without_data(std::string apex, ZoneOrigin origin,
                                               ZoneAccess access) {
    return std::make_shared<const Zone>(NoData{}, std::move(apex), std::move(origin),
                                        std::move(access));
}

std::shared_ptr<const Zone> Zone::with_expired(bool expired) const {
    auto next = std::make_shared<Zone>(Successor{}, *this);
    next->finish();
    next->expired_ = expired;
    return next;
}

std::vector<Record> Zone::records() const {
    std::vector<Record> records;
    records.reserve(record_count_);
    if (soa_) {
        for (const auto& rdata : soa_->rdatas)
            records.push_back(Record{apex_, soa_->type, soa_->rclass, soa_->ttl, rdata, {}});
    }
    for_each_node([&](const std::string& name, const Node& node) {
        for (const auto& rrset : node.rrsets) {
            if (&rrset == soa_) continue;
            for (const auto& rdata : rrset.rdatas)
                records.push_back(Record{name, rrset.type, rrset.rclass, rrset.ttl, rdata, {}});
        }
    });
    return records;
}

std::string ZoneOrigin::describe() const {
    switch (kind) {
        case Kind::database:
            return "the database";
        case Kind::secondary: {
            std::string text = "transfers from";
            for (size_t i = 0; i < primaries.size(); ++i)
                text += (i ? ", " : " ") + primaries[i].to_string();
            return text;
        }
        case Kind::file:
            break;
    }
    return file;
}

Zone::Zone(Successor, const Zone& base)
    : apex_(base.apex_),
      origin_(base.origin_),
      access_(base.access_),
      nodes_(base.nodes_.copy()),
      record_count_(base.record_count_),
      history_(base.history_) {}

void Zone::insert(const Record& record) {
    bool made = false;
    Node* node = &nodes_.get_or_make(record.owner, made);
    if (made) {
        // Empty non-terminals: every name between a record's owner and the
        // apex exists (RFC 4592 §2.2.2), which is what blocks a wildcard
        // above it. Each node counts its children, so that a removal knows
        // when an empty one may go.
        for (std::string name = record.owner;
             name.size() > apex_.size() && is_at_or_below(name, apex_);) {
            std::string parent(parent_of(name));
            bool parent_made = false;
            Node& up = nodes_.get_or_make(parent, parent_made);
            ++up.children;
            if (!parent_made) break;  // its ancestors were linked already
            name = std::move(parent);
        }
        node = nodes_.find_to_change(record.owner);  // the links above may have copied its shard
    }
    auto at = std::lower_bound(node->rrsets.begin(), node->rrsets.end(), record.type,
                               [](const RRset& r, uint16_t t) { return r.type < t; });
    if (at == node->rrsets.end() || at->type != record.type) {
        at = node->rrsets.insert(at, RRset{});
        at->type = record.type;
        at->rclass = record.rclass;
        at->ttl = record.ttl;
    }
    at->rdatas.push_back(normalized_rdata(record));
    if (is_target_type(record.type)) {
        Target target;
        if (auto name = additional_target(record)) {
            target.in_zone = is_at_or_below(*name, apex_);
            target.below_owner = is_at_or_below(*name, record.owner);
            target.name = std::move(*name);
        }
        at->targets.push_back(std::move(target));
    }
    set_flags(*node, record.owner, apex_);
    ++record_count_;
}

void Zone::finish() {
    apex_node_ = nodes_.find(apex_);
    soa_ = apex_node_ ? apex_node_->find(type::SOA) : nullptr;
    if (!soa_ || soa_->rdatas.empty())
        throw std::runtime_error("zone " + name_to_text(apex_) + " has no SOA at its apex");
    const auto fields = parse_soa(soa_->rdatas.front());
    serial_ = fields ? fields->serial : 0;
    negative_ttl_ = fields ? std::min(soa_->ttl, fields->minimum) : soa_->ttl;
}

std::vector<Record> Zone::records_in(const ChangeScope& scope) const {
    std::vector<Record> records;
    const auto add_node = [&](const std::string& name, const Node& node) {
        for (const auto& rrset : node.rrsets) {
            for (const auto& rdata : rrset.rdatas) {
                Record record;
                record.owner = name;
                record.type = rrset.type;
                record.rclass = rrset.rclass;
                record.ttl = rrset.ttl;
                record.rdata = rdata;
                records.push_back(std::move(record));
            }
        }
    };
    for (const auto& name : scope.names) {
        if (const Node* node = find(name)) add_node(name, *node);
    }
    if (!scope.below.empty()) {
        // Rare (a new delegation or DNAME): every node is looked at.
        for_each_node([&](const std::string& name, const Node& node) {
            for (const auto& above : scope.below) {
                if (name != above && is_at_or_below(name, above)) {
                    add_node(name, node);
                    break;
                }
            }
        });
    }
    return records;
}

std::shared_ptr<const Zone> Zone::with_changes(const std::vector<Change>& changes) const {
    auto next = std::make_shared<Zone>(Successor{}, *this);
    NodeTable<Node>& nodes = next->nodes_;
    for (const auto& [removed, added] : changes) {
        for (const auto& record : removed) {
            Node* node = nodes.find_to_change(record.owner);
            RRset* rrset = node ? find_rrset(*node, record.type) : nullptr;
            const std::string rdata = normalized_rdata(record);
            const auto it = rrset ? std::find(rrset->rdatas.begin(), rrset->rdatas.end(), rdata)
                                  : std::vector<std::string>::iterator{};
            if (!rrset || it == rrset->rdatas.end())
                throw std::runtime_error("the record to remove is not served: " + describe(record));
            const auto index = it - rrset->rdatas.begin();
            rrset->rdatas.erase(it);
            if (!rrset->targets.empty()) rrset->targets.erase(rrset->targets.begin() + index);
            if (rrset->rdatas.empty())
                node->rrsets.erase(node->rrsets.begin() + (rrset - node->rrsets.data()));
            set_flags(*node, record.owner, apex_);
            --next->record_count_;
            // A node with no data and no children is gone, and so is each
            // empty one above it that had only it below.
            std::string name = record.owner;
            while (name != apex_ && node && node->rrsets.empty() && node->children == 0) {
                nodes.erase(name);
                name = std::string(parent_of(name));
                node = nodes.find_to_change(name);
                if (node) --node->children;
            }
        }
        for (const auto& record : added) {
            if (const Node* node = nodes.find(record.owner)) {
                if (const RRset* rrset = node->find(record.type)) {
                    if (rrset->ttl != record.ttl)
                        throw std::runtime_error("TTL " + std::to_string(record.ttl) +
                                                 " differs from its RRset's: " + describe(record));
                    if (std::find(rrset->rdatas.begin(), rrset->rdatas.end(),
                                  normalized_rdata(record)) != rrset->rdatas.end())
                        throw std::runtime_error("the record to add is served already: " +
                                                 describe(record));
                }
            }
            next->insert(record);
        }
    }
    next->finish();
    // Each change that replaces the SOA is a step of the history; a change
    // that does not breaks it.
    auto history = history_;
    for (const auto& [removed, added] : changes) {
        auto step = std::make_shared<ZoneDifference>();
        size_t soas = 0;
        for (const auto& record : removed) {
            Record copy{
                record.owner, record.type, record.rclass, record.ttl, normalized_rdata(record), {}};
            if (record.type == type::SOA) {
                step->old_soa = std::move(copy);
                ++soas;
            } else {
                step->removed.push_back(std::move(copy));
            }
        }
        for (const auto& record : added) {
            Record copy{
                record.owner, record.type, record.rclass, record.ttl, normalized_rdata(record), {}};
            if (record.type == type::SOA) {
                step->new_soa = std::move(copy);
                soas += 2;
            } else {
                step->added.push_back(std::move(copy));
            }
        }
        history = soas == 3 ? history->then(std::move(step)) : std::make_shared<ZoneHistory>();
    }
    next->history_ = std::move(history);
    return next;
}

std::shared_ptr<const Zone> Zone::with_origin(ZoneOrigin origin, ZoneAccess access) const {
    if (!has_data()) return without_data(apex_, std::move(origin), std::move(access));
    auto next = std::make_shared<Zone>(Successor{}, *this);
    next->origin_ = std::move(origin);
    next->access_ = std::move(access);
    next->finish();
    next->expired_ = expired_;
    return next;
}

void check_rules_where_changed(const Zone& zone, const std::vector<Zone::Change>& changes) {
    std::vector<const Record*> changed;
    for (const auto& change : changes) {
        for (const auto& record : change.removed)
            changed.push_back(&record);
        for (const auto& record : change.added)
            changed.push_back(&record);
    }
    auto scope = zone.records_in(change_scope(zone.apex(), changed));
    check_zone(zone.apex(), scope, Repairs::refuse);
}

std::shared_ptr<const Zone> Zone::with_history(std::shared_ptr<const ZoneHistory> history) const {
    auto next = std::make_shared<Zone>(Successor{}, *this);
    next->finish();
    next->expired_ = expired_;
    next->history_ = std::move(history);
    return next;
}

namespace {

void append_records(std::vector<Record>& out, const std::string& owner, const RRset& rrset) {
    for (const auto& rdata : rrset.rdatas)
        out.push_back(Record{owner, rrset.type, rrset.rclass, rrset.ttl, rdata, {}});
}

bool same_rrset(const RRset& a, const RRset& b) {
    if (a.ttl != b.ttl || a.rdatas.size() != b.rdatas.size()) return false;
    std::vector<std::string> x = a.rdatas, y = b.rdatas;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    return x == y;
}

}  // namespace

std::shared_ptr<const ZoneDifference> difference(const Zone& before, const Zone& after) {
    auto step = std::make_shared<ZoneDifference>();
    append_records(step->removed, before.apex(), before.soa());
    step->old_soa = step->removed.back();
    step->removed.clear();
    append_records(step->added, after.apex(), after.soa());
    step->new_soa = step->added.back();
    step->added.clear();
    // RRsets of `before` missing or different in `after` go out, and
    // their new version comes in; RRsets only `after` has come in.
    before.for_each_node([&](const std::string& name, const Node& node) {
        const Node* other = after.find(name);
        for (const auto& rrset : node.rrsets) {
            if (rrset.type == type::SOA) continue;
            const RRset* match = other ? other->find(rrset.type) : nullptr;
            if (match && same_rrset(rrset, *match)) continue;
            append_records(step->removed, name, rrset);
            if (match) append_records(step->added, name, *match);
        }
    });
    after.for_each_node([&](const std::string& name, const Node& node) {
        const Node* other = before.find(name);
        for (const auto& rrset : node.rrsets) {
            if (rrset.type != type::SOA && !(other && other->find(rrset.type)))
                append_records(step->added, name, rrset);
        }
    });
    return step;
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
