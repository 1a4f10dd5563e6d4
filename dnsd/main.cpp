// dnsd: the authoritative DNS server of webstack. Wires the configuration,
// the zones and the listeners together; the logic lives beside it.
#include <mutex>
#include <tuple>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "core/config/load.hpp"
#include "core/daemon.hpp"
#include "core/dns/notifier.hpp"
#include "core/http/server.hpp"
#include "core/log.hpp"
#include "core/metrics/endpoint.hpp"
#include "core/net/address.hpp"
#include "core/net/socket.hpp"
#include "db/config.hpp"
#include "dnsd/config.hpp"
#include "dnsd/database_refresher.hpp"
#include "dnsd/database_zones.hpp"
#include "dnsd/listener.hpp"
#include "dnsd/zone_loader.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&dnsd::config::kSchema, &db::config::kSchema};

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "dnsd";
    return name;
}

dnsd::AnswerOptions answer_options(const core::config::Section& section) {
    dnsd::AnswerOptions options;
    if (section.boolean("answer_version")) options.version = "webstack dnsd " WEBSTACK_VERSION;
    if (section.boolean("answer_identity")) options.identity = host_name();
    return options;
}

class Dnsd {
  public:
    int run(const core::config::Config& config, const core::DaemonOptions& options) {
        const auto& section = config.section("dnsd");
        if (zones_->zones().empty() && !database_) {
            core::log::warn("dnsd") << "no zone configured: every query will be REFUSED "
                                       "(give --zone FILE or [[dnsd.zone]] tables)";
        }
        const auto addresses = section.addresses("listen");
        const auto metrics_addresses = section.addresses("metrics_listen");
        try {
            for (const auto& address : addresses) {
                core::net::ensure_free(address, core::net::Transport::udp);
                core::net::ensure_free(address, core::net::Transport::tcp);
            }
            for (const auto& address : metrics_addresses)
                core::net::ensure_free(address, core::net::Transport::tcp);
        } catch (const std::exception& e) {
            core::log::error("dnsd") << e.what();
            return 1;
        }
        dnsd::ListenerSettings settings;
        settings.tcp_idle_timeout_ms =
            static_cast<uint64_t>(section.duration_ms("tcp_idle_timeout"));
        settings.tcp_max_connections = static_cast<size_t>(section.integer("tcp_max_connections"));
        settings.answer = answer_options(section);
        settings.transfer_allow = section.ranges("transfer_allow");
        settings.notify_allow = section.ranges("notify_allow");
        if (database_) {
            // On a loop thread: the name is handed over, nothing waits.
            settings.on_notify = [this](std::string apex) {
                const std::lock_guard lock(refresher_mutex_);
                if (refresher_) refresher_->notify(std::move(apex));
            };
        }
        const std::chrono::milliseconds refresh_interval(section.duration_ms("database_refresh"));
        const size_t threads = core::thread_count(section.integer("threads"));
        listeners_.resize(threads);
        metrics_ = std::make_unique<dnsd::Metrics>(threads);
        config_ = config;
        options_ = options;

        return core::serve(
            "dnsd", threads,
            [this] {
                return static_cast<uint64_t>(
                    config_.section("dnsd").duration_ms("shutdown_timeout"));
            },
            core::ServeHooks{
                .setup =
                    [&](core::Worker& worker) {
                        auto listener = std::make_unique<dnsd::Listener>(
                            worker.loop(), settings, zones_, *metrics_->threads[worker.index()]);
                        for (const auto& address : addresses)
                            listener->listen(address);
                        listeners_[worker.index()] = std::move(listener);
                        // NOTIFYs go out from the first thread's loop, and
                        // Prometheus scrapes there.
                        if (worker.index() == 0) {
                            notifier_ = std::make_unique<core::dns::Notifier>(worker.loop(), "dnsd",
                                                                              metrics_->notify);
                            if (!metrics_addresses.empty())
                                start_metrics(worker.loop(), metrics_addresses);
                        }
                    },
                .drain =
                    [&](core::Worker& worker) {
                        listeners_[worker.index()]->drain([] {});
                        if (worker.index() == 0) {
                            notifier_->close();
                            if (metrics_server_) metrics_server_->drain();
                        }
                    },
                .force =
                    [&](core::Worker& worker) {
                        listeners_[worker.index()]->close_all();
                        if (worker.index() == 0 && metrics_server_) metrics_server_->close_all();
                    },
                .finish =
                    [&](core::Worker& worker) {
                        listeners_[worker.index()].reset();
                        if (worker.index() == 0) {
                            notifier_.reset();
                            metrics_server_.reset();
                            metrics_endpoint_.reset();
                        }
                    },
                .reload = [&](core::LoopThreads& loops) { reload(loops); },
                .on_serving =
                    [&, threads](core::LoopThreads& loops) {
                        for (const auto& address : addresses) {
                            core::log::info("dnsd") << "answering on " << address.to_string()
                                                    << " (UDP and TCP, " << threads << " threads)";
                        }
                        for (const auto& address : metrics_addresses) {
                            core::log::info("dnsd")
                                << "metrics on http://" << address.to_string() << "/metrics";
                        }
                        if (database_) start_refresher(loops, refresh_interval);
                    },
                .on_stopping = [&] { stop_refresher(); },
            });
    }

