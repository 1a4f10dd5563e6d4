// HTTP header fields: ordered, case-insensitive names, duplicates kept.
#include "core/http/headers.hpp"

#include <algorithm>

namespace core::http {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

bool list_contains(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

void Headers::set(std::string_view name, std::string value) {
    remove(name);
    add(std::string(name), std::move(value));
}

size_t Headers::remove(std::string_view name) {
    const auto before = fields_.size();
    std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
    return before - fields_.size();
}

const std::string* Headers::find(std::string_view name) const {
    for (const auto& field : fields_) {
        if (iequals(field.first, name)) return &field.second;
    }
    return nullptr;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    const auto* value = find(name);
    if (!value) return std::nullopt;
    return std::string_view(*value);
}

size_t Headers::count(std::string_view name) const {
    return static_cast<size_t>(std::count_if(
        fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.first, name); }));
}

}  // namespace core::http
