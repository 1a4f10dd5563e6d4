// The validators of a static response and the request fields that test them.
#include "httpd/conditional.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace httpd {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::string_view opaque_tag(std::string_view tag) {
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
}

bool parse_uint(std::string_view s, uint64_t& out) {
    if (s.empty()) return false;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

std::string make_etag(uint64_t size, int64_t mtime_ns, uint64_t inode) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "\"%llx-%llx-%llx\"",
                  static_cast<unsigned long long>(mtime_ns), static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(inode));
    return buffer;
}

bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
    if (trim(if_none_match) == "*") return true;
    while (!if_none_match.empty()) {
        const size_t comma = if_none_match.find(',');
        const std::string_view tag = trim(if_none_match.substr(0, comma));
        if (!tag.empty() && opaque_tag(tag) == opaque_tag(etag)) return true;
        if (comma == std::string_view::npos) break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

bool match_hits(std::string_view if_match, std::string_view etag) {
    if (trim(if_match) == "*") return true;
    if (etag.substr(0, 2) == "W/") return false;
    while (!if_match.empty()) {
        const size_t comma = if_match.find(',');
        const std::string_view tag = trim(if_match.substr(0, comma));
        if (!tag.empty() && tag.substr(0, 2) != "W/" && tag == etag) return true;
        if (comma == std::string_view::npos) break;
        if_match.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
    const std::string s(trim(text));
    // IMF-fixdate, then the obsolete RFC 850 and asctime forms.
    for (const char* format :
         {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
        std::tm tm{};
        const char* end = strptime(s.c_str(), format, &tm);
        if (end && *end == '\0') return static_cast<int64_t>(timegm(&tm));
    }
    return std::nullopt;
}

RangeOutcome evaluate_range(std::string_view range, uint64_t size, ByteRange& out) {
    range = trim(range);
    constexpr std::string_view kUnit = "bytes=";
    if (range.size() < kUnit.size()) return RangeOutcome::whole;
    for (size_t i = 0; i < kUnit.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(range[i])) != kUnit[i])
            return RangeOutcome::whole;
    }
    const std::string_view spec = trim(range.substr(kUnit.size()));
    if (spec.find(',') != std::string_view::npos) return RangeOutcome::whole;
    const size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return RangeOutcome::whole;
    const std::string_view first_text = trim(spec.substr(0, dash));
    const std::string_view last_text = trim(spec.substr(dash + 1));
    uint64_t first = 0;
    uint64_t last = 0;
    if (first_text.empty()) {
        // A suffix: the last N bytes.
        uint64_t suffix = 0;
        if (!parse_uint(last_text, suffix)) return RangeOutcome::whole;
        if (suffix == 0 || size == 0) return RangeOutcome::unsatisfiable;
        out = {size - std::min(suffix, size), size - 1};
        return RangeOutcome::partial;
    }
    if (!parse_uint(first_text, first)) return RangeOutcome::whole;
    if (last_text.empty()) {
        last = size == 0 ? 0 : size - 1;
    } else {
        if (!parse_uint(last_text, last)) return RangeOutcome::whole;
        if (last < first) return RangeOutcome::whole;  // invalid: ignored (§14.1.1)
        if (size > 0) last = std::min(last, size - 1);
    }
    if (first >= size) return RangeOutcome::unsatisfiable;
    out = {first, last};
    return RangeOutcome::partial;
}

}  // namespace httpd