    // Loaded once by --check's path and kept for serving.
    void load(const core::config::Config& config) {
        const auto& section = config.section("dnsd");
        if (section.boolean("database_zones")) {
            database_ = std::make_unique<dnsd::DatabaseZones>(config.section("db").string("url"),
                                                              section.addresses("database_notify"));
        }
        zones_ = all_zones(config);
    }

    std::vector<std::string> zone_files_;

  private:
    // The files' zones and, when dnsd serves them, the database's.
    std::shared_ptr<const dnsd::ZoneSet> all_zones(const core::config::Config& config) {
        auto files = dnsd::load_zones(dnsd::zone_sources(config.section("dnsd"), zone_files_));
        if (!database_) return files;
        auto zones = std::make_shared<dnsd::ZoneSet>(*files);
        std::vector<std::shared_ptr<const dnsd::Zone>> stored;
        try {
            stored = database_->load_all();
        } catch (const db::Error& e) {
            throw std::runtime_error(
                std::string("reading the zones in [db]: ") + e.what() +
                (e.kind() == db::Error::Kind::unavailable
                     ? ""
                     : " (the tables are appsrv's: `appsrv --config FILE migrate` makes them)"));
        }
        dnsd::add_database_zones(*zones, std::move(stored));
        return zones;
    }

    // The snapshot every answering thread switches to between queries;
    // the zones whose serial rose get a NOTIFY to their secondaries. The
    // caller holds zones_mutex_.
    void install(core::LoopThreads& loops, std::shared_ptr<const dnsd::ZoneSet> zones) {
        loops.post_all([this, zones](core::Worker& worker) {
            if (auto& listener = listeners_[worker.index()]) listener->set_zones(zones);
        });
        std::vector<std::tuple<std::string, uint32_t, std::vector<core::net::Address>>> notifies;
        for (const dnsd::Zone* zone : dnsd::raised_serials(*zones_, *zones)) {
            if (!zone->notify().empty())
                notifies.emplace_back(zone->apex(), zone->serial(), zone->notify());
        }
        if (!notifies.empty()) {
            // The notifier lives on the first thread's loop.
            loops.worker(0).post([this, notifies] {
                for (const auto& [apex, serial, targets] : notifies) {
                    if (notifier_) notifier_->notify(apex, serial, targets);
                }
            });
        }
        zones_ = std::move(zones);
    }

    // On the first thread: an HTTP listener of its own that answers only
    // GET /metrics, from every thread's counters.
    void start_metrics(uv_loop_t* loop, const std::vector<core::net::Address>& addresses) {
        metrics_endpoint_ = std::make_unique<core::metrics::Endpoint>(
            [this] { return dnsd::render(*metrics_, *listeners_[0]->zones()); });
        metrics_server_ = std::make_unique<core::http::Server>(loop, core::http::Limits{},
                                                               *metrics_endpoint_, kMetricsClients);
        for (const auto& address : addresses)
            metrics_server_->listen(address);
    }

