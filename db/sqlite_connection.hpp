// The SQLite driver (SQLiteCpp): WAL, a busy timeout, foreign keys on.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace db {

std::unique_ptr<Connection> connect_sqlite(const std::string& path);

}  // namespace db
