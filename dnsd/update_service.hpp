// Applies UPDATEs (RFC 2136) to the database zones on a thread of its own,
// one at a time and in the order they came, so that an answering loop
// never waits on the database: through db::ZoneStore, as appsrv's API
// writes, with the key's name as the audit's author.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/database.hpp"
#include "dnsd/update.hpp"

namespace dnsd {

class UpdateService {
  public:
    // More UPDATEs waiting than this are answered SERVFAIL at once.
    static constexpr size_t kMaxWaiting = 1000;

    // `applied` is told each zone whose serial an UPDATE raised (its new
    // version is to be read and its secondaries told), on this service's
    // thread.
    UpdateService(std::string url, std::function<void(const std::string& apex)> applied);
    UpdateService(const UpdateService&) = delete;
    UpdateService& operator=(const UpdateService&) = delete;
    // Finishes the UPDATE under way; those still waiting get SERVFAIL.
    ~UpdateService();

    // From any thread: `done` gets the rcode, on this service's thread.
    void submit(UpdateRequest request, std::string actor, std::function<void(uint8_t)> done);

  private:
    struct Job {
        UpdateRequest request;
        std::string actor;
        std::function<void(uint8_t)> done;
    };
    void run();
    // The rcode for a job: apply_once, again while the database allows.
    uint8_t apply(const Job& job);
    uint8_t apply_once(const Job& job);

    std::string url_;
    std::function<void(const std::string&)> applied_;
    std::unique_ptr<db::Connection> connection_;  // the thread's own, opened when first needed
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> waiting_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dnsd
