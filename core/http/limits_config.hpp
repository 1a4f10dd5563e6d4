// The configuration keys of core::http::Limits, shared by httpd and appsrv.
#pragma once

#include "core/config/schema.hpp"
#include "core/config/section.hpp"
#include "core/http/limits.hpp"

namespace core::http::limits_keys {

using config::Key;
using config::Type;

inline constexpr Key max_connections{
    .name = "max_connections",
    .type = Type::integer,
    .default_value = "10000",
    .help = "open client connections per thread; more are closed at once",
    .reloadable = false,
    .min = 1,
    .max = 1'000'000};
inline constexpr Key max_header_size{
    .name = "max_header_size",
    .type = Type::size,
    .default_value = "\"16k\"",
    .help = "request line and header fields together; more is answered 431",
    .reloadable = true,
    .min = 1024,
    .max = 1 << 20};
inline constexpr Key max_url_size{.name = "max_url_size",
                                  .type = Type::size,
                                  .default_value = "\"8k\"",
                                  .help = "request target; longer is answered 414",
                                  .reloadable = true,
                                  .min = 64,
                                  .max = 1 << 20};
inline constexpr Key max_headers{.name = "max_headers",
                                 .type = Type::integer,
                                 .default_value = "100",
                                 .help = "header fields in a request; more is answered 431",
                                 .reloadable = true,
                                 .min = 1,
                                 .max = 10'000};
inline constexpr Key max_body_size{.name = "max_body_size",
                                   .type = Type::size,
                                   .default_value = "\"1m\"",
                                   .help = "request body; larger is answered 413",
                                   .reloadable = true,
                                   .min = 0,
                                   .max = int64_t{1} << 40};
inline constexpr Key header_timeout{
    .name = "header_timeout",
    .type = Type::duration,
    .default_value = "\"10s\"",
    .help = "from a request's first byte to its last header; then 408",
    .reloadable = true,
    .min = 1,
    .max = 3'600'000};
inline constexpr Key body_timeout{.name = "body_timeout",
                                  .type = Type::duration,
                                  .default_value = "\"30s\"",
                                  .help = "longest silence while a request body arrives; then 408",
                                  .reloadable = true,
                                  .min = 1,
                                  .max = 3'600'000};
inline constexpr Key idle_timeout{
    .name = "idle_timeout",
    .type = Type::duration,
    .default_value = "\"60s\"",
    .help = "keep-alive wait for the next request; then the connection closes",
    .reloadable = true,
    .min = 1,
    .max = 3'600'000};

// Every key above, for a daemon's table (config::join_keys).
inline constexpr Key kAll[] = {max_connections, max_header_size, max_url_size, max_headers,
                               max_body_size,   header_timeout,  body_timeout, idle_timeout};

inline Limits from(const config::Section& section) {
    Limits limits;
    limits.max_header_bytes = static_cast<size_t>(section.size(max_header_size.name));
    limits.max_url_bytes = static_cast<size_t>(section.size(max_url_size.name));
    limits.max_headers = static_cast<size_t>(section.integer(max_headers.name));
    limits.max_body_bytes = static_cast<uint64_t>(section.size(max_body_size.name));
    limits.header_timeout_ms = static_cast<uint64_t>(section.duration_ms(header_timeout.name));
    limits.body_timeout_ms = static_cast<uint64_t>(section.duration_ms(body_timeout.name));
    limits.idle_timeout_ms = static_cast<uint64_t>(section.duration_ms(idle_timeout.name));
    return limits;
}

}  // namespace core::http::limits_keys
