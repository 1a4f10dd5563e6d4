// dnsd: the authoritative DNS server of webstack. Wires the configuration,
// the zones and the listeners together; the logic lives beside it.
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
#include "dnsd/health_checker.hpp"
#include "dnsd/listener.hpp"
#include "dnsd/tsig_keys.hpp"
#include "dnsd/update_service.hpp"
#include "dnsd/zone_service.hpp"

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
        if (zones_->current()->zones().empty() && !zones_->serves_database()) {
            core::log::warn("dnsd") << "no zone configured: every query will be REFUSED "
                                       "(give --zone FILE or [[dnsd.zone]] tables)";
        }
        const auto addresses = section.addresses("listen");
        const auto metrics_addresses = section.addresses("metrics_listen");
        try {
            // With --replace, the daemon being replaced holds them.
            if (!options.replace) {
                for (const auto& address : addresses) {
                    core::net::ensure_free(address, core::net::Transport::udp);
                    core::net::ensure_free(address, core::net::Transport::tcp);
                }
                for (const auto& address : metrics_addresses)
                    core::net::ensure_free(address, core::net::Transport::tcp);
            }
        } catch (const std::exception& e) {
            core::log::error("dnsd") << e.what();
            return 1;
        }
        dnsd::ListenerSettings settings;
        settings.tcp_idle_timeout_ms =
            static_cast<uint64_t>(section.duration_ms("tcp_idle_timeout"));
        settings.tcp_max_connections = static_cast<size_t>(section.integer("tcp_max_connections"));
        settings.messages.answer = answer_options(section);
        if (!health_.empty())
            settings.messages.answer.health = std::make_shared<const dnsd::HealthView>(health_);
        settings.messages.transfer_allow = section.ranges("transfer_allow");
        settings.messages.notify_allow = section.ranges("notify_allow");
        settings.messages.tsig = tsig_;
        settings.messages.database_zones = zones_->serves_database();
        if (zones_->serves_database() || zones_->serves_secondaries()) {
            // On a loop thread: the name is handed over, nothing waits.
            settings.messages.on_notify = [this](std::string apex) {
                zones_->notified(std::move(apex));
            };
        }
        if (zones_->serves_database() && tsig_.takes_updates()) {
            // Applied off the answering threads; each applied UPDATE has
            // its zone read again at once, as appsrv's NOTIFY would.
            updates_ = std::make_unique<dnsd::UpdateService>(
                config.section("db").string("url"),
                [this](const std::string& apex) { zones_->notified(apex); });
            settings.messages.on_update = [this](dnsd::UpdateRequest request, std::string actor,
                                                 std::function<void(uint8_t)> done) {
                updates_->submit(std::move(request), std::move(actor), std::move(done));
            };
        }
        const std::chrono::milliseconds refresh_interval(section.duration_ms("database_refresh"));
        const size_t threads = core::thread_count(section.integer("threads"));
        listeners_.resize(threads);
        metrics_ = std::make_unique<dnsd::Metrics>(threads);
        config_ = config;
        options_ = options;

        const int status = core::serve(
            "dnsd", threads,
            [this] {
                return static_cast<uint64_t>(
                    config_.section("dnsd").duration_ms("shutdown_timeout"));
            },
            core::ServeHooks{
                .setup =
                    [&](core::Worker& worker) {
                        auto listener = std::make_unique<dnsd::Listener>(
                            worker.loop(), settings, zones_->current(),
                            *metrics_->threads[worker.index()]);
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
                            if (health_checker_) health_checker_->stop();
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
                            health_checker_.reset();
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
                        start_zone_service(loops, refresh_interval);
                        start_health_checks(loops);
                    },
                .on_stopping = [&] { zones_->stop(); },
            });
        // The loops have stopped: no UPDATE comes in any more.
        updates_.reset();
        return status;
    }

    // Loaded once by --check's path and kept for serving.
    void load(const core::config::Config& config) {
        tsig_ = dnsd::load_tsig_settings(config.section("dnsd"));
        if (tsig_.takes_updates() && !config.section("dnsd").boolean("database_zones"))
            throw std::runtime_error(
                "dnsd.update_keys, [[dnsd.update]]: UPDATE changes database "
                "zones; set database_zones = true");
        zones_ = std::make_unique<dnsd::ZoneService>(zone_files_, tsig_.keys);
        zones_->load(config);
        health_ = dnsd::health_checks(config.section("dnsd"));
    }

    std::vector<std::string> zone_files_;

  private:
    // On the first thread: an HTTP listener of its own that answers only
    // GET /metrics, from every thread's counters.
    void start_metrics(uv_loop_t* loop, const std::vector<core::net::Address>& addresses) {
        metrics_endpoint_ = std::make_unique<core::metrics::Endpoint>([this] {
            const auto& in = zones_->transfers_in();
            const dnsd::ZoneCounts counts{
                zones_->database_updates(),
                {in.incremental.value(), in.whole.value(), in.current.value(), in.failed.value()}};
            return dnsd::render(*metrics_, *listeners_[0]->zones(), counts);
        });
        metrics_server_ = std::make_unique<core::http::Server>(loop, core::http::Limits{},
                                                               *metrics_endpoint_, kMetricsClients);
        for (const auto& address : addresses)
            metrics_server_->listen(address);
    }

    // On the first thread: the checks of [[dnsd.health]]; each change of
    // verdict goes to every answering thread.
    void start_health_checks(core::LoopThreads& loops) {
        if (health_.empty()) return;
        core::Worker& first = loops.worker(0);
        first.post([this, &loops, &first] {
            health_checker_ = std::make_unique<dnsd::HealthChecker>(
                first.loop(), health_, [this] { return zones_->current(); },
                [this, &loops](std::shared_ptr<const dnsd::HealthView> view) {
                    loops.post_all([this, view](core::Worker& w) {
                        if (auto& listener = listeners_[w.index()]) listener->set_health(view);
                    });
                });
        });
    }

    // New snapshots go to every answering thread, which switches between
    // queries; NOTIFYs for raised serials go out from the first thread.
    void start_zone_service(core::LoopThreads& loops, std::chrono::milliseconds interval) {
        zones_->start(
            dnsd::ZoneService::Hooks{
                .publish =
                    [this, &loops](std::shared_ptr<const dnsd::ZoneSet> zones, bool read_whole) {
                        loops.post_all([this, zones, read_whole](core::Worker& worker) {
                            if (auto& listener = listeners_[worker.index()])
                                listener->set_zones(zones, read_whole);
                        });
                    },
                .notify =
                    [this, &loops](std::vector<dnsd::ZoneNotify> notifies) {
                        loops.worker(0).post([this, notifies] {
                            for (const auto& n : notifies) {
                                if (notifier_)
                                    notifier_->notify(n.apex, n.serial, n.targets, n.key);
                            }
                        });
                    },
            },
            interval);
    }

    // On the main thread: the answering threads keep serving the old
    // snapshot until the new one is complete, then switch between queries.
    void reload(core::LoopThreads& loops) {
        try {
            // The command line's overrides apply to every reload as well.
            core::config::Config config = core::load_daemon_config(options_, kSchemas, "dnsd");
            const size_t zone_count = zones_->reload(config);
            for (const auto& key : core::config::changed_fixed_keys(config_.section("dnsd"),
                                                                    config.section("dnsd"))) {
                core::log::warn("dnsd") << key << " changed: it takes effect at the next restart";
            }
            const auto answer = answer_options(config.section("dnsd"));
            loops.post_all([this, answer](core::Worker& worker) {
                if (auto& listener = listeners_[worker.index()])
                    listener->set_answer_options(answer);
            });
            // NOTIFYs still retried to a secondary no zone names any more
            // stop (those of the new zones were queued before this).
            auto targets = config.section("dnsd").addresses("database_notify");
            for (const auto& [apex, zone] : zones_->current()->zones())
                targets.insert(targets.end(), zone->notify().begin(), zone->notify().end());
            loops.worker(0).post([this, targets] {
                if (notifier_) notifier_->keep_only(targets);
            });
            config_ = std::move(config);
            metrics_->reloads.reloaded(true);
            core::log::info("dnsd") << "reloaded: " << zone_count << " zones";
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
    std::unique_ptr<dnsd::ZoneService> zones_;
    dnsd::TsigSettings tsig_;
    std::vector<std::unique_ptr<dnsd::Listener>> listeners_;
    std::unique_ptr<core::dns::Notifier> notifier_;  // lives on worker 0's loop
    std::vector<dnsd::HealthCheck> health_;
    std::unique_ptr<dnsd::HealthChecker> health_checker_;  // lives on worker 0's loop
    std::unique_ptr<dnsd::UpdateService> updates_;
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
