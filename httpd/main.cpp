// httpd: the front web server of webstack. Wires the configuration, the
// listeners and each thread's dispatcher together; the logic lives beside it.
#include <mutex>

#include <CLI/CLI.hpp>

#include "core/daemon.hpp"
#include "core/http/limits_config.hpp"
#include "core/http/server.hpp"
#include "core/log.hpp"
#include "core/net/socket.hpp"
#include "core/tls/tls_transport.hpp"
#include "httpd/config.hpp"
#include "httpd/dispatcher.hpp"
#include "httpd/health_checker.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&httpd::config::kSchema};

httpd::FileCacheSettings cache_settings(const core::config::Section& section) {
    return {static_cast<size_t>(section.size("file_cache_size")),
            static_cast<uint64_t>(section.duration_ms("file_cache_valid"))};
}

// The HTTP limits, and HTTP/2's, which only httpd speaks.
core::http::Limits httpd_limits(const core::config::Section& section) {
    core::http::Limits limits = core::http::limits_keys::from(section);
    limits.http2_max_concurrent_streams =
        static_cast<size_t>(section.integer("http2_max_concurrent_streams"));
    return limits;
}

class Httpd {
  public:
    httpd::QuickSite quick_;

    // Run by --check and before serving: everything that can be wrong in
    // the configuration is found here.
    void load(const core::config::Config& config) {
        site_ = httpd::build_site(config.section("httpd"), quick_);
    }

    int run(const core::config::Config& config, const core::DaemonOptions& options) {
        const auto& section = config.section("httpd");
        // With --replace, the daemon being replaced holds them.
        try {
            if (!options.replace) {
                for (const auto& address : site_->listen)
                    core::net::ensure_free(address, core::net::Transport::tcp);
            }
        } catch (const std::exception& e) {
            core::log::error("httpd") << e.what();
            return 1;
        }
        const std::string access_log_path = section.string("access_log");
        if (!access_log_path.empty()) {
            try {
                access_log_ = std::make_shared<httpd::AccessLogFile>(access_log_path);
            } catch (const std::exception& e) {
                core::log::error("httpd") << e.what();
                return 1;
            }
        }
        limits_ = httpd_limits(section);
        max_connections_ = static_cast<size_t>(section.integer("max_connections"));
        cache_ = cache_settings(section);
        config_ = config;
        options_ = options;
        const size_t threads = core::thread_count(section.integer("threads"));
        threads_.resize(threads);
        workers_.assign(threads, nullptr);

        return core::serve(
            "httpd", threads,
            [this] {
                return static_cast<uint64_t>(
                    config_.section("httpd").duration_ms("shutdown_timeout"));
            },
            core::ServeHooks{
                .setup = [this](core::Worker& worker) { setup(worker); },
                .drain =
                    [this](core::Worker& worker) {
                        auto& thread = *threads_[worker.index()];
                        for (auto& server : thread.servers)
                            server->drain();
                        thread.dispatcher->drain();
                        if (thread.health) thread.health->stop();
                    },
                .force =
                    [this](core::Worker& worker) {
                        for (auto& server : threads_[worker.index()]->servers)
                            server->close_all();
                    },
                .finish = [this](core::Worker& worker) { threads_[worker.index()].reset(); },
                .reload = [this](core::LoopThreads& loops) { reload(loops); },
                .on_serving =
                    [this, threads](core::LoopThreads&) {
                        for (size_t i = 0; i < site_->listen.size(); ++i) {
                            core::log::info("httpd")
                                << "serving " << (site_->tls[i] ? "HTTPS" : "HTTP") << " on "
                                << site_->listen[i].to_string() << " (" << threads << " threads)";
                        }
                    },
                .on_stopping = {},
            });
    }

  private:
    // What one loop thread owns. Servers go first: closing their
    // connections finishes the exchanges the dispatcher logs.
    struct ThreadState {
        std::unique_ptr<httpd::Dispatcher> dispatcher;
        std::unique_ptr<httpd::HealthChecker> health;
        std::vector<std::unique_ptr<core::http::Server>> servers;
        ~ThreadState() {
            servers.clear();
            health.reset();
            dispatcher.reset();
        }
    };

    void setup(core::Worker& worker) {
        {
            std::lock_guard lock(workers_mutex_);
            workers_[worker.index()] = &worker;
        }
        auto thread = std::make_unique<ThreadState>();
        const size_t origin = worker.index();
        thread->dispatcher = std::make_unique<httpd::Dispatcher>(
            worker.loop(), site_, cache_, access_log_,
            [this, origin](std::function<void(httpd::Counters)> done) {
                collect_counters(origin, std::move(done));
            },
            reloads_);
        for (size_t i = 0; i < site_->listen.size(); ++i) {
            auto server = std::make_unique<core::http::Server>(
                worker.loop(), limits_, thread->dispatcher->handler_for(i), max_connections_);
            server->listen(site_->listen[i], transport_for(*site_, i));
            thread->servers.push_back(std::move(server));
        }
        // Health checks run once, on the first thread; all threads read
        // their verdicts.
        if (worker.index() == 0) {
            thread->health = std::make_unique<httpd::HealthChecker>(worker.loop());
            thread->health->watch(site_);
        }
        threads_[worker.index()] = std::move(thread);
    }

