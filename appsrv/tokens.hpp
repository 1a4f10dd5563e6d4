// API tokens: made at random, shown once, stored only as their SHA-256.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"

namespace appsrv {

// Stores a new token named `name` and returns it; the caller prints it
// once. Throws std::runtime_error when the name is taken.
std::string create_token(db::Connection& db, const std::string& name);

// The name of the token, or nullopt when no stored token has its hash.
std::optional<std::string> token_owner(db::Connection& db, const std::string& token);

struct TokenInfo {
    std::string name;
    std::string created_at;
};

// Every token's name and creation time, by name; never the token.
std::vector<TokenInfo> list_tokens(db::Connection& db);

// Deletes the token named `name`: the next call with it gets 401. False
// when no token has that name.
bool revoke_token(db::Connection& db, const std::string& name);

std::string sha256_hex(const std::string& data);

}  // namespace appsrv
