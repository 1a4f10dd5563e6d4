// The server side of one HTTP/2 connection (RFC 9113), with nghttp2: each
// stream is an Exchange for the same handlers HTTP/1.1 serves, with flow
// control both ways, the limits against known floods, timeouts, and
// GOAWAY when the server drains. nghttp2's HTTP messaging checks make a
// malformed request a stream error before any handler sees it (RFC 9113
// §8.1.1); tests/http/test_http2.cpp holds it to each rule.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/http/connection.hpp"
#include "core/http/exchange.hpp"
#include "core/http/http2_request.hpp"
#include "core/http/limits.hpp"
#include "core/http/transport.hpp"
#include "core/uv/deadline.hpp"
#include "core/uv/timer.hpp"

struct nghttp2_session;

namespace core::http {

struct Http2SessionFree {
    void operator()(nghttp2_session* session) const;
};

class Http2Connection final : public Connection {
  public:
    Http2Connection(std::unique_ptr<Transport> transport, const Limits& limits, Handler& handler,
                    ClosedCallback on_closed);
    Http2Connection(const Http2Connection&) = delete;
    Http2Connection& operator=(const Http2Connection&) = delete;
    ~Http2Connection() override;

    void start() override;
    // GOAWAY: streams already begun finish; then the connection closes.
    void drain() override;
    void close() override;
    // GOAWAY, as on drain: the client's next requests go on a new
    // connection, with the new certificates and settings.
    void reloaded() override { drain(); }

    // nghttp2's callbacks reach the connection through these.
    struct Callbacks;

  private:
    class Stream;
    friend class Stream;
    friend struct Callbacks;

    void on_data(std::string_view data);
    // Sends what the session has to send, while the socket keeps up.
    void flush();
    // Flushes on the next loop turn: what the handlers answer meanwhile
    // (many streams', a head and its body) leaves in one write.
    void flush_soon();
    void write_out(std::string& out);
    void written(int status, std::vector<std::function<void()>> flushed);
    // The session failed or ended: send what it still has, then close.
    void close_after_flush();
    // GOAWAY with `error`, then close once it is written.
    void terminate(uint32_t error);
    // One clock, for what the connection waits on: the SETTINGS exchange,
    // the rest of incomplete requests, or a next request.
    enum class TimerMode { none, settings, request, idle };
    void update_timer();
    void requests_timed_out();

    Stream* stream(int32_t id);
    void on_request(Stream& stream, bool end_stream);
    void refuse(Stream& stream, int status, std::string_view reason);
    void stream_closed(int32_t id);
    // The stream's exchange loses its channel: aborted if unfinished.
    void let_go(Stream& stream);
    // Body bytes handed to the handler give the client window back.
    void consumed(int32_t id, size_t bytes);

    std::unique_ptr<Transport> transport_;
    Limits limits_;
    Handler& handler_;
    ClosedCallback on_closed_;
    std::unique_ptr<nghttp2_session, Http2SessionFree> session_;
    std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
    // Closed streams live until the next loop turn: their callers may still
    // be on the stack.
    std::vector<std::unique_ptr<Stream>> closed_streams_;
    uv::Deadline timer_;
    TimerMode timer_mode_ = TimerMode::none;
    uv::Timer reaper_;
    uv::Timer flush_timer_;
    std::string peer_;

    // Callbacks of body pieces that went into frames during this flush:
    // they run once the write carrying those frames is done.
    std::vector<std::function<void()>> flushed_pieces_;
    size_t writes_in_flight_ = 0;
    bool receiving_ = false;  // inside on_data: one flush at its end
    bool flushing_ = false;
    bool flush_again_ = false;
    // The SETTINGS exchange: the client's came, and it acknowledged ours.
    bool client_settings_ = false;
    bool our_settings_acked_ = false;
    bool draining_ = false;
    bool closing_ = false;  // nothing more is read; close once written
    bool closed_ = false;
};

}  // namespace core::http
