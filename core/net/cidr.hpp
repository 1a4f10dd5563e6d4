// Address ranges for allow lists: "127.0.0.0/8", "::1", "2001:db8::/32".
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace core::net {

class Cidr {
  public:
    // Parses "ADDRESS" or "ADDRESS/PREFIX"; nullopt with `error` set otherwise.
    static std::optional<Cidr> parse(std::string_view text, std::string& error);
    bool contains(const sockaddr* address) const;

  private:
    int family_ = AF_INET;
    std::array<unsigned char, 16> bytes_{};
    int prefix_ = 32;
};

// True when `address` lies in one of `ranges`.
bool allowed(const std::vector<Cidr>& ranges, const sockaddr* address);

}  // namespace core::net
