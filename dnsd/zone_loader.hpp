// Builds the set of served zones from the configuration and the command
// line: each file read, checked, and compiled.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/section.hpp"
#include "core/dns/tsig.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

struct ZoneSource {
    std::string name;  // presentation form; empty: from the file
    std::string file;
    ZoneAccess access;  // its secondaries, and the keys
    // A secondary zone: its primaries, and the key (wire name) that signs
    // what they exchange.
    std::vector<core::net::Address> primaries;
    std::string primary_key;

    bool secondary() const { return !primaries.empty(); }
};

// The [[dnsd.zone]] tables, then the files given with --zone. Throws
// std::runtime_error for a secondary zone without a name, or a key name
// not among `keys`.
std::vector<ZoneSource> zone_sources(const core::config::Section& section,
                                     const std::vector<std::string>& files,
                                     const std::vector<core::dns::tsig::Key>& keys);

// The wire name of a zone's configured name.
std::string zone_apex(const std::string& name);

// How long the copy of a secondary zone kept in `file` has before its SOA
// expire time passes, counted from the file's time: the file is written,
// or touched, whenever a primary answers, so its time is the last
// refresh's, across restarts. Zero once it has passed; nullopt when the
// file's time cannot be read. `zone` has data.
std::optional<std::chrono::seconds> time_to_expiry(const std::string& file, const Zone& zone);

// Reads every zone. Throws core::dns::ZoneFileError (file:line: reason) or
// std::runtime_error; warnings (repaired duplicates...) are logged. A
// secondary zone is read from the copy kept in its file, when there is
// one: one whose SOA expire time has passed since the file was last
// written or confirmed is served expired; without a readable copy, the
// zone waits for its first transfer. `served`: the zones served now, whose
// secondary zones are kept as they are rather than read again.
std::shared_ptr<const ZoneSet> load_zones(const std::vector<ZoneSource>& sources,
                                          const ZoneSet* served = nullptr);

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
