// The API's tokens.
#include "db/token_table.hpp"

namespace db {

namespace {

// Zone names hold no bare space (it is written \032): a space separates them.
Value zones_text(const std::optional<std::vector<std::string>>& zones) {
    if (!zones) return nullptr;
    std::string text;
    for (const auto& zone : *zones)
        text += (text.empty() ? "" : " ") + zone;
    return text;
}

std::optional<std::vector<std::string>> zones_of(const Row& row, size_t column) {
    if (row.is_null(column)) return std::nullopt;
    std::vector<std::string> zones;
    const std::string text = row.text(column);
    for (size_t at = 0; at < text.size();) {
        const size_t space = text.find(' ', at);
        const size_t end = space == std::string::npos ? text.size() : space;
        if (end > at) zones.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return zones;
}

TokenRow token_row(const Row& r) {
    return {r.text(0), r.text(1), zones_of(r, 2), r.integer(3) != 0};
}

}  // namespace

void TokenTable::insert(const TokenRow& token, const std::string& sha256_hex) {
    db_.execute(
        "INSERT INTO api_tokens (name, token_sha256, created_at, zones, read_only) VALUES (?, ?, "
        "?, ?, ?)",
        {token.name, sha256_hex, token.created_at, zones_text(token.zones),
         int64_t{token.read_only ? 1 : 0}});
}

std::optional<TokenRow> TokenTable::find_by_hash(const std::string& sha256_hex) {
    const Rows rows = db_.query(
        "SELECT name, created_at, zones, read_only FROM api_tokens WHERE token_sha256 = ?",
        {sha256_hex});
    if (rows.empty()) return std::nullopt;
    return token_row(rows[0]);
}

std::vector<TokenRow> TokenTable::list() {
    std::vector<TokenRow> tokens;
    for (const auto& r :
         db_.query("SELECT name, created_at, zones, read_only FROM api_tokens ORDER BY name"))
        tokens.push_back(token_row(r));
    return tokens;
}

bool TokenTable::remove(const std::string& name) {
    return db_.execute("DELETE FROM api_tokens WHERE name = ?", {name}).affected > 0;
}

}  // namespace db
