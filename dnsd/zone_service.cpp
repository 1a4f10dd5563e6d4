// The zones dnsd serves, one snapshot at a time.
#include "dnsd/zone_service.hpp"

#include <stdexcept>

#include "core/dns/serial.hpp"
#include "core/log.hpp"
#include "core/release_memory.hpp"
#include "db/database.hpp"
#include "dnsd/tsig_keys.hpp"
#include "dnsd/zone_loader.hpp"

namespace dnsd {

ZoneService::ZoneService(std::vector<std::string> zone_files,
                         std::vector<core::dns::tsig::Key> keys)
    : zone_files_(std::move(zone_files)), keys_(std::move(keys)) {}

ZoneService::~ZoneService() {
    stop();
}

void ZoneService::load(const core::config::Config& config) {
    const auto& section = config.section("dnsd");
    if (section.boolean("database_zones")) {
        ZoneAccess access;
        access.notify = section.addresses("database_notify");
        if (section.has("database_notify_key") && !section.string("database_notify_key").empty())
            access.notify_key = known_key_name(section.string("database_notify_key"), keys_,
                                               "dnsd.database_notify_key");
        database_ =
            std::make_unique<DatabaseZones>(config.section("db").string("url"), std::move(access));
    }
    auto zones = read_all(config, nullptr);
    const std::lock_guard lock(mutex_);
    zones_ = std::move(zones);
    // Reading a zone allocates as much again as the zone keeps (its text,
    // its records before they are compiled): a 100,000-name zone left a
    // third of the process's resident memory freed but held.
    core::release_freed_memory();
}

std::shared_ptr<const ZoneSet> ZoneService::current() const {
    const std::lock_guard lock(mutex_);
    return zones_;
}

std::shared_ptr<const ZoneSet> ZoneService::read_all(const core::config::Config& config,
                                                     const ZoneSet* served) {
    const auto sources = zone_sources(config.section("dnsd"), zone_files_, keys_);
    auto files = load_zones(sources, served);
    std::vector<SecondaryRefresher::ZoneSettings> secondaries;
    for (const auto& source : sources) {
        if (!source.secondary()) continue;
        SecondaryRefresher::ZoneSettings& settings = secondaries.emplace_back();
        settings.apex = zone_apex(source.name);
        settings.primaries = source.primaries;
        settings.file = source.file;
        for (const auto& key : keys_) {
            if (key.name == source.primary_key) settings.key = key;
        }
    }
    if (!database_) {
        secondaries_ = std::move(secondaries);
        return files;
    }
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
    secondaries_ = std::move(secondaries);
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
        if (!zone->has_data() || !before.has_data()) continue;
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

std::optional<core::dns::tsig::Key> ZoneService::notify_key(const Zone& zone) const {
    for (const auto& key : keys_) {
        if (key.name == zone.access().notify_key) return key;
    }
    return std::nullopt;
}

void ZoneService::install(std::shared_ptr<const ZoneSet> zones, bool read_whole) {
    zones = with_histories(std::move(zones));
    if (hooks_.publish) hooks_.publish(zones, read_whole);
    std::vector<ZoneNotify> notifies;
    for (const Zone* zone : raised_serials(*zones_, *zones)) {
        if (!zone->notify().empty())
            notifies.push_back({zone->apex(), zone->serial(), zone->notify(), notify_key(*zone)});
    }
    if (!notifies.empty() && hooks_.notify) hooks_.notify(std::move(notifies));
    zones_ = std::move(zones);
}

void ZoneService::install_secondary(std::shared_ptr<const Zone> zone) {
    const std::lock_guard lock(mutex_);
    const auto served = zones_->zones().find(zone->apex());
    if (served == zones_->zones().end() || !served->second->origin().is_secondary() ||
        served->second->origin().file != zone->origin().file)
        return;
    auto zones = std::make_shared<ZoneSet>(*zones_);
    zones->add(std::move(zone));
    install(std::move(zones));
}

void ZoneService::configure_secondaries() {
    if (!started_) return;
    if (secondary_refresher_) {
        secondary_refresher_->configure(secondaries_);
        return;
    }
    if (secondaries_.empty()) return;
    secondary_refresher_ = std::make_unique<SecondaryRefresher>(
        secondaries_,
        [this](const std::string& apex) -> std::shared_ptr<const Zone> {
            const std::lock_guard lock(mutex_);
            const auto it = zones_->zones().find(apex);
            return it == zones_->zones().end() ? nullptr : it->second;
        },
        [this](std::shared_ptr<const Zone> zone) { install_secondary(std::move(zone)); },
        transfers_in_);
}

void ZoneService::start(Hooks hooks, std::chrono::milliseconds interval) {
    {
        const std::lock_guard lock(mutex_);
        hooks_ = std::move(hooks);
    }
    {
        const std::lock_guard lock(refresher_mutex_);
        started_ = true;
        configure_secondaries();
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
    std::unique_ptr<SecondaryRefresher> secondary;
    {
        const std::lock_guard lock(refresher_mutex_);
        refresher = std::move(refresher_);
        secondary = std::move(secondary_refresher_);
        started_ = false;
    }
    // Each joins its thread, outside the lock a NOTIFY takes.
    refresher.reset();
    secondary.reset();
    const std::lock_guard lock(mutex_);
    hooks_ = {};
}

size_t ZoneService::reload(const core::config::Config& config) {
    auto served = current();
    auto zones = read_all(config, served.get());
    // A database refresh that lands between that read and this switch is
    // undone by it, and read again at the next serial comparison; a
    // transfer that lands meanwhile is kept.
    {
        const std::lock_guard lock(mutex_);
        std::shared_ptr<ZoneSet> kept;
        for (const auto& [apex, zone] : zones->zones()) {
            if (!zone->origin().is_secondary()) continue;
            const auto now = zones_->zones().find(apex);
            const auto before = served->zones().find(apex);
            if (now == zones_->zones().end() || !now->second->origin().is_secondary() ||
                now->second->origin().file != zone->origin().file ||
                (before != served->zones().end() && before->second == now->second))
                continue;
            if (!kept) kept = std::make_shared<ZoneSet>(*zones);
            kept->add(now->second->with_origin(zone->origin(), zone->access()));
        }
        if (kept) zones = std::move(kept);
        // The answering threads hold the old set last: the one that lets
        // go of it hands its memory back.
        served.reset();
        install(zones, true);
    }
    core::release_freed_memory();  // what reading the files took
    const std::lock_guard lock(refresher_mutex_);
    configure_secondaries();
    return zones->zones().size();
}

void ZoneService::notified(std::string apex) {
    const std::lock_guard lock(refresher_mutex_);
    if (secondary_refresher_ && secondary_refresher_->notify(apex)) return;
    if (refresher_) refresher_->notify(std::move(apex));
}

}  // namespace dnsd
