// Dynamic update (RFC 2136).
#include "dnsd/update.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/dns/name.hpp"
#include "core/dns/serial.hpp"
#include "dnsd/message_records.hpp"
#include "dnsd/query.hpp"

namespace dnsd {

namespace {

namespace type = core::dns::type;
namespace rrclass = core::dns::rrclass;
using core::dns::Record;

[[noreturn]] void refuse(uint8_t rcode, const std::string& why) {
    throw UpdateRefused(rcode, why);
}

std::string describe(const Record& record) {
    return core::dns::name_to_text(record.owner) + " " + core::dns::type_to_text(record.type);
}

// Types that name no RRset: an update may not add them (§3.4.1.2).
bool is_meta_type(uint16_t t) {
    return t == type::ANY || t == type::AXFR || t == type::IXFR || t == 253 || t == 254 ||
           t == type::TSIG || t == type::OPT || t == 249;
}

// The names the update touches, as stored before and as the updates leave
// them; read once each from the database.
class Names {
  public:
    struct Entry {
        Record record;
        int64_t id = 0;  // its row; 0 for a record the update puts in
    };
    struct Name {
        std::vector<Entry> before;
        std::vector<Entry> now;
        bool unreadable = false;  // a stored row that does not parse: the name is in use
    };

    explicit Names(db::ZoneReader& zone) : zone_(zone) {}

    Name& at(const std::string& owner) {
        auto it = names_.find(owner);
        if (it != names_.end()) return it->second;
        Name& name = names_[owner];
        for (auto& stored : zone_.at(owner)) {
            if (!stored.parses()) {
                name.unreadable = true;
                continue;
            }
            name.before.push_back({std::move(*stored.record), stored.row.id});
        }
        name.now = name.before;
        return name;
    }
    std::map<std::string, Name>& all() { return names_; }

  private:
    db::ZoneReader& zone_;
    std::map<std::string, Name> names_;
};

bool has_type(const std::vector<Names::Entry>& entries, uint16_t t) {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const Names::Entry& e) { return e.record.type == t; });
}

// §3.2: every prerequisite, on the zone as stored.
void check_prerequisites(Names& names, const UpdateRequest& request) {
    // Value-dependent ones are compared RRset by RRset (§3.2.3).
    std::map<std::pair<std::string, uint16_t>, std::multiset<std::string>> wanted;
    for (const auto& prerequisite : request.prerequisites) {
        Names::Name& name = names.at(prerequisite.owner);
        const bool in_use = !name.before.empty() || name.unreadable;
        if (prerequisite.rclass == rrclass::ANY) {
            if (prerequisite.type == type::ANY) {
                if (!in_use)
                    refuse(rcode::nxdomain,
                           core::dns::name_to_text(prerequisite.owner) + " is not in use");
            } else if (!has_type(name.before, prerequisite.type)) {
                refuse(rcode::nxrrset, describe(prerequisite) + " does not exist");
            }
        } else if (prerequisite.rclass == rrclass::NONE) {
            if (prerequisite.type == type::ANY) {
                if (in_use)
                    refuse(rcode::yxdomain,
                           core::dns::name_to_text(prerequisite.owner) + " is in use");
            } else if (has_type(name.before, prerequisite.type)) {
                refuse(rcode::yxrrset, describe(prerequisite) + " exists");
            }
        } else {
            wanted[{prerequisite.owner, prerequisite.type}].insert(prerequisite.rdata);
        }
    }
    for (const auto& [key, rdatas] : wanted) {
        std::multiset<std::string> stored;
        for (const auto& entry : names.at(key.first).before) {
            if (entry.record.type == key.second) stored.insert(entry.record.rdata);
        }
        if (stored != rdatas)
            refuse(rcode::nxrrset, core::dns::name_to_text(key.first) + " " +
                                       core::dns::type_to_text(key.second) +
                                       " is not the RRset the prerequisite gives");
    }
}

// §3.4.2.2: one record put in, or ignored as the RFC says.
void add(std::vector<Names::Entry>& now, const Record& record, const std::string& apex) {
    if (record.type == type::SOA) {
        if (record.owner != apex) return;
        const auto old = std::find_if(now.begin(), now.end(), [](const Names::Entry& e) {
            return e.record.type == type::SOA;
        });
        const auto before =
            old == now.end() ? std::nullopt : core::dns::parse_soa(old->record.rdata);
        const auto after = core::dns::parse_soa(record.rdata);
        if (!after || (before && !core::dns::serial_newer(after->serial, before->serial))) return;
        if (old != now.end()) now.erase(old);
        now.push_back({record, 0});
        return;
    }
    if (record.type == type::CNAME) {
        const bool other = std::any_of(now.begin(), now.end(), [](const Names::Entry& e) {
            return e.record.type != type::CNAME;
        });
        if (other) return;
        std::erase_if(now, [](const Names::Entry& e) { return e.record.type == type::CNAME; });
        now.push_back({record, 0});
        return;
    }
    if (has_type(now, type::CNAME)) return;
    bool present = false;
    for (auto& entry : now) {
        if (entry.record.type != record.type) continue;
        // One TTL per RRset (RFC 2181 §5.2): the newest given holds for all.
        entry.record.ttl = record.ttl;
        present |= entry.record.rdata == record.rdata;
    }
    if (!present) now.push_back({record, 0});
}

