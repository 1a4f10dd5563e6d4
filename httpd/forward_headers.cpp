// The heads a proxy passes on.
#include "httpd/forward_headers.hpp"

#include <random>

#include "core/http/serialize.hpp"

namespace httpd {

namespace {

using core::http::Headers;

// This hop in Via: the version of the message it received, then its name
// (RFC 9110 §7.6.3).
std::string_view via_entry(const core::http::Version& received) {
    if (received.major == 2) return "2 webstack";
    return received.minor == 0 ? "1.0 webstack" : "1.1 webstack";
}

// The options of every Connection field: the fields the sender meant for
// this hop alone (RFC 9110 §7.6.1). Copied (usually into the string
// itself: "keep-alive", "close"), so that they stay valid while the fields
// they came from move.
class ConnectionOptions {
  public:
    explicit ConnectionOptions(const Headers& headers) {
        for (const auto& [name, value] : headers) {
            if (!core::http::iequals(name, "Connection")) continue;
            if (!options_.empty()) options_ += ',';
            options_ += value;
        }
    }

    bool names(std::string_view field) const {
        bool named = false;
        core::http::for_each_list_item(options_, [&](std::string_view option) {
            named = named || core::http::iequals(field, option);
        });
        return named;
    }

  private:
    std::string options_;
};

// A list field's value with this hop's element after those that came
// (X-Forwarded-For, Via): "came, mine", or "mine" when none came.
std::string appended(const std::string* came, std::string_view mine) {
    if (!came) return std::string(mine);
    std::string value;
    value.reserve(came->size() + 2 + mine.size());
    value.append(*came).append(", ").append(mine);
    return value;
}

// Content-Length too: framing is written from the head's own members.
constexpr std::string_view kHopByHop[] = {
    "Connection",     "Keep-Alive",        "Proxy-Connection",   "TE",
    "Trailer",        "Upgrade",           "Proxy-Authenticate", "Proxy-Authorization",
    "Content-Length", "Transfer-Encoding",
};

bool is_hop_by_hop(std::string_view name, const ConnectionOptions& named) {
    // iequals compares lengths first: most names are passed over at once.
    for (const std::string_view hop : kHopByHop) {
        if (core::http::iequals(name, hop)) return true;
    }
    return named.names(name);
}

}  // namespace

Headers without_hop_by_hop(Headers&& headers) {
    const ConnectionOptions named(headers);
    headers.retain([&](const Headers::Field& field) { return !is_hop_by_hop(field.first, named); });
    return std::move(headers);
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
    // A random half drawn once per thread, then a count: unique without
    // drawing 128 random bits for every request.
    thread_local const uint64_t prefix = [] {
        std::random_device random;
        return uint64_t{random()} << 32 | random();
    }();
    thread_local uint64_t count = 0;
    constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    uint64_t bits = prefix;
    for (size_t i = 0; i < 16; ++i, bits >>= 4)
        id[15 - i] = kHex[bits & 0xf];
    bits = ++count;
    for (size_t i = 0; i < 16; ++i, bits >>= 4)
        id[31 - i] = kHex[bits & 0xf];
    return id;
}

UpstreamRequest upstream_request(const core::http::RequestHead& client, std::string_view client_ip,
                                 std::string_view request_id, std::string_view host_if_missing,
                                 bool secure) {
    using core::http::iequals;
    const ConnectionOptions named(client.headers);
    core::http::RequestWriter out(client.method, client.target);
    const std::string* forwarded = nullptr;
    const std::string* via = nullptr;
    const std::string* host = nullptr;
    for (const auto& [name, value] : client.headers) {
        const bool is_forwarded_for = iequals(name, "X-Forwarded-For");
        const bool is_via = !is_forwarded_for && iequals(name, "Via");
        if (is_forwarded_for && !forwarded) forwarded = &value;
        if (is_via && !via) via = &value;
        if (!host && iequals(name, "Host")) host = &value;
        if (is_forwarded_for || is_via || is_hop_by_hop(name, named)) continue;
        // This hop answered any 100-continue already; the X- fields below
        // are set anew.
        if (iequals(name, "Expect") || iequals(name, "X-Forwarded-Proto") ||
            iequals(name, "X-Forwarded-Host") || iequals(name, "X-Request-Id"))
            continue;
        out.field(name, value);
    }
    if (!host) out.field("Host", host_if_missing);
    out.field("X-Forwarded-For", appended(forwarded, client_ip));
    out.field("X-Forwarded-Proto", secure ? "https" : "http");
    if (host) out.field("X-Forwarded-Host", *host);
    out.field("X-Request-Id", request_id);
    out.field("Via", appended(via, via_entry(client.version)));
    return {std::move(out).finish(client.chunked, client.content_length),
            {client.method == "HEAD", client.chunked, client.content_length}};
}

core::http::ResponseHead client_response(core::http::ResponseHead&& upstream) {
    // The upstream's head is not needed after this: its fields move.
    core::http::ResponseHead head;
    head.status = upstream.status;
    head.reason = std::move(upstream.reason);
    head.content_length = upstream.content_length;
    // An empty Via is taken as none.
    const std::string* upstream_via = upstream.headers.find("Via");
    std::string via = appended(upstream_via && !upstream_via->empty() ? upstream_via : nullptr,
                               via_entry(upstream.version));
    head.headers = without_hop_by_hop(std::move(upstream.headers));
    head.headers.remove("Via");
    head.headers.add("Via", std::move(via));
    return head;
}

}  // namespace httpd
