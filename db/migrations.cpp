// Applying the schema migrations.
#include "db/migrations.hpp"

#include <cstdio>

namespace db {

namespace {

std::string label(const Migration& m) {
    char number[16];
    std::snprintf(number, sizeof number, "%04d", m.version);
    return std::string(number) + " " + std::string(m.name);
}

// Held while migrating, so that two processes starting together do not
// both apply the same file.
class MigrationLock {
  public:
    explicit MigrationLock(Connection& connection) : connection_(connection) {
        if (connection_.dialect() == Dialect::mysql) {
            const Rows rows = connection_.query("SELECT GET_LOCK('webstack_migrate', 60)");
            if (rows.empty() || rows[0].is_null(0) || rows[0].integer(0) != 1)
                throw Error(Error::Kind::busy, 0, "another process holds the migration lock");
        }
    }
    ~MigrationLock() {
        if (connection_.dialect() != Dialect::mysql) return;
        try {
            connection_.query("SELECT RELEASE_LOCK('webstack_migrate')");
        } catch (const std::exception&) {
            // The lock goes with the connection anyway.
        }
    }

  private:
    Connection& connection_;
};

}  // namespace

std::vector<std::string> migrate(Connection& connection, std::span<const Migration> list) {
    connection.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name "
        "VARCHAR(255) NOT NULL, applied_at VARCHAR(32) NOT NULL)");
    MigrationLock lock(connection);
    std::vector<std::string> applied;
    for (const Migration& m : list) {
        const bool sqlite = connection.dialect() == Dialect::sqlite;
        // SQLite: the check, the change and the record in one transaction
        // (DDL is transactional there). MySQL commits each DDL statement,
        // so the lock above is what keeps processes apart.
        if (sqlite) connection.begin();
        try {
            const Rows done = connection.query(
                "SELECT version FROM schema_migrations WHERE version = ?", {int64_t{m.version}});
            if (!done.empty()) {
                if (sqlite) connection.rollback();
                continue;
            }
            connection.execute_script(sqlite ? m.sqlite_sql : m.mysql_sql);
            connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                {int64_t{m.version}, std::string(m.name), db::timestamp_now()});
            if (sqlite) connection.commit();
        } catch (const Error& e) {
            if (sqlite) {
                try {
                    connection.rollback();
                } catch (const std::exception&) {
                }
            }
            throw Error(e.kind(), e.code(), "migration " + label(m) + " failed: " + e.what());
        }
        applied.push_back(label(m));
    }
    return applied;
}

}  // namespace db
