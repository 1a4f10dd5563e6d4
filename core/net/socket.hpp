// Listening sockets shared by the threads of a daemon through SO_REUSEPORT.
#pragma once

#include <string>

#include "core/net/address.hpp"

namespace core::net {

// Owns a socket descriptor until release()d to libuv.
class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket(Socket&& other) noexcept : fd_(other.release()) {}
    Socket& operator=(Socket&& other) noexcept;
    ~Socket();

    int get() const { return fd_; }
    // The port the socket is bound to (after binding to port 0).
    int local_port() const;
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

enum class Transport { tcp, udp };

// Creates a socket bound to `address` with SO_REUSEPORT (and, for TCP,
// SO_REUSEADDR), so that one socket per thread can listen on the same
// address and the kernel spreads the load. IPv6 sockets are IPv6-only.
// Throws std::system_error naming the address on failure.
Socket bind_reuseport(const Address& address, Transport transport);

// Throws std::system_error naming the address when another socket already
// holds it. SO_REUSEPORT would let a second daemon bind the same address
// and silently take half of the traffic: a daemon checks, before its
// threads bind, that the address is free.
void ensure_free(const Address& address, Transport transport);

// Creates a unix stream socket bound to `path`, replacing a stale socket
// file left by an earlier run (but never another kind of file). Throws
// std::system_error naming the path.
Socket bind_unix(const std::string& path);

}  // namespace core::net
