// What httpd serves, built from its configuration: the listen addresses,
// the virtual servers with their routes, and the upstream pools. Immutable
// once built; a reload builds a new one and the threads switch to it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config/section.hpp"
#include "core/net/address.hpp"
#include "core/tls/server_context.hpp"
#include "httpd/upstream.hpp"

namespace httpd {

struct Route {
    enum class Kind { files, proxy, redirect, fixed, metrics };
    std::string prefix;
    Kind kind = Kind::files;
    std::string root;                          // files
    std::shared_ptr<const Upstream> upstream;  // proxy
    std::string location;                      // redirect: the target's path and query are appended
    bool to_https = false;                     // redirect: the request's host over HTTPS
    // redirect "//HOST": to HOST with the request's scheme, and the port the
    // client asked for unless HOST names one (then not `asked_port`).
    bool same_scheme = false;
    bool asked_port = false;
    int https_port = 443;      // redirect to_https: omitted when 443
    int status = 200;          // redirect, fixed
    std::string body;          // fixed
    std::string content_type;  // fixed
    bool json_errors = false;  // httpd's own refusals as JSON
};

struct VirtualServer {
    std::string label;                           // its first name, or "default"
    std::vector<std::string> exact_names;        // lower case
    std::vector<std::string> wildcard_suffixes;  // ".foobar.com" for "*.foobar.com"
    std::vector<bool> on_listener;               // per Site::listen entry
    bool is_default = false;
    std::string tls_certificate;  // PEM files, for TLS listeners
    std::string tls_key;
    std::string hsts;  // the Strict-Transport-Security value for HTTPS answers; empty: none
    std::vector<std::pair<std::string, std::string>> response_headers;  // added to every answer
    std::vector<Route> routes;                                          // longest prefix first

    const Route* route_for(std::string_view path) const;
};

struct Site {
    std::vector<core::net::Address> listen;  // `listen`, then `listen_tls`
    // Per listener: the certificates of its servers, for a TLS one; null
    // for plain HTTP.
    std::vector<std::shared_ptr<const core::tls::ServerContext>> tls;
    uint64_t tls_handshake_timeout_ms = 10'000;
    bool http2 = true;  // ALPN offers h2 on TLS listeners
    std::vector<VirtualServer> servers;
    std::vector<std::shared_ptr<const Upstream>> upstreams;

    // The server for a request on listener `listener` with Host `host`
    // (already lower case, without port): exact name, then the longest
    // wildcard, then the listener's default. nullptr when no server
    // listens there.
    const VirtualServer* server_for(size_t listener, std::string_view host) const;
};

// The one-line way to try httpd: --root DIR and --proxy /PREFIX=ADDR,ADDR.
struct QuickSite {
    std::string root;
    std::vector<std::string> proxies;
    bool empty() const { return root.empty() && proxies.empty(); }
};

// Builds the site from the checked [httpd] section; `quick`, when given,
// replaces its servers and upstreams. Throws core::config::Error naming the
// file and line of what is wrong (a missing root, an unknown pool...).
// On a reload, `previous` lends its members' health to members of a pool
// of the same name at the same address, so that a reload neither revives
// a dead member nor forgets a live one.
std::shared_ptr<const Site> build_site(const core::config::Section& httpd,
                                       const QuickSite& quick = {}, const Site* previous = nullptr);

}  // namespace httpd
