// Applies UPDATEs to the database zones.
#include "dnsd/update_service.hpp"

#include "core/dns/name.hpp"
#include "core/log.hpp"
#include "db/zone_store.hpp"
#include "dnsd/query.hpp"

namespace dnsd {

UpdateService::UpdateService(std::string url, std::function<void(const std::string&)> applied)
    : url_(std::move(url)), applied_(std::move(applied)), thread_([this] { run(); }) {}

UpdateService::~UpdateService() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void UpdateService::submit(UpdateRequest request, std::string actor,
                           std::function<void(uint8_t)> done) {
    {
        const std::lock_guard lock(mutex_);
        if (!stopping_ && waiting_.size() < kMaxWaiting) {
            waiting_.push_back({std::move(request), std::move(actor), std::move(done)});
            wake_.notify_one();
            return;
        }
    }
    done(rcode::servfail);
}

void UpdateService::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        if (stopping_) break;
        Job job = std::move(waiting_.front());
        waiting_.pop_front();
        lock.unlock();
        const uint8_t rcode = apply(job);
        job.done(rcode);
        lock.lock();
    }
    for (auto& job : waiting_)
        job.done(rcode::servfail);
    waiting_.clear();
}

uint8_t UpdateService::apply(const Job& job) {
    // A transaction the database may run again (a lost connection, which
    // the driver mends on the next server; a deadlock) is tried up to this
    // many times.
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
        try {
            return apply_once(job);
        } catch (const db::Error& e) {
            const std::string zone = core::dns::name_to_text(job.request.apex);
            if (e.retry_safe() && attempt < kAttempts) {
                core::log::warn("dnsd")
                    << "UPDATE of " << zone << ": " << e.what() << "; trying again";
                continue;
            }
            core::log::error("dnsd")
                << "UPDATE of " << zone << " by " << job.actor << ": the database failed, "
                << (e.kind() == db::Error::Kind::commit_unknown ? "the change may have been made"
                                                                : "nothing changed")
                << ": " << e.what();
            connection_.reset();
            return rcode::servfail;
        }
    }
}

uint8_t UpdateService::apply_once(const Job& job) {
    const std::string zone = core::dns::name_to_text(job.request.apex);
    try {
        if (!connection_) connection_ = db::connect(url_);
        db::ZoneStore store(*connection_);
        db::ZoneCommit change;
        const auto results = store.edit_planned(
            job.actor, zone,
            [&](db::ZoneReader& reader) { return plan_update(reader, job.request); }, change);
        if (results.empty()) {
            core::log::info("dnsd")
                << "UPDATE of " << zone << " by " << job.actor << ": nothing to change";
            return rcode::noerror;
        }
        core::log::info("dnsd") << "UPDATE of " << zone << " by " << job.actor << ": "
                                << results.size() << " changes, serial " << change.serial;
        applied_(job.request.apex);
        return rcode::noerror;
    } catch (const UpdateRefused& e) {
        core::log::info("dnsd") << "UPDATE of " << zone << " by " << job.actor
                                << " refused: " << e.what();
        return e.rcode();
    } catch (const db::ChangeError& e) {
        core::log::warn("dnsd") << "UPDATE of " << zone << " by " << job.actor
                                << " refused: " << e.what();
        switch (e.kind()) {
            case db::ChangeError::Kind::not_found:
                return rcode::notauth;  // not a zone in the database (any more)
            case db::ChangeError::Kind::invalid:
                return rcode::formerr;
            case db::ChangeError::Kind::conflict:
                return rcode::refused;  // the zone would break a rule
            case db::ChangeError::Kind::internal:
                break;
        }
        return rcode::servfail;
    } catch (const db::Error&) {
        throw;  // apply() tries again or answers SERVFAIL
    } catch (const std::exception& e) {
        core::log::error("dnsd") << "UPDATE of " << zone << " by " << job.actor << ": " << e.what();
        return rcode::servfail;
    }
}

}  // namespace dnsd
