// Listen and connect addresses: "127.0.0.1:5300", "[::1]:5300", "unix:/path".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace core::net {

struct Address {
    enum class Kind { ip, unix_socket };
    Kind kind = Kind::ip;
    sockaddr_storage ip{};  // for Kind::ip
    std::string path;       // for Kind::unix_socket

    const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&ip); }
    socklen_t sockaddr_length() const;
    int family() const { return ip.ss_family; }
    int port() const;
    std::string to_string() const;
};

// Parses an address; on failure returns nullopt and sets `error` to why.
std::optional<Address> parse_address(std::string_view text, std::string& error);

// Each of `texts` as an IP:PORT address; throws std::runtime_error naming
// `key` and the text that is not one.
std::vector<Address> parse_ip_addresses(const std::vector<std::string>& texts,
                                        std::string_view key);

// "1.2.3.4:53" or "[::1]:53".
std::string format_ip(const sockaddr* address);
// The IP alone, without the port: what an access log or X-Forwarded-For wants.
std::string format_ip_only(const sockaddr* address);

// Whether two IP socket addresses name the same host (any port), and the
// same host and port.
bool same_ip(const sockaddr* a, const sockaddr* b);
bool same_ip_and_port(const sockaddr* a, const sockaddr* b);

}  // namespace core::net
