// The [db] section of the configuration, described as data.
#pragma once

#include "core/config/schema.hpp"

namespace db::config {

using core::config::Key;
using core::config::Type;

inline constexpr Key kKeys[] = {
    {.name = "url",
     .type = Type::string,
     .default_value = "\"sqlite:var/webstack.db\"",
     .help = "`sqlite:PATH` or `mysql://USER:PASSWORD@HOST:PORT/DATABASE`; HOST:PORT may be "
             "a comma-separated list of the servers of one replicated database (Galera), "
             "tried in turn: a connection lost to one moves to the next",
     .reloadable = false},
};

inline constexpr core::config::Schema kSchema{
    .name = "db",
    .help = "The database that appsrv writes and dnsd reads.",
    .keys = kKeys,
};

}  // namespace db::config
