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
// this hop alone (RFC 9110 §7.6.1). Usually just "keep-alive" or "close",
// so the first few are kept without allocating.
class ConnectionOptions {
  public:
    explicit ConnectionOptions(const Headers& headers) {
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
                if (!token.empty()) add(token);
                if (comma == std::string_view::npos) break;
                list.remove_prefix(comma + 1);
            }
        }
    }

    bool names(std::string_view field) const {
        for (size_t i = 0; i < inline_count_; ++i) {
            if (core::http::iequals(field, inline_[i])) return true;
        }
        for (const auto option : more_) {
            if (core::http::iequals(field, option)) return true;
        }
        return false;
    }

  private:
    void add(std::string_view token) {
        if (inline_count_ < inline_.size()) {
            inline_[inline_count_++] = token;
        } else {
            more_.push_back(token);
        }
    }

    std::array<std::string_view, 4> inline_{};
    size_t inline_count_ = 0;
    std::vector<std::string_view> more_;
};

bool is_hop_by_hop(std::string_view name, const ConnectionOptions& named) {
    for (const auto hop : kHopByHop) {
        if (core::http::iequals(name, hop)) return true;
    }
    // Framing is written from the head's own members.
    if (core::http::iequals(name, "Content-Length")) return true;
    return named.names(name);
}

// The end-to-end fields of `from`, in one pass, skipping `also` too; the
// values of the fields in `seen` (by position) are reported on the way.
Headers end_to_end(const Headers& from, std::initializer_list<std::string_view> also,
                   std::initializer_list<std::pair<std::string_view, const std::string**>> seen) {
    const ConnectionOptions named(from);
    Headers out;
    out.reserve(from.size() + 5);  // room for the fields a proxy adds
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

Headers without_hop_by_hop(Headers&& headers) {
    // The options are views into the Connection field, which is never
    // moved: it is hop-by-hop itself.
    const ConnectionOptions named(headers);
    Headers out;
    out.reserve(headers.size() + 1);  // and Via
    for (auto& field : headers.take_fields()) {
        if (!is_hop_by_hop(field.first, named))
            out.add(std::move(field.first), std::move(field.second));
    }
    return out;
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
    const auto upstream_via = upstream.headers.get("Via").value_or("");
    std::string via = upstream_via.empty() ? std::string(kVia)
                                           : std::string(upstream_via) + ", " + std::string(kVia);
    head.headers = without_hop_by_hop(std::move(upstream.headers));
    head.headers.remove("Via");
    head.headers.add("Via", std::move(via));
    return head;
}

}  // namespace httpd
