// The MySQL/MariaDB driver.
#include "db/mysql_connection.hpp"

#include <cctype>
#include <charconv>
#include <mutex>
#include <type_traits>

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include "core/percent_decode.hpp"
#include "db/statement_cache.hpp"

namespace db {

namespace {

sql::mysql::MySQL_Driver* driver() {
    // Not thread-safe to create: once, for the process.
    static std::once_flag once;
    static sql::mysql::MySQL_Driver* instance = nullptr;
    std::call_once(once, [] { instance = sql::mysql::get_mysql_driver_instance(); });
    return instance;
}

// Each thread that talks to MySQL registers with the client library once,
// and unregisters when it ends.
void ensure_thread_registered() {
    struct Registration {
        Registration() { driver()->threadInit(); }
        ~Registration() { driver()->threadEnd(); }
    };
    thread_local Registration registration;
}

Error::Kind kind_of(int code) {
    switch (code) {
        case 1062:  // duplicate key
        case 1451:  // a foreign key refuses the delete
        case 1452:  // a foreign key refuses the insert
            return Error::Kind::constraint;
        case 1205:  // lock wait timeout
        case 1213:  // deadlock
            return Error::Kind::busy;
        case 2006:  // server has gone away
        case 2013:  // lost connection during query
        case 2055:  // lost connection
        case 1927:  // connection was killed
        case 4031:  // disconnected by the server for inactivity
        case 1047:  // a Galera node outside the primary component: not ready
        case 1053:  // the server is shutting down
            return Error::Kind::connection_lost;
        case 2002:  // cannot connect through the socket
        case 2003:  // cannot connect over TCP
        case 1045:  // access denied
        case 1049:  // unknown database
            return Error::Kind::unavailable;
        default:
            return Error::Kind::other;
    }
}

class MysqlConnection : public Connection {
  public:
    explicit MysqlConnection(const MysqlTarget& target) : target_(target) { open(); }

    Dialect dialect() const override { return Dialect::mysql; }

    Rows query(std::string_view sql, const Params& params) override {
        return guarded([&] {
            sql::PreparedStatement& statement = prepared(sql, params);
            std::unique_ptr<sql::ResultSet> result(statement.executeQuery());
            sql::ResultSetMetaData* meta = result->getMetaData();
            const unsigned columns = meta->getColumnCount();
            std::vector<bool> integer(columns + 1, false);
            for (unsigned i = 1; i <= columns; ++i) {
                const int type = meta->getColumnType(i);
                integer[i] = type == sql::DataType::BIT || type == sql::DataType::TINYINT ||
                             type == sql::DataType::SMALLINT || type == sql::DataType::MEDIUMINT ||
                             type == sql::DataType::INTEGER || type == sql::DataType::BIGINT;
            }
            Rows rows;
            while (result->next()) {
                std::vector<Value> values;
                values.reserve(columns);
                for (unsigned i = 1; i <= columns; ++i) {
                    if (result->isNull(i)) {
                        values.emplace_back(nullptr);
                    } else if (integer[i]) {
                        values.emplace_back(static_cast<int64_t>(result->getInt64(i)));
                    } else {
                        values.emplace_back(std::string(result->getString(i)));
                    }
                }
                rows.emplace_back(std::move(values));
            }
            return rows;
        });
    }

    Changes execute(std::string_view sql, const Params& params) override {
        return guarded([&] {
            sql::PreparedStatement& statement = prepared(sql, params);
            Changes changes;
            changes.affected = statement.executeUpdate();
            // One more round trip, for the statements that make an id.
            if (is_insert(sql)) {
                std::unique_ptr<sql::Statement> last(connection_->createStatement());
                std::unique_ptr<sql::ResultSet> id(last->executeQuery("SELECT LAST_INSERT_ID()"));
                if (id->next()) changes.last_insert_id = static_cast<int64_t>(id->getInt64(1));
            }
            return changes;
        });
    }

    void execute_script(std::string_view script) override {
        guarded([&] {
            std::unique_ptr<sql::Statement> statement(connection_->createStatement());
            // Statements end with ';' at the end of a line: the migrations
            // are written so, and none holds a ';' inside a literal.
            size_t start = 0;
            while (start < script.size()) {
                size_t end = script.find(";\n", start);
                if (end == std::string_view::npos) end = script.size();
                const std::string_view one = script.substr(start, end - start);
                if (one.find_first_not_of(" \t\r\n") != std::string_view::npos &&
                    !only_comments(one)) {
                    statement->execute(std::string(one));
                }
                start = end + 2;
            }
            return 0;
        });
    }

