// API tokens.
#include "appsrv/tokens.hpp"

#include <memory>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <vector>

namespace appsrv {

namespace {

std::string hex(const unsigned char* data, size_t size) {
    constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0xf];
    }
    return out;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
    // The implementation is fetched once and each thread keeps its
    // context: OpenSSL 3 otherwise looks the one up and allocates the
    // other on every call, which costs more than hashing a token.
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!sha256 || !context || EVP_DigestInit_ex2(context.get(), sha256.get(), nullptr) != 1 ||
        EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(context.get(), digest, &length) != 1)
        throw std::runtime_error("SHA-256 failed");
    return hex(digest, length);
}

std::string create_token(db::Connection& db, const std::string& name) {
    if (name.empty() || name.size() > 100)
        throw std::runtime_error("a token name has 1 to 100 characters");
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) != 1)
        throw std::runtime_error("no randomness for a token");
    const std::string token = "wst_" + hex(random, sizeof random);
    try {
        db.execute("INSERT INTO api_tokens (name, token_sha256, created_at) VALUES (?, ?, ?)",
                   {name, sha256_hex(token), db::timestamp_now()});
    } catch (const db::Error& e) {
        if (e.kind() == db::Error::Kind::constraint)
            throw std::runtime_error("a token named '" + name + "' exists already");
        throw;
    }
    return token;
}

std::optional<std::string> token_owner(db::Connection& db, const std::string& token) {
    const auto rows =
        db.query("SELECT name FROM api_tokens WHERE token_sha256 = ?", {sha256_hex(token)});
    if (rows.empty()) return std::nullopt;
    return rows[0].text(0);
}

std::vector<TokenInfo> list_tokens(db::Connection& db) {
    std::vector<TokenInfo> tokens;
    for (const auto& row : db.query("SELECT name, created_at FROM api_tokens ORDER BY name"))
        tokens.push_back({row.text(0), row.text(1)});
    return tokens;
}

bool revoke_token(db::Connection& db, const std::string& name) {
    return db.execute("DELETE FROM api_tokens WHERE name = ?", {name}).affected > 0;
}

}  // namespace appsrv
