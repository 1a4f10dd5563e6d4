// Keeps the secondary zones current.
#include "dnsd/secondary_refresher.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/serial.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/log.hpp"
#include "dnsd/zone_loader.hpp"

namespace dnsd {

namespace {

std::chrono::seconds at_least_min(uint32_t seconds) {
    return std::max(std::chrono::seconds(seconds), SecondaryRefresher::kMinInterval);
}

}  // namespace

bool SecondaryRefresher::ZoneSettings::operator==(const ZoneSettings& other) const {
    const auto same_key = [](const auto& a, const auto& b) {
        if (!a || !b) return !a && !b;
        return a->name == b->name && a->algorithm == b->algorithm && a->secret == b->secret;
    };
    if (apex != other.apex || file != other.file || !same_key(key, other.key) ||
        primaries.size() != other.primaries.size())
        return false;
    for (size_t i = 0; i < primaries.size(); ++i) {
        if (primaries[i].to_string() != other.primaries[i].to_string()) return false;
    }
    return true;
}

SecondaryRefresher::SecondaryRefresher(std::vector<ZoneSettings> zones, Served served,
                                       Publish publish, TransferInCounters& counters,
                                       std::chrono::milliseconds transfer_timeout)
    : served_(std::move(served)),
      publish_(std::move(publish)),
      counters_(counters),
      transfer_timeout_(transfer_timeout) {
    configure(std::move(zones));
    thread_ = std::thread([this] { run(); });
}

SecondaryRefresher::~SecondaryRefresher() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void SecondaryRefresher::configure(std::vector<ZoneSettings> zones) {
    {
        const std::lock_guard lock(mutex_);
        std::map<std::string, State> next;
        for (auto& settings : zones) {
            const auto old = zones_.find(settings.apex);
            State state;
            if (old != zones_.end()) {
                state = std::move(old->second);
                if (!(state.settings == settings)) state.next_check = Clock::now();
            } else {
                state.next_check = Clock::now();
            }
            state.settings = std::move(settings);
            const std::string apex = state.settings.apex;
            next.emplace(apex, std::move(state));
        }
        zones_ = std::move(next);
    }
    wake_.notify_all();
}

bool SecondaryRefresher::notify(const std::string& apex) {
    {
        const std::lock_guard lock(mutex_);
        const auto it = zones_.find(apex);
        if (it == zones_.end()) return false;
        it->second.notified = true;
        it->second.next_check = Clock::now();
    }
    wake_.notify_all();
    return true;
}

void SecondaryRefresher::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = Clock::now();
        State* due = nullptr;
        auto wake_at = Clock::time_point::max();
        std::vector<std::string> expiring;
        for (auto& [apex, state] : zones_) {
            if (state.expires_at && *state.expires_at <= now) {
                expiring.push_back(apex);
                state.expires_at.reset();
            } else if (state.expires_at) {
                wake_at = std::min(wake_at, *state.expires_at);
            }
            if (state.next_check <= now && (!due || state.next_check < due->next_check))
                due = &state;
            wake_at = std::min(wake_at, state.next_check);
        }
        if (!expiring.empty()) {
            lock.unlock();
            for (const auto& apex : expiring)
                expire(apex);
            lock.lock();
            continue;
        }
        if (!due) {
            wake_.wait_until(lock, wake_at);
            continue;
        }
        const ZoneSettings settings = due->settings;
        due->notified = false;
        lock.unlock();
        const Result result = refresh(settings);
        lock.lock();
        // The zone may have gone, or changed, while it was refreshed.
        const auto it = zones_.find(settings.apex);
        if (it == zones_.end()) continue;
        State& state = it->second;
        if (!(state.settings == settings)) continue;  // configure() scheduled it again
        const auto done = Clock::now();
        state.next_check = state.notified ? done : done + result.next;
        if (result.answered) {
            state.expires_at = done + *result.expire;
        } else if (!state.expires_at) {
            // Never answered since start-up: the copy read from the file
            // expires as its time says.
            lock.unlock();
            const auto zone = served_(settings.apex);
            const auto from_file = zone ? expiry_from_file(settings, *zone) : std::nullopt;
            lock.lock();
            const auto again = zones_.find(settings.apex);
            if (again != zones_.end() && !again->second.expires_at)
                again->second.expires_at = from_file;
        }
    }
}

std::optional<SecondaryRefresher::Clock::time_point> SecondaryRefresher::expiry_from_file(
    const ZoneSettings& settings, const Zone& zone) const {
    if (!zone.available()) return std::nullopt;  // already expired, or no data to expire
    return Clock::now() + time_to_expiry(settings.file, zone).value_or(std::chrono::seconds(0));
}

void SecondaryRefresher::expire(const std::string& apex) {
    const auto zone = served_(apex);
    if (!zone || !zone->available()) return;
    core::log::error("dnsd") << "zone " << core::dns::name_to_text(apex)
                             << " expired: no primary answered within its SOA expire time; "
                                "answering SERVFAIL for it until one does";
    publish_(zone->with_expired(true));
}

