// Percent-decoding (RFC 3986 §2.1), once, for the three places that read
// escaped text: httpd's request paths, appsrv's API paths and queries, and
// the user and password of a database URL.
#pragma once

#include <string>
#include <string_view>

namespace core {

struct PercentDecoding {
    enum class Failure { none, malformed, refused };
    Failure failure = Failure::none;
    char refused = 0;  // with Failure::refused: the escaped byte refused
    std::string text;  // the decoded text when failure is none
    bool ok() const { return failure == Failure::none; }
};

constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes every %XX; an escape that is not two hex digits is malformed.
// A byte in `refuse_escaped` may not come from an escape (a path refuses
// "%00" and "%2F"). With `plus_is_space` (query strings), '+' is a space.
inline PercentDecoding percent_decode(std::string_view in, std::string_view refuse_escaped = {},
                                      bool plus_is_space = false) {
    PercentDecoding result;
    result.text.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+' && plus_is_space) {
            result.text.push_back(' ');
            continue;
        }
        if (in[i] != '%') {
            result.text.push_back(in[i]);
            continue;
        }
        const int high = i + 2 < in.size() ? hex_digit_value(in[i + 1]) : -1;
        const int low = i + 2 < in.size() ? hex_digit_value(in[i + 2]) : -1;
        if (high < 0 || low < 0) {
            result.failure = PercentDecoding::Failure::malformed;
            return result;
        }
        const char c = static_cast<char>(high * 16 + low);
        if (refuse_escaped.find(c) != std::string_view::npos) {
            result.failure = PercentDecoding::Failure::refused;
            result.refused = c;
            return result;
        }
        result.text.push_back(c);
        i += 2;
    }
    return result;
}

}  // namespace core
