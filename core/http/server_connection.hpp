// The server side of one HTTP/1.1 connection: parsing, keep-alive,
// pipelining, timeouts, error answers and backpressure.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/http/connection.hpp"
#include "core/http/exchange.hpp"
#include "core/http/exchange_channel.hpp"
#include "core/http/limits.hpp"
#include "core/http/parser.hpp"
#include "core/http/transport.hpp"
#include "core/uv/deadline.hpp"
#include "core/uv/stream.hpp"

namespace core::http {

class ServerConnection final : public Connection, private ExchangeChannel {
  public:
    // `on_closed` runs once, when the connection has closed; the owner may
    // destroy it then, but not from inside that call.
    ServerConnection(std::unique_ptr<Transport> transport, const Limits& limits, Handler& handler,
                     ClosedCallback on_closed);
    ServerConnection(const ServerConnection&) = delete;
    ServerConnection& operator=(const ServerConnection&) = delete;
    ~ServerConnection() override;

    void start() override;
    // Graceful stop: close now if idle, else after the current response.
    void drain() override;
    // Close at once, abandoning any exchange in flight.
    void close() override;
    bool idle() const;

  private:
    enum class Phase { head, body, awaiting_response, closing };

    // From the stream.
    void on_data(std::string_view data);
    void on_read_end(int status);
    // From the parser.
    void on_request(RequestHead& head);
    void on_body(std::string_view data);
    void on_complete();
    // ExchangeChannel: HTTP/1.1 framing of the current exchange.
    const Transport& transport() const override { return *transport_; }
    void send_continue() override;
    void set_body_paused(bool paused) override;
    void start_response(ResponseHead& head, bool head_only, bool body_complete) override;
    void flush_head() override;
    void send_body(std::string data, std::function<void()> on_flushed) override;
    void send_body_view(std::string_view data, std::shared_ptr<const void> keeper,
                        std::function<void()> on_flushed) override;
    bool send_body_file(int file, uint64_t offset, size_t length,
                        std::function<void()> on_flushed) override;
    void end_response(bool framing_intact) override;
    size_t queued_bytes() const override { return transport_->write_queue_size(); }
    void abort() override { close(); }

    // `borrowed` follows `bytes`; `keeper` keeps it alive until written,
    // and without one it is copied if it must wait.
    void send(std::string bytes, std::function<void()> on_flushed, std::string_view borrowed = {},
              std::shared_ptr<const void> keeper = nullptr);
    void send(std::vector<std::string> pieces, std::function<void()> on_flushed);
    std::function<void(int)> on_written(std::function<void()> on_flushed);
    void written(int status, const std::function<void()>* on_flushed);

    // Moves the connection on as far as it can: the single place where the
    // next pipelined request is parsed, so that handlers that answer at
    // once never re-enter the parser.
    void advance();
    void feed(std::string_view data);
    void fail(int status, std::string_view reason);
    void close_after_flush();
    void update_reading();
    void arm_timer();

    std::unique_ptr<Transport> transport_;
    Limits limits_;
    Handler& handler_;
    ClosedCallback on_closed_;
    Parser parser_;
    uv::Deadline timer_;

    Phase phase_ = Phase::head;
    std::shared_ptr<Exchange> exchange_;
    std::string pending_head_;  // the current response's, until its first piece of body
    bool chunked_ = false;
    bool last_chunk_due_ = false;
    bool request_complete_ = false;
    bool response_ended_ = false;
    bool keep_alive_ = true;
    bool body_paused_ = false;
    bool draining_ = false;
    bool closed_ = false;
    bool first_request_ = true;
    enum class TimerKind { none, header, body, idle };
    TimerKind timer_kind_ = TimerKind::none;

    std::string pending_;        // bytes read but not yet parsed
    std::string_view incoming_;  // bytes of the current read callback
    bool advancing_ = false;
    bool advance_again_ = false;
    size_t writes_in_flight_ = 0;
    bool close_when_flushed_ = false;
    std::string peer_;
};

}  // namespace core::http