    void begin() override {
        guarded([&] {
            connection_->setAutoCommit(false);
            in_transaction_ = true;
            return 0;
        });
    }
    void commit() override {
        try {
            guarded([&] {
                connection_->commit();
                connection_->setAutoCommit(true);
                in_transaction_ = false;
                return 0;
            });
        } catch (const Error& e) {
            if (e.kind() != Error::Kind::connection_lost) throw;
            throw Error(Error::Kind::commit_unknown, e.code(),
                        std::string(e.what()) + " (with a COMMIT in flight)");
        }
    }
    void rollback() override {
        in_transaction_ = false;
        guarded([&] {
            connection_->rollback();
            connection_->setAutoCommit(true);
            return 0;
        });
    }
    void ping() override { query("SELECT 1", {}); }

  private:
    static bool is_insert(std::string_view sql) {
        const size_t start = sql.find_first_not_of(" \t\r\n");
        if (start == std::string_view::npos || sql.size() - start < 6) return false;
        std::string word(sql.substr(start, 6));
        for (char& c : word)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return word == "INSERT";
    }

    static bool only_comments(std::string_view text) {
        size_t at = 0;
        while (at < text.size()) {
            const size_t end = text.find('\n', at);
            std::string_view line =
                text.substr(at, end == std::string_view::npos ? text.npos : end - at);
            const size_t first = line.find_first_not_of(" \t\r");
            if (first != std::string_view::npos && line.substr(first, 2) != "--") return false;
            if (end == std::string_view::npos) break;
            at = end + 1;
        }
        return true;
    }

    // Connects to the server that last worked, or failing that to each
    // other in turn.
    void open() {
        ensure_thread_registered();
        const size_t count = target_.socket.empty() ? target_.servers.size() : 1;
        std::string failures;
        int last_code = 0;
        for (size_t tried = 0; tried < count; ++tried) {
            const size_t index = (current_ + tried) % count;
            try {
                connection_ = open_one(index);
                current_ = index;
                return;
            } catch (const Error& e) {
                last_code = e.code();
                failures += (failures.empty() ? "" : "; ") + where(index) + ": " + e.what();
            }
        }
        throw Error(Error::Kind::unavailable, last_code, "mysql " + failures);
    }

    std::unique_ptr<sql::Connection> open_one(size_t index) {
        sql::ConnectOptionsMap options;
        options["hostName"] =
            sql::SQLString(target_.socket.empty() ? "tcp://" + target_.servers[index].host + ":" +
                                                        std::to_string(target_.servers[index].port)
                                                  : "unix://" + target_.socket);
        options["userName"] = sql::SQLString(target_.user);
        options["password"] = sql::SQLString(target_.password);
        options["schema"] = sql::SQLString(target_.database);
        options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
        // Short enough that a server which does not answer at all (its host
        // gone) hands over to the next one in seconds.
        options["OPT_CONNECT_TIMEOUT"] = 3;
        options["OPT_READ_TIMEOUT"] = 30;
        options["OPT_WRITE_TIMEOUT"] = 30;
        try {
            std::unique_ptr<sql::Connection> connection(driver()->connect(options));
            join_cluster_reads(*connection);
            return connection;
        } catch (const sql::SQLException& e) {
            throw Error(Error::Kind::unavailable, e.getErrorCode(), e.what());
        }
    }

    // On a Galera node: refuses the node unless it is in the primary
    // component and synced, and makes this session's reads wait for every
    // write the cluster committed before them. Without that wait, dnsd told
    // of a change written through another node could read the zone as it
    // was. Elsewhere (wsrep off, or a server without it) nothing changes.
    static void join_cluster_reads(sql::Connection& connection) {
        std::unique_ptr<sql::Statement> statement(connection.createStatement());
        try {
            std::unique_ptr<sql::ResultSet> on(statement->executeQuery("SELECT @@wsrep_on"));
            if (!on->next() || on->getInt(1) == 0) return;
        } catch (const sql::SQLException& e) {
            if (e.getErrorCode() == 1193) return;  // unknown variable: not MariaDB with wsrep
            throw;
        }
        std::unique_ptr<sql::ResultSet> ready(
            statement->executeQuery("SHOW STATUS LIKE 'wsrep_ready'"));
        if (!ready->next() || std::string(ready->getString(2)) != "ON")
            throw Error(Error::Kind::unavailable, 1047,
                        "a Galera node that is not ready (outside the primary component)");
        statement->execute("SET SESSION wsrep_sync_wait = 1");
    }

    std::string where(size_t index) const {
        return target_.socket.empty()
                   ? target_.servers[index].host + ":" + std::to_string(target_.servers[index].port)
                   : target_.socket;
    }

