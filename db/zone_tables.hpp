// The tables of the domain's zones: `zones`, `records` and `audit_log`.
// Every statement on them is here, for appsrv (which writes them) and dnsd
// (which serves what they hold). Records are kept in presentation form, as
// core::dns::record_to_fields writes them and record_from_fields reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"
#include "db/database.hpp"

namespace db {

struct ZoneRow {
    int64_t id = 0;
    std::string name;  // absolute, lower case: "foobar.com."
    uint32_t serial = 0;
};

struct ZoneSummary {
    ZoneRow zone;
    int64_t records = 0;
};

// A row of `records` as it is stored, whether it parses or not.
struct RecordRow {
    int64_t id = 0;
    core::dns::RecordFields fields;
};

// A stored record, parsed. A row that no longer parses (written by an older
// version, or edited by hand) is kept with the reason, not dropped: its
// owner must be able to see it and to replace or delete it.
struct StoredRecord {
    RecordRow row;
    std::optional<core::dns::Record> record;  // its origin is the row's id
    std::string error;                        // why it does not parse, when it does not

    bool parses() const { return record.has_value(); }
};

struct RecordFilter {
    std::optional<std::string> name;  // as stored: canonical text
    std::optional<std::string> type;  // "A"
};

// One row of a zone's journal (`zone_changes`).
struct ZoneChange {
    enum class Action { add, remove, reload };
    Action action = Action::add;
    uint32_t serial_before = 0;
    uint32_t serial_after = 0;
    core::dns::RecordFields fields;  // empty for reload
};

struct AuditEntry {
    std::string actor;   // the token's name
    std::string action;  // "record.create", "zone.import"...
    std::string zone;    // "foobar.com."
    std::optional<int64_t> record_id;
    std::optional<std::string> before;  // JSON
    std::optional<std::string> after;   // JSON
    std::optional<uint32_t> serial_before;
    std::optional<uint32_t> serial_after;
};

// An audit row as written, to find it again.
struct AuditWitness {
    int64_t id = 0;  // 0: none written
    std::string at;
    std::string actor;
    std::string action;
    std::string zone;
};

// An entry as the log keeps it.
struct AuditRecord {
    int64_t id = 0;
    std::string at;  // "2026-11-25T20:54:06Z"
    AuditEntry entry;
};

struct AuditFilter {
    std::optional<std::string> zone;                // "foobar.com."
    std::optional<std::vector<std::string>> zones;  // only these
    std::optional<std::string> actor;               // a token's name
    std::optional<std::string> since;               // from this time on, as `at` is written
    std::optional<std::string> until;               // before this time
};

class ZoneTables {
  public:
    explicit ZoneTables(Connection& connection) : db_(connection) {}

    // `lock`: inside a write transaction, keep other writers of this zone
    // waiting until it ends (SQLite's write lock does that already).
    std::optional<ZoneRow> find_zone(std::string_view name, bool lock = false);
    // Every zone, by name.
    std::vector<ZoneRow> zones();
    // The same with each zone's record count.
    std::vector<ZoneSummary> list_zones();
    // Throws Error (constraint) when the name exists already.
    int64_t insert_zone(std::string_view name, uint32_t serial);
    // The zone and its records.
    void delete_zone(int64_t zone_id);
    void set_serial(int64_t zone_id, uint32_t serial);

    int64_t count_records(int64_t zone_id, const RecordFilter& filter = {});
    std::vector<RecordRow> list_records(int64_t zone_id, const RecordFilter& filter, int64_t limit,
                                        int64_t offset);
    std::optional<RecordRow> find_record(int64_t zone_id, int64_t id);
    // Every record of the zone by id, each parsed against the apex (wire).
    std::vector<StoredRecord> read_records(int64_t zone_id, std::string_view apex);
    // The records at any of `names` (as stored: canonical text) and, for
    // each of `below`, at every name whose text ends with "." and it (its
    // descendants, and perhaps a few more: a label may hold an escaped
    // dot), by id, parsed as read_records does.
    std::vector<StoredRecord> read_records_at(int64_t zone_id, std::string_view apex,
                                              const std::vector<std::string>& names,
                                              const std::vector<std::string>& below = {});
    int64_t insert_record(int64_t zone_id, const core::dns::RecordFields& fields);
    void update_record(int64_t id, const core::dns::RecordFields& fields);
    void delete_record(int64_t id);
    void delete_records(int64_t zone_id);

    // Appends to the zone's journal and lets its oldest rows go, so that
    // the journal keeps about `keep` rows (of every zone together).
    void journal(int64_t zone_id, const std::vector<ZoneChange>& changes, int64_t keep);
    // The journal from the first change made to `serial` on, by id; empty
    // when it does not reach back that far.
    std::vector<ZoneChange> changes_since(int64_t zone_id, uint32_t serial);

    void audit(const AuditEntry& entry);
    // The audit row written last: what a change's commit can be checked
    // by when its answer was lost (ZoneStore).
    const AuditWitness& last_audit() const { return last_audit_; }
    // Is that row in the log (committed)? Compared on all it holds but the
    // values, so that an id reused after a crash does not pass for it.
    bool audit_stored(const AuditWitness& row);
    // The audit log, newest first.
    std::vector<AuditRecord> audit_entries(const AuditFilter& filter, int64_t limit,
                                           int64_t offset);
    int64_t count_audit_entries(const AuditFilter& filter);

  private:
    Connection& db_;
    AuditWitness last_audit_;
};

// A row parsed as read_records parses it.
StoredRecord parse_row(RecordRow row, std::string_view apex);

}  // namespace db
