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
    return std::make_shared<const Zone>(apex, records, ZoneOrigin::from_database(), access_);
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

std::shared_ptr<const Zone> DatabaseZones::apply_journal(
    db::ZoneTables& tables, const db::ZoneRow& row, const std::shared_ptr<const Zone>& current) {
    const std::vector<db::ZoneChange> journal = tables.changes_since(row.id, current->serial());
    if (journal.empty()) return nullptr;
    // The changes in order, each from the serial the one before left: a
    // record put in by one may be taken out by the next.
    std::vector<Zone::Change> changes;
    uint32_t serial = current->serial();
    for (size_t i = 0; i < journal.size();) {
        const uint32_t before = journal[i].serial_before;
        if (before != serial) return nullptr;  // a gap: a change not journaled
        Zone::Change& change = changes.emplace_back();
        for (; i < journal.size() && journal[i].serial_before == before; ++i) {
            const db::ZoneChange& entry = journal[i];
            if (entry.action == db::ZoneChange::Action::reload) return nullptr;
            std::string error;
            auto record = core::dns::record_from_fields(entry.fields, current->apex(), error);
            if (!record) return nullptr;
            (entry.action == db::ZoneChange::Action::add ? change.added : change.removed)
                .push_back(std::move(*record));
        }
        serial = journal[i - 1].serial_after;
    }
    if (serial != row.serial) return nullptr;  // the journal stops short
    std::shared_ptr<const Zone> zone;
    try {
        zone = current->with_changes(changes);
    } catch (const std::runtime_error& e) {
        core::log::info("dnsd") << "zone " << row.name << ": its journal does not apply to serial "
                                << current->serial() << " (" << e.what() << "); reading it whole";
        return nullptr;
    }
    if (zone->serial() != row.serial) return nullptr;  // its SOA says otherwise
    // The rules, where the changes were made, as appsrv checked them.
    try {
        check_rules_where_changed(*zone, changes);
    } catch (const core::dns::ZoneRuleError& e) {
        throw std::runtime_error("zone " + row.name + " in the database: " + e.what());
    }
    core::log::info("dnsd") << "zone " << row.name << " serial " << zone->serial() << ": "
                            << changes.size() << " changes from the database's journal";
    return zone;
}

std::shared_ptr<const Zone> DatabaseZones::load(const std::string& apex,
                                                std::shared_ptr<const Zone> current) {
    const std::lock_guard lock(mutex_);
    try {
        auto& db = connection();
        db::ReadGroup group(db);
        db::ZoneTables tables(db);
        // appsrv stores a zone's name in canonical text: lowercase, absolute.
        const auto row = tables.find_zone(core::dns::name_to_text(apex));
        if (!row) return nullptr;
        if (current) {
            if (current->serial() == row->serial) return current;
            if (auto zone = apply_journal(tables, *row, current)) return zone;
        }
        auto zone = read_zone(db, *row, apex);
        core::log::info("dnsd") << "zone " << row->name << " serial " << zone->serial() << ": "
                                << zone->record_count() << " records from the database";
        return zone;
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
