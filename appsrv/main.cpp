// appsrv: the application server of webstack. Wires the configuration,
// the database, the worker pool and the listeners together; the API lives
// beside it.
#include <iostream>
#include <optional>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "appsrv/app_handler.hpp"
#include "appsrv/config.hpp"
#include "appsrv/metrics.hpp"
#include "appsrv/tokens.hpp"
#include "core/daemon.hpp"
#include "core/http/limits_config.hpp"
#include "core/http/server.hpp"
#include "core/log.hpp"
#include "core/net/socket.hpp"
#include "db/config.hpp"
#include "db/migrations.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&appsrv::config::kSchema, &db::config::kSchema};

class Appsrv {
  public:
    CLI::App* migrate_command = nullptr;
    CLI::App* token_create_command = nullptr;
    CLI::App* token_list_command = nullptr;
    CLI::App* token_revoke_command = nullptr;
    std::string token_name;
    std::string token_zones;  // "a.example,b.example"; empty: every zone
    bool token_read_only = false;

    void check(const core::config::Config& config) {
        db::check_url(config.section("db").string("url"));
        notify_ = config.section("appsrv").addresses("notify");
    }

    int run(const core::config::Config& config, const core::DaemonOptions& options) {
        config_ = config;
        options_ = options;
        return run(config);
    }

    int run(const core::config::Config& config) {
        const std::string url = config.section("db").string("url");
        // Every start brings the schema up to date; so does `appsrv migrate`.
        try {
            auto connection = db::connect(url);
            for (const auto& applied : db::migrate(*connection))
                core::log::info("appsrv") << "migration " << applied << " applied";
            if (migrate_command && migrate_command->parsed()) {
                std::cout << "appsrv: the database schema is up to date\n";
                return 0;
            }
            if (const auto status = run_token_command(*connection)) return *status;
        } catch (const std::exception& e) {
            core::log::error("appsrv") << e.what();
            return 1;
        }
        return serve(config, url);
    }

  private:
    static bool parsed(const CLI::App* command) { return command && command->parsed(); }

    // On SIGHUP, on the main thread: the keys that say "reload: yes" take
    // effect for the next request; a configuration that fails its checks
    // is not applied, and the previous one keeps serving.
    void reload(core::LoopThreads& loops) {
        try {
            core::config::Config config = core::load_daemon_config(options_, kSchemas, "appsrv");
            db::check_url(config.section("db").string("url"));
            auto notify = config.section("appsrv").addresses("notify");
            for (const char* name : {"appsrv", "db"}) {
                for (const auto& key : core::config::changed_fixed_keys(config_.section(name),
                                                                        config.section(name))) {
                    core::log::warn("appsrv")
                        << key << " changed: it takes effect at the next restart";
                }
            }
            const auto limits = core::http::limits_keys::from(config.section("appsrv"));
            loops.post_all([this, limits, notify](core::Worker& worker) {
                auto& state = threads_[worker.index()];
                if (!state) return;
                state->handler->set_notify(notify);
                for (auto& server : state->servers)
                    server->set_limits(limits);
            });
            notify_ = std::move(notify);
            config_ = std::move(config);
            metrics_->reloads.reloaded(true);
            core::log::info("appsrv") << "reloaded: NOTIFY to " << notify_.size()
                                      << " servers, limits and log level applied";
        } catch (const std::exception& e) {
            metrics_->reloads.reloaded(false);
            core::log::error("appsrv")
                << "reload failed, still serving the previous configuration: " << e.what();
        }
    }

    // `appsrv token ...`: its exit status, or nullopt when none was given.
    std::optional<int> run_token_command(db::Connection& connection) {
        if (parsed(token_create_command)) {
            std::optional<std::vector<std::string>> zones;
            if (!token_zones.empty()) {
                zones.emplace();
                for (size_t at = 0; at <= token_zones.size();) {
                    const size_t comma = std::min(token_zones.find(',', at), token_zones.size());
                    if (comma > at) zones->push_back(token_zones.substr(at, comma - at));
                    at = comma + 1;
                }
            }
            const std::string token =
                appsrv::create_token(connection, token_name, zones, token_read_only);
            std::cout << token << "\n";
            std::cerr << "appsrv: token '" << token_name
                      << "' created; it is shown this once and stored only as a hash\n";
            return 0;
        }
        if (parsed(token_list_command)) {
            const auto tokens = appsrv::list_tokens(connection);
            for (const auto& token : tokens) {
                std::string zones = "all zones";
                if (token.zones) {
                    zones.clear();
                    for (const auto& zone : *token.zones)
                        zones += (zones.empty() ? "" : ",") + zone;
                }
                std::cout << token.name << "\t" << token.created_at << "\t" << zones << "\t"
                          << (token.read_only ? "read-only" : "read-write") << "\n";
            }
            if (tokens.empty()) std::cerr << "appsrv: no tokens\n";
            return 0;
        }
        if (parsed(token_revoke_command)) {
            if (!appsrv::revoke_token(connection, token_name)) {
                std::cerr << "appsrv: no token named '" << token_name << "'\n";
                return 1;
            }
            core::log::info("appsrv") << "token '" << token_name << "' revoked";
            std::cerr << "appsrv: token '" << token_name
                      << "' revoked; calls with it now get 401\n";
            return 0;
        }
        return std::nullopt;
    }

