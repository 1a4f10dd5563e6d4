// The lexical level of RFC 1035 master files: tokens, quoted strings,
// comments, parentheses across lines, and the context records inherit.
#include "core/dns/tokens.hpp"

#include <cctype>

namespace core::dns {

bool tokenize(std::string_view text, std::vector<std::vector<Token>>& records, std::string& error,
              int& error_line) {
    std::vector<Token> current;
    int line = 1;
    int depth = 0;
    int open_line = 0;
    bool at_line_start = true;
    size_t i = 0;
    const auto flush = [&] {
        if (!current.empty()) records.push_back(std::move(current));
        current.clear();
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            ++i;
            if (depth == 0) {
                flush();
                at_line_start = true;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            if (at_line_start && depth == 0 && current.empty()) {
                // Leading blank: this record repeats the previous owner.
                size_t j = i;
                while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
                    ++j;
                if (j < text.size() && text[j] != '\n' && text[j] != ';') {
                    Token marker;
                    marker.blank_owner = true;
                    marker.line = line;
                    current.push_back(marker);
                }
            }
            at_line_start = false;
            ++i;
            continue;
        }
        at_line_start = false;
        if (c == ';') {
            while (i < text.size() && text[i] != '\n')
                ++i;
            continue;
        }
        if (c == '(') {
            if (depth++ == 0) open_line = line;
            ++i;
            continue;
        }
        if (c == ')') {
            if (depth == 0) {
                error = "')' without '('";
                error_line = line;
                return false;
            }
            --depth;
            ++i;
            continue;
        }
        Token token;
        token.line = line;
        if (c == '"') {
            size_t j = i + 1;
            while (j < text.size() && text[j] != '"') {
                if (text[j] == '\\' && j + 1 < text.size()) ++j;
                if (text[j] == '\n') ++line;
                ++j;
            }
            if (j >= text.size()) {
                error = "unterminated quoted string";
                error_line = token.line;
                return false;
            }
            token.text = std::string(text.substr(i, j + 1 - i));
            i = j + 1;
        } else {
            size_t j = i;
            while (j < text.size()) {
                const char d = text[j];
                if (d == '\\' && j + 1 < text.size()) {
                    j += 2;
                    continue;
                }
                if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == ';' || d == '(' ||
                    d == ')' || d == '"') {
                    break;
                }
                ++j;
            }
            token.text = std::string(text.substr(i, j - i));
            i = j;
        }
        // The blank-owner marker holds no text: fold it into the first token.
        if (current.size() == 1 && current[0].blank_owner && current[0].text.empty()) {
            current[0].text = std::move(token.text);
            current[0].line = token.line;
        } else {
            current.push_back(std::move(token));
        }
    }
    if (depth != 0) {
        error = "'(' without ')'";
        error_line = open_line;
        return false;
    }
    flush();
    return true;
}

bool tokenize_line(std::string_view text, std::vector<Token>& tokens, std::string& error) {
    std::vector<std::vector<Token>> records;
    int line = 0;
    if (!tokenize(text, records, error, line)) return false;
    if (records.size() != 1) {
        error = records.empty() ? "empty record" : "one record expected";
        return false;
    }
    tokens = std::move(records[0]);
    if (!tokens.empty() && tokens[0].blank_owner) {
        error = "the record needs an owner name";
        return false;
    }
    return true;
}

std::optional<uint32_t> parse_ttl(std::string_view text) {
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    uint64_t total = 0;
    uint64_t number = 0;
    bool digits = false;
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            number = number * 10 + static_cast<uint64_t>(c - '0');
            digits = true;
            if (number > 0xffffffffULL) return std::nullopt;
            continue;
        }
        if (!digits) return std::nullopt;
        uint64_t unit = 0;
        switch (std::tolower(static_cast<unsigned char>(c))) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            case 'w':
                unit = 604800;
                break;
            default:
                return std::nullopt;
        }
        total += number * unit;
        number = 0;
        digits = false;
    }
    total += number;
    // RFC 2181 §8: a TTL is at most 2^31 - 1.
    if (total > 0x7fffffffULL) return std::nullopt;
    return static_cast<uint32_t>(total);
}

}  // namespace core::dns
