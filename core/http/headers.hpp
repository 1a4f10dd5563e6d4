// HTTP header fields: ordered, case-insensitive names, duplicates kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core::http {

// Inline: a proxy compares every field name it passes with a dozen
// names, and most comparisons end at the length.
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const char x = a[i], y = b[i];
        if (x == y) continue;
        const auto lower = [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        };
        if (lower(x) != lower(y)) return false;
    }
    return true;
}

// Calls `item` with each element of a comma-separated list value (e.g.
// Connection: keep-alive, Upgrade), blanks around it trimmed and empty
// elements skipped (RFC 9110 §5.6.1).
template <typename Item>
void for_each_list_item(std::string_view list, Item&& item) {
    while (!list.empty()) {
        const size_t comma = list.find(',');
        std::string_view element = list.substr(0, comma);
        while (!element.empty() && (element.front() == ' ' || element.front() == '\t'))
            element.remove_prefix(1);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t'))
            element.remove_suffix(1);
        if (!element.empty()) item(element);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

// Is `token` present in a comma-separated list value, compared
// case-insensitively?
bool list_contains(std::string_view list, std::string_view token);

class Headers {
  public:
    using Field = std::pair<std::string, std::string>;

    // An empty field, for a parser that fills it in place.
    Field& add_empty() { return fields_.emplace_back(); }
    void add(std::string name, std::string value) {
        fields_.emplace_back(std::move(name), std::move(value));
    }
    // Replaces every field of that name with one.
    void set(std::string_view name, std::string value);
    // Removes every field of that name; returns how many there were.
    size_t remove(std::string_view name);
    // Keeps the fields `keep` says yes to, in order, in one pass: `keep`
    // sees each field once, in order, before any later one has moved.
    template <typename Keep>
    void retain(Keep&& keep) {
        size_t kept = 0;
        for (size_t i = 0; i < fields_.size(); ++i) {
            if (!keep(std::as_const(fields_[i]))) continue;
            if (kept != i) fields_[kept] = std::move(fields_[i]);
            ++kept;
        }
        fields_.resize(kept);
    }

    bool has(std::string_view name) const { return find(name) != nullptr; }
    // The first field of that name, or nullptr.
    const std::string* find(std::string_view name) const;
    std::optional<std::string_view> get(std::string_view name) const;
    size_t count(std::string_view name) const;

    const std::vector<Field>& fields() const { return fields_; }
    void reserve(size_t fields) { fields_.reserve(fields); }
    // The field added last, for a parser that receives a field in pieces.
    Field& last() { return fields_.back(); }
    size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    auto begin() const { return fields_.begin(); }
    auto end() const { return fields_.end(); }

  private:
    std::vector<Field> fields_;
};

}  // namespace core::http
