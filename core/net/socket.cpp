// Listening sockets shared by the threads of a daemon through SO_REUSEPORT.
#include "core/net/socket.hpp"

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <unistd.h>

namespace core::net {

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

Socket::~Socket() {
    if (fd_ >= 0) ::close(fd_);
}

int Socket::local_port() const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

Socket bind_reuseport(const Address& address, Transport transport) {
    const int type =
        (transport == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    Socket socket(::socket(address.family(), type, 0));
    const auto fail = [&](const char* what) {
        throw std::system_error(errno, std::generic_category(),
                                std::string(what) + " " + address.to_string());
    };
    if (socket.get() < 0) fail("socket");
    const int on = 1;
    if (::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        fail("SO_REUSEPORT");
    if (transport == Transport::tcp &&
        ::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
        fail("SO_REUSEADDR");
    }
    if (address.family() == AF_INET6 &&
        ::setsockopt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) {
        fail("IPV6_V6ONLY");
    }
    if (transport == Transport::udp) {
        // A burst of queries must wait in the kernel, not be dropped: the
        // default 208 KiB overflows with a few hundred outstanding. Best
        // effort: FORCE passes net.core.rmem_max where we may (as root).
        const int bytes = 4 << 20;
        for (int option : {SO_RCVBUF, SO_SNDBUF}) {
            const int forced = option == SO_RCVBUF ? SO_RCVBUFFORCE : SO_SNDBUFFORCE;
            if (::setsockopt(socket.get(), SOL_SOCKET, forced, &bytes, sizeof bytes) != 0) {
                ::setsockopt(socket.get(), SOL_SOCKET, option, &bytes, sizeof bytes);
            }
        }
    }
    if (::bind(socket.get(), address.sockaddr_ptr(), address.sockaddr_length()) != 0) {
        fail("cannot bind");
    }
    return socket;
}

void ensure_free(const Address& address, Transport transport) {
    if (address.kind != Address::Kind::ip || address.port() == 0) return;
    const int type = (transport == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC;
    Socket probe(::socket(address.family(), type, 0));
    if (probe.get() < 0) return;
    const int on = 1;
    if (transport == Transport::tcp)
        ::setsockopt(probe.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (address.family() == AF_INET6)
        ::setsockopt(probe.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (::bind(probe.get(), address.sockaddr_ptr(), address.sockaddr_length()) != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot listen on " + address.to_string() + " (" +
                                    (transport == Transport::tcp ? "TCP" : "UDP") + ")");
    }
}

Socket bind_unix(const std::string& path) {
    const auto fail = [&](const char* what) {
        throw std::system_error(errno, std::generic_category(),
                                std::string(what) + " unix:" + path);
    };
    sockaddr_un address{};
    if (path.size() >= sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        fail("cannot bind");
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode)) {
            errno = EEXIST;
            fail("not a socket, left alone:");
        }
        ::unlink(path.c_str());
    }
    Socket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.get() < 0) fail("socket");
    if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        fail("cannot bind");
    return socket;
}

}  // namespace core::net
