// DNS helpers for tests: queries built by hand, responses read with ldns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace test {

struct QueryOptions {
    uint16_t qclass = 1;
    bool edns = false;
    uint16_t udp_size = 1232;
    uint8_t edns_version = 0;
    bool dnssec_ok = false;
    uint16_t id = 0x1234;
    uint8_t opcode = 0;
    bool cd = false;  // checking disabled (RFC 4035 §3.2.2)
    bool ad = false;  // authentic data, as a query may set it (RFC 6840 §5.7)
};

// A query for `name` (presentation form, case kept) and `type`.
std::string make_query(std::string_view name, uint16_t type, QueryOptions options = {});

struct DnsResponse {
    bool parsed = false;
    uint16_t id = 0;
    int rcode = 0;  // with EDNS's upper bits
    bool aa = false, tc = false, qr = false, rd = false, cd = false, ad = false;
    std::string question;                                    // "www.FooBar.com.\tIN\tA"
    std::vector<std::string> answer, authority, additional;  // ldns text, one line per record
    bool has_opt = false;
    uint16_t opt_udp_size = 0;
    bool opt_do = false;
    size_t size = 0;
};

DnsResponse parse_dns_response(std::string_view wire);

// One UDP exchange with 127.0.0.1:`port` from a socket of its own (bound to
// the loopback address `from` when given): the raw answer, or "" when none
// came within `timeout_ms`.
std::string udp_exchange(int port, std::string_view packet, int timeout_ms = 1000,
                         const char* from = nullptr);
// The same with `address`:`port`; "" at once when the address answers that
// nothing listens there (ICMP port unreachable).
std::string udp_exchange_with(const std::string& address, int port, std::string_view packet,
                              int timeout_ms, const char* from = nullptr);

// "name. ttl class type rdata" with single spaces, as ldns prints it.
bool contains(const std::vector<std::string>& records, std::string_view record);

}  // namespace test
