// TLS over a libuv stream, through OpenSSL's memory BIOs.
#include "core/tls/tls_transport.hpp"

#include <array>
#include <openssl/err.h>

namespace core::tls {

namespace {

// Plaintext is handed over in pieces of at most this size.
constexpr size_t kReadChunk = 16 * 1024;
// TLS's largest record (RFC 8446 §5.1): pieces that fit in one together
// are sealed as one, so that a head and a small body cost the client one
// record to open rather than two.
constexpr size_t kRecordSize = 16 * 1024;

}  // namespace

TlsTransport::TlsTransport(uv::Stream stream, std::shared_ptr<const ServerContext> context,
                           uint64_t handshake_timeout_ms)
    : stream_(std::move(stream)),
      context_(std::move(context)),
      ssl_(context_->new_session()),
      later_(stream_.loop()),
      handshake_timeout_ms_(handshake_timeout_ms),
      handshake_timer_(stream_.loop()) {
    if (!ssl_) return;
    input_ = BIO_new(BIO_s_mem());
    output_ = BIO_new(BIO_s_mem());
    if (!input_ || !output_) {
        BIO_free(input_);
        BIO_free(output_);
        input_ = output_ = nullptr;
        ssl_.reset();
        return;
    }
    // An empty input BIO says "retry", not "end of file".
    BIO_set_mem_eof_return(input_, -1);
    SSL_set_bio(ssl_.get(), input_, output_);
}

TlsTransport::~TlsTransport() {
    *alive_ = false;
    ERR_clear_error();
}

core::http::TransportFactory TlsTransport::factory(std::shared_ptr<const ServerContext> context,
                                                   uint64_t handshake_timeout_ms) {
    return [context = std::move(context), handshake_timeout_ms](uv::Stream stream) {
        return std::make_unique<TlsTransport>(std::move(stream), context, handshake_timeout_ms);
    };
}

void TlsTransport::read_start(std::function<void(std::string_view)> on_data,
                              std::function<void(int)> on_read_end) {
    on_data_ = std::move(on_data);
    on_read_end_ = std::move(on_read_end);
    if (socket_started_) {
        // After negotiate: the socket is read already; plaintext flows now.
        reading_ = false;
        read_resume();
        return;
    }
    reading_ = true;
    start_socket();
}

void TlsTransport::negotiate(std::function<void()> on_ready, std::function<void(int)> on_failed) {
    on_negotiated_ = std::move(on_ready);
    on_read_end_ = std::move(on_failed);
    start_socket();
}

void TlsTransport::start_socket() {
    if (!ssl_) {
        fail(UV_ENOMEM);
        return;
    }
    socket_started_ = true;
    stream_.read_start([this](std::string_view data) { on_ciphertext(data); },
                       [this](int status) { fail(status); });
    // A client that connects and never finishes its handshake holds a
    // connection no HTTP timer can answer on: it is let go quietly.
    if (!handshake_done_ && handshake_timeout_ms_ > 0)
        handshake_timer_.start(handshake_timeout_ms_, [this] { fail(UV_ETIMEDOUT); });
}

std::string TlsTransport::alpn_protocol() const {
    const unsigned char* protocol = nullptr;
    unsigned int length = 0;
    if (ssl_) SSL_get0_alpn_selected(ssl_.get(), &protocol, &length);
    return protocol ? std::string(reinterpret_cast<const char*>(protocol), length) : std::string();
}

void TlsTransport::read_resume() {
    if (closed_ || reading_) return;
    reading_ = true;
    stream_.read_resume();
    // What the session decrypted while reading was off: handed over on the
    // next loop turn, not inside the caller's own call.
    if (handshake_done_ && SSL_pending(ssl_.get()) > 0) later_.start(0, [this] { deliver(); });
}

void TlsTransport::read_stop() {
    reading_ = false;
    stream_.read_stop();
    later_.stop();
}

void TlsTransport::on_ciphertext(std::string_view data) {
    if (closed_) return;
    if (BIO_write(input_, data.data(), static_cast<int>(data.size())) !=
        static_cast<int>(data.size())) {
        fail(UV_ENOMEM);
        return;
    }
    if (!handshake_done_) {
        const int result = SSL_do_handshake(ssl_.get());
        // The handshake's own records (ServerHello... or an alert) go out.
        if (flush({}) < 0) return;
        if (result != 1) {
            const int error = SSL_get_error(ssl_.get(), result);
            if (error == SSL_ERROR_WANT_READ) return;
            ERR_clear_error();
            fail(UV_EPROTO);  // not TLS, or nothing both sides speak
            return;
        }
        handshake_done_ = true;
        handshake_timer_.stop();
        if (on_negotiated_) {
            // The connection that speaks the chosen protocol takes over and
            // starts reading (or closes this transport) before returning.
            const auto alive = alive_;
            auto ready = std::move(on_negotiated_);
            on_negotiated_ = nullptr;
            ready();
            if (!*alive || closed_) return;
        }
    }
    deliver();
}

void TlsTransport::deliver() {
    const auto alive = alive_;
    char buffer[kReadChunk];
    while (reading_ && !closed_) {
        const int n = SSL_read(ssl_.get(), buffer, sizeof buffer);
        if (n > 0) {
            on_data_(std::string_view(buffer, static_cast<size_t>(n)));
            if (!*alive) return;  // the callback closed and destroyed us
            continue;
        }
        const int error = SSL_get_error(ssl_.get(), n);
        if (error == SSL_ERROR_WANT_READ) break;
        ERR_clear_error();
        fail(error == SSL_ERROR_ZERO_RETURN ? UV_EOF : UV_EPROTO);
        return;
    }
    // TLS 1.3 sends its session tickets after the handshake, and a key
    // update may want an answer: whatever the session wrote goes out.
    if (!closed_) flush({});
}

int TlsTransport::flush(std::function<void(int)> done) {
    const size_t pending = BIO_ctrl_pending(output_);
    if (pending == 0) {
        if (done) done(0);
        return 0;
    }
    std::string ciphertext(pending, '\0');
    const int n = BIO_read(output_, ciphertext.data(), static_cast<int>(pending));
    if (n <= 0) {
        fail(UV_EIO);
        return UV_EIO;
    }
    ciphertext.resize(static_cast<size_t>(n));
    return stream_.write(std::move(ciphertext), std::move(done));
}

bool TlsTransport::seal(std::string_view plaintext) {
    if (plaintext.empty()) return true;
    if (SSL_write(ssl_.get(), plaintext.data(), static_cast<int>(plaintext.size())) > 0)
        return true;
    ERR_clear_error();
    return false;
}

template <typename Pieces>
bool TlsTransport::seal_together(const Pieces& pieces) {
    size_t total = 0;
    size_t non_empty = 0;
    for (const auto& piece : pieces) {
        total += std::string_view(piece).size();
        non_empty += !std::string_view(piece).empty();
    }
    if (non_empty > 1 && total <= kRecordSize) {
        thread_local std::string joined;
        joined.clear();
        for (const auto& piece : pieces)
            joined += piece;
        return seal(joined);
    }
    for (const auto& piece : pieces) {
        if (!seal(piece)) return false;
    }
    return true;
}

// The plaintext is copied as it is sealed: a borrowed piece needs no keeper.
int TlsTransport::write(std::string first, std::string_view borrowed, std::shared_ptr<const void>,
                        std::function<void(int)> done) {
    if (closed_ || !handshake_done_) return UV_ENOTCONN;
    if (!seal_together(std::array<std::string_view, 2>{first, borrowed})) return UV_EPROTO;
    return flush(std::move(done));
}

int TlsTransport::write(std::vector<std::string> pieces, std::function<void(int)> done) {
    if (closed_ || !handshake_done_) return UV_ENOTCONN;
    if (!seal_together(pieces)) return UV_EPROTO;
    return flush(std::move(done));
}

void TlsTransport::fail(int status) {
    if (closed_) return;
    reading_ = false;
    if (on_read_end_) on_read_end_(status);
}

void TlsTransport::close() {
    if (closed_) return;
    closed_ = true;
    reading_ = false;
    later_.close();
    handshake_timer_.close();
    // close_notify, best effort: the socket closes right after.
    if (handshake_done_ && ssl_) {
        SSL_shutdown(ssl_.get());
        ERR_clear_error();
        flush({});
    }
    stream_.close();
}

std::string TlsTransport::tls_description() const {
    if (!handshake_done_) return {};
    return std::string(SSL_get_version(ssl_.get())) + " " +
           SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_.get()));
}

}  // namespace core::tls
