// Listen and connect addresses: "127.0.0.1:5300", "[::1]:5300", "unix:/path".
#include "core/net/address.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/un.h>

namespace core::net {

socklen_t Address::sockaddr_length() const {
    return family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

int Address::port() const {
    if (kind != Kind::ip) return 0;
    if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ip)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&ip)->sin_port);
}

std::string Address::to_string() const {
    if (kind == Kind::unix_socket) return "unix:" + path;
    return format_ip(sockaddr_ptr());
}

std::optional<Address> parse_address(std::string_view text, std::string& error) {
    Address address;
    if (text.starts_with("unix:")) {
        address.kind = Address::Kind::unix_socket;
        address.path = std::string(text.substr(5));
        if (address.path.empty()) {
            error = "a unix socket address needs a path: unix:/path/to/socket";
            return std::nullopt;
        }
        if (address.path.size() >= sizeof(sockaddr_un::sun_path)) {
            error = "unix socket path longer than " +
                    std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes";
            return std::nullopt;
        }
        return address;
    }
    std::string_view host;
    std::string_view port_text;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "expected [IPv6]:PORT";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            error = "expected IP:PORT, [IPv6]:PORT or unix:PATH";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            error = "an IPv6 address must be written in brackets: [::1]:PORT";
            return std::nullopt;
        }
    }
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
        port_text.empty()) {
        error = "invalid port '" + std::string(port_text) + "'";
        return std::nullopt;
    }
    const std::string host_string(host);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address.ip);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.ip);
    if (inet_pton(AF_INET, host_string.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
    } else if (inet_pton(AF_INET6, host_string.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
    } else {
        error = "'" + host_string + "' is not an IP address";
        return std::nullopt;
    }
    return address;
}

bool same_ip(const sockaddr* a, const sockaddr* b) {
    if (a->sa_family != b->sa_family) return false;
    if (a->sa_family == AF_INET) {
        return reinterpret_cast<const sockaddr_in*>(a)->sin_addr.s_addr ==
               reinterpret_cast<const sockaddr_in*>(b)->sin_addr.s_addr;
    }
    if (a->sa_family != AF_INET6) return false;
    return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr,
                       &reinterpret_cast<const sockaddr_in6*>(b)->sin6_addr, sizeof(in6_addr)) == 0;
}

bool same_ip_and_port(const sockaddr* a, const sockaddr* b) {
    if (!same_ip(a, b)) return false;
    if (a->sa_family == AF_INET)
        return reinterpret_cast<const sockaddr_in*>(a)->sin_port ==
               reinterpret_cast<const sockaddr_in*>(b)->sin_port;
    return reinterpret_cast<const sockaddr_in6*>(a)->sin6_port ==
           reinterpret_cast<const sockaddr_in6*>(b)->sin6_port;
}

std::string format_ip_only(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = "-";
    if (address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                  sizeof text);
    } else if (address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                  sizeof text);
    }
    return text;
}

std::string format_ip(const sockaddr* address) {
    if (address->sa_family == AF_INET) {
        return format_ip_only(address) + ":" +
               std::to_string(ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port));
    }
    if (address->sa_family == AF_INET6) {
        return "[" + format_ip_only(address) + "]:" +
               std::to_string(ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port));
    }
    return "-";
}

std::vector<Address> parse_ip_addresses(const std::vector<std::string>& texts,
                                        std::string_view key) {
    std::vector<Address> addresses;
    for (const auto& text : texts) {
        std::string error;
        auto address = parse_address(text, error);
        if (address && address->kind != Address::Kind::ip) error = "an IP:PORT address is needed";
        if (!address || !error.empty())
            throw std::runtime_error(std::string(key) + ": " + text + ": " + error);
        addresses.push_back(std::move(*address));
    }
    return addresses;
}

}  // namespace core::net
