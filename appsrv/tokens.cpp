// API tokens.
#include "appsrv/tokens.hpp"

#include <algorithm>
#include <memory>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>
#include <vector>

#include "db/zone_store.hpp"

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

bool TokenScope::allows_zone(const std::string& canonical_zone) const {
    return !zones || std::find(zones->begin(), zones->end(), canonical_zone) != zones->end();
}

std::string create_token(db::Connection& db, const std::string& name,
                         const std::optional<std::vector<std::string>>& zones, bool read_only) {
    if (name.empty() || name.size() > 100)
        throw std::runtime_error("a token name has 1 to 100 characters");
    db::TokenRow row{name, db::timestamp_now(), std::nullopt, read_only};
    if (zones) {
        row.zones.emplace();
        for (const auto& zone : *zones) {
            try {
                row.zones->push_back(db::canonical_zone_name(zone));
            } catch (const std::exception&) {
                throw std::runtime_error("'" + zone + "' is not a zone name");
            }
        }
        if (row.zones->empty()) throw std::runtime_error("--zones names no zone");
    }
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) != 1)
        throw std::runtime_error("no randomness for a token");
    const std::string token = "wst_" + hex(random, sizeof random);
    try {
        db::TokenTable(db).insert(row, sha256_hex(token));
    } catch (const db::Error& e) {
        if (e.kind() == db::Error::Kind::constraint)
            throw std::runtime_error("a token named '" + name + "' exists already");
        throw;
    }
    return token;
}

std::optional<TokenScope> token_scope(db::Connection& db, const std::string& token) {
    auto row = db::TokenTable(db).find_by_hash(sha256_hex(token));
    if (!row) return std::nullopt;
    return TokenScope{std::move(row->name), std::move(row->zones), row->read_only};
}

std::vector<db::TokenRow> list_tokens(db::Connection& db) {
    return db::TokenTable(db).list();
}

bool revoke_token(db::Connection& db, const std::string& name) {
    return db::TokenTable(db).remove(name);
}

}  // namespace appsrv
