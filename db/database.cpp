// The persistence interface: what both drivers share.
#include "db/database.hpp"

#include <ctime>

#include "db/mysql_connection.hpp"
#include "db/sqlite_connection.hpp"

namespace db {

bool Row::is_null(size_t column) const {
    return std::holds_alternative<std::nullptr_t>(values_.at(column));
}

int64_t Row::integer(size_t column) const {
    const Value& v = values_.at(column);
    if (const auto* i = std::get_if<int64_t>(&v)) return *i;
    if (const auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
    return 0;
}

std::string Row::text(size_t column) const {
    const Value& v = values_.at(column);
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    return {};
}

Transaction::~Transaction() {
    if (done_) return;
    try {
        connection_.rollback();
    } catch (const std::exception&) {
        // The connection is gone: the server rolled back already.
    }
}

void Transaction::commit() {
    try {
        connection_.commit();
    } catch (const Error& e) {
        // Its connection is gone: there is nothing left to roll back.
        if (e.kind() == Error::Kind::commit_unknown) done_ = true;
        throw;
    }
    done_ = true;
}

std::string timestamp_now() {
    const time_t now = time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[32];
    strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

void check_url(const std::string& url) {
    if (url.rfind("sqlite:", 0) == 0) {
        if (url.size() == 7)
            throw std::invalid_argument("sqlite: needs a path (sqlite:var/webstack.db)");
        return;
    }
    if (url.rfind("mysql://", 0) == 0) {
        parse_mysql_url(url);
        return;
    }
    throw std::invalid_argument("database URL '" + url +
                                "' is neither sqlite:PATH nor mysql://USER:PASSWORD@HOST:PORT/DB");
}

Dialect dialect_of(const std::string& url) {
    check_url(url);
    return url.rfind("sqlite:", 0) == 0 ? Dialect::sqlite : Dialect::mysql;
}

std::unique_ptr<Connection> connect(const std::string& url) {
    check_url(url);
    if (url.rfind("sqlite:", 0) == 0) return connect_sqlite(url.substr(7));
    return connect_mysql(parse_mysql_url(url));
}

}  // namespace db
