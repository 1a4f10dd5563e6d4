// Builds the set of served zones from the configuration and the command
// line: each file read, checked, and compiled.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/section.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

struct ZoneSource {
    std::string name;  // presentation form; empty: from the file
    std::string file;
    std::vector<core::net::Address> notify;  // its secondaries
};

// The [[dnsd.zone]] tables, then the files given with --zone.
std::vector<ZoneSource> zone_sources(const core::config::Section& section,
                                     const std::vector<std::string>& files);

// Reads every zone. Throws core::dns::ZoneFileError (file:line: reason) or
// std::runtime_error; warnings (repaired duplicates...) are logged.
std::shared_ptr<const ZoneSet> load_zones(const std::vector<ZoneSource>& sources);

// Zones read from the database added to `zones`; a name a file already
// serves is an error (std::runtime_error), as dnsd will not choose.
void add_database_zones(ZoneSet& zones, std::vector<std::shared_ptr<const Zone>> stored);

// `served` with the database's changes: new versions and new zones in,
// removed ones out (apexes, wire). A loaded zone whose name a file serves
// is left out and its apex added to `refused`.
std::shared_ptr<const ZoneSet> with_database_changes(
    const ZoneSet& served, std::vector<std::shared_ptr<const Zone>> loaded,
    const std::vector<std::string>& removed, std::vector<std::string>& refused);

// Each zone served from the database, by apex (wire).
std::map<std::string, std::shared_ptr<const Zone>> database_zones(const ZoneSet& served);

// The zones of `after` whose serial is newer than in `before` (or that are
// new): the ones to NOTIFY after a reload.
std::vector<const Zone*> raised_serials(const ZoneSet& before, const ZoneSet& after);

}  // namespace dnsd
