// Prepared statements kept per connection, found by their SQL without
// copying it (every call looks its statement up).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace db {

struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
};

template <typename Statement>
using StatementCache =
    std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>>;

}  // namespace db
