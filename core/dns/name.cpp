// Domain names in uncompressed wire format, lowercased: the form every
// lookup in webstack compares.
#include "core/dns/name.hpp"

#include <algorithm>

#include "core/dns/ldns_ptr.hpp"

namespace core::dns {

namespace {

// Characters that stand for themselves in a master file's name: those of
// the names people use. A name made only of them is read here; anything
// else (escapes, '@', spaces, bytes outside ASCII) is left to ldns, which
// read every name before and was the larger part of a record read's cost.
bool is_plain(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           (c >= 'A' && c <= 'Z') || c == '*';
}

char lowercase(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// One octet of a label as RFC 1035 §5.1 master files take it back: the
// characters that mean something to a master-file reader ('.' ends a
// label, ';' a comment, '(' ')' group lines, '"' quotes, '\\' escapes,
// '@' alone is the origin, '$' begins a directive) as \X; what is not
// printable ASCII (spaces, controls, bytes above 127) as \DDD.
void append_escaped(std::string& text, char c) {
    const auto octet = static_cast<unsigned char>(c);
    if (octet <= 0x20 || octet >= 0x7f) {
        text += '\\';
        text += static_cast<char>('0' + octet / 100);
        text += static_cast<char>('0' + octet / 10 % 10);
        text += static_cast<char>('0' + octet % 10);
        return;
    }
    switch (c) {
        case '.':
        case ';':
        case '(':
        case ')':
        case '"':
        case '\\':
        case '@':
        case '$':
            text += '\\';
            break;
        default:
            break;
    }
    text += c;
}

// "www.Foobar.com." or "www" → "\3www\6foobar\3com\0" or "\3www\0",
// lowercased; nullopt when the text is not plain labels of 1 to 63
// characters in at most 255 octets (ldns then decides).
std::optional<std::string> plain_name_from_text(std::string_view text) {
    std::string wire;
    wire.reserve(text.size() + 2);
    size_t length_at = 0;  // where the current label's length octet goes
    wire += '\0';
    for (const char c : text) {
        if (c == '.') {
            const size_t length = wire.size() - length_at - 1;
            if (length == 0 || length > 63) return std::nullopt;
            wire[length_at] = static_cast<char>(length);
            length_at = wire.size();
            wire += '\0';
        } else if (is_plain(c)) {
            wire += lowercase(c);
        } else {
            return std::nullopt;
        }
    }
    const size_t last = wire.size() - length_at - 1;
    if (last > 63) return std::nullopt;
    if (last > 0) {  // no final dot: the last label still needs the root
        wire[length_at] = static_cast<char>(last);
        wire += '\0';
    }
    if (wire.size() > 255 || wire.size() == 1) return std::nullopt;
    return wire;
}

std::optional<std::string> ldns_name_from_text(std::string_view text) {
    RdfPtr name(ldns_dname_new_frm_str(std::string(text).c_str()));
    if (!name) return std::nullopt;
    return lowercase_name(std::string_view(reinterpret_cast<const char*>(ldns_rdf_data(name.get())),
                                           ldns_rdf_size(name.get())));
}

}  // namespace

std::optional<std::string> name_from_text(std::string_view text, std::string_view origin,
                                          std::string& error) {
    // ldns reads a C string: a NUL would end the name there, unsaid.
    if (text.find('\0') != std::string_view::npos) {
        error = "a name cannot hold a raw NUL octet; write it \\000";
        return std::nullopt;
    }
    if (text == "@") {
        if (origin.empty()) {
            error = "'@' needs an origin";
            return std::nullopt;
        }
        return std::string(origin);
    }
    const bool absolute =
        !text.empty() && text.back() == '.' && !(text.size() >= 2 && text[text.size() - 2] == '\\');
    auto parsed = plain_name_from_text(text);
    if (!parsed && !text.empty()) parsed = ldns_name_from_text(text);
    if (!parsed) {
        error = "'" + std::string(text) + "' is not a valid domain name";
        return std::nullopt;
    }
    std::string wire = std::move(*parsed);
    if (!absolute && text != ".") {
        if (origin.empty()) {
            error = "relative name '" + std::string(text) + "' without an origin";
            return std::nullopt;
        }
        // ldns made it absolute under the root: replace that root with the origin.
        wire.pop_back();
        wire += origin;
        if (wire.size() > 255) {
            error = "'" + std::string(text) + "' is longer than 255 octets under its origin";
            return std::nullopt;
        }
    }
    return wire;
}

std::optional<std::string> name_from_text(std::string_view text, std::string& error) {
    return name_from_text(text, {}, error);
}

std::string name_to_text(std::string_view wire) {
    std::string text;
    text.reserve(wire.size() + 1);
    size_t at = 0;
    while (at < wire.size() && wire[at] != 0) {
        const size_t length = static_cast<unsigned char>(wire[at]);
        const std::string_view label = wire.substr(at + 1, length);
        for (const char c : label)
            append_escaped(text, c);
        text += '.';
        at += length + 1;
    }
    return text.empty() ? "." : text;
}

std::string lowercase_name(std::string_view wire) {
    std::string out(wire);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

size_t label_count(std::string_view wire) {
    size_t count = 0;
    size_t i = 0;
    while (i < wire.size() && wire[i] != 0) {
        ++count;
        i += static_cast<unsigned char>(wire[i]) + 1;
    }
    return count;
}

std::string_view parent_of(std::string_view wire) {
    if (wire.empty() || wire[0] == 0) return wire;
    return wire.substr(static_cast<unsigned char>(wire[0]) + 1);
}

bool is_at_or_below(std::string_view name, std::string_view ancestor) {
    // Walk name's label boundaries: a plain suffix match could split a label.
    std::string_view current = name;
    while (current.size() >= ancestor.size()) {
        if (current == ancestor) return true;
        if (current.empty() || current[0] == 0) return false;
        current = parent_of(current);
    }
    return false;
}

}  // namespace core::dns
