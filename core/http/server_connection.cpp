// The server side of one HTTP/1.1 connection: parsing, keep-alive,
// pipelining, timeouts, error answers and backpressure.
#include "core/http/server_connection.hpp"

#include "core/http/serialize.hpp"
#include "core/http/status.hpp"
#include "core/log.hpp"

namespace core::http {

ServerConnection::ServerConnection(std::unique_ptr<Transport> transport, const Limits& limits,
                                   Handler& handler, ClosedCallback on_closed)
    : transport_(std::move(transport)),
      limits_(limits),
      handler_(handler),
      on_closed_(std::move(on_closed)),
      parser_(Parser::Kind::request, limits,
              Parser::Callbacks{
                  .on_request = [this](RequestHead& head) { on_request(head); },
                  .on_response = {},
                  .on_body = [this](std::string_view data) { on_body(data); },
                  .on_complete = [this] { on_complete(); },
              }),
      timer_(transport_->loop()) {}

ServerConnection::~ServerConnection() {
    if (exchange_) exchange_->detach();
}

void ServerConnection::start() {
    peer_ = transport_->peer_name();
    transport_->read_start([this](std::string_view data) { on_data(data); },
                           [this](int status) { on_read_end(status); });
    arm_timer();
}

bool ServerConnection::idle() const {
    return !closed_ && phase_ == Phase::head && !exchange_ && pending_.empty() &&
           !parser_.in_message();
}

void ServerConnection::drain() {
    draining_ = true;
    if (idle()) close();
}

void ServerConnection::close() {
    if (closed_) return;
    closed_ = true;
    phase_ = Phase::closing;
    timer_.close();
    transport_->close();
    if (exchange_) {
        auto exchange = std::move(exchange_);
        exchange->detach();
    }
    if (on_closed_) on_closed_(this);
}

void ServerConnection::on_data(std::string_view data) {
    if (closed_) return;
    incoming_ = data;
    advance();
    // What the parser did not take belongs to a request not yet started.
    if (!incoming_.empty()) {
        pending_.append(incoming_);
        incoming_ = {};
    }
    if (!closed_) {
        update_reading();
        arm_timer();
    }
}

void ServerConnection::on_read_end(int status) {
    if (closed_) return;
    // EOF: the client half-closed. Whatever is in flight can no longer be
    // continued by it; a response still being produced is dropped. Close.
    (void)status;
    close();
}

void ServerConnection::advance() {
    if (advancing_) {
        advance_again_ = true;
        return;
    }
    advancing_ = true;
    do {
        advance_again_ = false;
        if (closed_ || close_when_flushed_) break;
        if (exchange_ && response_ended_) {
            if (!request_complete_) {
                // Answered before its body arrived: the rest of the body
                // cannot be told from the next request without reading it
                // all, so close instead (RFC 9112 §9.6 allows it).
                keep_alive_ = false;
            }
            exchange_->release_callbacks();
            exchange_.reset();
            response_ended_ = false;
            request_complete_ = false;
            if (!keep_alive_ || draining_) {
                close_after_flush();
                break;
            }
            phase_ = Phase::head;
            first_request_ = false;
            parser_.resume();
        }
        if (exchange_ && request_complete_) break;  // waiting for the handler
        if (body_paused_) break;
        // Parse what has been read: pending_ first, then this read's bytes.
        if (!pending_.empty()) {
            if (!incoming_.empty()) {
                pending_.append(incoming_);
                incoming_ = {};
            }
            std::string data = std::move(pending_);
            pending_.clear();
            feed(data);  // leaves unparsed bytes in incoming_
            if (!incoming_.empty()) {
                pending_.assign(incoming_);
                incoming_ = {};
            }
        } else if (!incoming_.empty()) {
            feed(incoming_);
        }
    } while (advance_again_);
    advancing_ = false;
}

void ServerConnection::feed(std::string_view data) {
    const auto result = parser_.feed(data);
    incoming_ = data.substr(result.consumed);
    switch (result.outcome) {
        case Parser::Outcome::need_more:
            incoming_ = {};
            break;
        case Parser::Outcome::message_complete:
            advance_again_ = true;
            break;
        case Parser::Outcome::error:
            incoming_ = {};
            fail(parser_.error_status(), parser_.error_reason());
            break;
    }
}

void ServerConnection::on_request(RequestHead& head) {
    phase_ = head.has_body() ? Phase::body : Phase::awaiting_response;
    request_complete_ = false;
    response_ended_ = false;
    keep_alive_ = head.keep_alive && !draining_;
    exchange_ =
        std::make_shared<Exchange>(static_cast<ExchangeChannel*>(this), std::move(head), peer_);
    arm_timer();
    // Keep the exchange alive across the call even if the handler drops it.
    auto exchange = exchange_;
    handler_.handle(exchange);
}

void ServerConnection::on_body(std::string_view data) {
    if (exchange_) exchange_->deliver_body(data);
}

void ServerConnection::on_complete() {
    request_complete_ = true;
    if (phase_ == Phase::body) phase_ = Phase::awaiting_response;
    if (exchange_) {
        auto exchange = exchange_;
        exchange->deliver_end();
    }
}

void ServerConnection::fail(int status, std::string_view reason) {
    log::debug("http") << peer_ << ": " << status << " " << reason;
    if (exchange_ && exchange_->started()) {
        // The response is under way: the only honest signal left is closing.
        close();
        return;
    }
    ErrorBody error = handler_.error_body(
        status, reason, exchange_ ? &exchange_->request() : parser_.complete_request_head());
    if (exchange_) {
        auto exchange = std::move(exchange_);
        exchange->detach();
    }
    ResponseHead head;
    head.status = status;
    head.keep_alive = false;
    head.headers.add("Date", http_date_now());
    head.headers.add("Content-Type", error.content_type);
    std::string body = std::move(error.body);
    head.content_length = body.size();
    keep_alive_ = false;
    send(std::vector<std::string>{serialize(head), std::move(body)}, {});
    close_after_flush();
}

void ServerConnection::send(std::string bytes, std::function<void()> on_flushed,
                            std::string_view borrowed, std::shared_ptr<const void> keeper) {
    if (closed_) return;
    ++writes_in_flight_;
    if (transport_->write(std::move(bytes), borrowed, std::move(keeper),
                          on_written(std::move(on_flushed))) < 0) {
        --writes_in_flight_;
        close();
    }
}

void ServerConnection::send(std::vector<std::string> pieces, std::function<void()> on_flushed) {
    if (closed_) return;
    ++writes_in_flight_;
    if (transport_->write(std::move(pieces), on_written(std::move(on_flushed))) < 0) {
        --writes_in_flight_;
        close();
    }
}

// Most writes have no on_flushed: their completion then captures only
// `this`, which std::function holds without allocating.
std::function<void(int)> ServerConnection::on_written(std::function<void()> on_flushed) {
    if (!on_flushed) return [this](int status) { written(status, nullptr); };
    return [this, on_flushed = std::move(on_flushed)](int status) { written(status, &on_flushed); };
}

void ServerConnection::written(int status, const std::function<void()>* on_flushed) {
    --writes_in_flight_;
    if (status < 0) {
        close();
        return;
    }
    if (on_flushed) (*on_flushed)();
    if (close_when_flushed_ && writes_in_flight_ == 0) close();
}

void ServerConnection::close_after_flush() {
    close_when_flushed_ = true;
    phase_ = Phase::closing;
    transport_->read_stop();
    timer_.clear();
    timer_kind_ = TimerKind::none;
    if (writes_in_flight_ == 0) close();
}

void ServerConnection::send_continue() {
    send(std::string("HTTP/1.1 100 Continue\r\n\r\n"), {});
}

void ServerConnection::start_response(ResponseHead& head, bool head_only, bool body_complete) {
    // A response that starts before the request body was all read ends the
    // connection: the unread rest cannot be told from a next request.
    head.keep_alive = keep_alive_ && !draining_ && body_complete;
    // The framing is written for the client's version: an HTTP/1.0 client
    // keeps the connection only when the answer says keep-alive (RFC 9112
    // §9.3), whatever version the head came with (a proxied member's).
    head.version = exchange_->request().version;
    head.chunked = false;
    if (status_has_body(head.status) && !head.content_length) {
        if (head.version.at_least_1_1()) {
            head.chunked = true;
        } else {
            // An HTTP/1.0 client knows the end of an unsized body only by
            // the connection closing.
            head.keep_alive = false;
        }
    }
    keep_alive_ = head.keep_alive;
    chunked_ = head.chunked;
    last_chunk_due_ = chunked_ && !head_only;
    // Held back until the first piece of body or the end, so that a
    // response usually leaves in one write.
    pending_head_ = serialize(head);
}

void ServerConnection::flush_head() {
    if (pending_head_.empty()) return;
    send(std::move(pending_head_), {});
    pending_head_.clear();
}

void ServerConnection::send_body(std::string data, std::function<void()> on_flushed) {
    std::vector<std::string> pieces;
    pieces.reserve(2);
    if (!pending_head_.empty()) pieces.push_back(std::move(pending_head_));
    pieces.push_back(chunked_ ? chunk(data) : std::move(data));
    pending_head_.clear();
    send(std::move(pieces), std::move(on_flushed));
}

void ServerConnection::send_body_view(std::string_view data, std::shared_ptr<const void> keeper,
                                      std::function<void()> on_flushed) {
    if (chunked_) {
        // Chunked framing wraps the bytes: the copying path does it.
        send_body(std::string(data), std::move(on_flushed));
        return;
    }
    std::string head = std::move(pending_head_);
    pending_head_.clear();
    send(std::move(head), std::move(on_flushed), data, std::move(keeper));
}

bool ServerConnection::send_body_file(int file, uint64_t offset, size_t length,
                                      std::function<void()> on_flushed) {
    if (chunked_)
        return ExchangeChannel::send_body_file(file, offset, length, std::move(on_flushed));
    if (closed_) return true;
    std::string head = std::move(pending_head_);
    pending_head_.clear();
    ++writes_in_flight_;
    const int status = transport_->send_file(std::move(head), file, offset, length,
                                             on_written(std::move(on_flushed)));
    if (status < 0) {
        --writes_in_flight_;
        close();
        return status != UV_EIO;  // EIO: the file, not the client, failed
    }
    return true;
}

void ServerConnection::end_response(bool framing_intact) {
    std::vector<std::string> pieces;
    if (!pending_head_.empty()) pieces.push_back(std::move(pending_head_));
    pending_head_.clear();
    if (last_chunk_due_) pieces.emplace_back(kLastChunk);
    if (!pieces.empty()) send(std::move(pieces), {});
    response_ended_ = true;
    if (!framing_intact) keep_alive_ = false;
    advance();
    if (!closed_ && !close_when_flushed_) {
        update_reading();
        arm_timer();
    }
}

void ServerConnection::set_body_paused(bool paused) {
    body_paused_ = paused;
    if (!paused) advance();
    if (!closed_ && !close_when_flushed_) update_reading();
}

void ServerConnection::update_reading() {
    // While a complete request waits for its response, the next pipelined
    // bytes are only buffered, up to one header block; past that the client
    // is held back by TCP instead of filling our memory. Reading on until
    // then lets a client that went away be noticed (and its work dropped).
    const bool waiting_for_response = exchange_ && request_complete_;
    const bool want = !close_when_flushed_ && !body_paused_ &&
                      (!waiting_for_response || pending_.size() < limits_.max_header_bytes);
    if (want) {
        transport_->read_resume();
    } else {
        transport_->read_stop();
    }
}

void ServerConnection::arm_timer() {
    if (closed_ || close_when_flushed_) return;
    if (exchange_ && request_complete_) {
        timer_.clear();  // the handler's time, bounded by its own timeouts
        timer_kind_ = TimerKind::none;
        return;
    }
    if (phase_ == Phase::body) {
        // Restarted by every read: the longest silence within a body.
        timer_kind_ = TimerKind::body;
        timer_.set(limits_.body_timeout_ms, [this] { fail(408, "request body timeout"); });
        return;
    }
    const bool waiting_for_next = !first_request_ && pending_.empty() && !parser_.in_message();
    if (waiting_for_next) {
        if (timer_kind_ == TimerKind::idle) return;
        timer_kind_ = TimerKind::idle;
        // Keep-alive: a silent close, nothing was asked.
        timer_.set(limits_.idle_timeout_ms, [this] { close(); });
    } else if (timer_kind_ != TimerKind::header) {
        // The header clock runs from the request's first byte (or the
        // connection's start) and a dribbling client cannot reset it.
        timer_kind_ = TimerKind::header;
        timer_.set(limits_.header_timeout_ms, [this] { fail(408, "request header timeout"); });
    }
}

}  // namespace core::http
