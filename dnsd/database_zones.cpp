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

std::shared_ptr<const Zone> DatabaseZones::apply_journal(
    db::ZoneTables& tables, const db::ZoneRow& row, const std::shared_ptr<const Zone>& current) {
    const std::vector<db::ZoneChange> journal = tables.changes_since(row.id, current->serial());
    if (journal.empty()) return nullptr;
    std::shared_ptr<const Zone> zone = current;
    std::vector<core::dns::Record> all_changed;
    try {
        // One version after another: a record put in by one change may be
        // taken out by the next.
        for (size_t i = 0; i < journal.size();) {
            const uint32_t before = journal[i].serial_before;
            if (before != zone->serial()) return nullptr;  // a gap: a change not journaled
            std::vector<core::dns::Record> removed, added;
            for (; i < journal.size() && journal[i].serial_before == before; ++i) {
                const auto& change = journal[i];
                if (change.action == db::ZoneChange::Action::reload) return nullptr;
                std::string error;
                auto record = core::dns::record_from_fields(change.fields, current->apex(), error);
                if (!record) return nullptr;
                (change.action == db::ZoneChange::Action::add ? added : removed)
                    .push_back(std::move(*record));
            }
            zone = zone->with_changes(removed, added);
            if (zone->serial() != journal[i - 1].serial_after) return nullptr;
            all_changed.insert(all_changed.end(), removed.begin(), removed.end());
            all_changed.insert(all_changed.end(), added.begin(), added.end());
        }
    } catch (const std::runtime_error& e) {
        core::log::info("dnsd") << "zone " << row.name << ": its journal does not apply to serial "
                                << current->serial() << " (" << e.what() << "); reading it whole";
        return nullptr;
    }
    if (zone->serial() != row.serial) return nullptr;  // the journal stops short
    std::vector<const core::dns::Record*> changed;
    for (const auto& record : all_changed)
        changed.push_back(&record);
    // What the changes can break a rule with, as appsrv checked it.
    std::vector<core::dns::Record> scope =
        zone->records_in(core::dns::change_scope(zone->apex(), changed));
    try {
        core::dns::check_zone(zone->apex(), scope);
    } catch (const core::dns::ZoneRuleError& e) {
        throw std::runtime_error("zone " + row.name + " in the database: " + e.what());
    }
    core::log::info("dnsd") << "zone " << row.name << " serial " << zone->serial() << ": "
                            << journal.size() << " changes from the database's journal";
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
