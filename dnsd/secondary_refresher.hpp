// Keeps the secondary zones current (RFC 1034 §4.3.5, RFC 1996): each
// zone's primaries are asked for its changes when its SOA's refresh time
// comes, again after its retry time while none answers, and at once on a
// NOTIFY from one of them; once its expire time passes with no answer the
// zone is served expired (SERVFAIL) until one does. Each new version is
// published and written to the zone's file, whose time then says when the
// zone was last refreshed, across restarts. One thread for all the zones:
// the answering loops never wait on a primary.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/dns/tsig.hpp"
#include "core/metrics/counter.hpp"
#include "core/net/address.hpp"
#include "dnsd/transfer_client.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

// What the refresher counts, for /metrics: written by its thread only.
struct TransferInCounters {
    core::metrics::Counter incremental;  // IXFR answered with the differences
    core::metrics::Counter whole;        // the whole zone (AXFR, or IXFR answered so)
    core::metrics::Counter current;      // nothing newer at the primary
    core::metrics::Counter failed;       // a primary that did not answer, or answered wrong
};

class SecondaryRefresher {
  public:
    struct ZoneSettings {
        std::string apex;  // wire
        std::vector<core::net::Address> primaries;
        std::optional<core::dns::tsig::Key> key;
        std::string file;

        bool operator==(const ZoneSettings&) const;
    };
    // The version of a zone served now (nullptr when it is not).
    using Served = std::function<std::shared_ptr<const Zone>(const std::string& apex)>;
    // Puts a new version in service; called on the refresher's thread.
    using Publish = std::function<void(std::shared_ptr<const Zone>)>;

    // A zone without an SOA yet to take timers from is tried this often.
    static constexpr std::chrono::seconds kRetryWithoutSoa{5};
    // SOA timers below this are raised to it: no primary is asked in a loop.
    static constexpr std::chrono::seconds kMinInterval{1};

    // Every zone is refreshed at once, then as its SOA says.
    // `counters` outlive the refresher.
    SecondaryRefresher(std::vector<ZoneSettings> zones, Served served, Publish publish,
                       TransferInCounters& counters,
                       std::chrono::milliseconds transfer_timeout = std::chrono::seconds(10));
    SecondaryRefresher(const SecondaryRefresher&) = delete;
    SecondaryRefresher& operator=(const SecondaryRefresher&) = delete;
    // Stops: a transfer under way is abandoned within a fraction of a second.
    ~SecondaryRefresher();

    // A reload: new zones are refreshed at once, those whose primaries or
    // key changed too; the others keep their timers.
    void configure(std::vector<ZoneSettings> zones);
    // A NOTIFY for `apex` (wire) from one of its primaries: refreshed at
    // once, or again right after a refresh under way. False when `apex` is
    // not a secondary zone.
    bool notify(const std::string& apex);

  private:
    using Clock = std::chrono::steady_clock;
    struct State {
        ZoneSettings settings;
        Clock::time_point next_check;
        std::optional<Clock::time_point> expires_at;
        bool notified = false;  // during a refresh: another one right after
    };
    // What a refresh found, put back under the lock.
    struct Result {
        bool answered = false;
        std::chrono::seconds next{kRetryWithoutSoa};
        std::optional<std::chrono::seconds> expire;  // from now, when answered
    };

    void run();
    Result refresh(const ZoneSettings& settings);
    // One primary: the new version (nullptr when the zone is current);
    // throws TransferError.
    std::shared_ptr<const Zone> transfer_from(const ZoneSettings& settings,
                                              const core::net::Address& primary,
                                              const std::shared_ptr<const Zone>& current);
    // When the zone served from its file expires, counted from the file's time.
    std::optional<Clock::time_point> expiry_from_file(const ZoneSettings& settings,
                                                      const Zone& zone) const;
    void expire(const std::string& apex);

    Served served_;
    Publish publish_;
    TransferInCounters& counters_;
    const std::chrono::milliseconds transfer_timeout_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, State> zones_;  // by apex; guarded by mutex_
    std::atomic<bool> stopping_ = false;
    std::thread thread_;
};

}  // namespace dnsd