    template <typename Fn>
    std::invoke_result_t<Fn&> guarded(Fn&& fn) {
        if (!connection_) {
            // A previous loss could not be mended: try again now.
            statements_.clear();
            open();
        }
        try {
            return fn();
        } catch (const sql::SQLException& e) {
            const Error::Kind kind = kind_of(e.getErrorCode());
            if (kind == Error::Kind::connection_lost || kind == Error::Kind::unavailable) {
                // Statements died with the connection; the next call
                // reconnects, to the next server first. What was in flight
                // is rolled back by the server.
                statements_.clear();
                connection_.reset();
                in_transaction_ = false;
                const std::string lost = where(current_);
                if (!target_.servers.empty()) current_ = (current_ + 1) % target_.servers.size();
                throw Error(Error::Kind::connection_lost, e.getErrorCode(),
                            "mysql " + lost + ": " + e.what());
            }
            throw Error(kind, e.getErrorCode(), e.what());
        }
    }

    sql::PreparedStatement& prepared(std::string_view sql, const Params& params) {
        auto it = statements_.find(sql);
        if (it == statements_.end()) {
            it =
                statements_
                    .emplace(std::string(sql), std::unique_ptr<sql::PreparedStatement>(
                                                   connection_->prepareStatement(std::string(sql))))
                    .first;
        }
        sql::PreparedStatement& statement = *it->second;
        for (size_t i = 0; i < params.size(); ++i) {
            const unsigned index = static_cast<unsigned>(i + 1);
            if (const auto* n = std::get_if<int64_t>(&params[i])) {
                statement.setInt64(index, *n);
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                statement.setString(index, sql::SQLString(*s));
            } else {
                statement.setNull(index, sql::DataType::VARCHAR);
            }
        }
        return statement;
    }

    MysqlTarget target_;
    size_t current_ = 0;  // the server connected to, or to try first
    std::unique_ptr<sql::Connection> connection_;
    StatementCache<sql::PreparedStatement> statements_;
    bool in_transaction_ = false;
};

}  // namespace

MysqlTarget parse_mysql_url(const std::string& url) {
    const std::string_view prefix = "mysql://";
    std::string_view rest = std::string_view(url).substr(prefix.size());
    const auto fail = [&](const std::string& why) {
        return std::invalid_argument("database URL " + url + ": " + why +
                                     " (mysql://USER:PASSWORD@HOST:PORT/DATABASE)");
    };
    MysqlTarget target;
    const size_t at = rest.rfind('@');
    if (at == std::string_view::npos) throw fail("no USER@");
    const std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = credentials.find(':');
    const auto decode = [&](std::string_view text) {
        auto decoded = core::percent_decode(text);
        if (!decoded.ok()) throw fail("malformed percent-encoding in the user or password");
        return std::move(decoded.text);
    };
    target.user = decode(credentials.substr(0, colon));
    if (colon != std::string_view::npos) target.password = decode(credentials.substr(colon + 1));
    if (target.user.empty()) throw fail("no user");
    if (rest.rfind("unix(", 0) == 0) {
        const size_t close = rest.find(')');
        if (close == std::string_view::npos) throw fail("unix( without )");
        target.socket = std::string(rest.substr(5, close - 5));
        rest = rest.substr(close + 1);
    } else {
        const size_t slash = rest.find('/');
        std::string_view hosts = rest.substr(0, slash);
        while (true) {
            const size_t comma = hosts.find(',');
            const std::string_view host_port = hosts.substr(0, comma);
            const size_t port_colon = host_port.rfind(':');
            MysqlServer server{std::string(host_port.substr(0, port_colon))};
            if (port_colon != std::string_view::npos) {
                const std::string_view digits = host_port.substr(port_colon + 1);
                int port = 0;
                const auto [end, error] =
                    std::from_chars(digits.data(), digits.data() + digits.size(), port);
                if (digits.empty() || error != std::errc{} ||
                    end != digits.data() + digits.size() || port < 1 || port > 65535)
                    throw fail("bad port '" + std::string(digits) + "'");
                server.port = port;
            }
            if (server.host.empty()) throw fail("no host");
            target.servers.push_back(std::move(server));
            if (comma == std::string_view::npos) break;
            hosts.remove_prefix(comma + 1);
        }
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    }
    if (rest.size() < 2 || rest[0] != '/') throw fail("no database");
    target.database = std::string(rest.substr(1));
    return target;
}

std::unique_ptr<Connection> connect_mysql(const MysqlTarget& target) {
    return std::make_unique<MysqlConnection>(target);
}

}  // namespace db
