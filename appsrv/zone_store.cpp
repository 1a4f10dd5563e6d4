// The domain's zones and records in the database, and the rules every
// change keeps.
#include "appsrv/zone_store.hpp"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

#include "appsrv/api_error.hpp"
#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/serial.hpp"
#include "core/dns/zone_rules.hpp"
#include "db/zone_tables.hpp"

namespace appsrv {

namespace {

namespace dns = core::dns;
using db::Params;

constexpr int64_t kDefaultTtl = 3600;
constexpr int64_t kMaxTtl = 2147483647;  // RFC 2181 §8

// A zone named by a client or found in the tables: its row and wire apex.
struct ZoneRow : db::ZoneRow {
    std::string apex;  // wire
};

using Stored = db::StoredRecord;

RecordInfo info_of(const db::RecordRow& row, std::string error = {}) {
    return {row.id,          row.fields.name,    row.fields.type,
            row.fields.ttl,  row.fields.content, std::move(error)};
}

RecordInfo info_of(const Stored& stored) {
    return info_of(stored.row, stored.error);
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
    if (!wire) throw ApiError(400, "invalid zone name", error, "zone");
    return dns::lowercase_name(*wire);
}

// A zone named by a client: its canonical text and wire apex, parsed once.
ZoneRow zone_named(const std::string& zone_text) {
    ZoneRow row;
    row.apex = apex_wire(zone_text);
    row.name = dns::name_to_text(row.apex);
    return row;
}

// The zone, locked for the rest of the transaction against other writers.
ZoneRow find_zone(db::ZoneTables& tables, const std::string& zone, bool for_update) {
    ZoneRow row = zone_named(zone);
    const auto found = tables.find_zone(row.name, for_update);
    if (!found) throw ApiError(404, "no such zone", row.name, "zone");
    static_cast<db::ZoneRow&>(row) = *found;
    return row;
}

// The stored record `id`, or 404.
std::vector<Stored>::iterator find_stored(std::vector<Stored>& stored, int64_t id) {
    const auto it = std::find_if(stored.begin(), stored.end(),
                                 [id](const Stored& s) { return s.row.id == id; });
    if (it == stored.end()) throw ApiError(404, "no such record", std::to_string(id), "id");
    return it;
}

// 409 when a record other than `except_id` holds the same data.
void reject_duplicate(const std::vector<Stored>& stored, const dns::Record& record,
                      int64_t except_id = 0) {
    for (const auto& s : stored) {
        if (s.row.id != except_id && s.parses() && s.record->same_data(record))
            throw ApiError(
                409, "duplicate record",
                "record " + std::to_string(s.row.id) + " has the same name, type and content");
    }
}

// A client's record, checked field by field.
dns::Record parse_input(const ZoneRow& zone, const RecordInput& input) {
    std::string error;
    const std::string name_text = input.name.empty() ? "@" : input.name;
    auto owner = dns::name_from_text(name_text, zone.apex, error);
    if (!owner) throw ApiError(400, "invalid name", error, "name");
    if (!dns::is_at_or_below(dns::lowercase_name(*owner), zone.apex))
        throw ApiError(400, "the name is outside the zone", name_text + " is not in " + zone.name,
                       "name");
    const auto type = dns::type_from_text(input.type);
    if (!type) throw ApiError(400, "unknown record type", input.type, "type");
    const int64_t ttl = input.ttl.value_or(kDefaultTtl);
    if (ttl < 0 || ttl > kMaxTtl)
        throw ApiError(400, "ttl out of range", "from 0 to 2147483647", "ttl");
    auto rdata = dns::rdata_from_text(*type, input.content, zone.apex, error);
    if (!rdata) throw ApiError(400, "invalid content", error, "content");
    dns::Record record;
    record.owner = dns::lowercase_name(*owner);
    record.type = *type;
    record.ttl = static_cast<uint32_t>(ttl);
    record.rdata = std::move(*rdata);
    return record;
}

// The zone as dnsd would load it; a violation is a conflict with what is
// stored already.
void check_valid(const ZoneRow& zone, const std::vector<dns::Record>& records, int status,
                 const std::string& field) {
    std::vector<dns::Record> copy = records;
    try {
        dns::check_zone(zone.apex, copy);
    } catch (const dns::ZoneRuleError& e) {
        std::string detail = e.reason();
        if (const auto* row = std::get_if<dns::StoredRow>(&e.origin()))
            detail += " (record " + std::to_string(row->id) + ")";
        else if (const auto* at = std::get_if<dns::FileLine>(&e.origin()))
            detail = dns::describe(*at) + ": " + detail;
        throw ApiError(status, "the zone would not be valid", detail, field);
    }
}

// The stored records that a change to `changed` (new and old versions of
// records) can conflict with (core::dns::change_scope), and none else: a
// write into a zone of 100,000 records reads and parses a handful, not the
// zone. `target` is a record the change replaces or deletes, kept in even
// when its name does not parse.
std::vector<Stored> affected_records(db::ZoneTables& tables, const ZoneRow& zone,
                                     const std::vector<const dns::Record*>& changed,
                                     const std::optional<db::RecordRow>& target = std::nullopt) {
    const dns::ChangeScope scope = dns::change_scope(zone.apex, changed);
    std::vector<std::string> names, below;
    for (const auto& name : scope.names)
        names.push_back(dns::name_to_text(name));
    for (const auto& name : scope.below)
        below.push_back(dns::name_to_text(name));
    std::vector<Stored> stored = tables.read_records_at(zone.id, zone.apex, names, below);
    if (target && std::none_of(stored.begin(), stored.end(),
                               [&](const Stored& s) { return s.row.id == target->id; })) {
        stored.push_back(db::parse_row(*target, zone.apex));
    }
    return stored;
}

// The stored row `id` of the zone, or 404.
db::RecordRow existing_row(db::ZoneTables& tables, const ZoneRow& zone, int64_t id) {
    auto row = tables.find_record(zone.id, id);
    if (!row) throw ApiError(404, "no such record", std::to_string(id), "id");
    return std::move(*row);
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

// Raises the zone's serial (to `at_least` when that is newer) in the zone
// row and in its SOA record; returns the new serial.
uint32_t raise_serial(db::ZoneTables& tables, const ZoneRow& zone, std::vector<Stored>& stored,
                      std::optional<uint32_t> at_least = std::nullopt) {
    uint32_t serial = dns::next_serial(zone.serial, date_serial());
    if (at_least && dns::serial_newer(*at_least, serial)) serial = *at_least;
    tables.set_serial(zone.id, serial);
    for (auto& s : stored) {
        if (!s.parses() || s.record->type != dns::type::SOA || s.record->owner != zone.apex)
            continue;
        set_soa_serial(*s.record, serial);
        s.row.fields = dns::record_to_fields(*s.record);
        tables.update_record(s.row.id, s.row.fields);
    }
    return serial;
}

// The apex SOA among `stored`, as it is now.
std::optional<dns::Record> apex_soa(const ZoneRow& zone, const std::vector<Stored>& stored) {
    for (const auto& s : stored) {
        if (s.parses() && s.record->type == dns::type::SOA && s.record->owner == zone.apex)
            return *s.record;
    }
    return std::nullopt;
}

// Rows of the zones' journal kept, all zones together: some 10,000 changes.
constexpr int64_t kJournalRows = 30000;

// One change for the zone's journal: what a reader of the version at the
// serial before takes out and puts in to make the version after.
struct Journal {
    std::vector<dns::Record> removed, added;
    bool reload = false;  // a row no reader served, or too much to list: read the zone

    // Writes the change, and the SOA's (from `soa_before` to the SOA in
    // `stored` now).
    void write(db::ZoneTables& tables, const ZoneRow& zone, uint32_t serial,
               const std::optional<dns::Record>& soa_before, const std::vector<Stored>& stored) {
        std::vector<db::ZoneChange> rows;
        const auto row = [&](db::ZoneChange::Action action, const dns::Record* record) {
            rows.push_back({action, zone.serial, serial,
                            record ? dns::record_to_fields(*record) : dns::RecordFields{}});
        };
        if (reload) {
            row(db::ZoneChange::Action::reload, nullptr);
        } else {
            if (soa_before) row(db::ZoneChange::Action::remove, &*soa_before);
            for (const auto& record : removed)
                row(db::ZoneChange::Action::remove, &record);
            if (const auto soa = apex_soa(zone, stored)) row(db::ZoneChange::Action::add, &*soa);
            for (const auto& record : added)
                row(db::ZoneChange::Action::add, &record);
        }
        tables.journal(zone.id, rows, kJournalRows);
    }
};

std::vector<dns::Record> parse_zone_file(const ZoneRow& zone, const std::string& text) {
    try {
        auto file = dns::parse_master_text(text, "zone_file", zone.apex);
        return std::move(file.records);
    } catch (const dns::ZoneFileError& e) {
        throw ApiError(400, "the zone file does not parse", e.what(), "zone_file");
    }
}

std::optional<uint32_t> soa_serial_in(const ZoneRow& zone,
                                      const std::vector<dns::Record>& records) {
    for (const auto& r : records) {
        if (r.type == dns::type::SOA && r.owner == zone.apex) {
            if (auto soa = dns::parse_soa(r.rdata)) return soa->serial;
        }
    }
    return std::nullopt;
}

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
    const ZoneRow row = find_zone(tables_, zone, false);
    return {row.id, row.name, row.serial, tables_.count_records(row.id)};
}

ZoneInfo ZoneStore::create_zone(const std::string& actor, const std::string& zone,
                                const std::optional<std::string>& zone_file, Change& change) {
    ZoneRow row = zone_named(zone);
    std::vector<dns::Record> records;
    if (zone_file) {
        records = parse_zone_file(row, *zone_file);
    } else {
        // A zone a server can load at once: an SOA and one name server.
        std::string error;
        for (const std::string& line :
             {"@ 3600 IN SOA ns1 hostmaster " + std::to_string(date_serial()) +
                  " 7200 3600 1209600 300",
              std::string("@ 3600 IN NS ns1")}) {
            auto record = dns::record_from_text(line, row.apex, std::nullopt, error);
            if (!record) throw ApiError(500, "cannot make the default SOA", error);
            records.push_back(std::move(*record));
        }
    }
    check_valid(row, records, 400, zone_file ? "zone_file" : "zone");
    const uint32_t serial = soa_serial_in(row, records).value_or(date_serial());

    db::Transaction transaction(db_);
    if (tables_.find_zone(row.name))
        throw ApiError(409, "the zone exists already", row.name, "name");
    try {
        row.id = tables_.insert_zone(row.name, serial);
    } catch (const db::Error& e) {
        // Another writer created it between the check and the insert.
        if (e.kind() == db::Error::Kind::constraint)
            throw ApiError(409, "the zone exists already", row.name, "name");
        throw;
    }
    for (const auto& record : records)
        tables_.insert_record(row.id, dns::record_to_fields(record));
    tables_.audit({actor, "zone.create", row.name, std::nullopt, std::nullopt,
                   json_or_null({{"serial", serial}, {"records", records.size()}})});
    transaction.commit();
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

void ZoneStore::delete_zone(const std::string& actor, const std::string& zone, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(tables_, zone, true);
    const int64_t count = tables_.count_records(row.id);
    tables_.delete_zone(row.id);
    tables_.audit({actor, "zone.delete", row.name, std::nullopt,
                   json_or_null({{"serial", row.serial}, {"records", count}}), std::nullopt});
    transaction.commit();
    change = {row.name, row.serial};
}

RecordPage ZoneStore::list_records(const std::string& zone, const std::optional<std::string>& name,
                                   const std::optional<std::string>& type, int64_t limit,
                                   int64_t offset) {
    const ZoneRow row = find_zone(tables_, zone, false);
    db::RecordFilter filter;
    if (name) {
        std::string error;
        auto wire = dns::name_from_text(*name, row.apex, error);
        if (!wire) throw ApiError(400, "invalid name", error, "name");
        filter.name = dns::name_to_text(dns::lowercase_name(*wire));
    }
    if (type) {
        const auto known = dns::type_from_text(*type);
        if (!known) throw ApiError(400, "unknown record type", *type, "type");
        filter.type = dns::type_to_text(*known);
    }
    RecordPage page;
    page.total = tables_.count_records(row.id, filter);
    for (auto& r : tables_.list_records(row.id, filter, limit, offset))
        page.records.push_back(info_of(db::parse_row(std::move(r), row.apex)));
    return page;
}

RecordInfo ZoneStore::get_record(const std::string& zone, int64_t id) {
    const ZoneRow row = find_zone(tables_, zone, false);
    auto found = tables_.find_record(row.id, id);
    if (!found) throw ApiError(404, "no such record", std::to_string(id), "id");
    return info_of(db::parse_row(std::move(*found), row.apex));
}

RecordInfo ZoneStore::add_record(const std::string& actor, const std::string& zone,
                                 const RecordInput& input, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(tables_, zone, true);
    dns::Record record = parse_input(row, input);
    std::vector<Stored> stored = affected_records(tables_, row, {&record});
    reject_duplicate(stored, record);
    std::vector<dns::Record> after = records_of(stored);
    after.push_back(record);
    check_valid(row, after, 409, "");
    const auto soa_before = apex_soa(row, stored);
    const int64_t id = tables_.insert_record(row.id, dns::record_to_fields(record));
    const uint32_t serial = raise_serial(tables_, row, stored);
    Journal journal;
    journal.added.push_back(record);
    journal.write(tables_, row, serial, soa_before, stored);
    const RecordInfo info = info_of(id, record);
    tables_.audit({actor, "record.create", row.name, id, std::nullopt, json_of(info)});
    transaction.commit();
    change = {row.name, serial};
    return info;
}

RecordInfo ZoneStore::update_record(const std::string& actor, const std::string& zone, int64_t id,
                                    const RecordInput& input, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(tables_, zone, true);
    dns::Record record = parse_input(row, input);
    record.origin = dns::StoredRow{id};
    const Stored old = db::parse_row(existing_row(tables_, row, id), row.apex);
    std::vector<const dns::Record*> changed{&record};
    if (old.parses()) changed.push_back(&*old.record);
    std::vector<Stored> stored = affected_records(tables_, row, changed, old.row);
    const auto it = find_stored(stored, id);
    const RecordInfo before = info_of(*it);
    reject_duplicate(stored, record, id);
    if (it->parses() && it->record->type == dns::type::SOA && it->record->owner == row.apex &&
        (record.type != dns::type::SOA || record.owner != row.apex))
        throw ApiError(409, "the apex SOA cannot be removed", "change its content instead", "type");
    const auto soa_before = apex_soa(row, stored);
    it->record = record;
    it->error.clear();
    check_valid(row, records_of(stored), 409, "");
    it->row.fields = dns::record_to_fields(record);
    tables_.update_record(id, it->row.fields);
    // An SOA written by the client gets its serial from the zone, which
    // only grows.
    const uint32_t serial = raise_serial(tables_, row, stored);
    Journal journal;
    const bool is_apex_soa = record.type == dns::type::SOA && record.owner == row.apex;
    if (!old.parses()) {
        journal.reload = true;  // a row no reader could serve
    } else if (!is_apex_soa) {  // the SOA's change is written with the serial's
        journal.removed.push_back(*old.record);
        journal.added.push_back(record);
    }
    journal.write(tables_, row, serial, soa_before, stored);
    const RecordInfo info = info_of(*it);  // with the serial raise_serial set
    tables_.audit({actor, "record.update", row.name, id, json_of(before), json_of(info)});
    transaction.commit();
    change = {row.name, serial};
    return info;
}

void ZoneStore::delete_record(const std::string& actor, const std::string& zone, int64_t id,
                              Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(tables_, zone, true);
    const Stored old = db::parse_row(existing_row(tables_, row, id), row.apex);
    // Taking a record away breaks no rule below its name.
    std::vector<const dns::Record*> changed;
    if (old.parses()) changed.push_back(&*old.record);
    std::vector<Stored> stored = affected_records(tables_, row, changed, old.row);
    const auto it = find_stored(stored, id);
    if (it->parses() && it->record->type == dns::type::SOA && it->record->owner == row.apex)
        throw ApiError(409, "the apex SOA cannot be deleted", "a zone always has one", "id");
    const RecordInfo before = info_of(*it);
    const auto soa_before = apex_soa(row, stored);
    stored.erase(it);
    check_valid(row, records_of(stored), 409, "");
    tables_.delete_record(id);
    const uint32_t serial = raise_serial(tables_, row, stored);
    Journal journal;
    if (old.parses()) {
        journal.removed.push_back(*old.record);
    } else {
        journal.reload = true;
    }
    journal.write(tables_, row, serial, soa_before, stored);
    tables_.audit({actor, "record.delete", row.name, id, json_of(before), std::nullopt});
    transaction.commit();
    change = {row.name, serial};
}

std::string ZoneStore::export_zone(const std::string& zone) {
    const ZoneRow row = find_zone(tables_, zone, false);
    const std::vector<Stored> stored = tables_.read_records(row.id, row.apex);
    // A zone file without them would be taken for the whole zone.
    std::string broken;
    for (const auto& s : stored) {
        if (s.parses()) continue;
        if (!broken.empty()) broken += "; ";
        broken += "record " + std::to_string(s.row.id) + ": " + s.error;
    }
    if (!broken.empty())
        throw ApiError(409, "stored records do not parse: replace or delete them first", broken);
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
                                const std::string& zone_file, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(tables_, zone, true);
    const std::vector<dns::Record> records = parse_zone_file(row, zone_file);
    check_valid(row, records, 400, "zone_file");
    const int64_t before = tables_.count_records(row.id);
    tables_.delete_records(row.id);
    std::vector<Stored> stored;
    for (const auto& record : records) {
        db::RecordRow written{0, dns::record_to_fields(record)};
        written.id = tables_.insert_record(row.id, written.fields);
        stored.push_back({std::move(written), record, {}});
    }
    const uint32_t serial = raise_serial(tables_, row, stored, soa_serial_in(row, records));
    Journal journal;
    journal.reload = true;  // every record
    journal.write(tables_, row, serial, std::nullopt, stored);
    tables_.audit({actor, "zone.import", row.name, std::nullopt,
                   json_or_null({{"serial", row.serial}, {"records", before}}),
                   json_or_null({{"serial", serial}, {"records", records.size()}})});
    transaction.commit();
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

}  // namespace appsrv
