// The path of a request target as httpd routes it and maps it to files:
// percent-decoded and normalised exactly once, so that no later step can
// be fooled by a second decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace httpd {

struct RequestTarget {
    std::string path;   // decoded and normalised, always starting with '/'
    std::string query;  // raw, without the '?'
};

// Splits an origin-form target ("/a/b?x=1") or an absolute-form one
// ("http://host/a/b?x=1") and normalises its path: percent-decoded, "."
// and empty segments dropped, ".." resolved. Refuses (nullopt, `error`
// set) an encoded NUL or slash, a malformed escape, and any ".." that
// would climb above "/".
std::optional<RequestTarget> parse_target(std::string_view target, std::string& error);

// The path and query of a target as sent: an origin-form target itself,
// the rest after the authority of an absolute-form one ("/" when none),
// empty when it is neither.
std::string_view origin_form(std::string_view target);

// The authority of an absolute-form target ("http://host:8080/x" →
// "host:8080"), or empty.
std::string_view target_authority(std::string_view target);

// A Host value as servers are named: lower case, without port or final dot.
std::string host_name(std::string_view host);

// The port of a Host value with its colon (":8443"), or "" when it has none.
std::string_view host_port(std::string_view host);

}  // namespace httpd
