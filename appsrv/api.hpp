// The JSON API under /api/v1/: routing, authentication, the decoding of
// bodies and queries, and the mapping of every failure to a status and a
// JSON reason. Runs on a worker thread, over that thread's connection.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "db/zone_store.hpp"

namespace appsrv {

struct ApiRequest {
    std::string method;
    std::string target;  // "/api/v1/zones/foobar.com/records?type=A"
    std::string authorization;
    std::string api_key;  // X-API-Key, the PowerDNS dialect's token
    std::string content_type;
    std::string body;
};

struct ApiResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // A committed change: a NOTIFY for this zone follows.
    std::optional<db::ZoneCommit> change;
};

// `connection` may be null when the database could not be reached.
ApiResponse handle_api(db::Connection* connection, const ApiRequest& request);

// {"error": ..., "detail": ..., "field": ...}
std::string error_json(const std::string& error, const std::string& detail = {},
                       const std::string& field = {});

}  // namespace appsrv
