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
#include "db/zone_records.hpp"

namespace appsrv {

namespace {

namespace dns = core::dns;
using db::Params;

constexpr int64_t kDefaultTtl = 3600;
constexpr int64_t kMaxTtl = 2147483647;  // RFC 2181 §8

struct ZoneRow {
    int64_t id = 0;
    std::string name;  // text, absolute
    std::string apex;  // wire
    uint32_t serial = 0;
};

using Stored = db::StoredRecord;

RecordInfo info_of(int64_t id, const dns::Record& record) {
    return {id, dns::name_to_text(record.owner), dns::type_to_text(record.type), record.ttl,
            dns::rdata_to_text(record)};
}

nlohmann::json json_of(const RecordInfo& r) {
    return {{"name", r.name}, {"type", r.type}, {"ttl", r.ttl}, {"content", r.content}};
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
ZoneRow find_zone(db::Connection& db, const std::string& zone, bool for_update) {
    ZoneRow row = zone_named(zone);
    const bool lock = for_update && db.dialect() == db::Dialect::mysql;
    const db::Rows rows = db.query(lock ? "SELECT id, serial FROM zones WHERE name = ? FOR UPDATE"
                                        : "SELECT id, serial FROM zones WHERE name = ?",
                                   {row.name});
    if (rows.empty()) throw ApiError(404, "no such zone", row.name, "zone");
    row.id = rows[0].integer(0);
    row.serial = static_cast<uint32_t>(rows[0].integer(1));
    return row;
}

RecordInfo record_of_row(const db::Row& r) {
    return {r.integer(0), r.text(1), r.text(2), static_cast<uint32_t>(r.integer(3)), r.text(4)};
}

int64_t record_count(db::Connection& db, int64_t zone_id) {
    const auto rows = db.query("SELECT COUNT(*) FROM records WHERE zone_id = ?", {zone_id});
    return rows.empty() ? 0 : rows[0].integer(0);
}

// The stored record `id`, or 404.
std::vector<Stored>::iterator find_stored(std::vector<Stored>& stored, int64_t id) {
    const auto it =
        std::find_if(stored.begin(), stored.end(), [id](const Stored& s) { return s.id == id; });
    if (it == stored.end()) throw ApiError(404, "no such record", std::to_string(id), "id");
    return it;
}

// 409 when a record other than `except_id` holds the same data.
void reject_duplicate(const std::vector<Stored>& stored, const dns::Record& record,
                      int64_t except_id = 0) {
    for (const auto& s : stored) {
        if (s.id != except_id && s.record.same_data(record))
            throw ApiError(
                409, "duplicate record",
                "record " + std::to_string(s.id) + " has the same name, type and content");
    }
}

// Every record of the zone; one stored that no longer parses is a fault
// of the database's, not the client's.
std::vector<Stored> load_records(db::Connection& db, const ZoneRow& zone) {
    try {
        return db::read_zone_records(db, zone.id, zone.apex);
    } catch (const db::StoredRecordError& e) {
        throw ApiError(500, "a stored record does not parse", e.what());
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
    record.file = "record";
    return record;
}

// The zone as dnsd would load it; a violation is a conflict with what is
// stored already.
void check_valid(const ZoneRow& zone, const std::vector<dns::Record>& records, int status,
                 const std::string& field) {
    std::vector<dns::Record> copy = records;
    try {
        dns::check_zone(zone.apex, copy);
    } catch (const dns::ZoneFileError& e) {
        std::string detail = e.reason();
        if (e.file() == "record" && e.line() > 0)
            detail += " (record " + std::to_string(e.line()) + ")";
        throw ApiError(status, "the zone would not be valid", detail, field);
    }
}

std::vector<dns::Record> records_of(const std::vector<Stored>& stored) {
    std::vector<dns::Record> out;
    out.reserve(stored.size());
    for (const auto& s : stored)
        out.push_back(s.record);
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

void audit(db::Connection& db, const std::string& actor, const std::string& action,
           const std::string& zone, std::optional<int64_t> record_id, const nlohmann::json& before,
           const nlohmann::json& after) {
    db.execute(
        "INSERT INTO audit_log (at, actor, action, zone, record_id, before_value, after_value) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {db::timestamp_now(), actor, action, zone,
         record_id ? db::Value(*record_id) : db::Value(nullptr),
         before.is_null()
             ? db::Value(nullptr)
             : db::Value(before.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)),
         after.is_null()
             ? db::Value(nullptr)
             : db::Value(after.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))});
}

// Raises the zone's serial (to `at_least` when that is newer) in the zone
// row and in its SOA record; returns the new serial.
uint32_t raise_serial(db::Connection& db, const ZoneRow& zone, std::vector<Stored>& stored,
                      std::optional<uint32_t> at_least = std::nullopt) {
    uint32_t serial = dns::next_serial(zone.serial, date_serial());
    if (at_least && dns::serial_newer(*at_least, serial)) serial = *at_least;
    db.execute("UPDATE zones SET serial = ?, updated_at = ? WHERE id = ?",
               {int64_t{serial}, db::timestamp_now(), zone.id});
    for (auto& s : stored) {
        if (s.record.type != dns::type::SOA || s.record.owner != zone.apex) continue;
        set_soa_serial(s.record, serial);
        db.execute("UPDATE records SET content = ? WHERE id = ?",
                   {dns::rdata_to_text(s.record), s.id});
    }
    return serial;
}

int64_t insert_record(db::Connection& db, int64_t zone_id, const dns::Record& record) {
    const RecordInfo info = info_of(0, record);
    return db
        .execute("INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
                 {zone_id, info.name, info.type, int64_t{info.ttl}, info.content})
        .last_insert_id;
}

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
    for (const auto& row : db_.query(
             "SELECT z.id, z.name, z.serial, (SELECT COUNT(*) FROM records r WHERE r.zone_id = "
             "z.id) FROM zones z ORDER BY z.name")) {
        zones.push_back(
            {row.integer(0), row.text(1), static_cast<uint32_t>(row.integer(2)), row.integer(3)});
    }
    return zones;
}

ZoneInfo ZoneStore::get_zone(const std::string& zone) {
    const ZoneRow row = find_zone(db_, zone, false);
    return {row.id, row.name, row.serial, record_count(db_, row.id)};
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
    if (!db_.query("SELECT id FROM zones WHERE name = ?", {row.name}).empty())
        throw ApiError(409, "the zone exists already", row.name, "name");
    const std::string now = db::timestamp_now();
    try {
        row.id =
            db_.execute(
                   "INSERT INTO zones (name, serial, created_at, updated_at) VALUES (?, ?, ?, ?)",
                   {row.name, int64_t{serial}, now, now})
                .last_insert_id;
    } catch (const db::Error& e) {
        // Another writer created it between the check and the insert.
        if (e.kind() == db::Error::Kind::constraint)
            throw ApiError(409, "the zone exists already", row.name, "name");
        throw;
    }
    for (const auto& record : records)
        insert_record(db_, row.id, record);
    audit(db_, actor, "zone.create", row.name, std::nullopt, nullptr,
          {{"serial", serial}, {"records", records.size()}});
    transaction.commit();
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

void ZoneStore::delete_zone(const std::string& actor, const std::string& zone, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(db_, zone, true);
    const int64_t count = record_count(db_, row.id);
    db_.execute("DELETE FROM records WHERE zone_id = ?", {row.id});
    db_.execute("DELETE FROM zones WHERE id = ?", {row.id});
    audit(db_, actor, "zone.delete", row.name, std::nullopt,
          {{"serial", row.serial}, {"records", count}}, nullptr);
    transaction.commit();
    change = {row.name, row.serial};
}

RecordPage ZoneStore::list_records(const std::string& zone, const std::optional<std::string>& name,
                                   const std::optional<std::string>& type, int64_t limit,
                                   int64_t offset) {
    const ZoneRow row = find_zone(db_, zone, false);
    std::string where = " WHERE zone_id = ?";
    Params params{row.id};
    if (name) {
        std::string error;
        auto wire = dns::name_from_text(*name, row.apex, error);
        if (!wire) throw ApiError(400, "invalid name", error, "name");
        where += " AND name = ?";
        params.emplace_back(dns::name_to_text(dns::lowercase_name(*wire)));
    }
    if (type) {
        const auto known = dns::type_from_text(*type);
        if (!known) throw ApiError(400, "unknown record type", *type, "type");
        where += " AND type = ?";
        params.emplace_back(dns::type_to_text(*known));
    }
    RecordPage page;
    const auto total = db_.query("SELECT COUNT(*) FROM records" + where, params);
    page.total = total.empty() ? 0 : total[0].integer(0);
    params.emplace_back(limit);
    params.emplace_back(offset);
    for (const auto& r : db_.query("SELECT id, name, type, ttl, content FROM records" + where +
                                       " ORDER BY id LIMIT ? OFFSET ?",
                                   params)) {
        page.records.push_back(record_of_row(r));
    }
    return page;
}

RecordInfo ZoneStore::get_record(const std::string& zone, int64_t id) {
    const ZoneRow row = find_zone(db_, zone, false);
    const auto rows =
        db_.query("SELECT id, name, type, ttl, content FROM records WHERE id = ? AND zone_id = ?",
                  {id, row.id});
    if (rows.empty()) throw ApiError(404, "no such record", std::to_string(id), "id");
    return record_of_row(rows[0]);
}

RecordInfo ZoneStore::add_record(const std::string& actor, const std::string& zone,
                                 const RecordInput& input, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(db_, zone, true);
    dns::Record record = parse_input(row, input);
    std::vector<Stored> stored = load_records(db_, row);
    reject_duplicate(stored, record);
    std::vector<dns::Record> after = records_of(stored);
    after.push_back(record);
    check_valid(row, after, 409, "");
    const int64_t id = insert_record(db_, row.id, record);
    const uint32_t serial = raise_serial(db_, row, stored);
    const RecordInfo info = info_of(id, record);
    audit(db_, actor, "record.create", row.name, id, nullptr, json_of(info));
    transaction.commit();
    change = {row.name, serial};
    return info;
}

RecordInfo ZoneStore::update_record(const std::string& actor, const std::string& zone, int64_t id,
                                    const RecordInput& input, Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(db_, zone, true);
    dns::Record record = parse_input(row, input);
    record.line = static_cast<int>(id);
    std::vector<Stored> stored = load_records(db_, row);
    const auto it = find_stored(stored, id);
    const RecordInfo before = info_of(id, it->record);
    reject_duplicate(stored, record, id);
    if (it->record.type == dns::type::SOA && it->record.owner == row.apex &&
        (record.type != dns::type::SOA || record.owner != row.apex))
        throw ApiError(409, "the apex SOA cannot be removed", "change its content instead", "type");
    it->record = record;
    check_valid(row, records_of(stored), 409, "");
    const RecordInfo written = info_of(id, record);
    db_.execute("UPDATE records SET name = ?, type = ?, ttl = ?, content = ? WHERE id = ?",
                {written.name, written.type, int64_t{written.ttl}, written.content, id});
    // An SOA written by the client gets its serial from the zone, which
    // only grows.
    const uint32_t serial = raise_serial(db_, row, stored);
    const RecordInfo info = info_of(id, it->record);  // with the serial raise_serial set
    audit(db_, actor, "record.update", row.name, id, json_of(before), json_of(info));
    transaction.commit();
    change = {row.name, serial};
    return info;
}

void ZoneStore::delete_record(const std::string& actor, const std::string& zone, int64_t id,
                              Change& change) {
    db::Transaction transaction(db_);
    const ZoneRow row = find_zone(db_, zone, true);
    std::vector<Stored> stored = load_records(db_, row);
    const auto it = find_stored(stored, id);
    if (it->record.type == dns::type::SOA && it->record.owner == row.apex)
        throw ApiError(409, "the apex SOA cannot be deleted", "a zone always has one", "id");
    const RecordInfo before = info_of(id, it->record);
    stored.erase(it);
    check_valid(row, records_of(stored), 409, "");
    db_.execute("DELETE FROM records WHERE id = ?", {id});
    const uint32_t serial = raise_serial(db_, row, stored);
    audit(db_, actor, "record.delete", row.name, id, json_of(before), nullptr);
    transaction.commit();
    change = {row.name, serial};
}

std::string ZoneStore::export_zone(const std::string& zone) {
    const ZoneRow row = find_zone(db_, zone, false);
    const std::vector<Stored> stored = load_records(db_, row);
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
            {s.record.type == dns::type::SOA, dns::name_to_text(s.record.owner), &s.record});
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
    const ZoneRow row = find_zone(db_, zone, true);
    const std::vector<dns::Record> records = parse_zone_file(row, zone_file);
    check_valid(row, records, 400, "zone_file");
    const int64_t before = record_count(db_, row.id);
    db_.execute("DELETE FROM records WHERE zone_id = ?", {row.id});
    std::vector<Stored> stored;
    for (const auto& record : records)
        stored.push_back({insert_record(db_, row.id, record), record});
    const uint32_t serial = raise_serial(db_, row, stored, soa_serial_in(row, records));
    audit(db_, actor, "zone.import", row.name, std::nullopt,
          {{"serial", row.serial}, {"records", before}},
          {{"serial", serial}, {"records", records.size()}});
    transaction.commit();
    change = {row.name, serial};
    return {row.id, row.name, serial, static_cast<int64_t>(records.size())};
}

}  // namespace appsrv
