// The zones kept in the database, read for serving.
#include "dnsd/database_zones.hpp"

#include <stdexcept>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"
#include "db/zone_records.hpp"

namespace dnsd {

db::Connection& DatabaseZones::connection() {
    if (!connection_) connection_ = db::connect(url_);
    return *connection_;
}

void DatabaseZones::drop_connection_and_rethrow() {
    connection_.reset();
    throw;
}

std::shared_ptr<const Zone> DatabaseZones::read_zone(db::Connection& db, const ZoneRow& row) {
    std::vector<core::dns::Record> records;
    try {
        for (auto& stored : db::read_zone_records(db, row.id, row.apex))
            records.push_back(std::move(stored.record));
    } catch (const db::StoredRecordError& e) {
        throw std::runtime_error("zone " + row.name + " in the database: " + e.what());
    }
    try {
        for (const auto& warning : core::dns::check_zone(row.apex, records))
            core::log::warn("dnsd") << "zone " << row.name << " in the database: " << warning;
    } catch (const core::dns::ZoneFileError& e) {
        // The line a zone check names is a record's id here.
        throw std::runtime_error("zone " + row.name + " in the database: record " +
                                 std::to_string(e.line()) + ": " + e.reason());
    }
    // "database": what tells these zones from the files' (zone_loader).
    return std::make_shared<const Zone>(row.apex, records, "database", notify_);
}

std::vector<std::shared_ptr<const Zone>> DatabaseZones::load_all() {
    const std::lock_guard lock(mutex_);
    try {
        auto& db = connection();
        // One snapshot for the zones and all their records.
        db::ReadGroup group(db);
        std::vector<std::shared_ptr<const Zone>> zones;
        for (const auto& r : db.query("SELECT id, name FROM zones ORDER BY name")) {
            std::string error;
            auto apex = core::dns::name_from_text(r.text(1), error);
            if (!apex) throw std::runtime_error("zone " + r.text(1) + " in the database: " + error);
            zones.push_back(read_zone(db, {r.integer(0), *apex, r.text(1)}));
        }
        return zones;
    } catch (const db::Error&) {
        drop_connection_and_rethrow();
    }
}

std::shared_ptr<const Zone> DatabaseZones::load(const std::string& apex) {
    const std::lock_guard lock(mutex_);
    try {
        auto& db = connection();
        db::ReadGroup group(db);
        // appsrv stores a zone's name in canonical text: lowercase, absolute.
        const std::string name = core::dns::name_to_text(apex);
        const auto rows = db.query("SELECT id FROM zones WHERE name = ?", {name});
        if (rows.empty()) return nullptr;
        return read_zone(db, {rows[0].integer(0), apex, name});
    } catch (const db::Error&) {
        drop_connection_and_rethrow();
    }
}

std::map<std::string, uint32_t> DatabaseZones::serials() {
    const std::lock_guard lock(mutex_);
    try {
        std::map<std::string, uint32_t> serials;
        for (const auto& r : connection().query("SELECT name, serial FROM zones")) {
            std::string error;
            if (auto apex = core::dns::name_from_text(r.text(0), error))
                serials.emplace(std::move(*apex), static_cast<uint32_t>(r.integer(1)));
        }
        return serials;
    } catch (const db::Error&) {
        drop_connection_and_rethrow();
    }
}

}  // namespace dnsd
