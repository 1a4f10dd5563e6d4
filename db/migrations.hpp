// Schema changes: numbered files in db/migrations/ (one per dialect),
// compiled into the program, each applied once, in order, and recorded in
// the table schema_migrations.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace db {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sqlite_sql;
    std::string_view mysql_sql;
};

// Every migration the program knows, in order.
std::span<const Migration> migrations();

// Applies the migrations `connection` has not recorded yet, each in its own
// transaction (SQLite undoes a failed one whole; MySQL commits DDL as it
// goes, so a failure names the statement). Several processes may call it
// at once: they take turns. Returns "0001 schema" for each one applied.
// Throws Error naming the migration that failed.
std::vector<std::string> migrate(Connection& connection,
                                 std::span<const Migration> list = migrations());

}  // namespace db
