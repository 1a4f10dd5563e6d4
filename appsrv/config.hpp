// appsrv's section of the configuration, described as data.
#pragma once

#include "core/config/common_keys.hpp"
#include "core/config/schema.hpp"
#include "core/http/limits_config.hpp"

namespace appsrv::config {

using core::config::Key;
using core::config::Type;
namespace limits = core::http::limits_keys;

inline constexpr Key kOwnKeys[] = {
    {.name = "listen",
     .type = Type::address_list,
     .default_value = "[\"127.0.0.1:9000\"]",
     .help = "addresses to accept HTTP on, behind httpd (IP:PORT, [IPv6]:PORT or unix:PATH)",
     .reloadable = false,
     .min = 1},
    core::config::common::threads,
    core::config::common::shutdown_timeout,
    core::config::common::log_level,
    {.name = "workers",
     .type = Type::integer,
     .default_value = "4",
     .help = "threads that run database work, each with its own connection",
     .reloadable = false,
     .min = 1,
     .max = 256},
    {.name = "notify",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "DNS servers (IP:PORT) sent a NOTIFY for a zone after each change to it",
     .reloadable = true},
};

inline constexpr auto kKeys = core::config::join_keys(kOwnKeys, limits::kAll);

inline constexpr core::config::Schema kSchema{
    .name = "appsrv",
    .help = "The application server.",
    .keys = kKeys,
};

}  // namespace appsrv::config
