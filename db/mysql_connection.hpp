// The MySQL/MariaDB driver (Connector/C++ 1.1): utf8mb4, reconnection
// after a lost connection. Its headers pull in Boost, so only
// mysql_connection.cpp includes them.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace db {

struct MysqlTarget {
    std::string user;
    std::string password;
    std::string host;  // "127.0.0.1", or empty with `socket`
    int port = 3306;
    std::string socket;  // a unix socket path
    std::string database;
};

// mysql://USER:PASSWORD@HOST:PORT/DATABASE or
// mysql://USER:PASSWORD@unix(/path/mysqld.sock)/DATABASE; user and password
// may be percent-encoded. Throws std::invalid_argument.
MysqlTarget parse_mysql_url(const std::string& url);

std::unique_ptr<Connection> connect_mysql(const MysqlTarget& target);

}  // namespace db
