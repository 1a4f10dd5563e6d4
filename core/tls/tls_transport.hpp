// TLS over a libuv stream, through OpenSSL's memory BIOs: ciphertext from
// the socket is fed to the session and plaintext comes out for the HTTP
// connection; plaintext written goes through the session and out as
// ciphertext. A handshake that fails (garbage instead of a ClientHello,
// a protocol this server refuses) ends the connection quietly.
#pragma once

#include <memory>
#include <string>

#include "core/http/transport.hpp"
#include "core/tls/server_context.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/timer.hpp"

namespace core::tls {

class TlsTransport final : public core::http::Transport {
  public:
    // The connection keeps `context` (its certificates) for its lifetime.
    // A handshake not done within `handshake_timeout_ms` ends it quietly.
    TlsTransport(uv::Stream stream, std::shared_ptr<const ServerContext> context,
                 uint64_t handshake_timeout_ms);
    ~TlsTransport() override;

    uv_loop_t* loop() const override { return stream_.loop(); }
    std::string peer_name() const override { return stream_.peer_name(); }
    void read_start(std::function<void(std::string_view)> on_data,
                    std::function<void(int)> on_read_end) override;
    void read_resume() override;
    void read_stop() override;
    int write(std::string first, std::string_view borrowed, std::shared_ptr<const void> keeper,
              std::function<void(int)> done) override;
    int write(std::vector<std::string> pieces, std::function<void(int)> done) override;
    size_t write_queue_size() const override { return stream_.write_queue_size(); }
    void close() override;
    std::string tls_description() const override;
    bool secure() const override { return true; }
    void negotiate(std::function<void()> on_ready, std::function<void(int)> on_failed) override;
    std::string alpn_protocol() const override;

    // A transport factory for a listener that serves `context`.
    static core::http::TransportFactory factory(std::shared_ptr<const ServerContext> context,
                                                uint64_t handshake_timeout_ms);

  private:
    // Reads ciphertext from the socket, once, and starts the handshake clock.
    void start_socket();
    void on_ciphertext(std::string_view data);
    // Hands over the plaintext the session holds, while reading is on.
    void deliver();
    // Hands plaintext to the session, which seals it into its output BIO.
    bool seal(std::string_view plaintext);
    // Seals the pieces in order: in one record when they fit in one.
    template <typename Pieces>
    bool seal_together(const Pieces& pieces);
    // Sends what the session wrote into its output BIO; `done` as write's.
    int flush(std::function<void(int)> done);
    void fail(int status);

    uv::Stream stream_;
    std::shared_ptr<const ServerContext> context_;
    SslPtr ssl_;
    BIO* input_ = nullptr;   // owned by ssl_
    BIO* output_ = nullptr;  // owned by ssl_
    std::function<void(std::string_view)> on_data_;
    std::function<void(int)> on_read_end_;
    std::function<void()> on_negotiated_;
    bool socket_started_ = false;
    uv::Timer later_;  // plaintext left in the session when reading resumes
    uint64_t handshake_timeout_ms_;
    uv::Timer handshake_timer_;
    bool handshake_done_ = false;
    bool reading_ = false;
    bool closed_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace core::tls
