// The domain's zones and records in the database, and the rules every
// change keeps: each record is validated with ldns, the zone stays valid
// as dnsd would load it, and one transaction writes the change, raises the
// SOA serial (RFC 1982) and records an audit row.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/zone_tables.hpp"

namespace db {

// A change refused, and why: what the client sent (invalid), what it
// names is not there (not_found), or it conflicts with what is stored.
// appsrv answers it as 400, 404 or 409; dnsd's UPDATE as an rcode.
class ChangeError : public std::runtime_error {
  public:
    enum class Kind { invalid, not_found, conflict, internal };
    ChangeError(Kind kind, std::string error, std::string detail = {}, std::string field = {})
        : std::runtime_error(error + (detail.empty() ? "" : ": " + detail)),
          kind_(kind),
          error_(std::move(error)),
          detail_(std::move(detail)),
          field_(std::move(field)) {}
    Kind kind() const { return kind_; }
    const std::string& error() const { return error_; }
    const std::string& detail() const { return detail_; }
    // The request's field it is about ("ttl", "changes[2].content"), if any.
    const std::string& field() const { return field_; }

  private:
    Kind kind_;
    std::string error_;
    std::string detail_;
    std::string field_;
};

struct ZoneInfo {
    int64_t id = 0;
    std::string name;  // "foobar.com."
    uint32_t serial = 0;
    int64_t records = 0;
};

struct RecordInfo {
    int64_t id = 0;
    std::string name;  // absolute: "www.foobar.com."
    std::string type;
    int64_t ttl = 0;
    std::string content;
    // Why a stored row does not parse (an older version wrote it, or a hand
    // in the database); empty when it does. Such a row is listed so that
    // its owner can replace or delete it; dnsd serves no new version of the
    // zone until then.
    std::string error;
};

// A record as a client sends it: name relative to the zone, absolute, or
// "@"; ttl optional (3600 when absent).
struct RecordInput {
    std::string name;
    std::string type;
    std::optional<int64_t> ttl;
    std::string content;
};

// What a new zone holds: a zone file's records, or a default SOA and the
// name servers given (ns1 in the zone when none), then `records` (a
// refused one is named "records[i]").
struct ZoneSpec {
    std::optional<std::string> zone_file;
    std::optional<std::vector<std::string>> nameservers;
    std::vector<RecordInput> records;
};

// One item of a change to several records, applied all together or not
// at all (PATCH /api/v1/zones/{zone}/records).
struct RecordEdit {
    enum class Kind {
        create,          // `record`
        replace_record,  // `id` by `record`
        replace_rrset,   // every record at `name` and `type` by one per `contents`, with `ttl`
        delete_record,   // `id`
        delete_rrset,    // every record at `name` and `type`
    };
    Kind kind = Kind::create;
    int64_t id = 0;
    RecordInput record;
    std::string name, type;
    std::optional<int64_t> ttl;
    std::vector<std::string> contents;
    // delete_rrset: an RRset that is not there is already as asked (the
    // PowerDNS dialect's DELETE), rather than 404.
    bool absent_ok = false;
};

// What one edit left: the records it wrote (none for a deletion).
struct EditResult {
    std::vector<RecordInfo> records;
};

struct AuditPage {
    std::vector<AuditRecord> entries;  // newest first
    int64_t total = 0;
};

struct RecordPage {
    std::vector<RecordInfo> records;
    int64_t total = 0;
};

// What a committed change did: the new serial, for the NOTIFY that follows.
struct ZoneCommit {
    std::string zone;  // "foobar.com."
    uint32_t serial = 0;
};

// What a planner of edits reads, inside the transaction the edits run in.
class ZoneReader {
  public:
    ZoneReader(ZoneTables& tables, int64_t zone_id, std::string apex)
        : tables_(tables), zone_id_(zone_id), apex_(std::move(apex)) {}
    const std::string& apex() const { return apex_; }  // wire
    // The stored records at `name` (wire), as stored (a row that does not
    // parse says why).
    std::vector<StoredRecord> at(const std::string& name);

  private:
    ZoneTables& tables_;
    int64_t zone_id_;
    std::string apex_;
};

// Decides edits from what is stored (an UPDATE's prerequisites and
// rules); throws to refuse the whole change.
using Planner = std::function<std::vector<RecordEdit>(ZoneReader&)>;

class ZoneStore {
  public:
    explicit ZoneStore(Connection& connection) : db_(connection), tables_(connection) {}

    std::vector<ZoneInfo> list_zones();
    ZoneInfo get_zone(const std::string& zone);
    // A new zone: from master-file text, or a default SOA and NS.
    ZoneInfo create_zone(const std::string& actor, const std::string& zone, const ZoneSpec& spec,
                         ZoneCommit& change);
    // `change` carries the zone's last serial: the NOTIFY after it has the
    // DNS servers drop the zone.
    void delete_zone(const std::string& actor, const std::string& zone, ZoneCommit& change);

    RecordPage list_records(const std::string& zone, const std::optional<std::string>& name,
                            const std::optional<std::string>& type, int64_t limit, int64_t offset);
    RecordInfo get_record(const std::string& zone, int64_t id);
    // Every record of the zone, by name, type and id.
    std::vector<RecordInfo> zone_records(const std::string& zone);
    RecordInfo add_record(const std::string& actor, const std::string& zone,
                          const RecordInput& input, ZoneCommit& change);
    RecordInfo update_record(const std::string& actor, const std::string& zone, int64_t id,
                             const RecordInput& input, ZoneCommit& change);
    void delete_record(const std::string& actor, const std::string& zone, int64_t id,
                       ZoneCommit& change);
    // Every edit, in order, in one transaction with one serial raise; an
    // edit that is refused refuses them all, naming its index
    // ("changes[2]").
    std::vector<EditResult> edit_records(const std::string& actor, const std::string& zone,
                                         const std::vector<RecordEdit>& edits, ZoneCommit& change);

    // `plan` run and the edits it returns applied as edit_records applies
    // them, in one transaction, so that nothing changes between what it
    // read and what is written. No edit: nothing written, no serial raise
    // (`change` carries the serial as it is).
    std::vector<EditResult> edit_planned(const std::string& actor, const std::string& zone,
                                         const Planner& plan, ZoneCommit& change);

    // The audit log of one zone (404 when there is no such zone) or of
    // all, newest first.
    AuditPage audit(const std::optional<std::string>& zone, const AuditFilter& filter,
                    int64_t limit, int64_t offset);

    // RFC 1035 text that dnsd and named-checkzone load.
    std::string export_zone(const std::string& zone);
    // Replaces every record of the zone with those of `zone_file`.
    ZoneInfo import_zone(const std::string& actor, const std::string& zone,
                         const std::string& zone_file, ZoneCommit& change);

  private:
    // Commits a change, its audit rows written. A COMMIT whose answer was
    // lost with the connection may or may not have been made: the last
    // audit row tells. Made, this returns as if answered; not made, it
    // throws a retry-safe Error; not known (no server answers), an Error
    // of kind commit_unknown.
    void commit_change(Transaction& transaction);

    Connection& db_;
    ZoneTables tables_;
};

// "foobar.com", "FOOBAR.com." → "foobar.com."; ChangeError (invalid)
// when it is not a name.
std::string canonical_zone_name(const std::string& text);

// Today as a serial, YYYYMMDD00.
uint32_t date_serial();

}  // namespace db
