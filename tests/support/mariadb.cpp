// A private MariaDB for tests.
#include "tests/support/mariadb.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "tests/support/client.hpp"

namespace test {

MariaDb::MariaDb() : port_(free_port()) {
    // Short: a unix socket path has room for ~107 bytes.
    char pattern[] = "/tmp/wsdb-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const std::string install = run("mariadb-install-db --no-defaults --datadir=" + dir_ +
                                    "/data --user=root --auth-root-authentication-method=normal "
                                    "--skip-test-db >" +
                                    dir_ + "/install.log 2>&1; echo $?");
    if (install.find('0') != 0)
        throw std::runtime_error("mariadb-install-db failed; see " + dir_ + "/install.log");
    start();
    sql("CREATE USER 'webstack'@'localhost' IDENTIFIED BY 'secret';"
        "CREATE USER 'webstack'@'127.0.0.1' IDENTIFIED BY 'secret';"
        "GRANT ALL ON *.* TO 'webstack'@'localhost';"
        "GRANT ALL ON *.* TO 'webstack'@'127.0.0.1';");
}

MariaDb::~MariaDb() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void MariaDb::start() {
    if (process_) return;
    process_ = std::make_unique<Process>(
        std::vector<std::string>{
            "/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + dir_ + "/data",
            "--socket=" + socket(), "--port=" + std::to_string(port_), "--bind-address=127.0.0.1",
            "--pid-file=" + dir_ + "/pid", "--user=root", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci", "--innodb-log-file-size=8M",
            "--innodb-buffer-pool-size=16M", "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=2"},
        dir_ + "/mariadbd.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        if (run("mariadb-admin --no-defaults --socket=" + socket() + " -uroot ping 2>&1")
                .find("alive") != std::string::npos)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("mariadbd did not start:\n" + process_->log());
}

void MariaDb::stop() {
    if (!process_) return;
    process_->stop(SIGTERM, 20000);
    process_.reset();
}

std::string MariaDb::sql(const std::string& statement) const {
    return run("mariadb --no-defaults --socket=" + socket() + " -uroot -N -B -e \"" + statement +
               "\" 2>&1");
}

std::string MariaDb::create_database() {
    const std::string name = "webstack_" + std::to_string(++databases_);
    sql("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
    return "mysql://webstack:secret@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

}  // namespace test
