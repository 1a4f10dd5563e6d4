// The client side of one HTTP/1.1 connection (httpd's proxy to its
// upstreams): connect, send a request with a sized or chunked body, read
// the response as it streams, and keep the connection for the next one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/http/limits.hpp"
#include "core/http/message.hpp"
#include "core/http/parser.hpp"
#include "core/net/address.hpp"
#include "core/uv/deadline.hpp"
#include "core/uv/stream.hpp"

namespace core::http {

struct ClientTimeouts {
    uint64_t connect_ms = 5'000;
    uint64_t read_ms = 60'000;  // longest silence while a response is awaited or arrives
};

class ClientConnection {
  public:
    struct Callbacks {
        std::function<void(ResponseHead&)> on_response;  // the final (non-1xx) response head
        std::function<void(std::string_view)> on_body;
        std::function<void()> on_complete;
        // A libuv status (UV_ECONNREFUSED, UV_ETIMEDOUT, UV_ECONNRESET,
        // UV_EOF...) or UV_EPROTO for a malformed response; the connection
        // is closed. response_started() tells whether a retry is safe.
        std::function<void(int status, std::string_view reason)> on_error;
    };

    ClientConnection(uv_loop_t* loop, net::Address address, const Limits& limits,
                     ClientTimeouts timeouts);
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;
    ~ClientConnection();

    // Sends the head (connecting first when needed). The body follows with
    // write_body() and end_body(): sized when head.content_length is set,
    // chunked when head.chunked is, none otherwise.
    void send_request(const RequestHead& head, Callbacks callbacks);
    // The same with a head serialized by the caller (a proxy writes it
    // once, and keeps it for a retry): `head` need only live through the
    // call, and `framing` says what it announced.
    struct Framing {
        bool head_method = false;  // the response carries no body
        bool chunked = false;
        std::optional<uint64_t> content_length;
    };
    void send_request(std::string_view head, const Framing& framing, Callbacks callbacks);
    void write_body(std::string data, std::function<void()> on_flushed = {});
    void end_body();

    // Backpressure for the response body: stop taking bytes from the
    // upstream while the reader cannot keep up. The read timeout waits too.
    void pause_reading();
    void resume_reading();

    // Between exchanges, connected, and the last response allowed reuse.
    bool reusable() const { return state_ == State::idle && !closed_; }
    bool closed() const { return closed_; }
    // True once the connection was established: a failure before that
    // means the request never reached the upstream.
    bool connected() const { return connected_; }
    // True once a byte of the current response has arrived.
    bool response_started() const { return response_started_; }
    const net::Address& address() const { return address_; }
    void close();

  private:
    enum class State { fresh, connecting, idle, busy };

    void connect();
    void on_data(std::string_view data);
    void on_read_end(int status);
    void fail(int status, std::string_view reason);
    void finish_exchange();
    bool begin_request(const Framing& framing, Callbacks& callbacks);
    void end_request_head();
    void send(std::string bytes, std::function<void()> on_flushed, std::string_view borrowed = {});
    void arm_read_timer();

    uv_loop_t* loop_;
    net::Address address_;
    ClientTimeouts timeouts_;
    Parser parser_;
    uv::Stream stream_;
    uv::Deadline timer_;
    State state_ = State::fresh;
    bool closed_ = false;
    Callbacks callbacks_;
    bool chunked_request_ = false;
    bool request_sent_ = false;
    bool response_started_ = false;
    bool response_complete_ = false;
    bool interim_response_ = false;
    bool keep_alive_ = true;
    bool reading_paused_ = false;
    bool connected_ = false;
    bool was_idle_ = false;  // between begin_request and end_request_head
};

}  // namespace core::http
