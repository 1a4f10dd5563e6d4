// The zones dnsd serves, one snapshot at a time.
#include "dnsd/zone_service.hpp"

#include <stdexcept>

#include "core/dns/serial.hpp"
#include "db/database.hpp"
#include "dnsd/zone_loader.hpp"

namespace dnsd {

ZoneService::ZoneService(std::vector<std::string> zone_files)
    : zone_files_(std::move(zone_files)) {}

ZoneService::~ZoneService() {
    stop();
}

void ZoneService::load(const core::config::Config& config) {
    const auto& section = config.section("dnsd");
    if (section.boolean("database_zones")) {
        database_ = std::make_unique<DatabaseZones>(config.section("db").string("url"),
                                                    section.addresses("database_notify"));
    }
    auto zones = read_all(config);
    const std::lock_guard lock(mutex_);
    zones_ = std::move(zones);
}

std::shared_ptr<const ZoneSet> ZoneService::current() const {
    const std::lock_guard lock(mutex_);
    return zones_;
}

std::shared_ptr<const ZoneSet> ZoneService::read_all(const core::config::Config& config) const {
    auto files = load_zones(zone_sources(config.section("dnsd"), zone_files_));
    if (!database_) return files;
    auto zones = std::make_shared<ZoneSet>(*files);
    std::vector<std::shared_ptr<const Zone>> stored;
    try {
        stored = database_->load_all();
    } catch (const db::Error& e) {
        throw std::runtime_error(
            std::string("reading the zones in [db]: ") + e.what() +
            (e.kind() == db::Error::Kind::unavailable
                 ? ""
                 : " (the tables are appsrv's: `appsrv --config FILE migrate` makes them)"));
    }
    add_database_zones(*zones, std::move(stored));
    return zones;
}

std::shared_ptr<const ZoneSet> ZoneService::with_histories(
    std::shared_ptr<const ZoneSet> zones) const {
    if (!zones_) return zones;
    std::shared_ptr<ZoneSet> out;
    for (const auto& [apex, zone] : zones->zones()) {
        const auto old = zones_->zones().find(apex);
        if (old == zones_->zones().end() || zone->history()->steps() > 0 ||
            old->second.get() == zone.get())
            continue;
        const Zone& before = *old->second;
        std::shared_ptr<const ZoneHistory> history;
        if (zone->serial() == before.serial()) {
            history = before.history();
        } else if (core::dns::serial_newer(zone->serial(), before.serial())) {
            history = before.history()->then(difference(before, *zone));
        } else {
            continue;  // a lower serial: the secondaries are told nothing new
        }
        if (!out) out = std::make_shared<ZoneSet>(*zones);
        out->add(zone->with_history(std::move(history)));
    }
    return out ? out : zones;
}

void ZoneService::install(std::shared_ptr<const ZoneSet> zones) {
    zones = with_histories(std::move(zones));
    if (hooks_.publish) hooks_.publish(zones);
    std::vector<ZoneNotify> notifies;
    for (const Zone* zone : raised_serials(*zones_, *zones)) {
        if (!zone->notify().empty())
            notifies.push_back({zone->apex(), zone->serial(), zone->notify()});
    }
    if (!notifies.empty() && hooks_.notify) hooks_.notify(std::move(notifies));
    zones_ = std::move(zones);
}

void ZoneService::start(Hooks hooks, std::chrono::milliseconds interval) {
    {
        const std::lock_guard lock(mutex_);
        hooks_ = std::move(hooks);
    }
    if (!database_) return;
    auto refresher = std::make_unique<DatabaseRefresher>(
        *database_, interval,
        [this] {
            const std::lock_guard lock(mutex_);
            return database_zones(*zones_);
        },
        [this](DatabaseRefresher::Changes changes) {
            // On the refresher's thread: the database's changes in service.
            const std::lock_guard lock(mutex_);
            std::vector<std::string> refused;
            install(with_database_changes(*zones_, std::move(changes.loaded), changes.removed,
                                          refused));
            database_updates_.add();
            return refused;
        });
    const std::lock_guard lock(refresher_mutex_);
    refresher_ = std::move(refresher);
}

void ZoneService::stop() {
    std::unique_ptr<DatabaseRefresher> refresher;
    {
        const std::lock_guard lock(refresher_mutex_);
        refresher = std::move(refresher_);
    }
    refresher.reset();  // joins its thread, outside the lock a NOTIFY takes
    const std::lock_guard lock(mutex_);
    hooks_ = {};
}

size_t ZoneService::reload(const core::config::Config& config) {
    auto zones = read_all(config);
    // A refresh that lands between that read and this switch is undone by
    // it, and read again at the next serial comparison.
    const std::lock_guard lock(mutex_);
    const size_t count = zones->zones().size();
    install(std::move(zones));
    return count;
}

void ZoneService::notified(std::string apex) {
    const std::lock_guard lock(refresher_mutex_);
    if (refresher_) refresher_->notify(std::move(apex));
}

}  // namespace dnsd
