// The SQLite driver.
#include "db/sqlite_connection.hpp"

#include <filesystem>
#include <sqlite3.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/statement_cache.hpp"

namespace db {

namespace {

constexpr int kBusyTimeoutMs = 5000;

Error translate(const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    const std::string message =
        std::string(e.what()) + " (SQLite code " + std::to_string(code) + ")";
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            return Error(Error::Kind::constraint, code, message);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Error(Error::Kind::busy, code, message);
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_READONLY:
            return Error(Error::Kind::unavailable, code, message);
        default:
            return Error(Error::Kind::other, code, message);
    }
}

class SqliteConnection : public Connection {
  public:
    // A connection is only ever used by one thread at a time (its pool
    // thread's), so SQLite's lock around every call would be pure cost.
    explicit SqliteConnection(const std::string& path)
        : database_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                    kBusyTimeoutMs) {
        database_.exec("PRAGMA journal_mode = WAL");
        database_.exec("PRAGMA foreign_keys = ON");
        database_.exec("PRAGMA synchronous = NORMAL");
    }

    Dialect dialect() const override { return Dialect::sqlite; }

    Rows query(std::string_view sql, const Params& params) override {
        try {
            SQLite::Statement& statement = prepared(sql, params);
            Rows rows;
            while (statement.executeStep()) {
                std::vector<Value> values;
                const int columns = statement.getColumnCount();
                values.reserve(static_cast<size_t>(columns));
                for (int i = 0; i < columns; ++i) {
                    const SQLite::Column column = statement.getColumn(i);
                    if (column.isNull()) {
                        values.emplace_back(nullptr);
                    } else if (column.isInteger()) {
                        values.emplace_back(static_cast<int64_t>(column.getInt64()));
                    } else {
                        values.emplace_back(column.getString());
                    }
                }
                rows.emplace_back(std::move(values));
            }
            statement.reset();
            return rows;
        } catch (const SQLite::Exception& e) {
            reset_after_error(sql);
            throw translate(e);
        }
    }

    Changes execute(std::string_view sql, const Params& params) override {
        try {
            SQLite::Statement& statement = prepared(sql, params);
            statement.exec();
            statement.reset();
            return {database_.getChanges(), database_.getLastInsertRowid()};
        } catch (const SQLite::Exception& e) {
            reset_after_error(sql);
            throw translate(e);
        }
    }

    void execute_script(std::string_view sql) override {
        try {
            database_.exec(std::string(sql));
        } catch (const SQLite::Exception& e) {
            throw translate(e);
        }
    }

    void begin() override { execute_script("BEGIN IMMEDIATE"); }
    void commit() override { execute_script("COMMIT"); }
    void rollback() override {
        if (!sqlite3_get_autocommit(database_.getHandle())) execute_script("ROLLBACK");
    }
    void ping() override { query("SELECT 1", {}); }

    // A deferred BEGIN takes no lock itself: the first read takes the
    // shared lock and the snapshot, and they are kept until the end.
    // Prepared like any statement: a group per hand-off makes them hot.
    void begin_read_group() override { execute("BEGIN", {}); }
    void end_read_group() noexcept override {
        if (sqlite3_get_autocommit(database_.getHandle())) return;
        try {
            execute("ROLLBACK", {});
        } catch (const Error&) {
            // A failed read already ended the transaction, or the next
            // statement will report what is wrong with the connection.
        }
    }

  private:
    SQLite::Statement& prepared(std::string_view sql, const Params& params) {
        auto it = statements_.find(sql);
        if (it == statements_.end()) {
            it = statements_
                     .emplace(std::string(sql),
                              std::make_unique<SQLite::Statement>(database_, std::string(sql)))
                     .first;
        }
        SQLite::Statement& statement = *it->second;
        statement.clearBindings();
        for (size_t i = 0; i < params.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            if (const auto* n = std::get_if<int64_t>(&params[i])) {
                statement.bind(index, static_cast<int64_t>(*n));
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                statement.bind(index, *s);
            } else {
                statement.bind(index);
            }
        }
        return statement;
    }

    void reset_after_error(std::string_view sql) {
        const auto it = statements_.find(sql);
        if (it == statements_.end()) return;
        try {
            it->second->reset();
        } catch (const SQLite::Exception&) {
            statements_.erase(it);
        }
    }

    SQLite::Database database_;
    StatementCache<SQLite::Statement> statements_;
};

}  // namespace

std::unique_ptr<Connection> connect_sqlite(const std::string& path) {
    try {
        const auto parent = std::filesystem::path(path).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        return std::make_unique<SqliteConnection>(path);
    } catch (const SQLite::Exception& e) {
        throw Error(Error::Kind::unavailable, e.getErrorCode(),
                    "sqlite:" + path + ": " + std::string(e.what()));
    }
}

}  // namespace db
