// The zones kept in the database, read for serving.
#include "dnsd/database_zones.hpp"

#include <stdexcept>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"
#include "db/zone_tables.hpp"

namespace dnsd {

db::Connection& DatabaseZones::connection() {
    if (!connection_) connection_ = db::connect(url_);
    return *connection_;
}

void DatabaseZones::drop_connection_and_rethrow() {
    connection_.reset();
    throw;
}

std::shared_ptr<const Zone> DatabaseZones::read_zone(db::Connection& db, const db::ZoneRow& row,
                                                     const std::string& apex) {
    std::vector<core::dns::Record> records;
    for (auto& stored : db::ZoneTables(db).read_records(row.id, apex)) {
        if (!stored.parses()) {
            throw std::runtime_error("zone " + row.name + " in the database: record " +
                                     std::to_string(stored.row.id) + ": " + stored.error);
        }
        records.push_back(std::move(*stored.record));
    }
    try {
        for (const auto& warning : core::dns::check_zone(apex, records))
            core::log::warn("dnsd") << "zone " << row.name << " in the database: " << warning;
    } catch (const core::dns::ZoneRuleError& e) {
        throw std::runtime_error("zone " + row.name + " in the database: " + e.what());
    }
    return std::make_shared<const Zone>(apex, records, ZoneOrigin::from_database(), notify_);
}

std::vector<std::shared_ptr<const Zone>> DatabaseZones::load_all() {
    const std::lock_guard lock(mutex_);
    try {
        auto& db = connection();
        // One snapshot for the zones and all their records.
        db::ReadGroup group(db);
        std::vector<std::shared_ptr<const Zone>> zones;
        for (const auto& row : db::ZoneTables(db).zones()) {
            std::string error;
            auto apex = core::dns::name_from_text(row.name, error);
            if (!apex) throw std::runtime_error("zone " + row.name + " in the database: " + error);
            zones.push_back(read_zone(db, row, *apex));
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
        const auto row = db::ZoneTables(db).find_zone(core::dns::name_to_text(apex));
        if (!row) return nullptr;
        return read_zone(db, *row, apex);
    } catch (const db::Error&) {
        drop_connection_and_rethrow();
    }
}

std::map<std::string, uint32_t> DatabaseZones::serials() {
    const std::lock_guard lock(mutex_);
    try {
        std::map<std::string, uint32_t> serials;
        for (const auto& row : db::ZoneTables(connection()).zones()) {
            std::string error;
            if (auto apex = core::dns::name_from_text(row.name, error))
                serials.emplace(std::move(*apex), row.serial);
        }
        return serials;
    } catch (const db::Error&) {
        drop_connection_and_rethrow();
    }
}

}  // namespace dnsd
