// A blocking TCP client for tests: connect to loopback, send, read with a
// deadline, and split what came back into HTTP responses.
#include "tests/support/client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include "core/http/parser.hpp"

namespace test {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

}  // namespace

Client::Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto address = loopback(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
}

Client::Client(const std::string& address, int port, int connect_timeout_ms) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1)
        throw std::runtime_error("not an IPv4 address: " + address);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const std::string where = address + ":" + std::to_string(port);
    int error = 0;
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        error = errno;
        if (error == EINPROGRESS) {
            pollfd p{fd_, POLLOUT, 0};
            socklen_t size = sizeof error;
            if (::poll(&p, 1, connect_timeout_ms) != 1) {
                error = ETIMEDOUT;
            } else {
                ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
            }
        }
    }
    if (error != 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cannot connect to " + where + ": " + std::strerror(error));
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
}

Client::~Client() {
    if (fd_ >= 0) ::close(fd_);
}

void Client::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return;  // the server closed: what it said is in the read side
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

void Client::send_bytewise(std::string_view bytes) {
    const int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    for (char c : bytes) {
        if (::send(fd_, &c, 1, MSG_NOSIGNAL) != 1) return;
        ::usleep(200);  // let the server read each byte on its own
    }
}

ssize_t Client::read_before(std::chrono::steady_clock::time_point deadline, std::string& out) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return 0;
    char buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return -1;
    out.append(buffer, static_cast<size_t>(n));
    return n;
}

namespace {
std::chrono::steady_clock::time_point after(int timeout_ms) {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
}
}  // namespace

std::string Client::read_some(int timeout_ms) {
    std::string out;
    read_before(after(timeout_ms), out);
    return out;
}

std::string Client::read_until_close(int timeout_ms) {
    std::string out = std::move(buffer_);
    buffer_.clear();
    const auto deadline = after(timeout_ms);
    while (read_before(deadline, out) > 0) {
    }
    return out;
}

std::string Client::read_responses(size_t n, int timeout_ms) {
    std::string out;
    const auto deadline = after(timeout_ms);
    while (parse_responses(out).size() < n && read_before(deadline, out) > 0) {
    }
    return out;
}

bool Client::closed_by_peer(int timeout_ms) {
    const auto deadline = after(timeout_ms);
    while (true) {
        const ssize_t n = read_before(deadline, buffer_);
        if (n < 0) return true;
        if (n == 0) return false;
    }
}

void Client::shutdown_write() {
    ::shutdown(fd_, SHUT_WR);
}

std::vector<Response> parse_responses(std::string_view bytes, bool head_request, bool at_eof) {
    std::vector<Response> responses;
    Response current;
    core::http::Limits limits;
    core::http::Parser parser(
        core::http::Parser::Kind::response, limits,
        core::http::Parser::Callbacks{
            .on_request = {},
            .on_response = [&](core::http::ResponseHead& head) { current.head = head; },
            .on_body = [&](std::string_view data) { current.body.append(data); },
            .on_complete =
                [&] {
                    responses.push_back(std::move(current));
                    current = Response{};
                },
        });
    parser.expect_no_body(head_request);
    while (!bytes.empty()) {
        const auto result = parser.feed(bytes);
        bytes.remove_prefix(result.consumed);
        if (result.outcome == core::http::Parser::Outcome::message_complete) {
            parser.resume();
            continue;
        }
        break;
    }
    if (at_eof) parser.finish();
    return responses;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace test
