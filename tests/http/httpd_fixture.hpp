// httpd as users meet it, for the `http` suite: the real binary on a free
// port with a configuration and a document root of the test's own, app
// servers to proxy to (in this process, or real httpd processes that can
// be killed), and a load of GETs that counts failures.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/client.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/process.hpp"

namespace test {

class Httpd {
  public:
    // `config` is the TOML after [httpd]'s listen line; "{root}" in it
    // stands for the document root.
    explicit Httpd(const std::string& config, std::vector<std::string> extra = {});

    int port() const { return port_; }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    const TempDir& dir() const { return dir_; }
    std::string root() const { return (dir_.path() / "www").string(); }
    // Writes a file below the document root.
    std::string put(const std::string& path, std::string_view content) const;
    Process& process() { return *process_; }
    std::string log() const { return process_->log(); }

    // Rewrites the configuration and sends SIGHUP; waits for the verdict.
    bool reload(const std::string& config, const std::string& expect = "reloaded");

    // One raw exchange on a new connection; what came back until close or
    // the first complete response.
    std::string raw(std::string_view request, int timeout_ms = 3000) const;
    // curl with these arguments (a URL of this httpd named by its path).
    std::string curl(const std::string& args) const;

  private:
    std::string write_config(const std::string& config) const;

    TempDir dir_;
    int port_;
    std::string config_path_;
    std::unique_ptr<Process> process_;
};

// A real app server to kill: an httpd process answering `name` at every
// path and "ok" at /healthz.
class AppProcess {
  public:
    explicit AppProcess(const std::string& name);
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    Process& process() { return *process_; }

  private:
    TempDir dir_;
    int port_;
    std::unique_ptr<Process> process_;
};

// Keep-alive GETs from several threads until stopped; a request counts as
// failed unless its response is complete with the expected status.
class Load {
  public:
    Load(int port, std::string request, int threads = 4, int expected_status = 200);
    ~Load();
    void stop();
    int succeeded() const { return ok_; }
    int failed() const { return failed_; }
    std::string first_failure() const;

  private:
    void run(int port, const std::string& request, int expected_status);
    std::atomic<bool> stop_{false};
    std::atomic<int> ok_{0};
    std::atomic<int> failed_{0};
    mutable std::mutex mutex_;
    std::string first_failure_;
    std::vector<std::thread> threads_;
};

// A response's body as text, or "" when none was complete.
std::string body_of(const std::string& raw_response);
int status_of(const std::string& raw_response);

}  // namespace test
