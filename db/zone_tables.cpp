// The tables of the domain's zones: `zones`, `records` and `audit_log`.
#include "db/zone_tables.hpp"

namespace db {

namespace {

RecordRow record_row(const Row& r) {
    return {r.integer(0), {r.text(1), r.text(2), r.integer(3), r.text(4)}};
}

// " WHERE zone_id = ? AND ...", with its parameters appended to `params`.
std::string where_clause(int64_t zone_id, const RecordFilter& filter, Params& params) {
    std::string where = " WHERE zone_id = ?";
    params.emplace_back(zone_id);
    if (filter.name) {
        where += " AND name = ?";
        params.emplace_back(*filter.name);
    }
    if (filter.type) {
        where += " AND type = ?";
        params.emplace_back(*filter.type);
    }
    return where;
}

Value optional_text(const std::optional<std::string>& text) {
    return text ? Value(*text) : Value(nullptr);
}

}  // namespace

StoredRecord parse_row(RecordRow row, std::string_view apex) {
    StoredRecord stored;
    std::string error;
    stored.record = core::dns::record_from_fields(row.fields, apex, error);
    if (stored.record) {
        stored.record->origin = core::dns::StoredRow{row.id};
    } else {
        stored.error = std::move(error);
    }
    stored.row = std::move(row);
    return stored;
}

std::optional<ZoneRow> ZoneTables::find_zone(std::string_view name, bool lock) {
    // MySQL needs the row lock said; SQLite's BEGIN IMMEDIATE holds the
    // whole file already.
    const bool for_update = lock && db_.dialect() == Dialect::mysql;
    const Rows rows =
        db_.query(for_update ? "SELECT id, name, serial FROM zones WHERE name = ? FOR UPDATE"
                             : "SELECT id, name, serial FROM zones WHERE name = ?",
                  {std::string(name)});
    if (rows.empty()) return std::nullopt;
    return ZoneRow{rows[0].integer(0), rows[0].text(1), static_cast<uint32_t>(rows[0].integer(2))};
}

std::vector<ZoneRow> ZoneTables::zones() {
    std::vector<ZoneRow> zones;
    for (const auto& r : db_.query("SELECT id, name, serial FROM zones ORDER BY name"))
        zones.push_back({r.integer(0), r.text(1), static_cast<uint32_t>(r.integer(2))});
    return zones;
}

std::vector<ZoneSummary> ZoneTables::list_zones() {
    std::vector<ZoneSummary> zones;
    for (const auto& r :
         db_.query("SELECT z.id, z.name, z.serial, (SELECT COUNT(*) FROM records r WHERE "
                   "r.zone_id = z.id) FROM zones z ORDER BY z.name")) {
        zones.push_back(
            {{r.integer(0), r.text(1), static_cast<uint32_t>(r.integer(2))}, r.integer(3)});
    }
    return zones;
}

int64_t ZoneTables::insert_zone(std::string_view name, uint32_t serial) {
    const std::string now = timestamp_now();
    return db_
        .execute("INSERT INTO zones (name, serial, created_at, updated_at) VALUES (?, ?, ?, ?)",
                 {std::string(name), int64_t{serial}, now, now})
        .last_insert_id;
}

void ZoneTables::delete_zone(int64_t zone_id) {
    delete_records(zone_id);
    db_.execute("DELETE FROM zones WHERE id = ?", {zone_id});
}

void ZoneTables::set_serial(int64_t zone_id, uint32_t serial) {
    db_.execute("UPDATE zones SET serial = ?, updated_at = ? WHERE id = ?",
                {int64_t{serial}, timestamp_now(), zone_id});
}

int64_t ZoneTables::count_records(int64_t zone_id, const RecordFilter& filter) {
    Params params;
    const std::string where = where_clause(zone_id, filter, params);
    const Rows rows = db_.query("SELECT COUNT(*) FROM records" + where, params);
    return rows.empty() ? 0 : rows[0].integer(0);
}

std::vector<RecordRow> ZoneTables::list_records(int64_t zone_id, const RecordFilter& filter,
                                                int64_t limit, int64_t offset) {
    Params params;
    const std::string where = where_clause(zone_id, filter, params);
    params.emplace_back(limit);
    params.emplace_back(offset);
    std::vector<RecordRow> rows;
    for (const auto& r : db_.query("SELECT id, name, type, ttl, content FROM records" + where +
                                       " ORDER BY id LIMIT ? OFFSET ?",
                                   params)) {
        rows.push_back(record_row(r));
    }
    return rows;
}

std::optional<RecordRow> ZoneTables::find_record(int64_t zone_id, int64_t id) {
    const Rows rows =
        db_.query("SELECT id, name, type, ttl, content FROM records WHERE id = ? AND zone_id = ?",
                  {id, zone_id});
    if (rows.empty()) return std::nullopt;
    return record_row(rows[0]);
}

std::vector<StoredRecord> ZoneTables::read_records(int64_t zone_id, std::string_view apex) {
    std::vector<StoredRecord> records;
    for (const auto& r :
         db_.query("SELECT id, name, type, ttl, content FROM records WHERE zone_id = ? ORDER BY id",
                   {zone_id})) {
        records.push_back(parse_row(record_row(r), apex));
    }
    return records;
}

std::vector<StoredRecord> ZoneTables::read_records_at(int64_t zone_id, std::string_view apex,
                                                      const std::vector<std::string>& names,
                                                      const std::vector<std::string>& below) {
    std::string sql = "SELECT id, name, type, ttl, content FROM records WHERE zone_id = ? AND (";
    Params params{zone_id};
    std::string placeholders;
    for (const auto& name : names) {
        placeholders += placeholders.empty() ? "?" : ", ?";
        params.emplace_back(name);
    }
    sql += placeholders.empty() ? "0 = 1" : "name IN (" + placeholders + ")";
    for (const auto& name : below) {
        // '!' escapes LIKE's wildcards, which names may hold ('_' often).
        std::string pattern = "%.";
        for (const char c : name) {
            if (c == '%' || c == '_' || c == '!') pattern += '!';
            pattern += c;
        }
        sql += " OR name LIKE ? ESCAPE '!'";
        params.emplace_back(std::move(pattern));
    }
    sql += ") ORDER BY id";
    std::vector<StoredRecord> records;
    for (const auto& r : db_.query(sql, params))
        records.push_back(parse_row(record_row(r), apex));
    return records;
}

int64_t ZoneTables::insert_record(int64_t zone_id, const core::dns::RecordFields& fields) {
    return db_
        .execute("INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
                 {zone_id, fields.name, fields.type, fields.ttl, fields.content})
        .last_insert_id;
}

void ZoneTables::update_record(int64_t id, const core::dns::RecordFields& fields) {
    db_.execute("UPDATE records SET name = ?, type = ?, ttl = ?, content = ? WHERE id = ?",
                {fields.name, fields.type, fields.ttl, fields.content, id});
}

void ZoneTables::delete_record(int64_t id) {
    db_.execute("DELETE FROM records WHERE id = ?", {id});
}

void ZoneTables::delete_records(int64_t zone_id) {
    db_.execute("DELETE FROM records WHERE zone_id = ?", {zone_id});
}

namespace {

const char* action_text(ZoneChange::Action action) {
    switch (action) {
        case ZoneChange::Action::add:
            return "add";
        case ZoneChange::Action::remove:
            return "delete";
        case ZoneChange::Action::reload:
            return "reload";
    }
    return "reload";
}

}  // namespace

void ZoneTables::journal(int64_t zone_id, const std::vector<ZoneChange>& changes, int64_t keep) {
    int64_t last = 0;
    for (const auto& change : changes) {
        last = db_.execute(
                      "INSERT INTO zone_changes (zone_id, serial_before, serial_after, action, "
                      "name, type, ttl, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      {zone_id, int64_t{change.serial_before}, int64_t{change.serial_after},
                       std::string(action_text(change.action)), change.fields.name,
                       change.fields.type, change.fields.ttl, change.fields.content})
                   .last_insert_id;
    }
    if (last > keep) db_.execute("DELETE FROM zone_changes WHERE id <= ?", {last - keep});
}

