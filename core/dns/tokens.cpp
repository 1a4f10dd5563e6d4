// The lexical level of RFC 1035 master files: tokens, quoted strings,
// comments, parentheses across lines, and the context records inherit.
#include "core/dns/tokens.hpp"

#include <algorithm>
#include <cctype>

namespace core::dns {

namespace {

enum class Mode { master_file, rdata };

bool split(std::string_view text, Mode mode, std::vector<std::vector<Token>>& records,
           std::string& error, int& error_line) {
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
    const auto refuse = [&](const std::string& message) {
        error = message;
        error_line = line;
        return false;
    };
    // ldns reads C strings: a NUL would end the text there, unsaid.
    if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
        line += static_cast<int>(std::count(text.begin(), text.begin() + nul, '\n'));
        return refuse("a raw NUL octet; write it \\000");
    }
    while (i < text.size()) {
        const char c = text[i];
        if (mode == Mode::rdata && (c == '\n' || c == '\r' || c == ';' || c == '(' || c == ')')) {
            if (c == ';')
                return refuse(
                    "';' would begin a comment and cut the rest: quote the text or "
                    "write \\;");
            if (c == '(' || c == ')')
                return refuse(std::string("'") + c +
                              "' would group lines as in a zone file: quote the text or write \\" +
                              c);
            return refuse("a line break: the content is one line");
        }
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
            if (mode == Mode::master_file && at_line_start && depth == 0 && current.empty()) {
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

}  // namespace

bool tokenize(std::string_view text, std::vector<std::vector<Token>>& records, std::string& error,
              int& error_line) {
    return split(text, Mode::master_file, records, error, error_line);
}

bool tokenize_rdata(std::string_view text, std::vector<Token>& tokens, std::string& error) {
    std::vector<std::vector<Token>> records;
    int line = 0;
    if (!split(text, Mode::rdata, records, error, line)) return false;
    tokens = records.empty() ? std::vector<Token>{} : std::move(records[0]);
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

std::optional<uint32_t> parse_duration(std::string_view text, uint32_t max) {
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    uint64_t total = 0;
    uint64_t number = 0;
    bool digits = false;
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c))) {
            number = number * 10 + static_cast<uint64_t>(c - '0');
            digits = true;
            if (number > max) return std::nullopt;
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
        if (total > max) return std::nullopt;
        number = 0;
        digits = false;
    }
    total += number;
    if (total > max) return std::nullopt;
    return static_cast<uint32_t>(total);
}

}  // namespace core::dns