SecondaryRefresher::Result SecondaryRefresher::refresh(const ZoneSettings& settings) {
    const std::string name = core::dns::name_to_text(settings.apex);
    Result result;
    const auto current = served_(settings.apex);
    if (!current) return result;  // no longer served: configure() drops it
    const auto timers = [](const Zone& zone) {
        return core::dns::parse_soa(zone.soa().rdatas.front());
    };
    if (current->has_data()) {
        if (const auto soa = timers(*current)) result.next = at_least_min(soa->retry);
    }
    for (const auto& primary : settings.primaries) {
        std::shared_ptr<const Zone> zone;
        try {
            zone = transfer_from(settings, primary, current);
        } catch (const std::exception& e) {
            counters_.failed.add();
            core::log::warn("dnsd") << "zone " << name << ": no transfer from "
                                    << primary.to_string() << ": " << e.what();
            continue;
        }
        result.answered = true;
        const Zone& now_served = zone ? *zone : *current;
        const auto soa = timers(now_served);
        result.next = at_least_min(soa ? soa->refresh : 0);
        result.expire = at_least_min(soa ? soa->expire : 0);
        if (zone) {
            publish_(zone);
            try {
                core::dns::write_master_file(
                    settings.file, settings.apex, zone->records(),
                    "zone " + name + " serial " + std::to_string(zone->serial()) +
                        ", transferred from " + primary.to_string() +
                        " by webstack dnsd: rewritten after each transfer");
            } catch (const std::exception& e) {
                core::log::error("dnsd") << "zone " << name << ": serving serial " << zone->serial()
                                         << " but its copy is not kept: " << e.what();
            }
        } else {
            if (current->expired()) {
                core::log::info("dnsd") << "zone " << name << ": " << primary.to_string()
                                        << " answers again; serving serial " << current->serial();
                publish_(current->with_expired(false));
            }
            // The file's time is the last refresh's, for a restart.
            ::utimensat(AT_FDCWD, settings.file.c_str(), nullptr, 0);
        }
        return result;
    }
    return result;
}

std::shared_ptr<const Zone> SecondaryRefresher::transfer_from(
    const ZoneSettings& settings, const core::net::Address& primary,
    const std::shared_ptr<const Zone>& current) {
    const std::string name = core::dns::name_to_text(settings.apex);
    TransferRequest request;
    request.apex = settings.apex;
    request.primary = primary;
    request.key = settings.key ? &*settings.key : nullptr;
    request.timeout = transfer_timeout_;
    request.cancelled = &stopping_;
    if (current->has_data()) request.serial = current->serial();
    TransferResult result = transfer_zone(request);

    if (result.kind == TransferResult::Kind::current) {
        counters_.current.add();
        if (core::dns::serial_newer(current->serial(), result.serial)) {
            core::log::warn("dnsd")
                << "zone " << name << ": " << primary.to_string() << " has serial " << result.serial
                << ", older than the " << current->serial() << " served: keeping it";
        }
        return nullptr;
    }
    if (result.kind == TransferResult::Kind::incremental) {
        try {
            auto zone = current->with_changes(result.changes);
            check_rules_where_changed(*zone, result.changes);
            if (zone->serial() != result.serial)
                throw std::runtime_error("the differences end at serial " +
                                         std::to_string(zone->serial()));
            core::log::info("dnsd")
                << "zone " << name << " serial " << zone->serial() << ": " << result.changes.size()
                << " differences by IXFR from " << primary.to_string();
            return zone;
        } catch (const std::runtime_error& e) {
            core::log::warn("dnsd") << "zone " << name << ": the IXFR from " << primary.to_string()
                                    << " does not apply to serial " << current->serial() << " ("
                                    << e.what() << "); asking for the whole zone";
        }
        request.serial.reset();
        result = transfer_zone(request);
    }
    if (current->has_data() && !core::dns::serial_newer(result.serial, current->serial()) &&
        result.serial != current->serial()) {
        throw TransferError("its serial " + std::to_string(result.serial) + " is older than the " +
                            std::to_string(current->serial()) + " served");
    }
    for (const auto& warning : core::dns::check_zone(settings.apex, result.records))
        core::log::warn("dnsd") << "zone " << name << " from " << primary.to_string() << ": "
                                << warning;
    auto zone = std::make_shared<const Zone>(settings.apex, result.records, current->origin(),
                                             current->access());
    counters_.whole.add();
    core::log::info("dnsd") << "zone " << name << " serial " << zone->serial() << ": "
                            << zone->record_count() << " records by "
                            << (request.serial ? "IXFR" : "AXFR") << " from "
                            << primary.to_string();
    return zone;
}

}  // namespace dnsd
