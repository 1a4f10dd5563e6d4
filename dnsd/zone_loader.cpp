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
#include "dnsd/tsig_keys.hpp"

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
            const auto key_name = [&](const char* key) {
                if (!zone.has(key)) return std::string();
                return known_key_name(zone.string(key), keys, zone.path() + "." + key);
            };
            source.access.notify = zone.addresses("notify");
            source.access.notify_key = key_name("notify_key");
            if (zone.has("transfer_keys")) {
                for (const auto& text : zone.strings("transfer_keys"))
                    source.access.transfer_keys.push_back(
                        known_key_name(text, keys, zone.path() + ".transfer_keys"));
            }
            source.primaries = zone.addresses("primaries");
            source.primary_key = key_name("primary_key");
            if (!source.secondary() && !source.primary_key.empty())
                throw std::runtime_error(zone.path() + ": primary_key without primaries");
            if (source.secondary() && source.name.empty())
                throw std::runtime_error(zone.path() +
                                         ": a secondary zone (primaries) needs its name: its "
                                         "file may not exist yet");
        }
    }
    for (const auto& file : files) {
        ZoneSource& source = sources.emplace_back();
        source.file = file;
    }
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

std::optional<std::chrono::seconds> time_to_expiry(const std::string& file, const Zone& zone) {
    std::error_code error;
    const auto written = std::filesystem::last_write_time(file, error);
    if (error) return std::nullopt;
    const auto soa = core::dns::parse_soa(zone.soa().rdatas.front());
    const auto expire = std::chrono::seconds(soa ? soa->expire : 0);
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(
        std::filesystem::file_time_type::clock::now() - written);
    return age < expire ? expire - age : std::chrono::seconds(0);
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
            return it->second->with_origin(std::move(origin), source.access);
    }
    if (!std::filesystem::exists(source.file)) {
        core::log::info("dnsd") << "zone " << name << ": no copy in " << source.file
                                << " yet: SERVFAIL until its first transfer";
        return Zone::without_data(apex, std::move(origin), source.access);
    }
    std::shared_ptr<const Zone> zone;
    try {
        auto file = core::dns::read_master_file(source.file, apex);
        for (const auto& warning : core::dns::check_zone(apex, file.records))
            core::log::warn("dnsd") << warning;
        zone = std::make_shared<const Zone>(apex, file.records, origin, source.access);
    } catch (const std::runtime_error& e) {
        core::log::warn("dnsd") << "zone " << name << ": its copy cannot be read (" << e.what()
                                << "): SERVFAIL until a transfer";
        return Zone::without_data(apex, std::move(origin), source.access);
    }
    const auto left = time_to_expiry(source.file, *zone);
    const bool expired = !left || left->count() == 0;
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
                                                 ZoneOrigin::from_file(source.file), source.access);
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
