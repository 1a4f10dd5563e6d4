// Reading an API call: its target, its JSON body and its media type.
#include "appsrv/api_request.hpp"

#include <cctype>
#include <charconv>

#include "appsrv/api_error.hpp"
#include "core/percent_decode.hpp"

namespace appsrv {

using nlohmann::json;

namespace {

// A malformed escape is kept as it came: the name or value it is part of
// then matches nothing, and the answer says so.
std::string url_decode(std::string_view text, bool plus_is_space) {
    auto decoded = core::percent_decode(text, {}, plus_is_space);
    return decoded.ok() ? std::move(decoded.text) : std::string(text);
}

}  // namespace

std::optional<std::string> Target::param(const std::string& name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return v;
    }
    return std::nullopt;
}

Target parse_target(const std::string& target, std::string_view prefix) {
    Target out;
    const size_t q = target.find('?');
    std::string_view path = std::string_view(target).substr(0, q);
    if (path.substr(0, prefix.size()) != prefix)
        throw ApiError(404, "no such endpoint", std::string(path));
    path.remove_prefix(prefix.size());
    while (!path.empty()) {
        if (path[0] == '/') {
            path.remove_prefix(1);
            continue;
        }
        const size_t slash = path.find('/');
        out.segments.push_back(url_decode(path.substr(0, slash), false));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    if (q != std::string::npos) {
        std::string_view rest = std::string_view(target).substr(q + 1);
        while (!rest.empty()) {
            const size_t amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            const size_t eq = pair.find('=');
            if (!pair.empty()) {
                out.query.emplace_back(url_decode(pair.substr(0, eq), true),
                                       eq == std::string_view::npos
                                           ? std::string()
                                           : url_decode(pair.substr(eq + 1), true));
            }
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        }
    }
    return out;
}

int64_t integer_param(const Target& target, const std::string& name, int64_t fallback, int64_t min,
                      int64_t max) {
    const auto text = target.param(name);
    if (!text) return fallback;
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max)
        throw ApiError(400, "invalid " + name,
                       "an integer from " + std::to_string(min) + " to " + std::to_string(max),
                       name);
    return value;
}

json parse_object(const std::string& body, const std::set<std::string>& allowed) {
    json value;
    try {
        value = json::parse(body);
    } catch (const json::parse_error& e) {
        throw ApiError(400, "invalid JSON", e.what());
    }
    if (!value.is_object()) throw ApiError(400, "expected a JSON object");
    for (const auto& [key, _] : value.items()) {
        if (!allowed.count(key)) throw ApiError(400, "unknown field", key, key);
    }
    return value;
}

std::optional<std::string> string_field(const json& object, const std::string& name,
                                        bool required) {
    const auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
        if (required) throw ApiError(400, "missing field", name, name);
        return std::nullopt;
    }
    if (!it->is_string()) throw ApiError(400, "wrong type", name + " must be a string", name);
    return it->get<std::string>();
}

std::string media_type(std::string_view content_type) {
    std::string type(content_type.substr(0, content_type.find(';')));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.pop_back();
    for (auto& c : type)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return type;
}

void require_json(const ApiRequest& request, bool or_zone_file) {
    const std::string type = media_type(request.content_type);
    if (type == "application/json" || (or_zone_file && type == "text/dns")) return;
    throw ApiError(415, "unsupported media type",
                   "send Content-Type: application/json" +
                       std::string(or_zone_file ? " (or text/dns with the zone file)" : "") +
                       (type.empty() ? ", not a body without one" : ", not " + type));
}

ApiResponse ok(int status, std::string body) {
    ApiResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

}  // namespace appsrv
