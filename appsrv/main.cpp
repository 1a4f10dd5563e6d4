// appsrv: the application server of webstack.
#include "appsrv/config.hpp"
#include "core/daemon.hpp"
#include "core/log.hpp"
#include "db/config.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&appsrv::config::kSchema, &db::config::kSchema};

}  // namespace

int main(int argc, char** argv) {
    return core::daemon_main(argc, argv,
                             core::DaemonDescription{
                                 .name = "appsrv",
                                 .summary = "appsrv: the application server of webstack",
                                 .schemas = kSchemas,
                                 .extend_command_line = {},
                                 .check = {},
                                 .serve =
                                     [](const core::config::Config&, const core::DaemonOptions&) {
                                         core::log::error("appsrv")
                                             << "this build can check a configuration "
                                                "but does not serve yet";
                                         return 2;
                                     },
                             });
}
