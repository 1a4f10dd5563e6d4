// A load on the stack while a test breaks parts of it: HTTP clients that
// keep their connections alive as browsers do, and a DNS client, each
// checking every answer. Bounded in count and in time.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test {

class Stack;

struct LoadCounts {
    uint64_t requests = 0;
    uint64_t requests_failed = 0;
    // Requests sent again on a new connection because the server had
    // closed the kept-alive one before any byte of an answer, as browsers
    // do (RFC 9112 §9.3.1); not failures.
    uint64_t resent = 0;
    uint64_t queries = 0;
    uint64_t queries_failed = 0;
    std::vector<std::string> failures;  // the first few, for the test's message

    std::string summary() const;
};

class Load {
  public:
    Load(const Stack& stack, int http_clients = 2);
    ~Load();
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

    // Lets the load run `ms` more milliseconds.
    static void run_for(int ms);
    // Stops every client and returns what they counted.
    LoadCounts stop();

  private:
    void http_client(int index);
    void dns_client();
    void fail(std::string what, bool dns);

    const Stack& stack_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    LoadCounts counts_;
    std::vector<std::thread> threads_;
};

}  // namespace test