// §3.4.2.3 and §3.4.2.4: deletions, which never take the apex SOA nor the
// apex NS RRset (whole, or its last record).
void remove(std::vector<Names::Entry>& now, const Record& update, const std::string& apex) {
    const bool at_apex = update.owner == apex;
    if (update.rclass == rrclass::ANY) {
        std::erase_if(now, [&](const Names::Entry& e) {
            const bool kept = at_apex && (e.record.type == type::SOA || e.record.type == type::NS);
            return !kept && (update.type == type::ANY || e.record.type == update.type);
        });
        return;
    }
    if (update.type == type::SOA) return;
    if (at_apex && update.type == type::NS) {
        const auto count = std::count_if(now.begin(), now.end(), [](const Names::Entry& e) {
            return e.record.type == type::NS;
        });
        if (count <= 1) return;
    }
    std::erase_if(now, [&](const Names::Entry& e) {
        return e.record.type == update.type && e.record.rdata == update.rdata;
    });
}

db::RecordInput input_of(const Record& record) {
    return {core::dns::name_to_text(record.owner), core::dns::type_to_text(record.type),
            int64_t{record.ttl}, core::dns::rdata_to_text(record)};
}

// The edits that take the stored `before` of one name to `now`, RRset by
// RRset: records out by their rows, records in, or the RRset replaced
// whole when its TTL changed.
void edits_for(const Names::Name& name, std::vector<db::RecordEdit>& edits) {
    std::set<uint16_t> types;
    for (const auto& e : name.before)
        types.insert(e.record.type);
    for (const auto& e : name.now)
        types.insert(e.record.type);
    for (const uint16_t t : types) {
        std::vector<const Names::Entry*> before, now;
        for (const auto& e : name.before) {
            if (e.record.type == t) before.push_back(&e);
        }
        for (const auto& e : name.now) {
            if (e.record.type == t) now.push_back(&e);
        }
        const bool ttl_changed =
            !before.empty() && !now.empty() && before[0]->record.ttl != now[0]->record.ttl;
        if (ttl_changed || (t == type::SOA && !now.empty() && now[0]->id == 0)) {
            db::RecordEdit edit;
            edit.kind = db::RecordEdit::Kind::replace_rrset;
            edit.name = core::dns::name_to_text(now[0]->record.owner);
            edit.type = core::dns::type_to_text(t);
            edit.ttl = now[0]->record.ttl;
            for (const auto* e : now)
                edit.contents.push_back(core::dns::rdata_to_text(e->record));
            edits.push_back(std::move(edit));
            continue;
        }
        for (const auto* old : before) {
            const bool kept = std::any_of(now.begin(), now.end(),
                                          [&](const Names::Entry* e) { return e->id == old->id; });
            if (kept) continue;
            db::RecordEdit edit;
            edit.kind = db::RecordEdit::Kind::delete_record;
            edit.id = old->id;
            edits.push_back(std::move(edit));
        }
        for (const auto* added : now) {
            if (added->id != 0) continue;
            db::RecordEdit edit;
            edit.kind = db::RecordEdit::Kind::create;
            edit.record = input_of(added->record);
            edits.push_back(std::move(edit));
        }
    }
}

}  // namespace

UpdateRequest read_update(std::string_view message) {
    MessageRecords records;
    try {
        records = read_message_records(message);
    } catch (const std::runtime_error& e) {
        refuse(rcode::formerr, e.what());
    }
    // §3.1.1: one zone, class IN, type SOA.
    if (records.question.size() != 1 || records.question[0].type != type::SOA ||
        records.question[0].rclass != rrclass::IN)
        refuse(rcode::formerr, "the zone section is not one SOA of class IN");
    UpdateRequest request;
    request.apex = records.question[0].owner;
    const auto in_zone = [&](const Record& record) {
        if (!core::dns::is_at_or_below(record.owner, request.apex))
            refuse(rcode::notzone, core::dns::name_to_text(record.owner) + " is outside the zone");
    };
    // §3.2: TTL 0; classes ANY and NONE without data.
    for (auto& prerequisite : records.answer) {
        in_zone(prerequisite);
        const bool empty_class =
            prerequisite.rclass == rrclass::ANY || prerequisite.rclass == rrclass::NONE;
        if (prerequisite.ttl != 0 || (empty_class && !prerequisite.rdata.empty()) ||
            (!empty_class && prerequisite.rclass != rrclass::IN) ||
            (prerequisite.rclass == rrclass::IN && is_meta_type(prerequisite.type)))
            refuse(rcode::formerr,
                   "a prerequisite of no form RFC 2136 §2.4 gives: " + describe(prerequisite));
        request.prerequisites.push_back(std::move(prerequisite));
    }
    // §3.4.1: the prescan, before anything is read or written.
    for (auto& update : records.authority) {
        in_zone(update);
        const bool well_formed =
            update.rclass == rrclass::IN ? !is_meta_type(update.type)
            : update.rclass == rrclass::ANY
                ? update.ttl == 0 && update.rdata.empty() &&
                      (update.type == type::ANY || !is_meta_type(update.type))
                : update.rclass == rrclass::NONE && update.ttl == 0 && !is_meta_type(update.type);
        if (!well_formed)
            refuse(rcode::formerr, "an update of no form RFC 2136 §2.5 gives: " + describe(update) +
                                       " (class " + std::to_string(update.rclass) + ", TTL " +
                                       std::to_string(update.ttl) + ")");
        request.updates.push_back(std::move(update));
    }
    return request;
}

std::vector<db::RecordEdit> plan_update(db::ZoneReader& zone, const UpdateRequest& request) {
    Names names(zone);
    check_prerequisites(names, request);
    for (const auto& update : request.updates) {
        auto& now = names.at(update.owner).now;
        if (update.rclass == rrclass::IN) {
            add(now, update, request.apex);
        } else {
            remove(now, update, request.apex);
        }
    }
    std::vector<db::RecordEdit> edits;
    for (const auto& [owner, name] : names.all())
        edits_for(name, edits);
    return edits;
}

}  // namespace dnsd
