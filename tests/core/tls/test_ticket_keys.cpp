// Session ticket keys: a ticket sealed with one key opens while that key
// is among the last three, and is renewed when it is not the newest.
#include <cstring>
#include <memory>
#include <openssl/evp.h>

#include <doctest/doctest.h>

#include "core/tls/ticket_keys.hpp"

namespace {

struct Contexts {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> cipher{EVP_CIPHER_CTX_new(),
                                                                           &EVP_CIPHER_CTX_free};
    std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> hmac{EVP_MAC_fetch(nullptr, "HMAC", nullptr),
                                                           &EVP_MAC_free};
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> mac{EVP_MAC_CTX_new(hmac.get()),
                                                                  &EVP_MAC_CTX_free};
};

}  // namespace

TEST_CASE("ticket keys: the sealing key and two older ones open tickets; then a full handshake") {
    core::tls::TicketKeys keys(std::chrono::hours(12));
    unsigned char name[16] = {};
    unsigned char iv[EVP_MAX_IV_LENGTH] = {};
    {
        Contexts c;
        CHECK(keys.seal_or_open(name, iv, c.cipher.get(), c.mac.get(), true) == 1);
    }
    const auto open = [&] {
        Contexts c;
        unsigned char copy[16];
        std::memcpy(copy, name, 16);
        return keys.seal_or_open(copy, iv, c.cipher.get(), c.mac.get(), false);
    };
    CHECK(open() == 1);  // the current key
    keys.rotate();
    CHECK(open() == 2);  // an older key: opened, and a new ticket issued
    keys.rotate();
    CHECK(open() == 2);
    keys.rotate();
    CHECK(open() == 0);  // gone: the client does a full handshake
    unsigned char unknown[16] = {1, 2, 3};
    Contexts c;
    CHECK(keys.seal_or_open(unknown, iv, c.cipher.get(), c.mac.get(), false) == 0);
}

TEST_CASE("ticket keys rotate by themselves once the rotation is due") {
    core::tls::TicketKeys keys(std::chrono::seconds(0));  // due at every sealing
    unsigned char first[16] = {}, second[16] = {};
    unsigned char iv[EVP_MAX_IV_LENGTH] = {};
    Contexts a, b;
    CHECK(keys.seal_or_open(first, iv, a.cipher.get(), a.mac.get(), true) == 1);
    CHECK(keys.seal_or_open(second, iv, b.cipher.get(), b.mac.get(), true) == 1);
    CHECK(std::memcmp(first, second, 16) != 0);
}
