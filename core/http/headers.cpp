// HTTP header fields: ordered, case-insensitive names, duplicates kept.
#include "core/http/headers.hpp"

#include <algorithm>

namespace core::http {
bool list_contains(std::string_view list, std::string_view token) {
    bool found = false;
    for_each_list_item(list, [&](std::string_view item) { found = found || iequals(item, token); });
    return found;
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
