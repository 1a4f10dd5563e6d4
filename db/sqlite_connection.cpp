// The SQLite driver.
#include "db/sqlite_connection.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sqlite3.h>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "db/sqlite_checkpointer.hpp"
#include "db/statement_cache.hpp"

namespace db {

namespace {

constexpr std::chrono::milliseconds kBusyTimeout{5000};

// How a connection waits for a lock another connection holds (in practice
// the write lock, held by a writer in another process). SQLite's own busy
// timeout sleeps longer after each try, up to 100 ms: a writer that comes
// back every millisecond or two then finds the lock free nearly every
// time, and a waiter in another process starves until its timeout ("database
// is locked" with two appsrv writing; one got 6 writes a second while the
// other got 200). Short waits with jitter take the lock soon after a commit.
class BusyWait {
  public:
    static int on_busy(void* self, int attempt) {
        return static_cast<BusyWait*>(self)->wait(attempt) ? 1 : 0;
    }

  private:
    bool wait(int attempt) {
        const auto now = std::chrono::steady_clock::now();
        if (attempt == 0) since_ = now;
        if (now - since_ >= kBusyTimeout) return false;
        std::uniform_int_distribution<int> microseconds(50, 500);
        std::this_thread::sleep_for(std::chrono::microseconds(microseconds(jitter_)));
        return true;
    }

    std::chrono::steady_clock::time_point since_;
    std::minstd_rand jitter_{std::random_device{}()};
};

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

// One write transaction at a time per database file within this process.
// SQLite allows one writer anyway; the others would poll for its lock, and
// each time two of our connections take turns, the one that follows finds
// its page cache stale and reads the pages again. Waiting here lets one
// connection run its writes back to back; other processes still take
// turns through BusyWait.
std::timed_mutex& writer_lock_for(const std::string& path) {
    static std::mutex guard;
    static std::map<std::string, std::unique_ptr<std::timed_mutex>> locks;
    std::error_code error;
    auto canonical = std::filesystem::weakly_canonical(path, error);
    const std::lock_guard lock(guard);
    auto& slot = locks[error ? path : canonical.string()];
    if (!slot) slot = std::make_unique<std::timed_mutex>();
    return *slot;
}

class SqliteConnection : public Connection {
  public:
    // A connection is only ever used by one thread at a time (its pool
    // thread's), so SQLite's lock around every call would be pure cost.
    explicit SqliteConnection(const std::string& path)
        : checkpointer_(SqliteCheckpointer::for_file(path)),
          writer_lock_(writer_lock_for(path)),
          database_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX) {
        sqlite3_busy_handler(database_.getHandle(), &BusyWait::on_busy, &busy_wait_);
        database_.exec("PRAGMA journal_mode = WAL");
        database_.exec("PRAGMA foreign_keys = ON");
        database_.exec("PRAGMA synchronous = NORMAL");
        // Pages read through a shared mapping rather than a pread each:
        // every connection of every process sees the file's pages at once,
        // where each would otherwise read again what another changed.
        database_.exec("PRAGMA mmap_size = 268435456");
        // The log is checkpointed by a thread of its own, not by the
        // commit that fills it (db/sqlite_checkpointer.hpp).
        sqlite3_wal_hook(database_.getHandle(), &SqliteConnection::on_commit, checkpointer_.get());
        // Once checkpointed, a log grown by a burst of writes is cut back.
        database_.exec("PRAGMA journal_size_limit = 67108864");
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

    void begin() override {
        if (!writer_lock_.try_lock_for(kBusyTimeout))
            throw Error(Error::Kind::busy, SQLITE_BUSY,
                        "database is locked: another write of this process took over " +
                            std::to_string(kBusyTimeout.count()) + " ms");
        std::unique_lock held(writer_lock_, std::adopt_lock);
        execute_script("BEGIN IMMEDIATE");
        writing_ = std::move(held);
    }
    void commit() override {
        execute_script("COMMIT");  // when it fails, the transaction stays until rollback()
        writing_ = {};
    }
    void rollback() override {
        // The turn is given back even when ROLLBACK fails.
        const std::unique_lock turn = std::move(writing_);
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

    static int on_commit(void* checkpointer, sqlite3*, const char*, int frames) {
        static_cast<SqliteCheckpointer*>(checkpointer)->committed(frames);
        return SQLITE_OK;
    }

    BusyWait busy_wait_;  // before database_: its handler outlives no connection
    std::shared_ptr<SqliteCheckpointer> checkpointer_;  // likewise, for the WAL hook
    std::timed_mutex& writer_lock_;
    std::unique_lock<std::timed_mutex> writing_;  // held from begin() to commit() or rollback()
    SQLite::Database database_;
    StatementCache<SQLite::Statement> statements_;
};

}  // namespace

std::unique_ptr<Connection> connect_sqlite(const std::string& path) {
    // SQLite counts the memory it allocates under one process-wide mutex,
    // taken on every allocation of every connection; nothing here reads
    // the counts. Possible only before SQLite's first use (else ignored).
    static std::once_flag no_memory_statistics;
    std::call_once(no_memory_statistics, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
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
