// API tokens: made at random, shown once, stored only as their SHA-256.
#pragma once

#include <optional>
#include <string>

#include "db/database.hpp"

namespace appsrv {

// Stores a new token named `name` and returns it; the caller prints it
// once. Throws std::runtime_error when the name is taken.
std::string create_token(db::Connection& db, const std::string& name);

// The name of the token, or nullopt when no stored token has its hash.
std::optional<std::string> token_owner(db::Connection& db, const std::string& token);

std::string sha256_hex(const std::string& data);

}  // namespace appsrv
