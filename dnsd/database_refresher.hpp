// Keeps the zones served from the database current. A NOTIFY names a
// zone to read again at once (appsrv sends one after each change); every
// `interval`, the serials in the database are compared with those served,
// so that a lost NOTIFY, a change by a writer that sends none, a new zone
// or a deleted one is seen too. Runs on a thread of its own: the
// answering loops never wait on the database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dnsd/database_zones.hpp"

namespace dnsd {

class DatabaseRefresher {
  public:
    struct Changes {
        std::vector<std::shared_ptr<const Zone>> loaded;  // new zones and new versions
        std::vector<std::string> removed;                 // apexes (wire) gone from the database
    };
    // Each database zone served now, by apex (wire): what a change is
    // applied to, and whose serial a comparison reads.
    using Served = std::function<std::map<std::string, std::shared_ptr<const Zone>>()>;
    // Puts changes in service; called on the refresher's thread. Returns
    // the apexes of loaded zones it refused (a file serves that name).
    using Publish = std::function<std::vector<std::string>(Changes)>;

    DatabaseRefresher(DatabaseZones& zones, std::chrono::milliseconds interval, Served served,
                      Publish publish);
    DatabaseRefresher(const DatabaseRefresher&) = delete;
    DatabaseRefresher& operator=(const DatabaseRefresher&) = delete;
    // Stops: waits for a read under way, starts no other.
    ~DatabaseRefresher();

    // From any thread, without waiting: read the zone `apex` (wire) again.
    void notify(std::string apex);

  private:
    void run();
    // Reads the zones again and publishes them; returns those that could
    // not be put in service.
    std::set<std::string> read_again(const std::set<std::string>& apexes);
    void compare_serials();

    DatabaseZones& zones_;
    const std::chrono::milliseconds interval_;
    Served served_;
    Publish publish_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::set<std::string> notified_;  // guarded by mutex_
    // Zones whose stored version could not be served, by the serial it
    // had: read again only once that changes (or on a NOTIFY).
    std::map<std::string, uint32_t> failed_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;     // last: starts once the rest is ready
};

}  // namespace dnsd
