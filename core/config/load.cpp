// Reads the TOML configuration file and checks it against the schemas.
#include "core/config/load.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "core/net/address.hpp"
#include "core/net/cidr.hpp"

namespace core::config {
namespace {

int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

// "10s" → 10000; "500ms", "2m", "1h", "1d"; a bare integer counts seconds.
bool parse_duration_ms(std::string_view text, int64_t& out) {
    int64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || number < 0) return false;
    const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    int64_t scale = 0;
    if (unit == "ms")
        scale = 1;
    else if (unit == "s" || unit.empty())
        scale = 1000;
    else if (unit == "m")
        scale = 60'000;
    else if (unit == "h")
        scale = 3'600'000;
    else if (unit == "d")
        scale = 86'400'000;
    else
        return false;
    if (number > std::numeric_limits<int64_t>::max() / scale) return false;
    out = number * scale;
    return true;
}

// "64k" → 65536; "1m", "1g"; a bare integer counts bytes.
bool parse_size(std::string_view text, int64_t& out) {
    int64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || number < 0) return false;
    std::string unit(end, static_cast<size_t>(text.data() + text.size() - end));
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    int64_t scale = 0;
    if (unit.empty() || unit == "b")
        scale = 1;
    else if (unit == "k")
        scale = int64_t{1} << 10;
    else if (unit == "m")
        scale = int64_t{1} << 20;
    else if (unit == "g")
        scale = int64_t{1} << 30;
    else
        return false;
    if (number > std::numeric_limits<int64_t>::max() / scale) return false;
    out = number * scale;
    return true;
}

std::string describe_limit(const Key& key, int64_t value) {
    if (key.type == Type::duration) return std::to_string(value) + "ms";
    if (key.type == Type::size) return std::to_string(value) + " bytes";
    return std::to_string(value);
}

Section check_table(const toml::table& table, const Schema& schema, const std::string& path,
                    const std::string& file);

Value convert(const Key& key, const toml::node& node, const std::string& path,
              const std::string& file) {
    const int line = line_of(node);
    const std::string where = path + "." + std::string(key.name);
    const auto fail = [&](const std::string& message) -> Error {
        return Error(file, line, where, message);
    };
    const auto check_range = [&](int64_t v) {
        if (v < key.min || v > key.max) {
            throw fail("must be between " + describe_limit(key, key.min) + " and " +
                       describe_limit(key, key.max));
        }
        return v;
    };
    switch (key.type) {
        case Type::string: {
            const auto* s = node.as_string();
            if (!s) throw fail("expected a string");
            const std::string& text = s->get();
            if (!key.choices.empty()) {
                std::string_view choices = key.choices;
                bool found = false;
                while (!choices.empty()) {
                    const auto bar = choices.find('|');
                    if (choices.substr(0, bar) == text) found = true;
                    choices = bar == std::string_view::npos ? std::string_view{}
                                                            : choices.substr(bar + 1);
                }
                if (!found) throw fail("must be one of " + std::string(key.choices));
            }
            return text;
        }
        case Type::integer: {
            const auto* i = node.as_integer();
            if (!i) throw fail("expected an integer");
            return check_range(i->get());
        }
        case Type::boolean: {
            const auto* b = node.as_boolean();
            if (!b) throw fail("expected true or false");
            return b->get();
        }
        case Type::duration:
        case Type::size: {
            const bool is_duration = key.type == Type::duration;
            int64_t v = 0;
            if (const auto* i = node.as_integer()) {
                if (i->get() < 0) throw fail("must not be negative");
                v = i->get() * (is_duration ? 1000 : 1);
            } else if (const auto* s = node.as_string()) {
                if (!(is_duration ? parse_duration_ms(s->get(), v) : parse_size(s->get(), v))) {
                    throw fail(
                        is_duration
                            ? "expected a duration such as \"500ms\", \"10s\", \"2m\" or \"1h\""
                            : "expected a size such as \"512\", \"64k\", \"1m\" or \"1g\"");
                }
            } else {
                throw fail(is_duration ? "expected a duration" : "expected a size");
            }
            return check_range(v);
        }
        case Type::string_list:
        case Type::ip_address_list:
        case Type::address_list:
        case Type::cidr_list: {
            const auto* array = node.as_array();
            if (!array) throw fail("expected a list of strings");
            std::vector<std::string> items;
            for (const auto& item : *array) {
                const auto* s = item.as_string();
                if (!s) throw Error(file, line_of(item), where, "expected a list of strings");
                const std::string problem = list_item_error(key, s->get());
                if (!problem.empty())
                    throw Error(file, line_of(item), where, s->get() + ": " + problem);
                items.push_back(s->get());
            }
            check_range(static_cast<int64_t>(items.size()));
            return items;
        }
        case Type::table_list: {
            const auto* array = node.as_array();
            if (!array) throw fail("expected [[" + where + "]] tables");
            std::vector<Section> items;
            for (size_t i = 0; i < array->size(); ++i) {
                const auto* table = array->get(i)->as_table();
                if (!table)
                    throw Error(file, line_of(*array->get(i)), where,
                                "expected [[" + where + "]] tables");
                items.push_back(check_table(*table, *key.children,
                                            where + "[" + std::to_string(i + 1) + "]", file));
            }
            return items;
        }
    }
    throw fail("unsupported type");
}

