// Reading an API call: its target (path segments and query), its JSON body
// and its media type, each refused with a reason (ApiError) when it is not
// what the API takes. Shared by the native API and the PowerDNS dialect.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "appsrv/api.hpp"

namespace appsrv {

struct Target {
    std::vector<std::string> segments;  // after the prefix, percent-decoded
    std::vector<std::pair<std::string, std::string>> query;

    std::optional<std::string> param(const std::string& name) const;
};

// "/api/v1/zones/foobar.com/records?type=A" → {"zones", "foobar.com",
// "records"}, {{"type", "A"}}; 404 when it is not under `prefix`.
Target parse_target(const std::string& target, std::string_view prefix = "/api/v1");

// The query parameter `name` as an integer from `min` to `max`, else 400.
int64_t integer_param(const Target& target, const std::string& name, int64_t fallback, int64_t min,
                      int64_t max);

// The body as a JSON object whose members are all `allowed`, else 400.
nlohmann::json parse_object(const std::string& body, const std::set<std::string>& allowed);

// A string member; 400 when it has another type, or is missing and `required`.
std::optional<std::string> string_field(const nlohmann::json& object, const std::string& name,
                                        bool required);

// The media type of a Content-Type value: "application/json; charset=utf-8"
// → "application/json", lowercased.
std::string media_type(std::string_view content_type);

// A body that is read as JSON must say so: a form (curl -d) or text sent by
// mistake gets 415 and a reason rather than a JSON parser's complaint.
void require_json(const ApiRequest& request, bool or_zone_file = false);

ApiResponse ok(int status, std::string body);

}  // namespace appsrv
