// The heads a proxy passes on.
#include "httpd/forward_headers.hpp"

#include <array>
#include <random>

namespace httpd {

namespace {

using core::http::Headers;

constexpr std::string_view kVia = "1.1 webstack";

constexpr std::array<std::string_view, 9> kHopByHop = {
    "Connection", "Keep-Alive",         "Proxy-Connection",    "TE", "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authenticate", "Proxy-Authorization",
};

void append_via(Headers& headers) {
    if (const std::string* via = headers.find("Via")) {
        headers.set("Via", *via + ", " + std::string(kVia));
    } else {
        headers.add("Via", std::string(kVia));
    }
}

}  // namespace

std::string client_ip(std::string_view peer) {
    if (!peer.empty() && peer.front() == '[')
        return std::string(peer.substr(1, peer.find(']') - 1));
    const size_t colon = peer.rfind(':');
    return std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
}

void remove_hop_by_hop(Headers& headers) {
    // Fields the sender listed in Connection are meant for us alone.
    std::vector<std::string> named;
    for (const auto& [name, value] : headers) {
        if (!core::http::iequals(name, "Connection")) continue;
        std::string_view list = value;
        while (!list.empty()) {
            const size_t comma = list.find(',');
            std::string_view token = list.substr(0, comma);
            while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
                token.remove_prefix(1);
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
                token.remove_suffix(1);
            if (!token.empty()) named.emplace_back(token);
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    for (const auto& name : named)
        headers.remove(name);
    for (const auto name : kHopByHop)
        headers.remove(name);
    // Framing is written from the head's own members.
    headers.remove("Content-Length");
}

std::string request_id_for(const core::http::RequestHead& client) {
    if (const auto given = client.headers.get("X-Request-Id")) {
        bool sane = !given->empty() && given->size() <= 128;
        for (const char c : *given) {
            sane = sane && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                            (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.');
        }
        if (sane) return std::string(*given);
    }
    thread_local std::mt19937_64 random{std::random_device{}()};
    constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (size_t half = 0; half < 2; ++half) {
        uint64_t bits = random();
        for (size_t i = 0; i < 16; ++i, bits >>= 4)
            id[half * 16 + i] = kHex[bits & 0xf];
    }
    return id;
}

core::http::RequestHead upstream_request(const core::http::RequestHead& client,
                                         std::string_view client_ip, std::string_view request_id) {
    core::http::RequestHead head;
    head.method = client.method;
    head.target = client.target;
    head.version = {1, 1};
    head.headers = client.headers;
    head.content_length = client.content_length;
    head.chunked = client.chunked;
    head.keep_alive = true;
    remove_hop_by_hop(head.headers);
    // This hop answered any 100-continue already.
    head.headers.remove("Expect");
    if (const std::string* forwarded = head.headers.find("X-Forwarded-For")) {
        head.headers.set("X-Forwarded-For", *forwarded + ", " + std::string(client_ip));
    } else {
        head.headers.add("X-Forwarded-For", std::string(client_ip));
    }
    head.headers.set("X-Forwarded-Proto", "http");
    if (const std::string* host = client.headers.find("Host")) {
        head.headers.set("X-Forwarded-Host", *host);
    }
    head.headers.set("X-Request-Id", std::string(request_id));
    append_via(head.headers);
    return head;
}

core::http::ResponseHead client_response(const core::http::ResponseHead& upstream) {
    core::http::ResponseHead head;
    head.status = upstream.status;
    head.reason = upstream.reason;
    head.headers = upstream.headers;
    head.content_length = upstream.content_length;
    remove_hop_by_hop(head.headers);
    append_via(head.headers);
    return head;
}

}  // namespace httpd