Section check_table(const toml::table& table, const Schema& schema, const std::string& path,
                    const std::string& file) {
    Section section(&schema, path);
    for (const auto& [name, node] : table) {
        const Key* key = schema.find(name.str());
        if (!key) {
            throw Error(file, static_cast<int>(name.source().begin.line),
                        path + "." + std::string(name.str()), "unknown key");
        }
        section.set(key->name, convert(*key, node, path, file), Origin{file, line_of(node)});
    }
    for (const auto& key : schema.keys) {
        if (section.has(key.name)) continue;
        if (key.required) {
            throw Error(file, line_of(table), path + "." + std::string(key.name),
                        "required key is missing");
        }
        if (!key.default_value.empty())
            section.set(key.name, parse_value(key, key.default_value, path));
    }
    return section;
}

Section defaults_of(const Schema& schema) {
    Section section(&schema, std::string(schema.name));
    for (const auto& key : schema.keys) {
        if (!key.default_value.empty())
            section.set(key.name, parse_value(key, key.default_value, section.path()));
    }
    return section;
}

}  // namespace

Error::Error(std::string file, int line, std::string key, std::string message)
    : std::runtime_error((file.empty() ? std::string() : file + ":" + std::to_string(line) + ": ") +
                         key + ": " + message),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      message_(std::move(message)) {}

const Section& Config::section(std::string_view name) const {
    for (const auto& s : sections_) {
        if (s.path() == name) return s;
    }
    throw std::logic_error("config section '" + std::string(name) + "' was not loaded");
}

Section& Config::section(std::string_view name) {
    return const_cast<Section&>(static_cast<const Config&>(*this).section(name));
}

std::string list_item_error(const Key& key, std::string_view item) {
    std::string error;
    switch (key.type) {
        case Type::ip_address_list:
        case Type::address_list: {
            const auto address = net::parse_address(item, error);
            if (address && key.type == Type::ip_address_list &&
                address->kind != net::Address::Kind::ip)
                return "an IP:PORT or [IPv6]:PORT address is needed here";
            return address ? std::string() : error;
        }
        case Type::cidr_list:
            return net::Cidr::parse(item, error) ? std::string() : error;
        default:
            return {};
    }
}

Value parse_value(const Key& key, std::string_view toml_text, const std::string& path) {
    toml::table holder;
    try {
        holder = toml::parse("value = " + std::string(toml_text));
    } catch (const toml::parse_error& e) {
        throw Error(
            "", 0, path + "." + std::string(key.name),
            "cannot parse '" + std::string(toml_text) + "': " + std::string(e.description()));
    }
    return convert(key, *holder.get("value"), path, "");
}

Config load_text(std::string_view text, const std::string& file,
                 std::span<const Schema* const> schemas) {
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        throw Error(file, static_cast<int>(e.source().begin.line), "syntax",
                    std::string(e.description()));
    }
    for (const auto& [name, node] : root) {
        const bool known = std::find(std::begin(kSections), std::end(kSections), name.str()) !=
                           std::end(kSections);
        if (!known) {
            throw Error(file, static_cast<int>(name.source().begin.line), std::string(name.str()),
                        "unknown section (expected dnsd, httpd, appsrv or db)");
        }
        if (!node.is_table()) {
            throw Error(file, line_of(node), std::string(name.str()),
                        "expected a [" + std::string(name.str()) + "] table");
        }
    }
    Config config;
    config.file_ = file;
    for (const Schema* schema : schemas) {
        const auto* table = root.get_as<toml::table>(schema->name);
        config.sections_.push_back(
            table ? check_table(*table, *schema, std::string(schema->name), file)
                  : defaults_of(*schema));
    }
    return config;
}

Config load_file(const std::string& path, std::span<const Schema* const> schemas) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, 0, "file", "cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    return load_text(text.str(), path, schemas);
}

Config defaults(std::span<const Schema* const> schemas) {
    Config config;
    for (const Schema* schema : schemas)
        config.sections_.push_back(defaults_of(*schema));
    return config;
}

std::vector<std::string> changed_fixed_keys(const Section& before, const Section& after) {
    std::vector<std::string> changed;
    if (!before.schema()) return changed;
    for (const auto& key : before.schema()->keys) {
        if (key.reloadable) continue;
        const bool had = before.has(key.name);
        const bool has = after.has(key.name);
        if (had != has || (had && before.value(key.name) != after.value(key.name))) {
            changed.push_back(before.path() + "." + std::string(key.name));
        }
    }
    return changed;
}

}  // namespace core::config
