// The API's tokens (table `api_tokens`): each kept only as its SHA-256,
// with a name, and what it may do.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace db {

struct TokenRow {
    std::string name;
    std::string created_at;
    // The zones it may use, as stored ("foobar.com."); nullopt for all.
    std::optional<std::vector<std::string>> zones;
    bool read_only = false;
};

class TokenTable {
  public:
    explicit TokenTable(Connection& connection) : db_(connection) {}

    // Throws Error (constraint) when the name or hash exists already.
    void insert(const TokenRow& token, const std::string& sha256_hex);
    std::optional<TokenRow> find_by_hash(const std::string& sha256_hex);
    // Every token, by name.
    std::vector<TokenRow> list();
    // False when no token has that name.
    bool remove(const std::string& name);

  private:
    Connection& db_;
};

}  // namespace db
