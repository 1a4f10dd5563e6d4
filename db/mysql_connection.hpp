// The MySQL/MariaDB driver (Connector/C++ 1.1): utf8mb4, reconnection
// after a lost connection, to the next server of a replicated database.
// Its headers pull in Boost, so only mysql_connection.cpp includes them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace db {

struct MysqlServer {
    std::string host;
    int port = 3306;
};

struct MysqlTarget {
    std::string user;
    std::string password;
    // One, or the nodes of one Galera cluster, any of which takes reads
    // and writes. Empty with `socket`.
    std::vector<MysqlServer> servers;
    std::string socket;  // a unix socket path
    std::string database;
};

// mysql://USER:PASSWORD@HOST:PORT/DATABASE,
// mysql://USER:PASSWORD@HOST:PORT,HOST:PORT,.../DATABASE or
// mysql://USER:PASSWORD@unix(/path/mysqld.sock)/DATABASE; user and password
// may be percent-encoded, a port left out is 3306. Throws
// std::invalid_argument.
MysqlTarget parse_mysql_url(const std::string& url);

std::unique_ptr<Connection> connect_mysql(const MysqlTarget& target);

}  // namespace db
