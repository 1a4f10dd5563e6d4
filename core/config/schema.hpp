// Configuration keys described once, as data: parsing, --check and the
// README's reference all read these tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

namespace core::config {

enum class Type {
    string,
    integer,
    boolean,
    duration,         // "10s", "500ms", "2m", "1h", or an integer of seconds; kept in ms
    size,             // "64k", "1m", "1g", or an integer of bytes
    string_list,      // ["a", "b"]
    ip_address_list,  // ["127.0.0.1:53", "[::1]:53"]
    address_list,     // the same, or "unix:/path"
    cidr_list,        // ["127.0.0.0/8", "::1"]: allow lists
    table_list,       // [[section.key]] blocks, each checked against `children`
};

std::string_view type_name(Type type);

// The types kept as a list of strings.
constexpr bool is_list(Type type) {
    return type == Type::string_list || type == Type::ip_address_list ||
           type == Type::address_list || type == Type::cidr_list;
}

struct Schema;

struct Key {
    std::string_view name;
    Type type;
    // The default as a TOML value ("4", "\"10s\"", "[\"127.0.0.1:5300\"]"),
    // or empty when the key has no default (optional, or required).
    std::string_view default_value;
    std::string_view help;
    bool reloadable = false;
    bool required = false;
    // Limits for integer (the value), duration (milliseconds) and size (bytes).
    int64_t min = std::numeric_limits<int64_t>::min();
    int64_t max = std::numeric_limits<int64_t>::max();
    // For string: the only values allowed, separated by '|' ("" = any).
    std::string_view choices = {};
    const Schema* children = nullptr;  // for table_list
};

struct Schema {
    std::string_view name;  // the TOML table, e.g. "dnsd" or "dnsd.zone"
    std::string_view help;
    std::span<const Key> keys;

    const Key* find(std::string_view key) const {
        for (const auto& k : keys) {
            if (k.name == key) return &k;
        }
        return nullptr;
    }
};

// Several key tables as one, in order: a daemon's own keys around the
// tables it shares with others (common_keys.hpp, http/limits_config.hpp).
template <size_t... Sizes>
constexpr std::array<Key, (Sizes + ...)> join_keys(const Key (&... parts)[Sizes]) {
    std::array<Key, (Sizes + ...)> all{};
    size_t at = 0;
    (
        [&] {
            for (const Key& key : parts)
                all[at++] = key;
        }(),
        ...);
    return all;
}

}  // namespace core::config
