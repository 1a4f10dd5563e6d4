// Builds the set of served zones from the configuration and the command
// line: each file read, checked, and compiled.
#include "dnsd/zone_loader.hpp"

#include <set>
#include <stdexcept>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/serial.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"

namespace dnsd {

std::vector<ZoneSource> zone_sources(const core::config::Section& section,
                                     const std::vector<std::string>& files) {
    std::vector<ZoneSource> sources;
    if (section.has("zone")) {
        for (const auto& zone : section.tables("zone")) {
            sources.push_back({zone.has("name") ? zone.string("name") : std::string(),
                               zone.string("file"), zone.addresses("notify")});
        }
    }
    for (const auto& file : files)
        sources.push_back({{}, file, {}});
    return sources;
}

std::shared_ptr<const ZoneSet> load_zones(const std::vector<ZoneSource>& sources) {
    auto zones = std::make_shared<ZoneSet>();
    for (const auto& source : sources) {
        std::string origin;
        if (!source.name.empty()) {
            std::string error;
            std::string text = source.name;
            if (text.back() != '.') text += '.';
            auto name = core::dns::name_from_text(text, error);
            if (!name) throw std::runtime_error("zone name " + source.name + ": " + error);
            origin = *name;
        }
        auto file = core::dns::read_master_file(source.file, origin);
        for (const auto& warning : core::dns::check_zone(file.origin, file.records)) {
            core::log::warn("dnsd") << warning;
        }
        if (zones->zones().count(file.origin)) {
            throw std::runtime_error(source.file + ": zone " +
                                     core::dns::name_to_text(file.origin) + " is configured twice");
        }
        auto zone = std::make_shared<const Zone>(file.origin, file.records,
                                                 ZoneOrigin::from_file(source.file), source.notify);
        core::log::info("dnsd") << "zone " << core::dns::name_to_text(file.origin) << " serial "
                                << zone->serial() << ": " << zone->record_count()
                                << " records from " << source.file;
        zones->add(std::move(zone));
    }
    return zones;
}

void add_database_zones(ZoneSet& zones, std::vector<std::shared_ptr<const Zone>> stored) {
    for (auto& zone : stored) {
        const std::string name = core::dns::name_to_text(zone->apex());
        if (const auto file = zones.zones().find(zone->apex()); file != zones.zones().end()) {
            throw std::runtime_error("zone " + name + " is in the database and in " +
                                     file->second->origin().describe() +
                                     ": serve it from one only");
        }
        core::log::info("dnsd") << "zone " << name << " serial " << zone->serial() << ": "
                                << zone->record_count() << " records from the database";
        zones.add(std::move(zone));
    }
}

std::shared_ptr<const ZoneSet> with_database_changes(
    const ZoneSet& served, std::vector<std::shared_ptr<const Zone>> loaded,
    const std::vector<std::string>& removed, std::vector<std::string>& refused) {
    std::set<std::string> replaced(removed.begin(), removed.end());
    for (const auto& zone : loaded)
        replaced.insert(zone->apex());
    auto zones = std::make_shared<ZoneSet>();
    for (const auto& [apex, zone] : served.zones()) {
        if (!zone->origin().is_database() || !replaced.count(apex)) zones->add(zone);
    }
    for (auto& zone : loaded) {
        if (const auto file = zones->zones().find(zone->apex()); file != zones->zones().end()) {
            core::log::warn("dnsd")
                << "zone " << core::dns::name_to_text(zone->apex())
                << " is in the database but served from " << file->second->origin().describe()
                << "; the database's is ignored";
            refused.push_back(zone->apex());
            continue;
        }
        zones->add(std::move(zone));
    }
    for (const auto& apex : removed) {
        core::log::info("dnsd") << "zone " << core::dns::name_to_text(apex)
                                << " is no longer in the database: no longer served";
    }
    return zones;
}

std::map<std::string, std::shared_ptr<const Zone>> database_zones(const ZoneSet& served) {
    std::map<std::string, std::shared_ptr<const Zone>> zones;
    for (const auto& [apex, zone] : served.zones()) {
        if (zone->origin().is_database()) zones.emplace(apex, zone);
    }
    return zones;
}

std::vector<const Zone*> raised_serials(const ZoneSet& before, const ZoneSet& after) {
    std::vector<const Zone*> raised;
    for (const auto& [apex, zone] : after.zones()) {
        const auto old = before.zones().find(apex);
        if (old == before.zones().end() ||
            core::dns::serial_newer(zone->serial(), old->second->serial())) {
            raised.push_back(zone.get());
        }
    }
    return raised;
}

}  // namespace dnsd
