// What an HTTP connection reads from and writes to: a socket, or TLS over
// one. The connection code is the same for both.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/read_range.hpp"
#include "core/uv/stream.hpp"

namespace core::http {

class Transport {
  public:
    virtual ~Transport() = default;

    virtual uv_loop_t* loop() const = 0;
    // "ip:port" of the peer, as uv::Stream::peer_name gives it.
    virtual std::string peer_name() const = 0;

    // Plain bytes as they arrive; on_read_end gets UV_EOF when the peer
    // closed, another negative code on an error (a TLS one included).
    virtual void read_start(std::function<void(std::string_view)> on_data,
                            std::function<void(int)> on_read_end) = 0;
    virtual void read_resume() = 0;
    virtual void read_stop() = 0;

    // As uv::Stream::write: `done` never runs after close(); a negative
    // return means nothing was queued.
    virtual int write(std::string first, std::string_view borrowed,
                      std::shared_ptr<const void> keeper, std::function<void(int)> done) = 0;
    virtual int write(std::vector<std::string> pieces, std::function<void(int)> done) = 0;
    // `head`, then `length` bytes of `file` at `offset`, as write(). Read
    // into memory here; a plain socket sends the file's pages directly.
    virtual int send_file(std::string head, int file, uint64_t offset, size_t length,
                          std::function<void(int)> done) {
        std::string data;
        if (!read_range(file, offset, length, data)) return UV_EIO;
        return write(std::vector<std::string>{std::move(head), std::move(data)}, std::move(done));
    }
    // Bytes queued in the kernel's stead (on the wire side).
    virtual size_t write_queue_size() const = 0;
    virtual void close() = 0;

    // TLS: the version and cipher once the handshake is done ("TLSv1.3
    // TLS_AES_256_GCM_SHA384"); empty on a plain connection.
    virtual std::string tls_description() const { return {}; }
    virtual bool secure() const { return false; }

    // Learns which protocol the client chose before any request is read:
    // `on_ready` runs once it is known (TLS: the handshake is done), or
    // `on_failed` with an error code. Plaintext waits for read_start.
    virtual void negotiate(std::function<void()> on_ready, std::function<void(int)> on_failed) {
        (void)on_failed;
        on_ready();
    }
    // What ALPN chose ("h2", "http/1.1"); empty when nothing was.
    virtual std::string alpn_protocol() const { return {}; }
};

// A socket as it is.
class PlainTransport final : public Transport {
  public:
    explicit PlainTransport(uv::Stream stream) : stream_(std::move(stream)) {}

    uv_loop_t* loop() const override { return stream_.loop(); }
    std::string peer_name() const override { return stream_.peer_name(); }
    void read_start(std::function<void(std::string_view)> on_data,
                    std::function<void(int)> on_read_end) override {
        stream_.read_start(std::move(on_data), std::move(on_read_end));
    }
    void read_resume() override { stream_.read_resume(); }
    void read_stop() override { stream_.read_stop(); }
    int write(std::string first, std::string_view borrowed, std::shared_ptr<const void> keeper,
              std::function<void(int)> done) override {
        return stream_.write(std::move(first), borrowed, std::move(keeper), std::move(done));
    }
    int write(std::vector<std::string> pieces, std::function<void(int)> done) override {
        return stream_.write(std::move(pieces), std::move(done));
    }
    int send_file(std::string head, int file, uint64_t offset, size_t length,
                  std::function<void(int)> done) override {
        return stream_.send_file(std::move(head), file, offset, length, std::move(done));
    }
    size_t write_queue_size() const override { return stream_.write_queue_size(); }
    void close() override { stream_.close(); }

  private:
    uv::Stream stream_;
};

// Makes the transport of a connection just accepted on a listener.
using TransportFactory = std::function<std::unique_ptr<Transport>(uv::Stream)>;

}  // namespace core::http
