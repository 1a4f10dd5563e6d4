// The keys that seal session tickets.
#include "core/tls/ticket_keys.hpp"

#include <algorithm>
#include <cstring>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace core::tls {

namespace {

int callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
             EVP_MAC_CTX* mac, int seal) {
    auto* keys = static_cast<TicketKeys*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (!keys) return 0;
    const int result = keys->seal_or_open(name, iv, cipher, mac, seal == 1);
    // A TLS 1.3 ticket is for one resumption (RFC 8446 §C.4), and OpenSSL
    // sends a resumed client new ones only when told to renew: without
    // that, every other connection of a client would be a full handshake.
    if (seal != 1 && result == 1 && SSL_version(ssl) == TLS1_3_VERSION) return 2;
    return result;
}

}  // namespace

TicketKeys::TicketKeys(std::chrono::seconds rotation) : rotation_(rotation) {
    rotate();
}

TicketKeys& TicketKeys::shared() {
    static TicketKeys keys;
    return keys;
}

TicketKeys::Key TicketKeys::random_key() {
    Key key{};
    if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
        RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) != 1 ||
        RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) != 1)
        throw std::runtime_error("TLS: no random bytes for a ticket key");
    return key;
}

void TicketKeys::rotate() {
    const std::lock_guard lock(mutex_);
    rotate_locked();
}

void TicketKeys::rotate_locked() {
    keys_.push_front(random_key());
    while (keys_.size() > kKept)
        keys_.pop_back();
    sealed_since_ = std::chrono::steady_clock::now();
}

void TicketKeys::use_on(SSL_CTX* ctx) {
    SSL_CTX_set_app_data(ctx, this);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, callback);
}

int TicketKeys::seal_or_open(unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                             EVP_MAC_CTX* mac, bool seal) {
    const std::lock_guard lock(mutex_);
    if (seal && std::chrono::steady_clock::now() - sealed_since_ >= rotation_) rotate_locked();
    size_t index = 0;
    if (seal) {
        std::memcpy(name, keys_.front().name.data(), 16);
        if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
    } else {
        while (index < keys_.size() && std::memcmp(name, keys_[index].name.data(), 16) != 0)
            ++index;
        if (index == keys_.size()) return 0;
    }
    const Key& key = keys_[index];
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(
            OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.hmac.data()), key.hmac.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
    const int ok = seal
                       ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv)
                       : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv);
    if (ok != 1) return -1;
    return index == 0 ? 1 : 2;
}

}  // namespace core::tls
