// The heads a proxy passes on.
#include "httpd/forward_headers.hpp"

#include <array>
#include <initializer_list>
#include <random>
#include <vector>

namespace httpd {

namespace {

using core::http::Headers;

constexpr std::string_view kVia = "1.1 webstack";

constexpr std::array<std::string_view, 9> kHopByHop = {
    "Connection", "Keep-Alive",         "Proxy-Connection",    "TE", "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authenticate", "Proxy-Authorization",
};

// The tokens of every Connection field: the fields the sender meant for
// this hop alone (RFC 9110 §7.6.1). Usually just "keep-alive" or "close".
std::vector<std::string_view> connection_options(const Headers& headers) {
    std::vector<std::string_view> named;
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
            if (!token.empty()) named.push_back(token);
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
    }
    return named;
}

bool is_hop_by_hop(std::string_view name, const std::vector<std::string_view>& named) {
    for (const auto hop : kHopByHop) {
        if (core::http::iequals(name, hop)) return true;
    }
    // Framing is written from the head's own members.
    if (core::http::iequals(name, "Content-Length")) return true;
    for (const auto option : named) {
        if (core::http::iequals(name, option)) return true;
    }
    return false;
}

// The end-to-end fields of `from`, in one pass, skipping `also` too; the
// values of the fields in `seen` (by position) are reported on the way.
Headers end_to_end(const Headers& from, std::initializer_list<std::string_view> also,
                   std::initializer_list<std::pair<std::string_view, const std::string**>> seen) {
    const auto named = connection_options(from);
    Headers out;
    for (const auto& field : from) {
        const std::string& name = field.first;
        bool skip = is_hop_by_hop(name, named);
        for (const auto other : also)
            skip = skip || core::http::iequals(name, other);
        for (const auto& [wanted, where] : seen) {
            if (!*where && core::http::iequals(name, wanted)) *where = &field.second;
        }
        if (!skip) out.add(field.first, field.second);
    }
    return out;
}

}  // namespace

void remove_hop_by_hop(Headers& headers) {
    const auto named_views = connection_options(headers);
    // The views point into the fields about to be filtered: own them first.
    const std::vector<std::string> named(named_views.begin(), named_views.end());
    const std::vector<std::string_view> views(named.begin(), named.end());
    headers.retain([&](const Headers::Field& field) { return !is_hop_by_hop(field.first, views); });
}

std::string client_ip(std::string_view peer) {
    if (!peer.empty() && peer.front() == '[')
        return std::string(peer.substr(1, peer.find(']') - 1));
    const size_t colon = peer.rfind(':');
    return std::string(colon == std::string_view::npos ? peer : peer.substr(0, colon));
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
    head.content_length = client.content_length;
    head.chunked = client.chunked;
    head.keep_alive = true;
    const std::string* forwarded = nullptr;
    const std::string* via = nullptr;
    const std::string* host = nullptr;
    // This hop answered any 100-continue already; the X- fields below are
    // set anew.
    head.headers = end_to_end(client.headers,
                              {"Expect", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                               "X-Request-Id", "Via"},
                              {{"X-Forwarded-For", &forwarded}, {"Via", &via}, {"Host", &host}});
    head.headers.add("X-Forwarded-For", forwarded ? *forwarded + ", " + std::string(client_ip)
                                                  : std::string(client_ip));
    head.headers.add("X-Forwarded-Proto", "http");
    if (host) head.headers.add("X-Forwarded-Host", *host);
    head.headers.add("X-Request-Id", std::string(request_id));
    head.headers.add("Via", via ? *via + ", " + std::string(kVia) : std::string(kVia));
    return head;
}

core::http::ResponseHead client_response(core::http::ResponseHead&& upstream) {
    // The upstream's head is not needed after this: its fields move.
    core::http::ResponseHead head;
    head.status = upstream.status;
    head.reason = std::move(upstream.reason);
    head.content_length = upstream.content_length;
    head.headers = std::move(upstream.headers);
    std::string via = head.headers.get("Via").value_or("").empty()
                          ? std::string(kVia)
                          : std::string(*head.headers.get("Via")) + ", " + std::string(kVia);
    remove_hop_by_hop(head.headers);
    head.headers.remove("Via");
    head.headers.add("Via", std::move(via));
    return head;
}

}  // namespace httpd