    void start_refresher(core::LoopThreads& loops, std::chrono::milliseconds interval) {
        auto refresher = std::make_unique<dnsd::DatabaseRefresher>(
            *database_, interval, [this] { return served_database_zones(); },
            [this, &loops](dnsd::DatabaseRefresher::Changes changes) {
                return publish(loops, std::move(changes));
            });
        const std::lock_guard lock(refresher_mutex_);
        refresher_ = std::move(refresher);
    }

    // Before the loops drain: nothing posts to them after this.
    void stop_refresher() {
        std::unique_ptr<dnsd::DatabaseRefresher> refresher;
        {
            const std::lock_guard lock(refresher_mutex_);
            refresher = std::move(refresher_);
        }
        refresher.reset();  // joins its thread, outside the lock a NOTIFY takes
    }

    std::map<std::string, std::shared_ptr<const dnsd::Zone>> served_database_zones() {
        const std::lock_guard lock(zones_mutex_);
        return dnsd::database_zones(*zones_);
    }

    // On the refresher's thread: the database's changes put in service.
    std::vector<std::string> publish(core::LoopThreads& loops,
                                     dnsd::DatabaseRefresher::Changes changes) {
        const std::lock_guard lock(zones_mutex_);
        std::vector<std::string> refused;
        install(loops, dnsd::with_database_changes(*zones_, std::move(changes.loaded),
                                                   changes.removed, refused));
        metrics_->database_updates.add();
        return refused;
    }

    // On the main thread: the answering threads keep serving the old
    // snapshot until the new one is complete, then switch between queries.
    void reload(core::LoopThreads& loops) {
        try {
            // The command line's overrides apply to every reload as well.
            core::config::Config config = core::load_daemon_config(options_, kSchemas, "dnsd");
            auto zones = all_zones(config);
            // A refresh that lands between that read and this switch is
            // undone by it, and read again at the next serial comparison.
            const std::lock_guard lock(zones_mutex_);
            for (const auto& key : core::config::changed_fixed_keys(config_.section("dnsd"),
                                                                    config.section("dnsd"))) {
                core::log::warn("dnsd") << key << " changed: it takes effect at the next restart";
            }
            const auto answer = answer_options(config.section("dnsd"));
            loops.post_all([this, answer](core::Worker& worker) {
                if (auto& listener = listeners_[worker.index()])
                    listener->set_answer_options(answer);
            });
            install(loops, zones);
            config_ = std::move(config);
            metrics_->reloads.reloaded(true);
            core::log::info("dnsd") << "reloaded: " << zones->zones().size() << " zones";
        } catch (const std::exception& e) {
            metrics_->reloads.reloaded(false);
            core::log::error("dnsd")
                << "reload failed, still serving the previous zones: " << e.what();
        }
    }

    static constexpr size_t kMetricsClients = 16;
    std::unique_ptr<dnsd::Metrics> metrics_;
    std::unique_ptr<core::metrics::Endpoint> metrics_endpoint_;  // on the first thread
    std::unique_ptr<core::http::Server> metrics_server_;
    std::unique_ptr<dnsd::DatabaseZones> database_;  // when dnsd serves the database's zones
    std::mutex zones_mutex_;  // a SIGHUP reload and the refresher each make a new snapshot
    std::shared_ptr<const dnsd::ZoneSet> zones_;
    std::mutex refresher_mutex_;
    std::unique_ptr<dnsd::DatabaseRefresher> refresher_;
    std::vector<std::unique_ptr<dnsd::Listener>> listeners_;
    std::unique_ptr<core::dns::Notifier> notifier_;  // lives on worker 0's loop
    core::config::Config config_;
    core::DaemonOptions options_;
};

}  // namespace

int main(int argc, char** argv) {
    Dnsd daemon;
    return core::daemon_main(
        argc, argv,
        core::DaemonDescription{
            .name = "dnsd",
            .summary = "dnsd: the authoritative DNS server of webstack",
            .schemas = kSchemas,
            .extend_command_line =
                [&](CLI::App& app) {
                    app.add_option("-z,--zone", daemon.zone_files_,
                                   "zone file to serve, named by its $ORIGIN or SOA (repeatable)");
                },
            .check = [&](const core::config::Config& config) { daemon.load(config); },
            .serve =
                [&](const core::config::Config& config, const core::DaemonOptions& options) {
                    return daemon.run(config, options);
                },
        });
}
