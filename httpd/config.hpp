// httpd's section of the configuration, described as data: the daemon's
// own keys, then its virtual servers, their routes and the upstream pools.
#pragma once

#include "core/config/common_keys.hpp"
#include "core/config/schema.hpp"
#include "core/http/limits_config.hpp"

namespace httpd::config {

using core::config::Key;
using core::config::Type;
namespace limits = core::http::limits_keys;

inline constexpr Key kRouteKeys[] = {
    {.name = "prefix",
     .type = Type::string,
     .default_value = "\"/\"",
     .help = "path prefix this route takes; the longest matching prefix wins",
     .reloadable = true},
    {.name = "root",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "serve static files from this directory (the prefix is kept in the file path)",
     .reloadable = true},
    {.name = "proxy",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "pass requests to the `[[httpd.upstream]]` of this name",
     .reloadable = true},
    {.name = "redirect",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "answer `status` with Location: this URL followed by the request's path and query; "
             "\"https\": the same host, path and query over HTTPS (the first `listen_tls` port); "
             "\"//HOST\": HOST with the request's scheme, and the port the client asked for "
             "unless HOST names one",
     .reloadable = true},
    {.name = "body",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "answer `status` with this fixed body",
     .reloadable = true},
    {.name = "metrics",
     .type = Type::boolean,
     .default_value = "false",
     .help = "answer GET with the metrics of every thread in the Prometheus text format "
             "(requests, durations, bytes, connections, upstream members, reloads); put it on a "
             "server of its own, on an internal listen address",
     .reloadable = true},
    {.name = "status",
     .type = Type::integer,
     .default_value = "",
     .help = "status of a redirect (default 301) or a fixed body (default 200)",
     .reloadable = true,
     .min = 200,
     .max = 599},
    {.name = "content_type",
     .type = Type::string,
     .default_value = "\"text/plain; charset=utf-8\"",
     .help = "Content-Type of a fixed body",
     .reloadable = true},
    {.name = "errors",
     .type = Type::string,
     .default_value = "\"text\"",
     .help = "how httpd writes the refusals it makes itself on this route (a body too large or "
             "too slow, 502, 503, 504 from the proxy): `text`, or `json` ({\"error\", "
             "\"detail\"}) for an API's clients",
     .reloadable = true,
     .choices = "text|json"},
};

inline constexpr core::config::Schema kRouteSchema{
    .name = "httpd.server.route",
    .help =
        "A path prefix of a virtual server and what answers it: exactly one of "
        "`root`, `proxy`, `redirect`, `body` or `metrics`.",
    .keys = kRouteKeys,
};

inline constexpr Key kServerKeys[] = {
    {.name = "names",
     .type = Type::string_list,
     .default_value = "[]",
     .help = "host names: exact (`www.foobar.com`) or a leading wildcard (`*.foobar.com`)",
     .reloadable = true},
    {.name = "listen",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "the `httpd.listen` addresses this server answers on; empty means all",
     .reloadable = true},
    {.name = "default",
     .type = Type::boolean,
     .default_value = "false",
     .help = "takes requests whose Host no server names (else the first server does)",
     .reloadable = true},
    {.name = "tls_certificate",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "PEM file: the certificate for the server's names, then its chain; needed on a "
             "`listen_tls` address, where SNI chooses it",
     .reloadable = true},
    {.name = "tls_key",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "PEM file: the certificate's private key, readable by its owner only",
     .reloadable = true},
    {.name = "hsts_max_age",
     .type = Type::duration,
     .default_value = "\"0s\"",
     .help = "sends Strict-Transport-Security with this max-age on HTTPS answers (RFC 6797); "
             "0: none",
     .reloadable = true,
     .min = 0,
     .max = 2'000'000'000'000},
    {.name = "hsts_include_subdomains",
     .type = Type::boolean,
     .default_value = "false",
     .help = "adds includeSubDomains to Strict-Transport-Security",
     .reloadable = true},
    {.name = "response_headers",
     .type = Type::string_list,
     .default_value = "[]",
     .help =
         "fields added to every answer of the server, its errors too (`\"X-Content-Type-Options: "
         "nosniff\"`); not those of HTTP's framing, which httpd writes itself",
     .reloadable = true},
    {.name = "route",
     .type = Type::table_list,
     .default_value = "",
     .help = "the server's routes (see `[[httpd.server.route]]`)",
     .reloadable = true,
     .children = &kRouteSchema},
};

inline constexpr core::config::Schema kServerSchema{
    .name = "httpd.server",
    .help = "A virtual server: the host names it answers and its routes.",
    .keys = kServerKeys,
};

inline constexpr Key kUpstreamKeys[] = {
    {.name = "name",
     .type = Type::string,
     .default_value = "",
     .help = "what routes call this pool in `proxy`",
     .reloadable = true,
     .required = true},
    {.name = "members",
     .type = Type::string_list,
     .default_value = "",
     .help = "app servers: `IP:PORT`, `[IPv6]:PORT` or `unix:PATH`, each optionally "
             "followed by ` weight=N`",
     .reloadable = true,
     .required = true,
     .min = 1},
    {.name = "balance",
     .type = Type::string,
     .default_value = "\"round_robin\"",
     .help = "weighted round robin, or the member with the fewest requests in flight per weight",
     .reloadable = true,
     .choices = "round_robin|least_conn"},
    {.name = "connect_timeout",
     .type = Type::duration,
     .default_value = "\"5s\"",
     .help = "connecting to a member; then it counts as failed",
     .reloadable = true,
     .min = 1,
     .max = 600'000},
    {.name = "read_timeout",
     .type = Type::duration,
     .default_value = "\"60s\"",
     .help = "longest silence of a member while a response is awaited; then 504",
     .reloadable = true,
     .min = 1,
     .max = 3'600'000},
    {.name = "fail_timeout",
     .type = Type::duration,
     .default_value = "\"10s\"",
     .help = "a member that failed (connect error, reset, timeout) is left out this long",
     .reloadable = true,
     .min = 0,
     .max = 3'600'000},
    {.name = "keepalive",
     .type = Type::integer,
     .default_value = "32",
     .help = "idle connections kept open to each member, per thread",
     .reloadable = true,
     .min = 0,
     .max = 10'000},
    {.name = "health_path",
     .type = Type::string,
     .default_value = "\"/healthz\"",
     .help = "what the active health check asks each member for",
     .reloadable = true},
    {.name = "health_interval",
     .type = Type::duration,
     .default_value = "\"5s\"",
     .help = "time between two health checks of a member; 0 turns them off",
     .reloadable = true,
     .min = 0,
     .max = 3'600'000},
    {.name = "health_timeout",
     .type = Type::duration,
     .default_value = "\"2s\"",
     .help = "a health check that takes longer has failed",
     .reloadable = true,
     .min = 1,
     .max = 600'000},
    {.name = "health_rise",
     .type = Type::integer,
     .default_value = "2",
     .help = "successful checks in a row that bring a down member back",
     .reloadable = true,
     .min = 1,
     .max = 100},
    {.name = "health_fall",
     .type = Type::integer,
     .default_value = "3",
     .help = "failed checks in a row that take a member out",
     .reloadable = true,
     .min = 1,
     .max = 100},
};

inline constexpr core::config::Schema kUpstreamSchema{
    .name = "httpd.upstream",
    .help = "A pool of app servers that routes proxy to.",
    .keys = kUpstreamKeys,
};

inline constexpr Key kOwnKeys[] = {
    {.name = "listen",
     .type = Type::ip_address_list,
     .default_value = "[\"127.0.0.1:8080\"]",
     .help = "addresses to accept HTTP on (IP:PORT or [IPv6]:PORT)",
     .reloadable = false,
     .min = 1},
    {.name = "listen_tls",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "addresses to accept HTTPS on (TLS 1.2 and 1.3); servers name them in `listen` like "
             "the others",
     .reloadable = false},
    {.name = "tls_handshake_timeout",
     .type = Type::duration,
     .default_value = "\"10s\"",
     .help = "a TLS client that has not finished its handshake in this time is disconnected, "
             "without an answer",
     .reloadable = true,
     .min = 1,
     .max = 600'000},
    {.name = "http2",
     .type = Type::boolean,
     .default_value = "true",
     .help = "TLS listeners offer HTTP/2 by ALPN (h2 before http/1.1); false: HTTP/1.1 only. "
             "Connections made after a reload follow it",
     .reloadable = true},
    {.name = "http2_max_concurrent_streams",
     .type = Type::integer,
     .default_value = "128",
     .help = "requests one HTTP/2 connection may have open at once; more are refused "
             "(REFUSED_STREAM), for the client to retry",
     .reloadable = true,
     .min = 1,
     .max = 10'000},
    core::config::common::threads,
    core::config::common::shutdown_timeout,
    core::config::common::log_level,
    {.name = "access_log",
     .type = Type::string,
     .default_value = "\"\"",
     .help = "file the access log is appended to; \"-\" is standard output, \"\" turns it off",
     .reloadable = false},
    {.name = "file_cache_size",
     .type = Type::size,
     .default_value = "\"16m\"",
     .help = "memory per thread for small static files kept in memory; 0 turns the cache off",
     .reloadable = true,
     .min = 0,
     .max = int64_t{1} << 34},
    {.name = "file_cache_valid",
     .type = Type::duration,
     .default_value = "\"1s\"",
     .help = "how long a cached file is trusted before its mtime and size are checked again",
     .reloadable = true,
     .min = 0,
     .max = 3'600'000},
};

inline constexpr Key kPoolKeys[] = {
    {.name = "upstream",
     .type = Type::table_list,
     .default_value = "",
     .help = "the app-server pools (see `[[httpd.upstream]]`)",
     .reloadable = true,
     .children = &kUpstreamSchema},
    {.name = "server",
     .type = Type::table_list,
     .default_value = "",
     .help = "the virtual servers (see `[[httpd.server]]`); without one, every request is 404",
     .reloadable = true,
     .children = &kServerSchema},
};

inline constexpr auto kKeys = core::config::join_keys(kOwnKeys, limits::kAll, kPoolKeys);

inline constexpr core::config::Schema kSchema{
    .name = "httpd",
    .help = "The front web server.",
    .keys = kKeys,
};

}  // namespace httpd::config
