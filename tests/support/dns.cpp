// DNS helpers for tests: queries built by hand, responses read with ldns.
#include "tests/support/dns.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/dns/ldns_ptr.hpp"
#include "core/dns/name.hpp"
#include "core/dns/wire.hpp"

namespace test {

using core::dns::wire::append16;
namespace {

std::string normalize(std::string text) {
    std::replace(text.begin(), text.end(), '\t', ' ');
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

std::vector<std::string> section(ldns_rr_list* list) {
    std::vector<std::string> out;
    for (size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
        core::dns::CString text(ldns_rr2str(ldns_rr_list_rr(list, i)));
        out.push_back(normalize(text.get()));
    }
    return out;
}

}  // namespace

std::string make_query(std::string_view name, uint16_t type, QueryOptions options) {
    std::string wire;
    append16(wire, options.id);
    wire += static_cast<char>(options.opcode << 3);
    wire += static_cast<char>((options.ad ? 0x20 : 0) | (options.cd ? 0x10 : 0));
    append16(wire, 1);
    append16(wire, 0);
    append16(wire, 0);
    append16(wire, options.edns ? 1 : 0);
    // The name as given, case kept: the server must echo it exactly.
    std::string_view rest = name;
    if (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
    while (!rest.empty()) {
        const auto dot = rest.find('.');
        const auto label = rest.substr(0, dot);
        wire += static_cast<char>(label.size());
        wire += label;
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    wire += '\0';
    append16(wire, type);
    append16(wire, options.qclass);
    if (options.edns) {
        wire += '\0';
        append16(wire, 41);
        append16(wire, options.udp_size);
        wire += '\0';
        wire += static_cast<char>(options.edns_version);
        wire += static_cast<char>(options.dnssec_ok ? 0x80 : 0);
        wire += '\0';
        append16(wire, 0);
    }
    return wire;
}

DnsResponse parse_dns_response(std::string_view wire) {
    DnsResponse r;
    r.size = wire.size();
    ldns_pkt* raw = nullptr;
    if (ldns_wire2pkt(&raw, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) !=
        LDNS_STATUS_OK)
        return r;
    std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> pkt(raw, &ldns_pkt_free);
    r.parsed = true;
    r.id = ldns_pkt_id(pkt.get());
    r.rcode = ldns_pkt_get_rcode(pkt.get()) | (ldns_pkt_edns_extended_rcode(pkt.get()) << 4);
    r.aa = ldns_pkt_aa(pkt.get());
    r.tc = ldns_pkt_tc(pkt.get());
    r.qr = ldns_pkt_qr(pkt.get());
    r.rd = ldns_pkt_rd(pkt.get());
    r.cd = ldns_pkt_cd(pkt.get());
    r.ad = ldns_pkt_ad(pkt.get());
    const auto question = section(ldns_pkt_question(pkt.get()));
    if (!question.empty()) r.question = question[0];
    r.answer = section(ldns_pkt_answer(pkt.get()));
    r.authority = section(ldns_pkt_authority(pkt.get()));
    r.additional = section(ldns_pkt_additional(pkt.get()));
    r.has_opt = ldns_pkt_edns(pkt.get());
    r.opt_udp_size = ldns_pkt_edns_udp_size(pkt.get());
    r.opt_do = ldns_pkt_edns_do(pkt.get());
    return r;
}

std::string udp_exchange(int port, std::string_view packet, int timeout_ms, const char* from) {
    return udp_exchange_with("127.0.0.1", port, packet, timeout_ms, from);
}

std::string udp_exchange_with(const std::string& address, int port, std::string_view packet,
                              int timeout_ms, const char* from) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) return {};
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (from) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, from, &local.sin_addr);
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
    }
    std::string out;
    // Connected, so that a refusal comes back as an error on recv.
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
        ::send(fd, packet.data(), packet.size(), 0) == static_cast<ssize_t>(packet.size())) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) == 1) {
            char buffer[65536];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) out.assign(buffer, static_cast<size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

bool contains(const std::vector<std::string>& records, std::string_view record) {
    return std::find(records.begin(), records.end(), record) != records.end();
}

}  // namespace test
