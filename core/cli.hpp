// The command line every daemon shares (CLI11): --config, --check,
// --listen, --threads, --log-level, --replace, --version, --help.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/load.hpp"
#include "core/config/schema.hpp"

// CLI11 is heavy to compile: only core/cli.cpp and core/daemon.cpp see it.
namespace CLI {
class App;
}

namespace core {

struct DaemonOptions {
    std::string config_path;  // empty: no file, defaults and flags only
    bool check = false;
    bool print_reference = false;
    std::vector<std::string> listen;
    std::optional<int64_t> threads;
    std::string log_level;
    // Start beside a running daemon on the same addresses, to replace it.
    bool replace = false;
};

// Adds the shared options to `app`, which the daemon may extend.
void add_daemon_options(CLI::App& app, DaemonOptions& options);

// Parses argv; returns the exit status when the program should end now
// (--help, --version, a usage error), nullopt to go on.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// Loads the file named by --config (or the defaults) and applies the
// command-line overrides to `section`'s "listen", "threads" and
// "log_level" keys. Throws config::Error.
config::Config load_daemon_config(const DaemonOptions& options,
                                  std::span<const config::Schema* const> schemas,
                                  std::string_view section);

}  // namespace core
