// What a TLS listener serves with: a certificate and key per set of host
// names, one of them the default, chosen by SNI (RFC 6066 §3) in the
// handshake. TLS 1.2 and 1.3 only; ALPN offers h2 (when asked) and
// http/1.1. Built once per
// configuration (start, or reload) and shared by every thread: OpenSSL's
// contexts are safe to share, and a connection keeps the one it began with.
#pragma once

#include <memory>
#include <openssl/ssl.h>
#include <string>
#include <vector>

namespace core::tls {

struct SslCtxFree {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

struct Certificate {
    std::vector<std::string> names;  // exact, or "*.example.com"; lowercase
    std::string certificate_file;    // PEM: the certificate, then its chain
    std::string key_file;            // PEM
};

class ServerContext {
  public:
    // Loads and checks every certificate and key: readable, the key not
    // readable by group or others, the key the certificate's, the
    // certificate not expired. Throws std::runtime_error naming the file.
    // `certificates[0]` is the default, for a client that names no host
    // or one none of them has. `http2`: ALPN offers h2 first.
    static std::shared_ptr<const ServerContext> load(std::vector<Certificate> certificates,
                                                     bool http2 = false);

    // A new session for a connection accepted now, in server mode.
    SslPtr new_session() const;

  private:
    ServerContext() = default;
    static int on_server_name(SSL* ssl, int* alert, void* self);
    SSL_CTX* context_for(std::string_view name) const;

    std::vector<Certificate> certificates_;
    std::vector<SslCtxPtr> contexts_;  // one per certificate
};

// OpenSSL's error queue as one line, emptied.
std::string openssl_errors();

}  // namespace core::tls
