// The client side of one HTTP/1.1 connection (httpd's proxy to its
// upstreams): connect, send a request with a sized or chunked body, read
// the response as it streams, and keep the connection for the next one.
#include "core/http/client_connection.hpp"

#include "core/http/serialize.hpp"

namespace core::http {

ClientConnection::ClientConnection(uv_loop_t* loop, net::Address address, const Limits& limits,
                                   ClientTimeouts timeouts)
    : loop_(loop),
      address_(std::move(address)),
      timeouts_(timeouts),
      parser_(Parser::Kind::response, limits,
              Parser::Callbacks{
                  .on_request = {},
                  .on_response =
                      [this](ResponseHead& head) {
                          // 1xx answers (100 Continue) precede the real one.
                          interim_response_ = head.status < 200;
                          if (interim_response_) return;
                          keep_alive_ = head.keep_alive;
                          if (callbacks_.on_response) callbacks_.on_response(head);
                      },
                  .on_body =
                      [this](std::string_view data) {
                          if (callbacks_.on_body) callbacks_.on_body(data);
                      },
                  .on_complete =
                      [this] {
                          if (!interim_response_) response_complete_ = true;
                      },
              }),
      timer_(loop) {}

ClientConnection::~ClientConnection() {
    close();
}

void ClientConnection::close() {
    if (closed_) return;
    closed_ = true;
    timer_.close();
    stream_.close();
}

void ClientConnection::connect() {
    state_ = State::connecting;
    const bool tcp = address_.kind == net::Address::Kind::ip;
    stream_ = tcp ? uv::Stream::tcp(loop_) : uv::Stream::pipe(loop_);
    const auto on_connect = [this](int status) {
        if (status < 0) {
            fail(status, "cannot connect");
            return;
        }
        state_ = State::busy;
        connected_ = true;
        reading_paused_ = false;
        stream_.read_start([this](std::string_view data) { on_data(data); },
                           [this](int st) { on_read_end(st); });
        arm_read_timer();
    };
    timer_.set(timeouts_.connect_ms, [this] { fail(UV_ETIMEDOUT, "connect timeout"); });
    try {
        if (tcp) {
            stream_.connect(address_.sockaddr_ptr(), on_connect);
        } else {
            stream_.connect(address_.path, on_connect);
        }
    } catch (const uv::Error& e) {
        // Reported from the loop, like every other failure, never from
        // inside send_request().
        timer_.set(0, [this, code = e.code()] { fail(code, "cannot connect"); });
    }
}

void ClientConnection::send_request(const RequestHead& head, Callbacks callbacks) {
    if (!begin_request({head.method == "HEAD", head.chunked, head.content_length}, callbacks))
        return;
    // libuv queues writes on a connecting stream and sends them once
    // connected, so the head need not wait for the connect callback.
    send(serialize(head), {});
    end_request_head();
}

void ClientConnection::send_request(std::string_view head, const Framing& framing,
                                    Callbacks callbacks) {
    if (!begin_request(framing, callbacks)) return;
    send({}, {}, head);
    end_request_head();
}

bool ClientConnection::begin_request(const Framing& framing, Callbacks& callbacks) {
    callbacks_ = std::move(callbacks);
    if (closed_) {
        fail(UV_ECANCELED, "connection closed");
        return false;
    }
    chunked_request_ = framing.chunked;
    request_sent_ = !framing.chunked && !framing.content_length.value_or(0);
    response_started_ = false;
    response_complete_ = false;
    interim_response_ = false;
    parser_.expect_no_body(framing.head_method);
    was_idle_ = state_ == State::idle;
    if (state_ == State::fresh) connect();
    return true;
}

void ClientConnection::end_request_head() {
    if (was_idle_ && !closed_) {
        state_ = State::busy;
        arm_read_timer();
    }
}

void ClientConnection::write_body(std::string data, std::function<void()> on_flushed) {
    if (closed_ || data.empty()) {
        if (on_flushed && !closed_) on_flushed();
        return;
    }
    send(chunked_request_ ? chunk(data) : std::move(data), std::move(on_flushed));
}

void ClientConnection::end_body() {
    if (closed_) return;
    if (chunked_request_) send(std::string(kLastChunk), {});
    request_sent_ = true;
    if (response_complete_) finish_exchange();
}

void ClientConnection::send(std::string bytes, std::function<void()> on_flushed,
                            std::string_view borrowed) {
    std::function<void(int)> done;
    if (on_flushed) {
        done = [this, on_flushed = std::move(on_flushed)](int st) {
            if (st < 0) {
                fail(st, "write failed");
                return;
            }
            on_flushed();
        };
    } else {
        // Captures only `this`: std::function holds it without allocating.
        done = [this](int st) {
            if (st < 0) fail(st, "write failed");
        };
    }
    const int status = stream_.write(std::move(bytes), borrowed, nullptr, std::move(done));
    if (status < 0) fail(status, "write failed");
}

void ClientConnection::on_data(std::string_view data) {
    if (state_ != State::busy) {
        // Bytes nobody asked for: the upstream is out of step; drop it.
        close();
        return;
    }
    response_started_ = true;
    while (!data.empty() && !closed_) {
        const auto result = parser_.feed(data);
        data.remove_prefix(result.consumed);
        if (result.outcome == Parser::Outcome::error) {
            fail(UV_EPROTO, parser_.error_reason());
            return;
        }
        if (result.outcome == Parser::Outcome::message_complete) {
            parser_.resume();
            if (response_complete_) {
                if (!data.empty()) keep_alive_ = false;  // more than one response: out of step
                // A final response before the whole request body went out
                // (an early 4xx) ends the exchange (RFC 9112 §9.6); the
                // connection, with the body's rest unsent, cannot be reused.
                if (!request_sent_) keep_alive_ = false;
                finish_exchange();
                return;
            }
            continue;  // a 1xx: the real response follows
        }
    }
    if (!closed_) arm_read_timer();
}

void ClientConnection::on_read_end(int status) {
    if (state_ == State::busy && status == UV_EOF && response_started_) {
        // A response delimited by the connection's end completes here.
        const auto result = parser_.finish();
        if (result.outcome == Parser::Outcome::message_complete && response_complete_) {
            keep_alive_ = false;
            finish_exchange();
            return;
        }
    }
    if (state_ == State::busy) {
        fail(status, status == UV_EOF ? "upstream closed the connection" : uv_strerror(status));
        return;
    }
    close();  // an idle keep-alive connection the upstream closed
}

void ClientConnection::finish_exchange() {
    timer_.clear();
    auto callbacks = std::move(callbacks_);
    callbacks_ = {};
    if (reading_paused_) {
        reading_paused_ = false;
        stream_.read_resume();
    }
    if (keep_alive_) {
        state_ = State::idle;
    } else {
        close();
    }
    if (callbacks.on_complete) callbacks.on_complete();
}

void ClientConnection::fail(int status, std::string_view reason) {
    if (closed_) return;
    auto on_error = std::move(callbacks_.on_error);
    callbacks_ = {};
    close();
    if (on_error) on_error(status, reason);
}

void ClientConnection::pause_reading() {
    if (closed_ || reading_paused_) return;
    reading_paused_ = true;
    timer_.clear();
    if (state_ == State::busy) stream_.read_stop();
}

void ClientConnection::resume_reading() {
    if (closed_ || !reading_paused_) return;
    reading_paused_ = false;
    if (state_ == State::busy) {
        stream_.read_resume();
        arm_read_timer();
    }
}

void ClientConnection::arm_read_timer() {
    if (reading_paused_) return;
    timer_.set(timeouts_.read_ms, [this] { fail(UV_ETIMEDOUT, "upstream read timeout"); });
}

}  // namespace core::http
