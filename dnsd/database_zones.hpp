// The zones kept in the database (appsrv's tables `zones` and `records`),
// read the way a zone file is: every record parsed and the zone checked
// before it may be served. Blocking: called off the answering loops only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/zone_tables.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

class DatabaseZones {
  public:
    // `access`: the secondaries of every database zone and the key their
    // NOTIFYs are signed with.
    DatabaseZones(std::string url, ZoneAccess access)
        : url_(std::move(url)), access_(std::move(access)) {}

    // Every zone in the database. Throws db::Error when it cannot be read
    // and std::runtime_error naming the zone and record that does not
    // check.
    std::vector<std::shared_ptr<const Zone>> load_all();
    // One zone by its apex (wire); nullptr when the database has no such
    // zone. With the version served now, `current`: that version itself
    // when the stored serial is the same, else made from it by the zone's
    // journal when that leads from its serial to the stored one, else
    // read whole. Throws as load_all does.
    std::shared_ptr<const Zone> load(const std::string& apex,
                                     std::shared_ptr<const Zone> current = nullptr);
    // Each zone's serial as the database has it, by apex (wire): what a
    // refresh compares with the zones being served.
    std::map<std::string, uint32_t> serials();

  private:
    // Connects again after a failure; the caller holds mutex_.
    db::Connection& connection();
    // The zone of `row`, whose apex (wire) is `apex`, parsed and checked.
    std::shared_ptr<const Zone> read_zone(db::Connection& db, const db::ZoneRow& row,
                                          const std::string& apex);
    // `current` brought to the stored serial by the journal, the changed
    // names checked; nullptr when the journal cannot do it.
    std::shared_ptr<const Zone> apply_journal(db::ZoneTables& tables, const db::ZoneRow& row,
                                              const std::shared_ptr<const Zone>& current);
    // Forgets the connection after a database error, so the next call
    // connects afresh, and rethrows.
    [[noreturn]] void drop_connection_and_rethrow();

    std::string url_;
    ZoneAccess access_;
    std::mutex mutex_;  // one caller at a time on the connection
    std::unique_ptr<db::Connection> connection_;
};

}  // namespace dnsd
