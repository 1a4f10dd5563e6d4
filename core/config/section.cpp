// The checked values of one configuration table, read through typed getters.
#include "core/config/section.hpp"

#include <stdexcept>

namespace core::config {

std::string_view type_name(Type type) {
    switch (type) {
        case Type::string:
            return "string";
        case Type::integer:
            return "integer";
        case Type::boolean:
            return "boolean";
        case Type::duration:
            return "duration";
        case Type::size:
            return "size";
        case Type::string_list:
            return "list of strings";
        case Type::ip_address_list:
            return "list of IP:PORT";
        case Type::address_list:
            return "list of IP:PORT or unix:PATH";
        case Type::cidr_list:
            return "list of address ranges";
        case Type::table_list:
            return "list of tables";
    }
    return "unknown";
}

std::vector<net::Address> Section::addresses(std::string_view key) const {
    std::vector<net::Address> out;
    for (const auto& text : strings(key)) {
        std::string error;
        auto address = net::parse_address(text, error);
        if (!address) throw std::logic_error(path_ + "." + std::string(key) + ": " + error);
        out.push_back(std::move(*address));
    }
    return out;
}

std::vector<net::Cidr> Section::ranges(std::string_view key) const {
    std::vector<net::Cidr> out;
    for (const auto& text : strings(key)) {
        std::string error;
        auto range = net::Cidr::parse(text, error);
        if (!range) throw std::logic_error(path_ + "." + std::string(key) + ": " + error);
        out.push_back(*range);
    }
    return out;
}

std::string Origin::describe() const {
    if (file.empty()) return "(default or command line)";
    return file + ":" + std::to_string(line);
}

const Value& Section::value(std::string_view key) const {
    const auto it = values_.find(key);
    if (it == values_.end())
        throw std::logic_error("config key '" + path_ + "." + std::string(key) + "' is not set");
    return it->second.value;
}

const Origin& Section::origin(std::string_view key) const {
    static const Origin none;
    const auto it = values_.find(key);
    return it == values_.end() ? none : it->second.origin;
}

void Section::set(std::string_view key, Value value, Origin origin) {
    values_[std::string(key)] = Entry{std::move(value), std::move(origin)};
}

bool operator==(const Section& a, const Section& b) {
    if (a.values_.size() != b.values_.size()) return false;
    for (auto ia = a.values_.begin(), ib = b.values_.begin(); ia != a.values_.end(); ++ia, ++ib) {
        if (ia->first != ib->first || !(ia->second.value == ib->second.value)) return false;
    }
    return true;
}

}  // namespace core::config
