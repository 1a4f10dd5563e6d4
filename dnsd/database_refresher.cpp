// Keeps the zones served from the database current.
#include "dnsd/database_refresher.hpp"

#include "core/dns/name.hpp"
#include "core/log.hpp"

namespace dnsd {

DatabaseRefresher::DatabaseRefresher(DatabaseZones& zones, std::chrono::milliseconds interval,
                                     Served served, Publish publish)
    : zones_(zones),
      interval_(interval),
      served_(std::move(served)),
      publish_(std::move(publish)),
      thread_([this] { run(); }) {}

DatabaseRefresher::~DatabaseRefresher() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void DatabaseRefresher::notify(std::string apex) {
    {
        const std::lock_guard lock(mutex_);
        notified_.insert(std::move(apex));
    }
    wake_.notify_one();
}

void DatabaseRefresher::run() {
    auto next_comparison = std::chrono::steady_clock::now() + interval_;
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait_until(lock, next_comparison, [this] { return stopping_ || !notified_.empty(); });
        if (stopping_) return;
        const std::set<std::string> notified = std::move(notified_);
        notified_.clear();
        lock.unlock();
        if (!notified.empty()) {
            read_again(notified);
        } else {
            compare_serials();
            next_comparison = std::chrono::steady_clock::now() + interval_;
        }
        lock.lock();
    }
}

std::set<std::string> DatabaseRefresher::read_again(const std::set<std::string>& apexes) {
    Changes changes;
    std::set<std::string> failed;
    const auto served = served_();
    for (const auto& apex : apexes) {
        const std::string name = core::dns::name_to_text(apex);
        const auto current = served.find(apex);
        try {
            auto zone = zones_.load(apex, current == served.end() ? nullptr : current->second);
            if (zone && current != served.end() && zone == current->second) {
                continue;  // the same serial: nothing to do (RFC 1996 §3.11)
            } else if (zone) {
                changes.loaded.push_back(std::move(zone));
            } else if (current != served.end()) {
                changes.removed.push_back(apex);
            } else {
                core::log::warn("dnsd") << "NOTIFY for " << name << ": not in the database";
            }
        } catch (const std::exception& e) {
            core::log::error("dnsd") << "reading " << name << " again failed, still serving "
                                     << "the previous version: " << e.what();
            failed.insert(apex);
        }
    }
    if (!changes.loaded.empty() || !changes.removed.empty()) {
        for (auto& apex : publish_(std::move(changes)))
            failed.insert(std::move(apex));
    }
    return failed;
}

void DatabaseRefresher::compare_serials() {
    std::map<std::string, uint32_t> stored;
    try {
        stored = zones_.serials();
    } catch (const std::exception& e) {
        core::log::error("dnsd") << "the database cannot be read, still serving its zones as "
                                 << "they were: " << e.what();
        return;
    }
    const auto served = served_();
    std::set<std::string> changed;
    for (const auto& [apex, serial] : stored) {
        const auto it = served.find(apex);
        const auto failed = failed_.find(apex);
        if ((it == served.end() || it->second->serial() != serial) &&
            (failed == failed_.end() || failed->second != serial))
            changed.insert(apex);
    }
    for (const auto& [apex, serial] : served) {
        if (!stored.count(apex)) changed.insert(apex);
    }
    if (changed.empty()) return;
    for (const auto& apex : read_again(changed)) {
        if (const auto it = stored.find(apex); it != stored.end()) failed_[apex] = it->second;
    }
}

}  // namespace dnsd
