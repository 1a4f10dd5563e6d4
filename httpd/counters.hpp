// What httpd counts for a metrics endpoint: requests by virtual server and
// status, upstream failures and retries, open connections. Each thread
// keeps its own, without locks; a snapshot sums them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace httpd {

struct Counters {
    // virtual server label → status → requests
    std::map<std::string, std::map<int, uint64_t>, std::less<>> requests;
    uint64_t upstream_failures =
        0;  // a member failed a request (connect, reset, timeout, bad reply)
    uint64_t upstream_retries = 0;  // a request sent again to another member
    uint64_t open_connections = 0;  // filled in when a snapshot is taken

    void count_request(std::string_view server, int status);
    void add(const Counters& other);
    std::string to_json() const;
};

}  // namespace httpd