    int serve(const core::config::Config& config, const std::string& url) {
        const auto& section = config.section("appsrv");
        const auto addresses = section.addresses("listen");
        std::vector<core::net::Socket> unix_sockets;
        try {
            for (const auto& address : addresses) {
                if (address.kind == core::net::Address::Kind::unix_socket) {
                    unix_sockets.push_back(core::net::bind_unix(address.path));
                } else if (!options_.replace) {
                    core::net::ensure_free(address, core::net::Transport::tcp);
                }
            }
        } catch (const std::exception& e) {
            core::log::error("appsrv") << e.what();
            return 1;
        }
        const auto limits = core::http::limits_keys::from(section);
        const auto max_connections = static_cast<size_t>(section.integer("max_connections"));
        const size_t threads = core::thread_count(section.integer("threads"));
        const auto workers = static_cast<size_t>(section.integer("workers"));
        metrics_ = std::make_unique<appsrv::Metrics>(threads, workers);
        backend_ = std::make_unique<appsrv::Backend>(url, workers, *metrics_);
        threads_.resize(threads);

        const int status = core::serve(
            "appsrv", threads,
            [this] {
                return static_cast<uint64_t>(
                    config_.section("appsrv").duration_ms("shutdown_timeout"));
            },
            core::ServeHooks{
                .setup =
                    [&](core::Worker& worker) {
                        auto state = std::make_unique<ThreadState>();
                        state->handler = std::make_unique<appsrv::AppHandler>(
                            worker, *backend_, notify_, *metrics_->loops[worker.index()],
                            [this] { return appsrv::render(*metrics_, backend_->queued()); });
                        size_t next_unix = 0;
                        for (const auto& address : addresses) {
                            auto server = std::make_unique<core::http::Server>(
                                worker.loop(), limits, *state->handler, max_connections);
                            if (address.kind == core::net::Address::Kind::unix_socket) {
                                // Each thread listens on its own descriptor of the one socket.
                                server->listen(
                                    core::net::Socket(::dup(unix_sockets[next_unix++].get())),
                                    core::uv::Stream::Kind::pipe);
                            } else {
                                server->listen(address);
                            }
                            state->servers.push_back(std::move(server));
                        }
                        threads_[worker.index()] = std::move(state);
                    },
                .drain =
                    [&](core::Worker& worker) {
                        // /readyz turns 503 first, so that httpd stops sending.
                        backend_->draining = true;
                        auto& state = *threads_[worker.index()];
                        for (auto& server : state.servers)
                            server->drain();
                        state.handler->close();
                    },
                .force =
                    [&](core::Worker& worker) {
                        for (auto& server : threads_[worker.index()]->servers)
                            server->close_all();
                    },
                .finish = [&](core::Worker& worker) { threads_[worker.index()].reset(); },
                .reload = [this](core::LoopThreads& loops) { reload(loops); },
                .on_serving =
                    [&, threads](core::LoopThreads&) {
                        for (const auto& address : addresses) {
                            core::log::info("appsrv")
                                << "serving HTTP on " << address.to_string() << " (" << threads
                                << " threads, database " << url.substr(0, url.find(':')) << ")";
                        }
                    },
                .on_stopping = {},
            });
        backend_->stop();
        return status;
    }

    struct ThreadState {
        std::unique_ptr<appsrv::AppHandler> handler;
        std::vector<std::unique_ptr<core::http::Server>> servers;
        ~ThreadState() { servers.clear(); }
    };

    core::config::Config config_;
    core::DaemonOptions options_;
    std::vector<core::net::Address> notify_;
    std::unique_ptr<appsrv::Metrics> metrics_;  // outlives the threads that write it
    std::unique_ptr<appsrv::Backend> backend_;
    std::vector<std::unique_ptr<ThreadState>> threads_;
};

}  // namespace

int main(int argc, char** argv) {
    Appsrv daemon;
    return core::daemon_main(
        argc, argv,
        core::DaemonDescription{
            .name = "appsrv",
            .summary = "appsrv: the application server of webstack",
            .schemas = kSchemas,
            .extend_command_line =
                [&](CLI::App& app) {
                    app.fallthrough();
                    daemon.migrate_command =
                        app.add_subcommand("migrate", "apply the database migrations and exit");
                    auto* token = app.add_subcommand("token", "manage API tokens");
                    token->require_subcommand(1);
                    daemon.token_create_command =
                        token->add_subcommand("create", "create a token, print it once, and exit");
                    daemon.token_create_command
                        ->add_option("name", daemon.token_name, "who it is for")
                        ->required();
                    daemon.token_create_command->add_option(
                        "--zones", daemon.token_zones,
                        "the only zones it may use, separated by commas (a.example,b.example)");
                    daemon.token_create_command->add_flag("--read-only", daemon.token_read_only,
                                                          "it may read, and change nothing");
                    daemon.token_list_command = token->add_subcommand(
                        "list", "print each token's name, creation time and scope, and exit");
                    daemon.token_revoke_command = token->add_subcommand(
                        "revoke", "delete a token: calls with it get 401 from then on");
                    daemon.token_revoke_command
                        ->add_option("name", daemon.token_name, "the token's name")
                        ->required();
                },
            .check = [&](const core::config::Config& config) { daemon.check(config); },
            .serve =
                [&](const core::config::Config& config, const core::DaemonOptions& options) {
                    return daemon.run(config, options);
                },
        });
}
