// The checked values of one configuration table, read through typed getters.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config/schema.hpp"
#include "core/net/address.hpp"
#include "core/net/cidr.hpp"

namespace core::config {

class Section;

using Value =
    std::variant<std::string, int64_t, bool, std::vector<std::string>, std::vector<Section>>;

// Where a value came from, for messages that point back into the file.
struct Origin {
    std::string file;  // empty for a default or a command-line override
    int line = 0;
    std::string describe() const;
};

// A value is always present for keys with a default; a getter on a missing
// key or of the wrong type is a programming error (std::logic_error), since
// loading has already checked the file against the schema.
class Section {
  public:
    Section() = default;
    explicit Section(const Schema* schema, std::string path)
        : schema_(schema), path_(std::move(path)) {}

    const Schema* schema() const { return schema_; }
    // "dnsd", or "httpd.server[2]" for an element of a table list.
    const std::string& path() const { return path_; }

    bool has(std::string_view key) const { return values_.count(std::string(key)) != 0; }
    const std::string& string(std::string_view key) const { return get<std::string>(key); }
    int64_t integer(std::string_view key) const { return get<int64_t>(key); }
    bool boolean(std::string_view key) const { return get<bool>(key); }
    int64_t duration_ms(std::string_view key) const { return get<int64_t>(key); }
    int64_t size(std::string_view key) const { return get<int64_t>(key); }
    const std::vector<std::string>& strings(std::string_view key) const {
        return get<std::vector<std::string>>(key);
    }
    // An ip_address_list or address_list, parsed (it was checked on load).
    std::vector<net::Address> addresses(std::string_view key) const;
    // A cidr_list, parsed.
    std::vector<net::Cidr> ranges(std::string_view key) const;
    const std::vector<Section>& tables(std::string_view key) const {
        return get<std::vector<Section>>(key);
    }
    const Value& value(std::string_view key) const;
    const Origin& origin(std::string_view key) const;

    void set(std::string_view key, Value value, Origin origin = {});

    // Same keys with the same values, wherever they came from.
    friend bool operator==(const Section& a, const Section& b);

  private:
    template <typename T>
    const T& get(std::string_view key) const {
        const auto* v = std::get_if<T>(&value(key));
        if (!v)
            throw std::logic_error("config key '" + path_ + "." + std::string(key) +
                                   "' read with the wrong type");
        return *v;
    }

    struct Entry {
        Value value;
        Origin origin;
    };
    const Schema* schema_ = nullptr;
    std::string path_;
    std::map<std::string, Entry, std::less<>> values_;
};

}  // namespace core::config