std::vector<ZoneChange> ZoneTables::changes_since(int64_t zone_id, uint32_t serial) {
    const Rows first =
        db_.query("SELECT MIN(id) FROM zone_changes WHERE zone_id = ? AND serial_before = ?",
                  {zone_id, int64_t{serial}});
    if (first.empty() || first[0].is_null(0)) return {};
    std::vector<ZoneChange> changes;
    for (const auto& r :
         db_.query("SELECT serial_before, serial_after, action, name, type, ttl, content FROM "
                   "zone_changes WHERE zone_id = ? AND id >= ? ORDER BY id",
                   {zone_id, first[0].integer(0)})) {
        ZoneChange change;
        change.serial_before = static_cast<uint32_t>(r.integer(0));
        change.serial_after = static_cast<uint32_t>(r.integer(1));
        const std::string action = r.text(2);
        change.action = action == "add"      ? ZoneChange::Action::add
                        : action == "delete" ? ZoneChange::Action::remove
                                             : ZoneChange::Action::reload;
        change.fields = {r.text(3), r.text(4), r.integer(5), r.text(6)};
        changes.push_back(std::move(change));
    }
    return changes;
}

namespace {

Value optional_serial(const std::optional<uint32_t>& serial) {
    return serial ? Value(int64_t{*serial}) : Value(nullptr);
}

// " WHERE ..." for an audit filter, its parameters appended to `params`.
std::string audit_where(const AuditFilter& filter, Params& params) {
    std::string where;
    const auto add = [&](const char* condition, const std::optional<std::string>& value) {
        if (!value) return;
        where += where.empty() ? " WHERE " : " AND ";
        where += condition;
        params.emplace_back(*value);
    };
    add("zone = ?", filter.zone);
    if (filter.zones) {
        std::string in;
        for (const auto& zone : *filter.zones) {
            in += in.empty() ? "?" : ", ?";
            params.emplace_back(zone);
        }
        where += where.empty() ? " WHERE " : " AND ";
        where += in.empty() ? "0 = 1" : "zone IN (" + in + ")";
    }
    add("actor = ?", filter.actor);
    add("at >= ?", filter.since);
    add("at < ?", filter.until);
    return where;
}

}  // namespace