    // Plain HTTP, or TLS with the listener's certificates.
    static core::http::TransportFactory transport_for(const httpd::Site& site, size_t listener) {
        if (!site.tls[listener]) return {};
        return core::tls::TlsTransport::factory(site.tls[listener], site.tls_handshake_timeout_ms);
    }

    // Sums every thread's counters, each read on its own thread, and hands
    // the total back on thread `origin`.
    void collect_counters(size_t origin, std::function<void(httpd::Counters)> done) {
        struct Tally {
            std::mutex mutex;
            httpd::Counters total;
            size_t waiting = 0;
            std::function<void(httpd::Counters)> done;
        };
        auto tally = std::make_shared<Tally>();
        tally->done = std::move(done);
        std::vector<core::Worker*> workers;
        {
            std::lock_guard lock(workers_mutex_);
            workers = workers_;
        }
        tally->waiting = workers.size();
        const auto deliver = [this, origin, tally] {
            core::Worker* back = nullptr;
            {
                std::lock_guard lock(workers_mutex_);
                back = workers_[origin];
            }
            if (back) back->post([tally] { tally->done(std::move(tally->total)); });
        };
        for (size_t i = 0; i < workers.size(); ++i) {
            const auto contribute = [this, i, tally, deliver] {
                httpd::Counters mine;
                if (const auto& thread = threads_[i]) {
                    mine = thread->dispatcher->counters();
                    for (const auto& server : thread->servers)
                        mine.open_connections += server->connection_count();
                }
                std::lock_guard lock(tally->mutex);
                tally->total.add(mine);
                if (--tally->waiting == 0) deliver();
            };
            if (!workers[i] || !workers[i]->post(contribute)) {
                std::lock_guard lock(tally->mutex);
                if (--tally->waiting == 0) deliver();
            }
        }
    }

    // On SIGHUP, on the main thread. A configuration that fails the checks
    // is not applied: the old one keeps serving.
    void reload(core::LoopThreads& loops) {
        try {
            core::config::Config config = core::load_daemon_config(options_, kSchemas, "httpd");
            core::config::Section& section = config.section("httpd");
            for (const auto& key :
                 core::config::changed_fixed_keys(config_.section("httpd"), section)) {
                core::log::warn("httpd") << key << " changed: it takes effect at the next restart";
            }
            // The listeners stay as they are: servers keep indexing them.
            for (const char* key : {"listen", "listen_tls"}) {
                section.set(key, config_.section("httpd").value(key),
                            config_.section("httpd").origin(key));
            }
            auto site = httpd::build_site(section, quick_, site_.get());
            const auto limits = httpd_limits(section);
            const auto cache = cache_settings(section);
            loops.post_all([this, site, limits, cache](core::Worker& worker) {
                auto& thread = threads_[worker.index()];
                if (!thread) return;
                thread->dispatcher->set_site(site, cache);
                for (size_t i = 0; i < thread->servers.size(); ++i) {
                    thread->servers[i]->set_limits(limits);
                    // New connections get the new certificates; those open
                    // keep theirs, and HTTP/2 clients are asked to move on.
                    thread->servers[i]->set_transport(0, transport_for(*site, i));
                    thread->servers[i]->reloaded();
                }
                if (thread->health) thread->health->watch(site);
            });
            site_ = std::move(site);
            config_ = std::move(config);
            reloads_.reloaded(true);
            core::log::info("httpd") << "reloaded: " << site_->servers.size() << " servers, "
                                     << site_->upstreams.size() << " upstreams";
        } catch (const std::exception& e) {
            reloads_.reloaded(false);
            core::log::error("httpd") << "reload failed, still serving the previous "
                                         "configuration: "
                                      << e.what();
        }
    }

    core::metrics::ReloadStatus reloads_;  // outlives the threads that read it
    std::shared_ptr<const httpd::Site> site_;
    std::shared_ptr<const httpd::AccessLogFile> access_log_;
    core::http::Limits limits_;
    size_t max_connections_ = 0;
    httpd::FileCacheSettings cache_;
    core::config::Config config_;
    core::DaemonOptions options_;
    std::vector<std::unique_ptr<ThreadState>> threads_;
    std::mutex workers_mutex_;
    std::vector<core::Worker*> workers_;
};

}  // namespace

int main(int argc, char** argv) {
    Httpd daemon;
    return core::daemon_main(
        argc, argv,
        core::DaemonDescription{
            .name = "httpd",
            .summary = "httpd: the front web server of webstack",
            .schemas = kSchemas,
            .extend_command_line =
                [&](CLI::App& app) {
                    app.add_option("--root", daemon.quick_.root,
                                   "serve this directory (instead of the configured servers)");
                    app.add_option("--proxy", daemon.quick_.proxies,
                                   "proxy a prefix to app servers: /PREFIX=ADDR[,ADDR...] "
                                   "(repeatable)");
                },
            .check = [&](const core::config::Config& config) { daemon.load(config); },
            .serve =
                [&](const core::config::Config& config, const core::DaemonOptions& options) {
                    return daemon.run(config, options);
                },
        });
}
