// The domain's zones and records in the database, and the rules every
// change keeps.
#include "db/zone_store.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/serial.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"
#include "db/zone_tables.hpp"

namespace db {

namespace {

namespace dns = core::dns;

constexpr int64_t kDefaultTtl = 3600;
constexpr int64_t kMaxTtl = 2147483647;  // RFC 2181 §8

// A zone named by a client or found in the tables: its row and wire apex.
struct ZoneAt : db::ZoneRow {
    std::string apex;  // wire
};

using Stored = db::StoredRecord;

RecordInfo info_of(const db::RecordRow& row, std::string error = {}) {
    return {row.id,         row.fields.name,    row.fields.type,
            row.fields.ttl, row.fields.content, std::move(error)};
}

RecordInfo info_of(const Stored& stored) {
    return info_of(stored.row, stored.error);
}

// Why a stored row does not parse; "" when it does. Reads return rows as
// stored and need only this: the rows that parsed before are remembered
// by a fingerprint of their fields (per worker thread, so without a
// lock), so that a read of a zone does not parse every record again.
std::string row_error(const db::RecordRow& row, std::string_view apex) {
    constexpr size_t kRemembered = 200000;
    thread_local std::unordered_set<uint64_t> parsed;
    std::string key = std::to_string(row.id);
    for (const std::string_view part :
         {std::string_view(row.fields.name), std::string_view(row.fields.type),
          std::string_view(row.fields.content), apex}) {
        key += '\0';
        key += part;
    }
    key += '\0' + std::to_string(row.fields.ttl);
    const uint64_t fingerprint = std::hash<std::string>{}(key);
    if (parsed.count(fingerprint)) return {};
    std::string error;
    if (!dns::record_from_fields(row.fields, apex, error)) return error;
    if (parsed.size() >= kRemembered) parsed.clear();
    parsed.insert(fingerprint);
    return {};
}

RecordInfo read_info(db::RecordRow row, std::string_view apex) {
    std::string error = row_error(row, apex);
    return info_of(row, std::move(error));
}

RecordInfo info_of(int64_t id, const dns::Record& record) {
    return info_of(db::RecordRow{id, dns::record_to_fields(record)});
}

std::string json_of(const RecordInfo& r) {
    return nlohmann::json{
        {"name", r.name}, {"type", r.type}, {"ttl", r.ttl}, {"content", r.content}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string apex_wire(const std::string& zone_text) {
    std::string error;
    // A zone is named from the root, with or without the final dot.
    const std::string absolute =
        !zone_text.empty() && zone_text.back() != '.' ? zone_text + "." : zone_text;
    auto wire = dns::name_from_text(absolute, error);
    if (!wire) throw ChangeError(ChangeError::Kind::invalid, "invalid zone name", error, "zone");
    return dns::lowercase_name(*wire);
}

// A zone named by a client: its canonical text and wire apex, parsed once.
ZoneAt zone_named(const std::string& zone_text) {
    ZoneAt row;
    row.apex = apex_wire(zone_text);
    row.name = dns::name_to_text(row.apex);
    return row;
}

// The zone, locked for the rest of the transaction against other writers.
ZoneAt find_zone(db::ZoneTables& tables, const std::string& zone, bool for_update) {
    ZoneAt row = zone_named(zone);
    const auto found = tables.find_zone(row.name, for_update);
    if (!found) throw ChangeError(ChangeError::Kind::not_found, "no such zone", row.name, "zone");
    static_cast<db::ZoneRow&>(row) = *found;
    return row;
}

// A client's name and type as the records table stores them (canonical
// text), each one given; 400 naming the one that is not one.
db::RecordFilter record_filter(const ZoneAt& zone, const std::optional<std::string>& name,
                               const std::optional<std::string>& type) {
    db::RecordFilter filter;
    if (name) {
        std::string error;
        auto wire = dns::name_from_text(*name, zone.apex, error);
        if (!wire) throw ChangeError(ChangeError::Kind::invalid, "invalid name", error, "name");
        filter.name = dns::name_to_text(dns::lowercase_name(*wire));
    }
    if (type) {
        const auto known = dns::type_from_text(*type);
        if (!known)
            throw ChangeError(ChangeError::Kind::invalid, "unknown record type", *type, "type");
        filter.type = dns::type_to_text(*known);
    }
    return filter;
}

// A client's record, checked field by field.
dns::Record parse_input(const ZoneAt& zone, const RecordInput& input) {
    std::string error;
    const std::string name_text = input.name.empty() ? "@" : input.name;
    auto owner = dns::name_from_text(name_text, zone.apex, error);
    if (!owner) throw ChangeError(ChangeError::Kind::invalid, "invalid name", error, "name");
    if (!dns::is_at_or_below(dns::lowercase_name(*owner), zone.apex))
        throw ChangeError(ChangeError::Kind::invalid, "the name is outside the zone",
                          name_text + " is not in " + zone.name, "name");
    const auto type = dns::type_from_text(input.type);
    if (!type)
        throw ChangeError(ChangeError::Kind::invalid, "unknown record type", input.type, "type");
    const int64_t ttl = input.ttl.value_or(kDefaultTtl);
    if (ttl < 0 || ttl > kMaxTtl)
        throw ChangeError(ChangeError::Kind::invalid, "ttl out of range", "from 0 to 2147483647",
                          "ttl");
    auto rdata = dns::rdata_from_text(*type, input.content, zone.apex, error);
    if (!rdata) throw ChangeError(ChangeError::Kind::invalid, "invalid content", error, "content");
    dns::Record record;
    record.owner = dns::lowercase_name(*owner);
    record.type = *type;
    record.ttl = static_cast<uint32_t>(ttl);
    record.rdata = std::move(*rdata);
    return record;
}

// The zone as dnsd would load it; a violation is a conflict with what is
// stored already.
void check_valid(const ZoneAt& zone, const std::vector<dns::Record>& records,
                 ChangeError::Kind kind, const std::string& field) {
    std::vector<dns::Record> copy = records;
    try {
        dns::check_zone(zone.apex, copy, dns::Repairs::refuse);
    } catch (const dns::ZoneRuleError& e) {
        std::string detail = e.reason();
        std::string where = field;
        if (const auto* row = std::get_if<dns::StoredRow>(&e.origin()))
            detail += " (record " + std::to_string(row->id) + ")";
        else if (const auto* at = std::get_if<dns::FileLine>(&e.origin()))
            detail = dns::describe(*at) + ": " + detail;
        else if (const auto* item = std::get_if<dns::RequestItem>(&e.origin());
                 item && field == "changes")
            where = "changes[" + std::to_string(item->index) + "]";
        throw ChangeError(kind, "the zone would not be valid", detail, where);
    }
}

// The stored records that a change to `changed` (new and old versions of
// records) can conflict with (core::dns::change_scope), and none else: a
// write into a zone of 100,000 records reads and parses a handful, not the
// zone. `targets` are the rows the change replaces or deletes, kept in even
// when their names do not parse.
std::vector<Stored> affected_records(db::ZoneTables& tables, const ZoneAt& zone,
                                     const std::vector<const dns::Record*>& changed,
                                     const std::vector<db::RecordRow>& targets) {
    const dns::ChangeScope scope = dns::change_scope(zone.apex, changed);
    std::vector<std::string> names, below;
    for (const auto& name : scope.names)
        names.push_back(dns::name_to_text(name));
    for (const auto& name : scope.below)
        below.push_back(dns::name_to_text(name));
    std::vector<Stored> stored = tables.read_records_at(zone.id, zone.apex, names, below);
    for (const auto& target : targets) {
        if (std::none_of(stored.begin(), stored.end(),
                         [&](const Stored& s) { return s.row.id == target.id; }))
            stored.push_back(db::parse_row(target, zone.apex));
    }
    return stored;
}

// The records that parse: those a zone check and dnsd see. A row that does
// not parse is left out of both, so that it never blocks the change that
// replaces or deletes it.
std::vector<dns::Record> records_of(const std::vector<Stored>& stored) {
    std::vector<dns::Record> out;
    out.reserve(stored.size());
    for (const auto& s : stored) {
        if (s.parses()) out.push_back(*s.record);
    }
    return out;
}

// Sets the serial inside an SOA's wire rdata.
void set_soa_serial(dns::Record& soa, uint32_t serial) {
    const size_t mname = dns::wire_name_length(soa.rdata);
    const size_t rname = dns::wire_name_length(std::string_view(soa.rdata).substr(mname));
    const size_t at = mname + rname;
    if (mname == 0 || rname == 0 || soa.rdata.size() < at + 4) return;
    soa.rdata[at] = static_cast<char>(serial >> 24);
    soa.rdata[at + 1] = static_cast<char>(serial >> 16);
    soa.rdata[at + 2] = static_cast<char>(serial >> 8);
    soa.rdata[at + 3] = static_cast<char>(serial);
}

std::optional<std::string> json_or_null(const nlohmann::json& value) {
    if (value.is_null()) return std::nullopt;
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_apex_soa(const ZoneAt& zone, const dns::Record& record) {
    return record.type == dns::type::SOA && record.owner == zone.apex;
}

// The zone's SOA record and the row that holds it.
struct SoaRow {
    dns::Record record;
    int64_t id = 0;
};

std::optional<SoaRow> find_apex_soa(const ZoneAt& zone, const std::vector<Stored>& stored) {
    for (const auto& s : stored) {
        if (s.parses() && is_apex_soa(zone, *s.record)) return SoaRow{*s.record, s.row.id};
    }
    return std::nullopt;
}

// Raises the zone's serial (to `at_least` when that is newer) in the zone
// row and in its SOA record; returns the new serial.
uint32_t raise_serial(db::ZoneTables& tables, const ZoneAt& zone, SoaRow& soa,
                      std::optional<uint32_t> at_least = std::nullopt) {
    uint32_t serial = dns::next_serial(zone.serial, date_serial());
    if (at_least && dns::serial_newer(*at_least, serial)) serial = *at_least;
    tables.set_serial(zone.id, serial);
    set_soa_serial(soa.record, serial);
    tables.update_record(soa.id, dns::record_to_fields(soa.record));
    return serial;
}

// Rows of the zones' journal kept, all zones together: some 10,000 changes.
constexpr int64_t kJournalRows = 30000;

// One change for the zone's journal: what a reader of the version at the
// serial before takes out and puts in to make the version after.
struct Journal {
    std::vector<dns::Record> removed, added;  // the apex SOA aside
    bool reload = false;  // a row no reader served, or too much to list: read the zone

    void write(db::ZoneTables& tables, const ZoneAt& zone, uint32_t serial,
               const dns::Record* soa_before, const dns::Record* soa_after) {
        std::vector<db::ZoneChange> rows;
        const auto row = [&](db::ZoneChange::Action action, const dns::Record* record) {
            rows.push_back({action, zone.serial, serial,
                            record ? dns::record_to_fields(*record) : dns::RecordFields{}});
        };
        if (reload) {
            row(db::ZoneChange::Action::reload, nullptr);
        } else {
            if (soa_before) row(db::ZoneChange::Action::remove, soa_before);
            for (const auto& record : removed)
                row(db::ZoneChange::Action::remove, &record);
            if (soa_after) row(db::ZoneChange::Action::add, soa_after);
            for (const auto& record : added)
                row(db::ZoneChange::Action::add, &record);
        }
        tables.journal(zone.id, rows, kJournalRows);
    }
};

// An edit as read from the database: the rows it takes out and the
// records it puts in.
struct Resolved {
    std::vector<Stored> removed;
    std::vector<dns::Record> added;  // each with origin RequestItem{its edit's index}
    int64_t kept_id = 0;             // a replaced record keeps its row and id
    bool rrset = false;              // an edit of a whole RRset
    std::vector<int64_t> written_ids;
};

// Runs `step`; with several items, a refusal is told as that of item `i`
// of the request's `list`.
template <typename Step>
void with_index(bool batch, size_t i, Step&& step, const std::string& list = "changes") {
    if (!batch) return step();
    try {
        step();
    } catch (const ChangeError& e) {
        const std::string at = list + "[" + std::to_string(i) + "]";
        throw ChangeError(e.kind(), e.error(), e.detail(),
                          e.field().empty() || e.field() == list ? at : at + "." + e.field());
    }
}

// The rows of one RRset, parsed; `filter` names it as stored.
std::vector<Stored> rrset_rows(db::ZoneTables& tables, const ZoneAt& zone,
                               const db::RecordFilter& filter) {
    std::vector<Stored> rows;
    for (auto& r : tables.list_records(zone.id, filter, INT64_MAX / 2, 0))
        rows.push_back(db::parse_row(std::move(r), zone.apex));
    return rows;
}

Resolved resolve(db::ZoneTables& tables, const ZoneAt& zone, const RecordEdit& edit, size_t index) {
    Resolved r;
    const auto added = [&](const RecordInput& input) {
        dns::Record record = parse_input(zone, input);
        record.origin = dns::RequestItem{index};
        r.added.push_back(std::move(record));
    };
    const auto existing = [&](int64_t id) {
        auto row = tables.find_record(zone.id, id);
        if (!row)
            throw ChangeError(ChangeError::Kind::not_found, "no such record", std::to_string(id),
                              "id");
        r.removed.push_back(db::parse_row(std::move(*row), zone.apex));
    };
    switch (edit.kind) {
        case RecordEdit::Kind::create:
            added(edit.record);
            break;
        case RecordEdit::Kind::replace_record:
            existing(edit.id);
            r.kept_id = edit.id;
            added(edit.record);
            break;
        case RecordEdit::Kind::delete_record:
            existing(edit.id);
            break;
        case RecordEdit::Kind::replace_rrset:
        case RecordEdit::Kind::delete_rrset: {
            r.rrset = true;
            const db::RecordFilter rrset =
                record_filter(zone, edit.name.empty() ? "@" : edit.name, edit.type);
            r.removed = rrset_rows(tables, zone, rrset);
            if (edit.kind == RecordEdit::Kind::delete_rrset) {
                if (r.removed.empty() && !edit.absent_ok)
                    throw ChangeError(ChangeError::Kind::not_found, "no such RRset",
                                      *rrset.name + " " + *rrset.type);
                break;
            }
            for (const auto& content : edit.contents)
                added({*rrset.name, *rrset.type, edit.ttl, content});
            break;
        }
    }
    return r;
}

// Plays one edit on `stored` (what its changes can affect): its rows out,
// its records in. `taken_out` holds the rows earlier edits took out.
void play(const ZoneAt& zone, RecordEdit::Kind kind, const Resolved& r, std::vector<Stored>& stored,
          std::set<int64_t>& taken_out) {
    bool soa_out = false, soa_in = false;
    for (const auto& old : r.removed) {
        if (!taken_out.insert(old.row.id).second)
            throw ChangeError(
                ChangeError::Kind::conflict, "a record is changed twice",
                "record " + std::to_string(old.row.id) + " is taken out by an earlier change");
        soa_out |= old.parses() && is_apex_soa(zone, *old.record);
        std::erase_if(stored, [&](const Stored& s) { return s.row.id == old.row.id; });
    }
    for (const auto& record : r.added) {
        soa_in |= is_apex_soa(zone, record);
        for (const auto& s : stored) {
            if (!s.parses() || !s.record->same_data(record)) continue;
            throw ChangeError(ChangeError::Kind::conflict, "duplicate record",
                              s.row.id ? "record " + std::to_string(s.row.id) +
                                             " has the same name, type and content"
                                       : "an earlier change puts in the same record");
        }
        Stored added;
        added.record = record;
        stored.push_back(std::move(added));
    }
    if (soa_out && !soa_in) {
        const bool deleting =
            kind == RecordEdit::Kind::delete_record || kind == RecordEdit::Kind::delete_rrset;
        if (deleting)
            throw ChangeError(ChangeError::Kind::conflict, "the apex SOA cannot be deleted",
                              "a zone always has one", "id");
        throw ChangeError(ChangeError::Kind::conflict, "the apex SOA cannot be removed",
                          "change its content instead", "type");
    }
}

std::string audit_action(RecordEdit::Kind kind) {
    switch (kind) {
        case RecordEdit::Kind::create:
            return "record.create";
        case RecordEdit::Kind::replace_record:
            return "record.update";
        case RecordEdit::Kind::delete_record:
            return "record.delete";
        case RecordEdit::Kind::replace_rrset:
            return "rrset.replace";
        case RecordEdit::Kind::delete_rrset:
            return "rrset.delete";
    }
    return "record.update";
}

// The record an audit row is about: one record's edit names it.
std::optional<int64_t> audit_record_id(const Resolved& r) {
    if (r.rrset) return std::nullopt;
    if (!r.removed.empty()) return r.removed[0].row.id;
    if (!r.written_ids.empty()) return r.written_ids[0];
    return std::nullopt;
}

// A record's JSON, or an RRset's as a list of them; null for nothing.
std::optional<std::string> audit_value(const std::vector<RecordInfo>& records, bool rrset) {
    if (records.empty() && !rrset) return std::nullopt;
    if (!rrset) return json_of(records[0]);
    std::string list = "[";
    for (const auto& r : records)
        list += (list.size() > 1 ? "," : "") + json_of(r);
    return list + "]";
}

EditResult single(std::vector<EditResult> results) {
    return std::move(results.at(0));
}

std::vector<dns::Record> parse_zone_file(const ZoneAt& zone, const std::string& text) {
    try {
        auto file = dns::parse_master_text(text, "zone_file", zone.apex);
        return std::move(file.records);
    } catch (const dns::ZoneFileError& e) {
        throw ChangeError(ChangeError::Kind::invalid, "the zone file does not parse", e.what(),
                          "zone_file");
    }
}

std::optional<uint32_t> soa_serial_in(const ZoneAt& zone, const std::vector<dns::Record>& records) {
    for (const auto& r : records) {
        if (r.type == dns::type::SOA && r.owner == zone.apex) {
            if (auto soa = dns::parse_soa(r.rdata)) return soa->serial;
        }
    }
    return std::nullopt;
}

// Plays `edits` on the zone in the transaction under way: each checked,
// the zone's rules kept, then written with one serial raise, the journal
// and an audit row per edit.
std::vector<EditResult> apply_edits(ZoneTables& tables, const ZoneAt& row, const std::string& actor,
                                    const std::vector<RecordEdit>& edits, ZoneCommit& change);

}  // namespace

uint32_t date_serial() {
    const time_t now = time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    return static_cast<uint32_t>((tm.tm_year + 1900) * 1'000'000 + (tm.tm_mon + 1) * 10'000 +
                                 tm.tm_mday * 100);
}

std::string canonical_zone_name(const std::string& text) {
    return zone_named(text).name;
}

std::vector<ZoneInfo> ZoneStore::list_zones() {
    std::vector<ZoneInfo> zones;
    for (const auto& z : tables_.list_zones())
        zones.push_back({z.zone.id, z.zone.name, z.zone.serial, z.records});
    return zones;
}

ZoneInfo ZoneStore::get_zone(const std::string& zone) {
    const ZoneAt row = find_zone(tables_, zone, false);
    return {row.id, row.name, row.serial, tables_.count_records(row.id)};
}

ZoneInfo ZoneStore::create_zone(const std::string& actor, const std::string& zone,
                                const ZoneSpec& spec, ZoneCommit& change) {
    ZoneAt row = zone_named(zone);
    std::vector<dns::Record> records;
    if (spec.zone_file) {
        records = parse_zone_file(row, *spec.zone_file);
    } else {
        // A zone a server can load at once: an SOA and its name servers.
        std::string error;
        auto soa =
            dns::record_from_text("@ 3600 IN SOA ns1 hostmaster " + std::to_string(date_serial()) +
                                      " 7200 3600 1209600 300",
                                  row.apex, std::nullopt, error);
        if (!soa)
            throw ChangeError(ChangeError::Kind::internal, "cannot make the default SOA", error);
        records.push_back(std::move(*soa));
        const auto nameservers = spec.nameservers.value_or(std::vector<std::string>{"ns1"});
        for (size_t i = 0; i < nameservers.size(); ++i) {
            with_index(
                true, i,
                [&] {
                    records.push_back(parse_input(row, {"@", "NS", 3600, nameservers[i]}));
                },
                "nameservers");
        }
    }
    for (size_t i = 0; i < spec.records.size(); ++i) {
        with_index(
            true, i,
            [&] {
                dns::Record record = parse_input(row, spec.records[i]);
                record.origin = dns::RequestItem{i};
                records.push_back(std::move(record));
            },
            "records");
    }
    check_valid(row, records, ChangeError::Kind::invalid, spec.zone_file ? "zone_file" : "zone");
    const uint32_t serial = soa_serial_in(row, records).value_or(date_serial());

    db::Transaction transaction(db_);
    if (tables_.find_zone(row.name))
        throw ChangeError(ChangeError::Kind::conflict, "the zone exists already", row.name, "name");
    try {
        row.id = tables_.insert_zone(row.name, serial);
    } catch (const db::Error& e) {
        // Another writer created it between the check and the insert.
        if (e.kind() == db::Error::Kind::constraint)
            throw ChangeError(ChangeError::Kind::conflict, "the zone exists already", row.name,
                              "name");
        throw;
    }
    for (const auto& record : records)
        tables_.insert_record(row.id, dns::record_to_fields(record));
    tables_.audit({actor, "zone.create", row.name, std::nullopt, std::nullopt,
                   json_or_null({{"serial", serial}, {"records", records.size()}}), std::nullopt,
                   serial});
    commit_change(transaction);
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

void ZoneStore::delete_zone(const std::string& actor, const std::string& zone, ZoneCommit& change) {
    db::Transaction transaction(db_);
    const ZoneAt row = find_zone(tables_, zone, true);
    const int64_t count = tables_.count_records(row.id);
    tables_.delete_zone(row.id);
    tables_.audit({actor, "zone.delete", row.name, std::nullopt,
                   json_or_null({{"serial", row.serial}, {"records", count}}), std::nullopt,
                   row.serial, std::nullopt});
    commit_change(transaction);
    change = {row.name, row.serial};
}

RecordPage ZoneStore::list_records(const std::string& zone, const std::optional<std::string>& name,
                                   const std::optional<std::string>& type, int64_t limit,
                                   int64_t offset) {
    const ZoneAt row = find_zone(tables_, zone, false);
    const db::RecordFilter filter = record_filter(row, name, type);
    RecordPage page;
    page.total = tables_.count_records(row.id, filter);
    for (auto& r : tables_.list_records(row.id, filter, limit, offset))
        page.records.push_back(read_info(std::move(r), row.apex));
    return page;
}

RecordInfo ZoneStore::get_record(const std::string& zone, int64_t id) {
    const ZoneAt row = find_zone(tables_, zone, false);
    auto found = tables_.find_record(row.id, id);
    if (!found)
        throw ChangeError(ChangeError::Kind::not_found, "no such record", std::to_string(id), "id");
    return read_info(std::move(*found), row.apex);
}

std::vector<RecordInfo> ZoneStore::zone_records(const std::string& zone) {
    const ZoneAt row = find_zone(tables_, zone, false);
    std::vector<RecordInfo> records;
    for (auto& r : tables_.list_records(row.id, {}, INT64_MAX / 2, 0))
        records.push_back(read_info(std::move(r), row.apex));
    std::stable_sort(records.begin(), records.end(), [](const RecordInfo& a, const RecordInfo& b) {
        return std::tie(a.name, a.type) < std::tie(b.name, b.type);
    });
    return records;
}

RecordInfo ZoneStore::add_record(const std::string& actor, const std::string& zone,
                                 const RecordInput& input, ZoneCommit& change) {
    RecordEdit edit;
    edit.kind = RecordEdit::Kind::create;
    edit.record = input;
    return single(edit_records(actor, zone, {edit}, change)).records.at(0);
}

RecordInfo ZoneStore::update_record(const std::string& actor, const std::string& zone, int64_t id,
                                    const RecordInput& input, ZoneCommit& change) {
    RecordEdit edit;
    edit.kind = RecordEdit::Kind::replace_record;
    edit.id = id;
    edit.record = input;
    return single(edit_records(actor, zone, {edit}, change)).records.at(0);
}

void ZoneStore::delete_record(const std::string& actor, const std::string& zone, int64_t id,
                              ZoneCommit& change) {
    RecordEdit edit;
    edit.kind = RecordEdit::Kind::delete_record;
    edit.id = id;
    edit_records(actor, zone, {edit}, change);
}

std::vector<EditResult> ZoneStore::edit_records(const std::string& actor, const std::string& zone,
                                                const std::vector<RecordEdit>& edits,
                                                ZoneCommit& change) {
    if (edits.empty())
        throw ChangeError(ChangeError::Kind::invalid, "no changes", "give at least one", "changes");
    db::Transaction transaction(db_);
    const ZoneAt row = find_zone(tables_, zone, true);
    auto results = apply_edits(tables_, row, actor, edits, change);
    commit_change(transaction);
    return results;
}

void ZoneStore::commit_change(Transaction& transaction) {
    const AuditWitness witness = tables_.last_audit();
    try {
        transaction.commit();
    } catch (const Error& lost) {
        if (lost.kind() != Error::Kind::commit_unknown || witness.id == 0) throw;
        // Asked through the connection made again (the next server of a
        // replicated database, whose reads wait for what the cluster
        // committed); once more if that one is lost too.
        std::optional<bool> made;
        std::string why;
        for (int attempt = 0; attempt < 2 && !made; ++attempt) {
            try {
                made = tables_.audit_stored(witness);
            } catch (const Error& check) {
                why = check.what();
                if (!check.retry_safe()) break;
            }
        }
        if (!made)
            throw Error(
                Error::Kind::commit_unknown, lost.code(),
                std::string(lost.what()) + "; whether the change was made is not known: " + why);
        // Not made: as any transaction lost before its end, it may run again.
        if (!*made)
            throw Error(Error::Kind::connection_lost, lost.code(),
                        std::string(lost.what()) + "; the change was not made");
        core::log::warn("db") << lost.what() << "; the change was made (audit row " << witness.id
                              << " is stored)";
    }
}

std::vector<StoredRecord> ZoneReader::at(const std::string& name) {
    return tables_.read_records_at(zone_id_, apex_, {dns::name_to_text(name)});
}

std::vector<EditResult> ZoneStore::edit_planned(const std::string& actor, const std::string& zone,
                                                const Planner& plan, ZoneCommit& change) {
    db::Transaction transaction(db_);
    const ZoneAt row = find_zone(tables_, zone, true);
    ZoneReader reader(tables_, row.id, row.apex);
    const std::vector<RecordEdit> edits = plan(reader);
    if (edits.empty()) {
        change = {row.name, row.serial};
        return {};  // nothing to write: no serial raise, no audit
    }
    auto results = apply_edits(tables_, row, actor, edits, change);
    commit_change(transaction);
    return results;
}

namespace {

std::vector<EditResult> apply_edits(ZoneTables& tables, const ZoneAt& row, const std::string& actor,
                                    const std::vector<RecordEdit>& edits, ZoneCommit& change) {
    const bool batch = edits.size() != 1;

    // Each edit read: the rows it takes out, the records it puts in.
    std::vector<Resolved> resolved;
    resolved.reserve(edits.size());
    for (size_t i = 0; i < edits.size(); ++i)
        with_index(batch, i, [&] { resolved.push_back(resolve(tables, row, edits[i], i)); });

    // What they can break a rule with, every row they take out among it.
    std::vector<const dns::Record*> changed;
    std::vector<db::RecordRow> targets;
    for (const auto& r : resolved) {
        for (const auto& old : r.removed) {
            if (old.parses()) changed.push_back(&*old.record);
            targets.push_back(old.row);
        }
        for (const auto& record : r.added)
            changed.push_back(&record);
    }
    std::vector<Stored> stored = affected_records(tables, row, changed, targets);
    const auto soa_before = find_apex_soa(row, stored);

    // The edits played in order on what is stored, then the zone checked.
    const std::vector<Stored> unchanged = batch ? stored : std::vector<Stored>{};
    std::set<int64_t> taken_out;
    for (size_t i = 0; i < resolved.size(); ++i)
        with_index(batch, i, [&] { play(row, edits[i].kind, resolved[i], stored, taken_out); });
    try {
        check_valid(row, records_of(stored), ChangeError::Kind::conflict, batch ? "changes" : "");
    } catch (const ChangeError& e) {
        if (e.field() != "changes") throw;
        // The rule may be broken by a stored record's side: the edit to
        // name is the first after which the zone no longer checks.
        std::vector<Stored> partial = unchanged;
        std::set<int64_t> out;
        for (size_t i = 0; i < resolved.size(); ++i) {
            play(row, edits[i].kind, resolved[i], partial, out);
            try {
                check_valid(row, records_of(partial), ChangeError::Kind::conflict, "");
            } catch (const ChangeError&) {
                throw ChangeError(e.kind(), e.error(), e.detail(),
                                  "changes[" + std::to_string(i) + "]");
            }
        }
        throw;
    }

    // Written: each edit's rows out, its records in (a replaced record
    // keeps its id).
    std::optional<SoaRow> soa = soa_before;
    Journal journal;
    for (auto& r : resolved) {
        for (const auto& old : r.removed) {
            if (old.row.id != r.kept_id) tables.delete_record(old.row.id);
            if (!old.parses()) {
                journal.reload = true;  // a row no reader could serve
            } else if (!is_apex_soa(row, *old.record)) {
                journal.removed.push_back(*old.record);
            }
        }
        for (size_t k = 0; k < r.added.size(); ++k) {
            const dns::Record& record = r.added[k];
            const auto fields = dns::record_to_fields(record);
            int64_t id = r.kept_id;
            if (k == 0 && r.kept_id) {
                tables.update_record(id, fields);
            } else {
                id = tables.insert_record(row.id, fields);
            }
            r.written_ids.push_back(id);
            if (is_apex_soa(row, record)) {
                soa = SoaRow{record, id};  // its serial is the zone's, set below
            } else {
                journal.added.push_back(record);
            }
        }
    }
    if (!soa)
        throw ChangeError(ChangeError::Kind::internal, "the zone has no SOA record", row.name);
    const uint32_t serial = raise_serial(tables, row, *soa);
    journal.write(tables, row, serial, soa_before ? &soa_before->record : nullptr, &soa->record);

    std::vector<EditResult> results(edits.size());
    for (size_t i = 0; i < resolved.size(); ++i) {
        const Resolved& r = resolved[i];
        for (size_t k = 0; k < r.added.size(); ++k) {
            const bool is_soa = is_apex_soa(row, r.added[k]);
            results[i].records.push_back(
                info_of(r.written_ids[k], is_soa ? soa->record : r.added[k]));
        }
        std::vector<RecordInfo> before;
        for (const auto& old : r.removed)
            before.push_back(info_of(old));
        tables.audit({actor, audit_action(edits[i].kind), row.name, audit_record_id(r),
                      audit_value(before, r.rrset), audit_value(results[i].records, r.rrset),
                      row.serial, serial});
    }
    change = {row.name, serial};
    return results;
}

}  // namespace

AuditPage ZoneStore::audit(const std::optional<std::string>& zone, const db::AuditFilter& filter,
                           int64_t limit, int64_t offset) {
    db::AuditFilter where = filter;
    if (zone) where.zone = find_zone(tables_, *zone, false).name;
    return {tables_.audit_entries(where, limit, offset), tables_.count_audit_entries(where)};
}

std::string ZoneStore::export_zone(const std::string& zone) {
    const ZoneAt row = find_zone(tables_, zone, false);
    const std::vector<Stored> stored = tables_.read_records(row.id, row.apex);
    // A zone file without them would be taken for the whole zone.
    std::string broken;
    for (const auto& s : stored) {
        if (s.parses()) continue;
        if (!broken.empty()) broken += "; ";
        broken += "record " + std::to_string(s.row.id) + ": " + s.error;
    }
    if (!broken.empty())
        throw ChangeError(ChangeError::Kind::conflict,
                          "stored records do not parse: replace or delete them first", broken);
    // The SOA first, as RFC 1035 §5.2 asks; then by name (as text, made
    // once per record) and type.
    struct Line {
        bool soa;
        std::string name;
        const dns::Record* record;
    };
    std::vector<Line> lines;
    lines.reserve(stored.size());
    for (const auto& s : stored)
        lines.push_back(
            {s.record->type == dns::type::SOA, dns::name_to_text(s.record->owner), &*s.record});
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
        if (a.soa != b.soa) return a.soa;
        if (a.name != b.name) return a.name < b.name;
        return a.record->type < b.record->type;
    });
    std::string text = "; " + row.name + " serial " + std::to_string(row.serial) +
                       ", exported by webstack appsrv\n$ORIGIN " + row.name + "\n";
    for (const auto& line : lines)
        text += dns::record_to_text(*line.record) + "\n";
    return text;
}

ZoneInfo ZoneStore::import_zone(const std::string& actor, const std::string& zone,
                                const std::string& zone_file, ZoneCommit& change) {
    db::Transaction transaction(db_);
    const ZoneAt row = find_zone(tables_, zone, true);
    const std::vector<dns::Record> records = parse_zone_file(row, zone_file);
    check_valid(row, records, ChangeError::Kind::invalid, "zone_file");
    const int64_t before = tables_.count_records(row.id);
    tables_.delete_records(row.id);
    std::vector<Stored> stored;
    for (const auto& record : records) {
        db::RecordRow written{0, dns::record_to_fields(record)};
        written.id = tables_.insert_record(row.id, written.fields);
        stored.push_back({std::move(written), record, {}});
    }
    auto soa = find_apex_soa(row, stored);
    if (!soa)
        throw ChangeError(ChangeError::Kind::invalid, "the zone file has no SOA", row.name,
                          "zone_file");
    const uint32_t serial = raise_serial(tables_, row, *soa, soa_serial_in(row, records));
    Journal journal;
    journal.reload = true;  // every record
    journal.write(tables_, row, serial, nullptr, nullptr);
    tables_.audit({actor, "zone.import", row.name, std::nullopt,
                   json_or_null({{"serial", row.serial}, {"records", before}}),
                   json_or_null({{"serial", serial}, {"records", records.size()}}), row.serial,
                   serial});
    commit_change(transaction);
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

}  // namespace db
