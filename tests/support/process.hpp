// Daemons under test: started in a temporary directory with their output
// in a log file, stopped by PID when the test ends, whatever its result.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace test {

class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    // Writes `text` to `name` below the directory; returns the full path.
    std::string write(const std::string& name, std::string_view text) const;

  private:
    std::filesystem::path path_;
};

// Polls `condition` every 10 ms until it holds (true) or `timeout_ms`
// pass (false): for events a test cannot be told of directly.
bool wait_until(const std::function<bool()>& condition, int timeout_ms = 5000);

class Process {
  public:
    // Starts `argv` (argv[0] a path) with stdout and stderr into `log_path`.
    Process(std::vector<std::string> argv, std::string log_path);
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    // Stops it (SIGTERM, then SIGKILL after 5 s) if still running.
    ~Process();

    pid_t pid() const { return pid_; }
    void signal(int signum) const;
    // Sends `signum` (0: none, only wait) and waits up to `timeout_ms` for
    // the exit; returns the exit status, or -1 when it had to be killed.
    int stop(int signum = 15, int timeout_ms = 5000);
    bool running();
    std::string log() const;
    // Waits until the log contains `text`; false after `timeout_ms`.
    bool wait_for_log(std::string_view text, int timeout_ms = 5000) const;

  private:
    pid_t pid_ = -1;
    std::string log_path_;
    int exit_status_ = -1;
};

// Runs a shell command (a client: dig, kdig, curl) and returns its stdout.
std::string run(const std::string& command);

// A process's resident memory in KiB (VmRSS), -1 when unknown.
long rss_kib(pid_t pid);

}  // namespace test
