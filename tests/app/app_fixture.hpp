// appsrv as its users meet it, for the `app` (SQLite) and `mysql`
// (a private MariaDB) suites: the same cases run against both.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/http/message.hpp"
#include "db/database.hpp"
#include "tests/support/foobar_zone.hpp"
#include "tests/support/mariadb.hpp"
#include "tests/support/process.hpp"

namespace test {

// The suite runs against MariaDB when WEBSTACK_TEST_DATABASE=mysql (suite
// `mysql`), else against SQLite (suite `app`).
bool suite_uses_mysql();

// A fresh, empty database for one test: a SQLite file in a temporary
// directory, or a new database in the suite's MariaDB.
class TestDatabase {
  public:
    TestDatabase();
    const std::string& url() const { return url_; }
    bool mysql() const { return server_ != nullptr; }
    // The suite's MariaDB (mysql suite only).
    MariaDb* server() const { return server_; }
    // A connection of the test's own, to look behind the API.
    db::Connection& connection();
    // Forgets the connection (after the server restarted).
    void reconnect() { connection_.reset(); }

  private:
    TempDir dir_;
    MariaDb* server_ = nullptr;
    std::string url_;
    std::unique_ptr<db::Connection> connection_;
};

struct Reply {
    int status = 0;
    core::http::Headers headers;
    std::string body;
    nlohmann::json json() const;
};

class App {
  public:
    // Starts appsrv on `database` after creating a token for it; `extra`
    // is TOML added to [appsrv].
    explicit App(TestDatabase& database, const std::string& extra = "");

    int port() const { return port_; }
    const std::string& token() const { return token_; }
    Process& process() { return *process_; }
    std::string config_path() const { return config_path_; }

    // One request on a new connection, with the token unless `token` says
    // otherwise ("" for none).
    Reply call(const std::string& method, const std::string& path, const std::string& body = "",
               const std::string& extra_headers = "") const;
    Reply call_with_token(const std::string& token, const std::string& method,
                          const std::string& path, const std::string& body = "") const;

  private:
    TempDir dir_;
    int port_;
    std::string config_path_;
    std::string token_;
    std::unique_ptr<Process> process_;
};

// The zone every test starts from; its serial is ahead of any date-based
// one, so that each change raises it by exactly one.
inline const std::string kFoobarZone = foobar_zone("2099010100");

}  // namespace test
