// foobar.com as the suites start from it: the shipped zone's names and
// addresses (zones/foobar.com.zone) in a few lines.
#pragma once

#include <string>
#include <string_view>

namespace test {

inline std::string foobar_zone(std::string_view serial = "2026112501") {
    return "$ORIGIN foobar.com.\n"
           "$TTL 3600\n"
           "@     IN SOA ns1 hostmaster " +
           std::string(serial) +
           " 7200 3600 1209600 300\n"
           "      IN NS  ns1\n"
           "      IN NS  ns2\n"
           "      IN MX  10 mail\n"
           "ns1   IN A   192.0.2.1\n"
           "ns2   IN A   192.0.2.2\n"
           "mail  IN A   192.0.2.25\n"
           "www   IN A   8.8.8.8\n";
}

}  // namespace test
