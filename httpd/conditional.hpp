// The validators of a static response and the request fields that test
// them (RFC 9110 §8.8, §13, §14): ETag, If-Match, If-Unmodified-Since,
// If-None-Match, If-Modified-Since, If-Range and Range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpd {

// A strong entity tag from what identifies a file's content version.
std::string make_etag(uint64_t size, int64_t mtime_ns, uint64_t inode);

// If-None-Match: "*" or a list of tags, compared weakly (§13.1.2).
bool none_match_hits(std::string_view if_none_match, std::string_view etag);
// If-Match: "*" or a list of tags, compared strongly (§13.1.1): a weak tag
// never matches.
bool match_hits(std::string_view if_match, std::string_view etag);

// An HTTP-date in any of the three forms of RFC 9110 §5.6.7; seconds since
// the epoch, or nullopt when it is not a date.
std::optional<int64_t> parse_http_date(std::string_view text);

struct ByteRange {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive
    uint64_t length() const { return last - first + 1; }
};

enum class RangeOutcome {
    whole,          // no Range, or one to ignore (another unit, several ranges, malformed)
    partial,        // one satisfiable range: 206
    unsatisfiable,  // 416
};

// Evaluates a Range field against a representation of `size` bytes. Only
// a single byte range is served partially; a list of several is answered
// whole, which RFC 9110 §14.2 allows.
RangeOutcome evaluate_range(std::string_view range, uint64_t size, ByteRange& out);

}  // namespace httpd
