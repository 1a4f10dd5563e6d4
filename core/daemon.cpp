// What every daemon's main() does: command line, configuration, --check,
// --config-reference, then serving with the loop threads and the lifecycle.
#include "core/daemon.hpp"

#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "core/config/reference.hpp"
#include "core/lifecycle.hpp"
#include "core/log.hpp"

namespace core {

size_t thread_count(int64_t configured) {
    if (configured > 0) return static_cast<size_t>(configured);
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

int daemon_main(int argc, char** argv, const DaemonDescription& daemon) {
    CLI::App app(std::string(daemon.summary), std::string(daemon.name));
    DaemonOptions options;
    add_daemon_options(app, options);
    if (daemon.extend_command_line) daemon.extend_command_line(app);
    if (const auto exit_status = parse_command_line(app, argc, argv)) return *exit_status;

    if (options.print_reference) {
        std::cout << config::render_reference(daemon.schemas);
        return 0;
    }
    try {
        const config::Config config = load_daemon_config(options, daemon.schemas, daemon.name);
        if (daemon.check) daemon.check(config);
        if (options.check) {
            std::cout << daemon.name << ": configuration "
                      << (options.config_path.empty() ? std::string("(defaults)")
                                                      : options.config_path)
                      << " is valid\n";
            return 0;
        }
        return daemon.serve(config, options);
    } catch (const std::exception& e) {
        log::error(daemon.name) << e.what();
        return 1;
    }
}

int serve(std::string_view component, size_t thread_total,
          std::function<uint64_t()> shutdown_timeout_ms, ServeHooks hooks) {
    LoopThreads threads(thread_total);
    Lifecycle* lifecycle_ptr = nullptr;
    Lifecycle lifecycle(component, Lifecycle::Hooks{
                                       .on_stop =
                                           [&] {
                                               if (hooks.on_stopping) hooks.on_stopping();
                                               threads.stop(
                                                   hooks.drain, hooks.force, shutdown_timeout_ms(),
                                                   [&] { lifecycle_ptr->stopped(); }, hooks.finish);
                                           },
                                       .on_force_stop = [&] { threads.post_all(hooks.force); },
                                       .on_reload =
                                           [&] {
                                               if (hooks.reload) hooks.reload(threads);
                                           },
                                   });
    lifecycle_ptr = &lifecycle;
    try {
        threads.start(hooks.setup);
    } catch (const std::exception& e) {
        log::error(component) << "cannot start: " << e.what();
        return 1;
    }
    lifecycle.set_serving();
    if (hooks.on_serving) hooks.on_serving(threads);
    lifecycle.run();
    threads.join();
    return 0;
}

}  // namespace core
