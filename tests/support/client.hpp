// A blocking TCP client for tests: connect (to loopback unless told), send, read with a
// deadline, and split what came back into HTTP responses.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "core/http/message.hpp"

namespace test {

class Client {
  public:
    explicit Client(int port);
    // To `address` (IPv4 text), giving up after `connect_timeout_ms`;
    // throws std::runtime_error saying why.
    Client(const std::string& address, int port, int connect_timeout_ms);
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client();

    void send(std::string_view bytes);
    // Sends one byte per write(2), with TCP_NODELAY, so that the server sees
    // the message split at every position.
    void send_bytewise(std::string_view bytes);
    // Reads until the peer closes or `timeout_ms` passes; returns what came.
    std::string read_until_close(int timeout_ms = 3000);
    // Reads until `n` responses are complete (or timeout / close).
    std::string read_responses(size_t n, int timeout_ms = 3000);
    // Reads whatever is available within `timeout_ms`.
    std::string read_some(int timeout_ms);
    // True once the server closed the connection (read returned 0 or reset).
    bool closed_by_peer(int timeout_ms = 3000);
    void shutdown_write();

  private:
    // One read before `deadline`: the bytes appended, 0 when the deadline
    // passed, -1 when the peer closed.
    ssize_t read_before(std::chrono::steady_clock::time_point deadline, std::string& out);

    int fd_ = -1;
    std::string buffer_;
};

struct Response {
    core::http::ResponseHead head;
    std::string body;
};

// Parses concatenated responses; `head_request` marks those answering HEAD;
// `at_eof` says the connection closed after `bytes`, which ends a response
// delimited by closing.
std::vector<Response> parse_responses(std::string_view bytes, bool head_request = false,
                                      bool at_eof = false);

// A free loopback TCP port (bound, read, released).
int free_port();

}  // namespace test
