// The lexical level of RFC 1035 master files: tokens, quoted strings,
// comments, parentheses across lines, and the context records inherit.
#pragma once

#include <cstdint>
#include <optional>
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
// `error_line` on unbalanced parentheses or an unterminated string.
bool tokenize(std::string_view text, std::vector<std::vector<Token>>& records, std::string& error,
              int& error_line);
// One record's text, as given to the API: no owner-less lines.
bool tokenize_line(std::string_view text, std::vector<Token>& tokens, std::string& error);

// "3600", "1h", "1d12h", "2w": seconds, or nullopt.
std::optional<uint32_t> parse_ttl(std::string_view text);

std::optional<Record> record_from_tokens(const std::vector<Token>& tokens, RecordContext& context,
                                         std::string& error);

}  // namespace core::dns
