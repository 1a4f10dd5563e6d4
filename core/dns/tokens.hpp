// The lexical level of RFC 1035 master files: tokens, quoted strings,
// comments, parentheses across lines, and the context records inherit.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"

namespace core::dns {

struct Token {
    std::string text;          // as written: quotes and backslash escapes kept for ldns
    bool blank_owner = false;  // the line began with blank space: the owner is the previous one
    int line = 0;
};

// What a record takes from those before it (RFC 1035 §5.1).
struct RecordContext {
    std::string origin;  // wire
    std::string previous_owner;
    std::optional<uint16_t> previous_class;
    std::optional<uint32_t> previous_ttl;
    std::optional<uint32_t> default_ttl;  // $TTL
};

// Splits master-file text into logical records (one line, or several
// joined by parentheses), each a list of tokens. Sets `error` and
// `error_line` on unbalanced parentheses, an unterminated string or a raw
// NUL octet.
bool tokenize(std::string_view text, std::vector<std::vector<Token>>& records, std::string& error,
              int& error_line);
// One record's text: no owner-less lines.
bool tokenize_line(std::string_view text, std::vector<Token>& tokens, std::string& error);
// One RDATA as a client or a database row gives it (the content of a
// record): the same tokens, but what would change its meaning in silence
// is refused rather than read as a master file would (a ';' comment, which
// would cut it; '(' ')' grouping and line breaks, which would join lines).
bool tokenize_rdata(std::string_view text, std::vector<Token>& tokens, std::string& error);

// "3600", "1h", "1d12h", "2w": seconds up to `max`, or nullopt.
std::optional<uint32_t> parse_duration(std::string_view text, uint32_t max);
// A TTL: a duration up to 2^31 - 1 (RFC 2181 §8).
inline std::optional<uint32_t> parse_ttl(std::string_view text) {
    return parse_duration(text, 0x7fffffff);
}

std::optional<Record> record_from_tokens(const std::vector<Token>& tokens, RecordContext& context,
                                         std::string& error);
// The rdata of `type` that `tokens` write, in wire form (see rdata_from_text).
std::optional<std::string> rdata_from_tokens(uint16_t type, std::span<const Token> tokens,
                                             std::string_view origin, std::string& error);

}  // namespace core::dns
