// httpd: the front web server of webstack.
#include "core/daemon.hpp"
#include "core/log.hpp"
#include "httpd/config.hpp"

namespace {

constexpr const core::config::Schema* kSchemas[] = {&httpd::config::kSchema};

}  // namespace

int main(int argc, char** argv) {
    return core::daemon_main(argc, argv,
                             core::DaemonDescription{
                                 .name = "httpd",
                                 .summary = "httpd: the front web server of webstack",
                                 .schemas = kSchemas,
                                 .extend_command_line = {},
                                 .check = {},
                                 .serve =
                                     [](const core::config::Config&, const core::DaemonOptions&) {
                                         core::log::error("httpd")
                                             << "this build can check a configuration "
                                                "but does not serve yet";
                                         return 2;
                                     },
                             });
}
