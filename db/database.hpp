// The persistence interface that appsrv writes through and dnsd will read
// through: a connection, statements with bound parameters only, rows, a
// transaction guard, and one error type. Two drivers implement it, chosen
// by URL: SQLite (SQLiteCpp) and MySQL/MariaDB (Connector/C++).
//
// Calls block: they run on worker threads, never on an event loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace db {

enum class Dialect { sqlite, mysql };

// NULL, an integer or text: what the schema uses.
using Value = std::variant<std::nullptr_t, int64_t, std::string>;
using Params = std::vector<Value>;

class Row {
  public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
    size_t size() const { return values_.size(); }
    bool is_null(size_t column) const;
    int64_t integer(size_t column) const;
    std::string text(size_t column) const;

  private:
    std::vector<Value> values_;
};
using Rows = std::vector<Row>;

struct Changes {
    int64_t affected = 0;
    int64_t last_insert_id = 0;  // after an INSERT
};

class Error : public std::runtime_error {
  public:
    enum class Kind {
        other,
        constraint,       // a unique or foreign key refused the change
        busy,             // a lock or deadlock: the transaction may be retried
        connection_lost,  // the server went away: reconnected, retry the transaction
        unavailable,      // cannot connect at all
        // The connection was lost with a COMMIT in flight: the transaction
        // may or may not have been made. Not to be retried blindly; the
        // writer looks for what it wrote (ZoneStore's audit row).
        commit_unknown,
    };
    Error(Kind kind, int code, const std::string& message)
        : std::runtime_error(message), kind_(kind), code_(code) {}
    Kind kind() const { return kind_; }
    // The driver's own code (SQLite result code, MySQL error number).
    int code() const { return code_; }
    // True when running the whole transaction again is safe and may succeed.
    bool retry_safe() const { return kind_ == Kind::busy || kind_ == Kind::connection_lost; }

  private:
    Kind kind_;
    int code_;
};

class Connection {
  public:
    virtual ~Connection() = default;
    virtual Dialect dialect() const = 0;

    // Statements are prepared once per connection and reused; every value
    // from outside goes through `params` ('?' placeholders), never into
    // the SQL text.
    virtual Rows query(std::string_view sql, const Params& params = {}) = 0;
    virtual Changes execute(std::string_view sql, const Params& params = {}) = 0;
    // Several statements separated by ';' (a migration file); no parameters.
    virtual void execute_script(std::string_view sql) = 0;

    // A write transaction. SQLite takes the write lock at once (BEGIN
    // IMMEDIATE) so that two writers never deadlock on an upgrade.
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    // A cheap round trip: is the database reachable?
    virtual void ping() = 0;

    // Reads that follow, until end_read_group(), share one read
    // transaction where a statement's own costs more: SQLite then takes
    // its file lock and WAL snapshot once rather than per statement. The
    // group sees one snapshot; no write may happen inside it (a write
    // transaction cannot start there). Elsewhere both do nothing.
    virtual void begin_read_group() {}
    // Ends the group, keeping nothing; never throws.
    virtual void end_read_group() noexcept {}
};

// Rolls back unless committed.
class Transaction {
  public:
    explicit Transaction(Connection& connection) : connection_(connection) { connection_.begin(); }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

  private:
    Connection& connection_;
    bool done_ = false;
};

// Ends the read group it began on scope exit (see begin_read_group).
class ReadGroup {
  public:
    // A group that cannot begin leaves its reads to run one by one; they
    // report what is wrong themselves.
    explicit ReadGroup(Connection& connection) : connection_(connection) {
        try {
            connection_.begin_read_group();
        } catch (const Error&) {
        }
    }
    ReadGroup(const ReadGroup&) = delete;
    ReadGroup& operator=(const ReadGroup&) = delete;
    ~ReadGroup() { connection_.end_read_group(); }

  private:
    Connection& connection_;
};

// "sqlite:PATH" or "mysql://USER:PASSWORD@HOST:PORT/DATABASE" (HOST may be
// "unix(/path/to.sock)"; HOST:PORT may be a list, "db1:3306,db2:3306", the
// servers of one replicated database, tried in turn). Throws Error
// (unavailable) or std::invalid_argument for a URL that is not one of these.
std::unique_ptr<Connection> connect(const std::string& url);

// Now, as the schema's time columns hold it: "2026-11-25T20:54:06Z" (UTC),
// which sorts as text in both engines.
std::string timestamp_now();

// Checks a URL's form without connecting, for --check.
void check_url(const std::string& url);

// The engine a URL names (checked as check_url does).
Dialect dialect_of(const std::string& url);

}  // namespace db
