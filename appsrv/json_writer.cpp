// JSON written straight into a string.
#include "appsrv/json_writer.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace appsrv {

namespace {

bool needs_escaping(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') return true;
    }
    return false;
}

}  // namespace

void JsonWriter::next_item() {
    if (after_item_) out_ += ',';
    after_item_ = true;
}

JsonWriter& JsonWriter::open(char bracket) {
    next_item();
    out_ += bracket;
    after_item_ = false;
    return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
    out_ += bracket;
    after_item_ = true;
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    next_item();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    // The value that follows is part of this member, not a new item.
    after_item_ = false;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    next_item();
    if (needs_escaping(text)) {
        // Text from a client (an error quoting its bytes) may not be
        // UTF-8: such bytes become U+FFFD rather than an exception.
        out_ += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return *this;
    }
    out_ += '"';
    out_ += text;
    out_ += '"';
    return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
    next_item();
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, number);
    out_.append(digits, result.ptr);
    return *this;
}

JsonWriter& JsonWriter::null() {
    next_item();
    out_ += "null";
    return *this;
}

JsonWriter& JsonWriter::boolean(bool truth) {
    next_item();
    out_ += truth ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::json_text(std::string_view text) {
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded()) return value(text);
    next_item();
    out_ += parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return *this;
}

std::string JsonWriter::take() && {
    out_ += '\n';
    return std::move(out_);
}

}  // namespace appsrv
