// The configuration reference in Markdown, rendered from the schemas.
#include "core/config/reference.hpp"

#include <limits>

namespace core::config {
namespace {

std::string limit_text(const Key& key, int64_t value) {
    if (key.type == Type::duration) {
        if (value % 1000 == 0) return std::to_string(value / 1000) + "s";
        return std::to_string(value) + "ms";
    }
    if (key.type == Type::size) {
        if (value >= (1 << 30) && value % (1 << 30) == 0) return std::to_string(value >> 30) + "g";
        if (value >= (1 << 20) && value % (1 << 20) == 0) return std::to_string(value >> 20) + "m";
        if (value >= (1 << 10) && value % (1 << 10) == 0) return std::to_string(value >> 10) + "k";
    }
    return std::to_string(value);
}

std::string limits(const Key& key) {
    if (!key.choices.empty()) {
        std::string text(key.choices);
        for (auto& c : text) {
            if (c == '|') c = ',';
        }
        return "one of " + text;
    }
    constexpr auto lowest = std::numeric_limits<int64_t>::min();
    constexpr auto highest = std::numeric_limits<int64_t>::max();
    if (key.min == lowest && key.max == highest) return "";
    const std::string what = is_list(key.type) ? " items" : "";
    if (key.max == highest) return "≥ " + limit_text(key, key.min) + what;
    if (key.min == lowest) return "≤ " + limit_text(key, key.max) + what;
    return limit_text(key, key.min) + "–" + limit_text(key, key.max) + what;
}

void render(const Schema& schema, std::string& out, std::string_view heading) {
    // A nested schema is written as an array of tables: [[dnsd.zone]].
    const bool nested = heading.size() > 3;
    out += std::string(heading) + (nested ? " `[[" : " `[") + std::string(schema.name) +
           (nested ? "]]`\n\n" : "]`\n\n");
    if (!schema.help.empty()) out += std::string(schema.help) + "\n\n";
    out += "| key | type | default | limits | reload | meaning |\n";
    out += "|---|---|---|---|---|---|\n";
    for (const auto& key : schema.keys) {
        std::string default_text = key.required ? "required" : std::string(key.default_value);
        if (default_text.empty())
            default_text = "—";
        else if (!key.required)
            default_text = "`" + default_text + "`";
        out += "| `" + std::string(key.name) + "` | " + std::string(type_name(key.type)) + " | " +
               default_text + " | " + limits(key) + " | " + (key.reloadable ? "yes" : "no") +
               " | " + std::string(key.help) + " |\n";
    }
    out += "\n";
    for (const auto& key : schema.keys) {
        if (key.children) render(*key.children, out, "####");
    }
}

}  // namespace

std::string render_reference(std::span<const Schema* const> schemas) {
    std::string out;
    for (const Schema* schema : schemas)
        render(*schema, out, "###");
    return out;
}

}  // namespace core::config
