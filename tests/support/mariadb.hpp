// A private MariaDB for tests: its own data directory under /tmp, a free
// loopback port and a unix socket, started by the test and stopped by its
// PID (never a system service).
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace test {

class MariaDb {
  public:
    MariaDb();
    ~MariaDb();
    MariaDb(const MariaDb&) = delete;
    MariaDb& operator=(const MariaDb&) = delete;

    int port() const { return port_; }
    std::string socket() const { return dir_ + "/s.sock"; }
    // A new, empty database and the URL appsrv connects to it with.
    std::string create_database();
    // SQL through the mariadb client as root; returns its output.
    std::string sql(const std::string& statement) const;

    void stop();   // gracefully, by PID
    void start();  // again, on the same data and port
    bool running() const { return process_ != nullptr; }

  private:
    std::string dir_;
    int port_;
    int databases_ = 0;
    std::unique_ptr<Process> process_;
};

}  // namespace test
