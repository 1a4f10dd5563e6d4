// The whole stack for the `stack` suite: dnsd, httpd and two appsrv started
// from the repository's own conf/webstack.toml, with its addresses moved to
// free loopback ports and its paths into a temporary directory, on SQLite
// or (WEBSTACK_TEST_DATABASE=mysql) on a private MariaDB.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http/message.hpp"
#include "tests/support/mariadb.hpp"
#include "tests/support/process.hpp"

namespace test {

struct HttpReply {
    int status = 0;  // 0: no response
    core::http::Headers headers;
    std::string body;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class Stack {
  public:
    static constexpr size_t kAppServers = 2;

    Stack();
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    bool mysql() const { return mariadb_ != nullptr; }
    int dns_port() const { return dns_port_; }
    int http_port() const { return http_port_; }
    int app_port(size_t i) const { return app_ports_[i]; }
    // Where each daemon answers GET /metrics (appsrv: on its own port).
    int dns_metrics_port() const { return dns_metrics_port_; }
    int http_metrics_port() const { return http_metrics_port_; }
    int https_port() const { return https_port_; }
    // The local CA that signed the site's certificate (scripts/local-tls).
    std::string ca_path() const { return (dir_.path() / "tls" / "ca.pem").string(); }
    const std::string& token() const { return token_; }
    const std::string& config_path() const { return config_path_; }

    Process& dnsd() { return *dnsd_; }
    Process& httpd() { return *httpd_; }
    Process& appsrv(size_t i) { return *appsrv_[i]; }
    // Starts app server `i` again after it ended (a deploy), and waits
    // until it serves.
    void restart_appsrv(size_t i);
    // Waits until httpd's health checks have app server `i` in the pool.
    bool wait_until_pooled(size_t i, int timeout_ms = 10000);

    // One request through httpd for www.foobar.com, with the token.
    HttpReply http(const std::string& method, const std::string& path,
                   const std::string& body = "") const;
    // The A records dnsd answers for `name`, in the order given ("" each
    // when it did not answer NOERROR).
    std::vector<std::string> dig_a(const std::string& name) const;

    // What the daemons logged, for a failing test's message.
    std::string logs() const;

  private:
    void start_appsrv(size_t i);

    MariaDb* mariadb_ = nullptr;
    TempDir dir_;
    int dns_port_;
    int http_port_;
    int dns_metrics_port_;
    int http_metrics_port_;
    int https_port_;
    std::array<int, kAppServers> app_ports_;
    std::string config_path_;
    std::string token_;
    std::unique_ptr<Process> dnsd_;
    std::unique_ptr<Process> httpd_;
    std::array<std::unique_ptr<Process>, kAppServers> appsrv_;
    std::array<int, kAppServers> starts_{};
};

}  // namespace test
