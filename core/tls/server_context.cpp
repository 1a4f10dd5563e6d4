// What a TLS listener serves with.
#include "core/tls/server_context.hpp"

#include <algorithm>
#include <cstdio>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdexcept>
#include <sys/stat.h>

#include "core/tls/ticket_keys.hpp"

namespace core::tls {

namespace {

// ALPN's wire form: each protocol preceded by its length, in the server's
// order of preference.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH2First[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// ALPN: the first of the server's protocols the client offers (h2 before
// http/1.1, as nginx and Caddy prefer); a client offering only protocols
// this server does not speak gets no ALPN (it may go on without).
template <const unsigned char* Protocols, size_t Length>
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, out_length, Protocols, Length, in, in_length) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

SslCtxPtr make_context(const Certificate& certificate, bool http2) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) throw std::runtime_error("TLS: cannot make a context: " + openssl_errors());
    // TLS 1.0 and 1.1 are refused (RFC 8996); 1.2 only with forward-secret
    // AEAD suites; 1.3's suites are all sound.
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.get(),
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                       SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
    if (http2) {
        SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn<kAlpnH2First, sizeof kAlpnH2First>,
                                   nullptr);
    } else {
        SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn<kAlpnHttp11, sizeof kAlpnHttp11>,
                                   nullptr);
    }
    TicketKeys::shared().use_on(ctx.get());

    const std::string& cert = certificate.certificate_file;
    const std::string& key = certificate.key_file;
    struct stat info {};
    if (::stat(key.c_str(), &info) != 0) throw std::runtime_error(key + ": cannot be read");
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error(key + ": group or others may read the private key; chmod 600 it");
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1)
        throw std::runtime_error(cert + ": not a PEM certificate chain: " + openssl_errors());
    X509* x509 = SSL_CTX_get0_certificate(ctx.get());
    std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(key.c_str(), "r"), &std::fclose);
    if (!file) throw std::runtime_error(key + ": cannot be read");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
        PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!pkey) throw std::runtime_error(key + ": not a PEM private key: " + openssl_errors());
    if (X509_check_private_key(x509, pkey.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error(key + ": not the key of " + cert);
    }
    if (SSL_CTX_use_PrivateKey(ctx.get(), pkey.get()) != 1)
        throw std::runtime_error(key + ": " + openssl_errors());
    if (X509_cmp_current_time(X509_get0_notAfter(x509)) < 0)
        throw std::runtime_error(cert + ": the certificate has expired");
    return ctx;
}

bool name_matches(const std::string& pattern, std::string_view name) {
    if (pattern.rfind("*.", 0) == 0) {
        // One label, as a certificate's wildcard covers (RFC 6125 §6.4.3).
        const std::string_view suffix = std::string_view(pattern).substr(1);
        if (name.size() <= suffix.size() || !name.ends_with(suffix)) return false;
        return name.substr(0, name.size() - suffix.size()).find('.') == std::string_view::npos;
    }
    return pattern == name;
}

}  // namespace

std::string openssl_errors() {
    std::string out;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        if (!out.empty()) out += "; ";
        out += text;
    }
    return out.empty() ? "unknown error" : out;
}

std::shared_ptr<const ServerContext> ServerContext::load(std::vector<Certificate> certificates,
                                                         bool http2) {
    if (certificates.empty()) throw std::runtime_error("TLS: no certificate");
    auto context = std::shared_ptr<ServerContext>(new ServerContext());
    for (const auto& certificate : certificates)
        context->contexts_.push_back(make_context(certificate, http2));
    context->certificates_ = std::move(certificates);
    // The default context's callback switches a connection to the context
    // of the name its client asked for.
    SSL_CTX_set_tlsext_servername_callback(context->contexts_.front().get(), on_server_name);
    SSL_CTX_set_tlsext_servername_arg(context->contexts_.front().get(), context.get());
    return context;
}

SslPtr ServerContext::new_session() const {
    SslPtr ssl(SSL_new(contexts_.front().get()));
    if (ssl) SSL_set_accept_state(ssl.get());
    return ssl;
}

SSL_CTX* ServerContext::context_for(std::string_view name) const {
    for (size_t i = 0; i < certificates_.size(); ++i) {
        for (const auto& pattern : certificates_[i].names) {
            if (name_matches(pattern, name)) return contexts_[i].get();
        }
    }
    return nullptr;
}

int ServerContext::on_server_name(SSL* ssl, int*, void* self) {
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!name) return SSL_TLSEXT_ERR_NOACK;
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (SSL_CTX* ctx = static_cast<const ServerContext*>(self)->context_for(lower)) {
        if (ctx != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, ctx);
        return SSL_TLSEXT_ERR_OK;
    }
    // An unknown name gets the default certificate, as nginx and Caddy do.
    return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace core::tls
