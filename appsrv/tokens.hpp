// API tokens: made at random, shown once, stored only as their SHA-256,
// each kept to some zones and to reading when its creator says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/token_table.hpp"

namespace appsrv {

// Who calls, and what the token lets them do.
struct TokenScope {
    std::string name;
    std::optional<std::vector<std::string>> zones;  // canonical names; nullopt: every zone
    bool read_only = false;

    bool allows_zone(const std::string& canonical_zone) const;
};

// Stores a new token named `name` for `zones` (nullopt: every zone) and
// returns it; the caller prints it once. Throws std::runtime_error when
// the name is taken or a zone name is not one.
std::string create_token(db::Connection& db, const std::string& name,
                         const std::optional<std::vector<std::string>>& zones = std::nullopt,
                         bool read_only = false);

// The scope of the token, or nullopt when no stored token has its hash.
std::optional<TokenScope> token_scope(db::Connection& db, const std::string& token);

// Every token (never the token itself), by name.
std::vector<db::TokenRow> list_tokens(db::Connection& db);

// Deletes the token named `name`: the next call with it gets 401. False
// when no token has that name.
bool revoke_token(db::Connection& db, const std::string& name);

std::string sha256_hex(const std::string& data);

}  // namespace appsrv
