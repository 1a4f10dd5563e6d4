// The checked values of one configuration table, read through typed getters.
#include "core/config/section.hpp"

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
        case Type::table_list:
            return "list of tables";
    }
    return "unknown";
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
