// The keys that seal session tickets (RFC 5077, RFC 8446 §4.6.1), one set
// for the whole process: every thread and every certificate's context
// uses it, and it survives reloads, so a ticket from one connection
// resumes on any thread, after a SIGHUP too. A new key seals tickets every
// `rotation`; the two before still open the tickets they sealed (renewed
// then), so no ticket outlives three rotations.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/ssl.h>

namespace core::tls {

class TicketKeys {
  public:
    static constexpr std::chrono::hours kRotation{12};
    static constexpr size_t kKept = 3;  // the sealing key and two older ones

    explicit TicketKeys(std::chrono::seconds rotation = kRotation);
    // The process's keys.
    static TicketKeys& shared();
    // Installs them on `ctx`.
    void use_on(SSL_CTX* ctx);
    // A new sealing key now (the rotation's work; tests call it directly).
    void rotate();

    // OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb):
    // 1 sealed or opened with the current key, 2 opened with an older one
    // (a new ticket is issued), 0 unknown key (a full handshake), -1 error.
    int seal_or_open(unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                     EVP_MAC_CTX* mac, bool seal);

  private:
    struct Key {
        std::array<unsigned char, 16> name;
        std::array<unsigned char, 32> aes;
        std::array<unsigned char, 32> hmac;
    };
    static Key random_key();
    void rotate_locked();

    std::mutex mutex_;  // taken in handshakes only, never per request
    std::chrono::seconds rotation_;
    std::chrono::steady_clock::time_point sealed_since_;
    std::deque<Key> keys_;  // newest first
};

}  // namespace core::tls