void ZoneTables::audit(const AuditEntry& entry) {
    std::string at = timestamp_now();
    const Changes written = db_.execute(
        "INSERT INTO audit_log (at, actor, action, zone, record_id, before_value, after_value, "
        "serial_before, serial_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {at, entry.actor, entry.action, entry.zone,
         entry.record_id ? Value(*entry.record_id) : Value(nullptr), optional_text(entry.before),
         optional_text(entry.after), optional_serial(entry.serial_before),
         optional_serial(entry.serial_after)});
    last_audit_ = {written.last_insert_id, std::move(at), entry.actor, entry.action, entry.zone};
}

bool ZoneTables::audit_stored(const AuditWitness& row) {
    return !db_.query(
                   "SELECT id FROM audit_log WHERE id = ? AND at = ? AND actor = ? AND "
                   "action = ? AND zone = ?",
                   {row.id, row.at, row.actor, row.action, row.zone})
                .empty();
}

std::vector<AuditRecord> ZoneTables::audit_entries(const AuditFilter& filter, int64_t limit,
                                                   int64_t offset) {
    Params params;
    const std::string where = audit_where(filter, params);
    params.emplace_back(limit);
    params.emplace_back(offset);
    std::vector<AuditRecord> entries;
    for (const auto& r :
         db_.query("SELECT id, at, actor, action, zone, record_id, before_value, after_value, "
                   "serial_before, serial_after FROM audit_log" +
                       where + " ORDER BY id DESC LIMIT ? OFFSET ?",
                   params)) {
        AuditRecord record;
        record.id = r.integer(0);
        record.at = r.text(1);
        AuditEntry& entry = record.entry;
        entry.actor = r.text(2);
        entry.action = r.text(3);
        entry.zone = r.text(4);
        if (!r.is_null(5)) entry.record_id = r.integer(5);
        if (!r.is_null(6)) entry.before = r.text(6);
        if (!r.is_null(7)) entry.after = r.text(7);
        if (!r.is_null(8)) entry.serial_before = static_cast<uint32_t>(r.integer(8));
        if (!r.is_null(9)) entry.serial_after = static_cast<uint32_t>(r.integer(9));
        entries.push_back(std::move(record));
    }
    return entries;
}

int64_t ZoneTables::count_audit_entries(const AuditFilter& filter) {
    Params params;
    const std::string where = audit_where(filter, params);
    const Rows rows = db_.query("SELECT COUNT(*) FROM audit_log" + where, params);
    return rows.empty() ? 0 : rows[0].integer(0);
}

}  // namespace db
