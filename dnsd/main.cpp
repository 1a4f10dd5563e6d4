// dnsd: the authoritative DNS server of webstack.
#include "core/daemon.hpp"
#include "core/log.hpp"
#include "dnsd/config.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&dnsd::config::kSchema};

}  // namespace

int main(int argc, char** argv) {
    return core::daemon_main(argc, argv,
                             core::DaemonDescription{
                                 .name = "dnsd",
                                 .summary = "dnsd: the authoritative DNS server of webstack",
                                 .schemas = kSchemas,
                                 .extend_command_line = {},
                                 .check = {},
                                 .serve =
                                     [](const core::config::Config&, const core::DaemonOptions&) {
                                         core::log::error("dnsd")
                                             << "this build can check a configuration "
                                                "but does not serve yet";
                                         return 2;
                                     },
                             });
}
