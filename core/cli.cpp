// The command line every daemon shares (CLI11): --config, --check,
// --listen, --threads, --log-level, --version, --help.
#include "core/cli.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "core/log.hpp"
#include "core/net/address.hpp"

namespace core {

void add_daemon_options(CLI::App& app, DaemonOptions& options) {
    app.set_version_flag("--version",
                         std::string(app.get_name()) + " (webstack) " WEBSTACK_VERSION);
    app.add_option("-c,--config", options.config_path,
                   "configuration file (TOML), e.g. conf/webstack.toml");
    app.add_flag("--check", options.check,
                 "check the configuration (and what it names), then exit");
    app.add_flag("--config-reference", options.print_reference,
                 "print the configuration reference of this daemon in Markdown, then exit");
    app.add_option("-l,--listen", options.listen,
                   "listen address (IP:PORT, [IPv6]:PORT, unix:PATH); repeatable")
        ->each([](const std::string& text) {
            std::string error;
            if (!net::parse_address(text, error))
                throw CLI::ValidationError("--listen " + text, error);
        });
    app.add_option("-t,--threads", options.threads, "event loop threads (0: one per core)")
        ->check(CLI::Range(0, 256));
    app.add_option("--log-level", options.log_level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    app.add_flag("--replace", options.replace,
                 "start beside a running daemon on the same listen addresses, to replace it "
                 "(a deploy): both take connections (SO_REUSEPORT) until the old one is stopped; "
                 "without it, an address in use stops the start");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return std::nullopt;
}

config::Config load_daemon_config(const DaemonOptions& options,
                                  std::span<const config::Schema* const> schemas,
                                  std::string_view section_name) {
    config::Config config = options.config_path.empty()
                                ? config::defaults(schemas)
                                : config::load_file(options.config_path, schemas);
    config::Section& section = config.section(section_name);
    const config::Schema& schema = *section.schema();
    const auto override_key = [&](std::string_view key, config::Value value) {
        if (schema.find(key)) section.set(key, std::move(value), config::Origin{"command line", 0});
    };
    if (!options.listen.empty()) {
        // --listen replaces the key, and is checked as the file's would be.
        if (const config::Key* key = schema.find("listen")) {
            for (const auto& text : options.listen) {
                const std::string problem = config::list_item_error(*key, text);
                if (!problem.empty()) throw config::Error("", 0, "--listen", text + ": " + problem);
            }
        }
        override_key("listen", options.listen);
    }
    if (options.threads) override_key("threads", *options.threads);
    if (!options.log_level.empty()) override_key("log_level", options.log_level);
    if (section.has("log_level")) {
        log::Level level{};
        if (log::parse_level(section.string("log_level"), level)) log::set_level(level);
    }
    return config;
}

}  // namespace core
