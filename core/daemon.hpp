// What every daemon's main() does: command line, configuration, --check,
// --config-reference, then serving with the loop threads and the lifecycle.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "core/cli.hpp"
#include "core/config/load.hpp"
#include "core/loop_threads.hpp"

namespace core {

struct DaemonDescription {
    std::string_view name;     // "dnsd": also the log component
    std::string_view summary;  // one line for --help
    // The daemon's own section first, then the other sections it reads.
    std::span<const config::Schema* const> schemas;
    // Adds the daemon's own options (kept alive by the caller).
    std::function<void(CLI::App&)> extend_command_line;
    // Checks what the schema cannot (files the configuration names...);
    // throws std::exception with a message naming file and line.
    std::function<void(const config::Config&)> check;
    // Serves until stopped; returns the exit status.
    std::function<int(const config::Config&, const DaemonOptions&)> serve;
};

int daemon_main(int argc, char** argv, const DaemonDescription& daemon);

// The threads a `threads` key asks for: 0 means one per core.
size_t thread_count(int64_t configured);

struct ServeHooks {
    LoopThreads::Setup setup;  // per worker thread: open its listeners
    LoopThreads::Hook drain;   // per worker: stop accepting, let work in flight finish
    LoopThreads::Hook force;   // per worker: close everything now
    LoopThreads::Hook finish;  // per worker, once its loop ran dry: destroy what setup made
    // On the main thread, on SIGHUP: reload; false keeps the old state
    // (the reload function logs why).
    std::function<void(LoopThreads&)> reload;
    // On the main thread, once every worker is serving; `threads` may be
    // posted to from any thread until on_stopping returns.
    std::function<void(LoopThreads& threads)> on_serving;
    // On the main thread when a stop begins, before the workers drain:
    // stop whatever posts to them from other threads.
    std::function<void()> on_stopping;
};

// Runs `threads` loop threads under the lifecycle until SIGTERM/SIGINT has
// drained them (cut off after `shutdown_timeout_ms()`, asked when the stop
// begins, so that a reload may change it). Returns the exit status: 0
// after a graceful stop, 1 when start-up failed.
int serve(std::string_view component, size_t threads, std::function<uint64_t()> shutdown_timeout_ms,
          ServeHooks hooks);

}  // namespace core
