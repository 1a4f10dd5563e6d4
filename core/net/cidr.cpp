// Address ranges for allow lists: "127.0.0.0/8", "::1", "2001:db8::/32".
#include "core/net/cidr.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <netinet/in.h>

namespace core::net {

std::optional<Cidr> Cidr::parse(std::string_view text, std::string& error) {
    Cidr cidr;
    const auto slash = text.find('/');
    const std::string address(text.substr(0, slash));
    if (inet_pton(AF_INET, address.c_str(), cidr.bytes_.data()) == 1) {
        cidr.family_ = AF_INET;
        cidr.prefix_ = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), cidr.bytes_.data()) == 1) {
        cidr.family_ = AF_INET6;
        cidr.prefix_ = 128;
    } else {
        error = "'" + address + "' is not an IP address";
        return std::nullopt;
    }
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        int prefix = -1;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
            prefix > cidr.prefix_) {
            error = "invalid prefix length in '" + std::string(text) + "'";
            return std::nullopt;
        }
        cidr.prefix_ = prefix;
    }
    return cidr;
}

bool Cidr::contains(const sockaddr* address) const {
    const unsigned char* bytes = nullptr;
    unsigned char mapped[4];
    if (address->sa_family == AF_INET && family_ == AF_INET) {
        bytes = reinterpret_cast<const unsigned char*>(
            &reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
    } else if (address->sa_family == AF_INET6) {
        const auto* v6 = &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
        if (family_ == AF_INET6) {
            bytes = reinterpret_cast<const unsigned char*>(v6);
        } else if (IN6_IS_ADDR_V4MAPPED(v6)) {
            std::memcpy(mapped, reinterpret_cast<const unsigned char*>(v6) + 12, 4);
            bytes = mapped;
        }
    }
    if (!bytes) return false;
    const int full = prefix_ / 8;
    if (std::memcmp(bytes, bytes_.data(), static_cast<size_t>(full)) != 0) return false;
    const int rest = prefix_ % 8;
    if (rest == 0) return true;
    const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (bytes[full] & mask) == (bytes_[static_cast<size_t>(full)] & mask);
}

bool allowed(const std::vector<Cidr>& ranges, const sockaddr* address) {
    for (const auto& range : ranges) {
        if (range.contains(address)) return true;
    }
    return false;
}

}  // namespace core::net
