// Size limits and timeouts of one HTTP connection.
#pragma once

#include <cstddef>
#include <cstdint>

namespace core::http {

struct Limits {
    size_t max_header_bytes = 16 * 1024;  // request line and header fields together
    size_t max_url_bytes = 8 * 1024;
    size_t max_headers = 100;
    uint64_t max_body_bytes = 1024 * 1024;
    uint64_t header_timeout_ms = 10'000;  // from the first byte of a request to its last header
    uint64_t body_timeout_ms = 30'000;    // longest wait between two reads of a body
    uint64_t idle_timeout_ms = 60'000;    // keep-alive wait for the next request
    size_t http2_max_concurrent_streams = 128;
};

}  // namespace core::http
