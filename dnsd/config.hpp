// dnsd's section of the configuration, described as data.
#pragma once

#include "core/config/common_keys.hpp"
#include "core/config/schema.hpp"

namespace dnsd::config {

using core::config::Key;
using core::config::Type;

inline constexpr Key kKeys[] = {
    {.name = "listen",
     .type = Type::string_list,
     .default_value = "[\"127.0.0.1:5300\"]",
     .help = "addresses to answer on, UDP and TCP (IP:PORT or [IPv6]:PORT)",
     .reloadable = false,
     .min = 1},
    core::config::common::threads,
    core::config::common::shutdown_timeout,
    core::config::common::log_level,
};

inline constexpr core::config::Schema kSchema{
    .name = "dnsd",
    .help = "The authoritative DNS server.",
    .keys = kKeys,
};

}  // namespace dnsd::config
