// The path of a request target, decoded and normalised once.
#include "httpd/request_path.hpp"

#include <vector>

#include "core/percent_decode.hpp"

namespace httpd {

namespace {

bool percent_decode(std::string_view in, std::string& out, std::string& error) {
    // A decoded '/' would join two segments the client kept apart, which is
    // how "..%2f" walks out of a directory; a NUL would cut the path short.
    auto decoded = core::percent_decode(in, std::string_view("\0/", 2));
    switch (decoded.failure) {
        case core::PercentDecoding::Failure::none:
            out = std::move(decoded.text);
            return true;
        case core::PercentDecoding::Failure::malformed:
            error = "malformed percent-encoding in the path";
            return false;
        case core::PercentDecoding::Failure::refused:
            error =
                decoded.refused == '/' ? "encoded slash in the path" : "encoded NUL in the path";
            return false;
    }
    return false;
}

}  // namespace

std::string_view target_authority(std::string_view target) {
    const size_t scheme_end = target.find("://");
    if (target.empty() || target[0] == '/' || scheme_end == std::string_view::npos) return {};
    std::string_view rest = target.substr(scheme_end + 3);
    return rest.substr(0, rest.find_first_of("/?"));
}

std::string_view origin_form(std::string_view target) {
    if (target.empty() || target[0] == '/') return target;
    const size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return {};
    const size_t start = target.find_first_of("/?", scheme_end + 3);
    return start == std::string_view::npos ? std::string_view("/") : target.substr(start);
}

std::optional<RequestTarget> parse_target(std::string_view target, std::string& error) {
    if (!target.empty() && target[0] != '/') {
        target = origin_form(target);
        if (target.empty()) {
            error = "the request target is neither a path nor an absolute URL";
            return std::nullopt;
        }
        // "http://host?x": the path is empty, which means "/".
        if (target[0] == '?') return parse_target(std::string("/") + std::string(target), error);
    }
    if (target.empty()) {
        error = "empty request target";
        return std::nullopt;
    }
    RequestTarget result;
    std::string_view raw_path = target;
    if (const size_t q = target.find('?'); q != std::string_view::npos) {
        raw_path = target.substr(0, q);
        result.query = std::string(target.substr(q + 1));
    }
    if (const size_t hash = result.query.find('#'); hash != std::string::npos)
        result.query.resize(hash);
    // Most paths are normal already: no escape, and no empty, "." or ".."
    // segment (a "/." may begin a name like ".well-known": the long way
    // tells).
    if (raw_path.find('%') == std::string_view::npos &&
        raw_path.find("//") == std::string_view::npos &&
        raw_path.find("/.") == std::string_view::npos) {
        result.path = std::string(raw_path);
        return result;
    }
    std::string decoded;
    if (!percent_decode(raw_path, decoded, error)) return std::nullopt;

    std::vector<std::string_view> segments;
    std::string_view rest = decoded;
    const bool trailing_slash = decoded.size() > 1 && decoded.back() == '/';
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment == "..") {
            if (segments.empty()) {
                error = "the path climbs above the root";
                return std::nullopt;
            }
            segments.pop_back();
            continue;
        }
        segments.push_back(segment);
    }
    result.path = "/";
    for (size_t i = 0; i < segments.size(); ++i) {
        if (i > 0) result.path += '/';
        result.path += segments[i];
    }
    if (trailing_slash && !segments.empty()) result.path += '/';
    return result;
}

std::string_view host_port(std::string_view host) {
    // After an IPv6 literal's "]", or the last colon of any other host.
    const size_t from = !host.empty() && host.front() == '[' ? host.find(']') : 0;
    if (from == std::string_view::npos) return {};
    const size_t colon = host.find(':', from);
    if (colon == std::string_view::npos || (from == 0 && host.find(':', colon + 1) != host.npos))
        return {};
    return host.substr(colon);
}

std::string host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        // An IPv6 literal: "[::1]:8080".
        const size_t close = host.find(']');
        host = host.substr(0, close == std::string_view::npos ? host.size() : close + 1);
    } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        host = host.substr(0, colon);
    }
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    std::string name(host);
    for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return name;
}

}  // namespace httpd
