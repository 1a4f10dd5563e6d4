// The zones dnsd serves, one snapshot at a time: read from the files,
// transferred from primaries (secondary zones) and, when dnsd serves them,
// from the database; replaced whole by a reload, by the database's
// changes or by a transfer, never edited in place. Each new snapshot is
// handed to the answering threads, and the secondaries of each zone whose
// serial rose are to be told.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config/load.hpp"
#include "core/dns/tsig.hpp"
#include "core/metrics/counter.hpp"
#include "core/net/address.hpp"
#include "dnsd/database_refresher.hpp"
#include "dnsd/database_zones.hpp"
#include "dnsd/secondary_refresher.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

struct ZoneNotify {
    std::string apex;  // wire
    uint32_t serial = 0;
    std::vector<core::net::Address> targets;
    std::optional<core::dns::tsig::Key> key;  // signs them
};

class ZoneService {
  public:
    struct Hooks {
        // A new snapshot, for every answering thread; called with the
        // service's lock held, from the thread that made it. `read_whole`:
        // it was read anew (a reload), so the old one shares nothing and
        // its memory is worth handing back once dropped.
        std::function<void(std::shared_ptr<const ZoneSet>, bool read_whole)> publish;
        // Zones whose serial rose, for their secondaries.
        std::function<void(std::vector<ZoneNotify>)> notify;
    };

    // `zone_files` come from the command line; `keys` are the TSIG keys a
    // secondary zone's primary_key names.
    ZoneService(std::vector<std::string> zone_files, std::vector<core::dns::tsig::Key> keys);
    ZoneService(const ZoneService&) = delete;
    ZoneService& operator=(const ZoneService&) = delete;
    ~ZoneService();

    // Reads every zone `config` names: the first snapshot. Throws (a zone
    // file's line, a database that cannot be read).
    void load(const core::config::Config& config);
    std::shared_ptr<const ZoneSet> current() const;
    bool serves_database() const { return database_ != nullptr; }

    // From now on, new snapshots go through `hooks`; with database zones,
    // the refresher starts, reading them every `interval` and on NOTIFY;
    // with secondary zones, their refresher, which asks their primaries.
    void start(Hooks hooks, std::chrono::milliseconds interval);
    // Stops the refresher, waiting for a read under way; no hook runs after.
    void stop();

    // SIGHUP: reads everything `config` names and publishes it; throws,
    // changing nothing, when a zone cannot be read. Returns the zone count.
    size_t reload(const core::config::Config& config);
    // A NOTIFY for `apex` (wire), from a loop thread, without waiting: a
    // secondary zone is refreshed, a database zone read again.
    void notified(std::string apex);
    bool serves_secondaries() const { return !secondaries_.empty(); }
    // Transfers from primaries, for /metrics.
    const TransferInCounters& transfers_in() const { return transfers_in_; }
    // Snapshots made from the database's changes, for /metrics.
    uint64_t database_updates() const { return database_updates_.value(); }

  private:
    // Every zone; secondary zones `served` has are kept as they are.
    std::shared_ptr<const ZoneSet> read_all(const core::config::Config& config,
                                            const ZoneSet* served);
    // The key a zone's NOTIFYs are signed with.
    std::optional<core::dns::tsig::Key> notify_key(const Zone& zone) const;
    // A new version of a secondary zone from its refresher; dropped when
    // a reload took the zone away meanwhile.
    void install_secondary(std::shared_ptr<const Zone> zone);
    // Hands secondaries_ to their refresher, made for the first of them
    // once started. The caller holds refresher_mutex_.
    void configure_secondaries();
    // The caller holds mutex_.
    void install(std::shared_ptr<const ZoneSet> zones, bool read_whole = false);
    // `zones` with each zone read whole given the history of the version it
    // replaces, one step longer when its serial rose (what a reload or a
    // full read changed, for IXFR). The caller holds mutex_.
    std::shared_ptr<const ZoneSet> with_histories(std::shared_ptr<const ZoneSet> zones) const;

    std::vector<std::string> zone_files_;
    const std::vector<core::dns::tsig::Key> keys_;
    std::vector<SecondaryRefresher::ZoneSettings> secondaries_;  // as the last read found them
    core::metrics::Counter database_updates_;  // written by the refresher's thread only
    TransferInCounters transfers_in_;          // written by the secondary refresher's thread only
    std::unique_ptr<DatabaseZones> database_;
    mutable std::mutex mutex_;  // a reload and the refresher each make a new snapshot
    std::shared_ptr<const ZoneSet> zones_;
    Hooks hooks_;
    std::mutex refresher_mutex_;  // a NOTIFY from a loop thread reaches the refresher
    std::unique_ptr<DatabaseRefresher> refresher_;
    std::unique_ptr<SecondaryRefresher> secondary_refresher_;  // guarded by refresher_mutex_
    bool started_ = false;                                     // guarded by refresher_mutex_
};

}  // namespace dnsd
