// What httpd counts for a metrics endpoint.
#include "httpd/counters.hpp"

namespace httpd {

void Counters::count_request(std::string_view server, int status) {
    auto it = requests.find(server);
    if (it == requests.end())
        it = requests.emplace(std::string(server), std::map<int, uint64_t>{}).first;
    ++it->second[status];
}

void Counters::add(const Counters& other) {
    for (const auto& [server, statuses] : other.requests) {
        for (const auto& [status, count] : statuses)
            requests[server][status] += count;
    }
    upstream_failures += other.upstream_failures;
    upstream_retries += other.upstream_retries;
    open_connections += other.open_connections;
}

std::string Counters::to_json() const {
    // Server labels are host names from the configuration: no character
    // there needs escaping in JSON, but a quote or backslash is dropped
    // rather than trusted.
    std::string out = "{\"requests\":{";
    bool first_server = true;
    for (const auto& [server, statuses] : requests) {
        if (!first_server) out += ',';
        first_server = false;
        out += '"';
        for (const char c : server) {
            if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) out += c;
        }
        out += "\":{";
        bool first_status = true;
        for (const auto& [status, count] : statuses) {
            if (!first_status) out += ',';
            first_status = false;
            out += '"' + std::to_string(status) + "\":" + std::to_string(count);
        }
        out += '}';
    }
    out += "},\"upstream_failures\":" + std::to_string(upstream_failures) +
           ",\"upstream_retries\":" + std::to_string(upstream_retries) +
           ",\"open_connections\":" + std::to_string(open_connections) + "}\n";
    return out;
}

}  // namespace httpd
