// Keys that every daemon's section has, described once.
#pragma once

#include "core/config/schema.hpp"

namespace core::config::common {

inline constexpr Key threads{
    .name = "threads",
    .type = Type::integer,
    .default_value = "0",
    .help = "event loop threads; 0 means one per core",
    .reloadable = false,
    .min = 0,
    .max = 256,
};

inline constexpr Key shutdown_timeout{
    .name = "shutdown_timeout",
    .type = Type::duration,
    .default_value = "\"10s\"",
    .help = "on SIGTERM, how long work in flight may take before it is cut off",
    .reloadable = true,
    .min = 0,
    .max = 3'600'000,
};

inline constexpr Key log_level{
    .name = "log_level",
    .type = Type::string,
    .default_value = "\"info\"",
    .help = "least severe log level written to stderr",
    .reloadable = true,
    .choices = "debug|info|warn|error",
};
}  // namespace core::config::common
