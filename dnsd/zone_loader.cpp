// Builds the set of served zones from the configuration and the command
// line: each file read, checked, and compiled.
#include "dnsd/zone_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/serial.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"

namespace dnsd {

std::vector<ZoneSource> zone_sources(const core::config::Section& section,
                                     const std::vector<std::string>& files,
                                     const std::vector<core::dns::tsig::Key>& keys) {
    std::vector<ZoneSource> sources;
    if (section.has("zone")) {
        for (const auto& zone : section.tables("zone")) {
            ZoneSource& source = sources.emplace_back();
            source.name = zone.has("name") ? zone.string("name") : std::string();
            source.file = zone.string("file");
            source.notify = zone.addresses("notify");
            source.primaries = zone.addresses("primaries");
            const std::string key = zone.has("primary_key") ? zone.string("primary_key") : "";
            if (!source.secondary()) {
                if (!key.empty())
                    throw std::runtime_error(source.file + ": primary_key without primaries");
                continue;
            }
            if (source.name.empty())
                throw std::runtime_error(
                    source.file +
                    ": a secondary zone (primaries) needs its name: its file may "
                    "not exist yet");
            if (key.empty()) continue;
            std::string error;
            const auto name = core::dns::name_from_text(key.back() == '.' ? key : key + '.', error);
            const auto found = std::find_if(keys.begin(), keys.end(), [&](const auto& k) {
                return name && k.name == core::dns::lowercase_name(*name);
            });
            if (found == keys.end())
                throw std::runtime_error("zone " + source.name + ": primary_key " + key +
                                         " is not a [[dnsd.key]]");
            source.primary_key = found->name;
        }
    }
    for (const auto& file : files)
        sources.push_back({{}, file, {}, {}, {}});
    return sources;
}

std::string zone_apex(const std::string& name) {
    std::string error;
    std::string text = name;
    if (text.back() != '.') text += '.';
    auto apex = core::dns::name_from_text(text, error);
    if (!apex) throw std::runtime_error("zone name " + name + ": " + error);
    return core::dns::lowercase_name(*apex);
}

namespace {

// A secondary zone: as served now when it is, else from the copy kept in
// its file, else waiting for its first transfer.
std::shared_ptr<const Zone> load_secondary(const ZoneSource& source, const ZoneSet* served) {
    const std::string apex = zone_apex(source.name);
    const std::string name = core::dns::name_to_text(apex);
    ZoneOrigin origin =
        ZoneOrigin::from_primaries(source.file, source.primaries, source.primary_key);
    if (served) {
        const auto it = served->zones().find(apex);
        if (it != served->zones().end() && it->second->origin().is_secondary() &&
            it->second->origin().file == source.file)
            return it->second->with_origin(std::move(origin), source.notify);
    }
    std::error_code error;
    const auto written = std::filesystem::last_write_time(source.file, error);
    if (error) {
        core::log::info("dnsd") << "zone " << name << ": no copy in " << source.file
                                << " yet: SERVFAIL until its first transfer";
        return Zone::without_data(apex, std::move(origin), source.notify);
    }
    std::shared_ptr<const Zone> zone;
    try {
        auto file = core::dns::read_master_file(source.file, apex);
        for (const auto& warning : core::dns::check_zone(apex, file.records))
            core::log::warn("dnsd") << warning;
        zone = std::make_shared<const Zone>(apex, file.records, origin, source.notify);
    } catch (const std::runtime_error& e) {
        core::log::warn("dnsd") << "zone " << name << ": its copy cannot be read (" << e.what()
                                << "): SERVFAIL until a transfer";
        return Zone::without_data(apex, std::move(origin), source.notify);
    }
    // The file is written, or touched, whenever a primary answers: its
    // time is the last refresh's, which the expire timer counts from.
    const auto soa = core::dns::parse_soa(zone->soa().rdatas.front());
    const auto age = std::filesystem::file_time_type::clock::now() - written;
    const bool expired = soa && age > std::chrono::seconds(soa->expire);
    core::log::info("dnsd") << "zone " << name << " serial " << zone->serial() << ": "
                            << zone->record_count() << " records from its copy in " << source.file
                            << (expired ? ", expired: SERVFAIL until a transfer" : "");
    return expired ? zone->with_expired(true) : zone;
}

}  // namespace

std::shared_ptr<const ZoneSet> load_zones(const std::vector<ZoneSource>& sources,
                                          const ZoneSet* served) {
    auto zones = std::make_shared<ZoneSet>();
    for (const auto& source : sources) {
        if (source.secondary()) {
            auto zone = load_secondary(source, served);
            if (zones->zones().count(zone->apex())) {
                throw std::runtime_error(source.file + ": zone " + source.name +
                                         " is configured twice");
            }
            zones->add(std::move(zone));
            continue;
        }
        const std::string origin = source.name.empty() ? std::string() : zone_apex(source.name);
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
        if (!zone->available()) continue;
        const auto old = before.zones().find(apex);
        if (old == before.zones().end() || !old->second->available() ||
            core::dns::serial_newer(zone->serial(), old->second->serial())) {
            raised.push_back(zone.get());
        }
    }
    return raised;
}

}  // namespace dnsd
