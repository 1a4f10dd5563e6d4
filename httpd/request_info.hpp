// What the access log and the counters learn about one request while it
// is handled.
#pragma once

#include <chrono>
#include <string>

namespace httpd {

struct RequestInfo {
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::string server = "-";  // the virtual server's label
    std::string upstream;      // the member that answered, when proxied
    std::string request_id;
    bool json_errors = false;  // the route wants httpd's own refusals as JSON
};

}  // namespace httpd
