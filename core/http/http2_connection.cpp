// The server side of one HTTP/2 connection, with nghttp2.
#include "core/http/http2_connection.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <nghttp2/nghttp2.h>
#include <optional>

#include "core/http/serialize.hpp"
#include "core/http/status.hpp"
#include "core/log.hpp"

namespace core::http {

namespace {

// Each stream may have this much request body in flight before the
// handler takes it: what a paused stream can hold, times the streams.
constexpr int32_t kStreamWindow = 256 * 1024;
// The whole connection's, so that one stream's body never waits for
// another's to be taken.
constexpr int32_t kConnectionWindow = 16 * 1024 * 1024;
// More CONTINUATION frames after a HEADERS than this ends the connection
// (CVE-2024-27316, CVE-2024-28182).
constexpr size_t kMaxContinuations = 8;
// RST_STREAM from the client: a burst, then so many a second; past it the
// connection ends (rapid reset, CVE-2023-44487).
constexpr uint64_t kResetBurst = 200;
constexpr uint64_t kResetsPerSecond = 33;
// Frames are made while the socket has less than this queued.
constexpr size_t kSendHighWater = 256 * 1024;
constexpr size_t kWriteChunk = 64 * 1024;

struct CallbacksFree {
    void operator()(nghttp2_session_callbacks* callbacks) const {
        nghttp2_session_callbacks_del(callbacks);
    }
};
struct OptionFree {
    void operator()(nghttp2_option* option) const { nghttp2_option_del(option); }
};

// Fields HTTP/2 forbids (RFC 9113 §8.2.2), and the framing nghttp2 writes.
bool connection_specific(std::string_view name) {
    return iequals(name, "Connection") || iequals(name, "Keep-Alive") ||
           iequals(name, "Proxy-Connection") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Upgrade") || iequals(name, "Content-Length");
}

nghttp2_nv field(std::string_view name, std::string_view value) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

void Http2SessionFree::operator()(nghttp2_session* session) const {
    nghttp2_session_del(session);
}

// One request and its response; the Exchange's channel.
class Http2Connection::Stream final : public ExchangeChannel {
  public:
    Stream(Http2Connection& connection, int32_t id)
        : connection_(connection), id_(id), fields_(std::in_place, connection.limits_) {}

    const Transport& transport() const override { return *connection_.transport_; }
    void send_continue() override {
        const nghttp2_nv status = field(":status", "100");
        nghttp2_submit_headers(session(), NGHTTP2_FLAG_NONE, id_, nullptr, &status, 1, nullptr);
        connection_.flush_soon();
    }
    void set_body_paused(bool paused) override;
    void start_response(ResponseHead& head, bool head_only, bool body_complete) override;
    void flush_head() override { connection_.flush_soon(); }
    void send_body(std::string data, std::function<void()> on_flushed) override {
        queue({std::move(data), {}, nullptr, std::move(on_flushed)});
    }
    void send_body_view(std::string_view data, std::shared_ptr<const void> keeper,
                        std::function<void()> on_flushed) override {
        // Frames are made later: without a keeper the bytes are copied.
        if (keeper) {
            queue({{}, data, std::move(keeper), std::move(on_flushed)});
        } else {
            queue({std::string(data), {}, nullptr, std::move(on_flushed)});
        }
    }
    void end_response(bool framing_intact) override;
    size_t queued_bytes() const override {
        return outgoing_bytes_ + connection_.transport_->write_queue_size();
    }
    void abort() override { reset(NGHTTP2_INTERNAL_ERROR); }

    // nghttp2's data source: the queued body, as much as the window allows.
    static ssize_t read_body(nghttp2_session*, int32_t, uint8_t* buffer, size_t length,
                             uint32_t* flags, nghttp2_data_source* source, void*);

    void reset(uint32_t error) {
        outgoing_.clear();
        outgoing_bytes_ = 0;
        nghttp2_submit_rst_stream(session(), NGHTTP2_FLAG_NONE, id_, error);
        connection_.flush_soon();
    }
    // The rest of the request is still to come from the client.
    bool awaits_client() const { return !request_complete_ && !answered_by_connection_; }
    // Body bytes from the client.
    void receive(std::string_view data);
    void request_ended();

    Http2Connection& connection_;
    const int32_t id_;
    std::optional<Http2RequestFields> fields_;  // until the header block ends
    std::shared_ptr<Exchange> exchange_;
    bool request_complete_ = false;
    bool answered_by_connection_ = false;  // a refusal: the body is dropped
    uint64_t body_bytes_ = 0;
    bool body_paused_ = false;
    std::string held_body_;  // received while paused
    bool end_held_ = false;

  private:
    struct Piece {
        std::string owned;
        std::string_view view;  // with a keeper
        std::shared_ptr<const void> keeper;
        std::function<void()> on_flushed;
        size_t offset = 0;
        std::string_view bytes() const { return keeper ? view : std::string_view(owned); }
    };
    nghttp2_session* session() const { return connection_.session_.get(); }
    void queue(Piece piece);
    void resume() {
        if (!deferred_) return;
        deferred_ = false;
        nghttp2_session_resume_data(session(), id_);
    }

    std::deque<Piece> outgoing_;
    size_t outgoing_bytes_ = 0;
    bool has_body_ = false;
    bool response_ended_ = false;
    bool deferred_ = false;
};

void Http2Connection::Stream::start_response(ResponseHead& head, bool head_only, bool) {
    const std::string status = std::to_string(head.status);
    std::vector<nghttp2_nv> fields;
    std::deque<std::string> lowered;  // names must be lowercase in HTTP/2
    fields.reserve(head.headers.size() + 2);
    fields.push_back(field(":status", status));
    for (const auto& [name, value] : head.headers) {
        if (connection_specific(name)) continue;
        std::string& lower = lowered.emplace_back(name);
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
            return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        });
        fields.push_back(field(lower, value));
    }
    std::string length;
    if (head.content_length && (status_has_body(head.status) || head.status == 304)) {
        length = std::to_string(*head.content_length);
        fields.push_back(field("content-length", length));
    }
    has_body_ = !head_only && status_has_body(head.status) && head.content_length != uint64_t{0};
    nghttp2_data_provider provider{};
    provider.source.ptr = this;
    provider.read_callback = read_body;
    // nghttp2 copies the fields: they need only live through the call.
    nghttp2_submit_response(session(), id_, fields.data(), fields.size(),
                            has_body_ ? &provider : nullptr);
}

void Http2Connection::Stream::queue(Piece piece) {
    if (!has_body_ || response_ended_) return;
    outgoing_bytes_ += piece.bytes().size();
    outgoing_.push_back(std::move(piece));
    resume();
    connection_.flush_soon();
}

void Http2Connection::Stream::end_response(bool framing_intact) {
    if (!framing_intact) {
        // Fewer or more bytes than announced: END_STREAM would pass the
        // response off as whole.
        reset(NGHTTP2_INTERNAL_ERROR);
        return;
    }
    response_ended_ = true;
    if (has_body_) resume();
    connection_.flush_soon();
}

ssize_t Http2Connection::Stream::read_body(nghttp2_session*, int32_t, uint8_t* buffer,
                                           size_t length, uint32_t* flags,
                                           nghttp2_data_source* source, void*) {
    auto& stream = *static_cast<Stream*>(source->ptr);
    size_t copied = 0;
    while (copied < length && !stream.outgoing_.empty()) {
        Piece& piece = stream.outgoing_.front();
        const std::string_view bytes = piece.bytes();
        const size_t n = std::min(length - copied, bytes.size() - piece.offset);
        std::memcpy(buffer + copied, bytes.data() + piece.offset, n);
        piece.offset += n;
        copied += n;
        if (piece.offset == bytes.size()) {
            if (piece.on_flushed)
                stream.connection_.flushed_pieces_.push_back(std::move(piece.on_flushed));
            stream.outgoing_.pop_front();
        }
    }
    stream.outgoing_bytes_ -= copied;
    if (stream.outgoing_.empty() && stream.response_ended_) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    } else if (copied == 0) {
        stream.deferred_ = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(copied);
}

void Http2Connection::Stream::receive(std::string_view data) {
    body_bytes_ += data.size();
    if (answered_by_connection_ || !exchange_) {
        connection_.consumed(id_, data.size());
        return;
    }
    if (body_bytes_ > connection_.limits_.max_body_bytes) {
        connection_.consumed(id_, data.size());
        connection_.refuse(*this, 413, "request body too large");
        return;
    }
    if (body_paused_) {
        // The window is given back only once the handler takes them.
        held_body_.append(data);
        return;
    }
    const auto exchange = exchange_;
    exchange->deliver_body(data);
    connection_.consumed(id_, data.size());
}

void Http2Connection::Stream::request_ended() {
    request_complete_ = true;
    if (!exchange_ || answered_by_connection_) return;
    if (body_paused_ && !held_body_.empty()) {
        end_held_ = true;
        return;
    }
    const auto exchange = exchange_;
    exchange->deliver_end();
}

void Http2Connection::Stream::set_body_paused(bool paused) {
    body_paused_ = paused;
    if (paused || !exchange_) return;
    if (!held_body_.empty()) {
        const std::string held = std::move(held_body_);
        held_body_.clear();
        const auto exchange = exchange_;
        exchange->deliver_body(held);
        connection_.consumed(id_, held.size());
        connection_.flush_soon();
    }
    if (end_held_ && !body_paused_ && exchange_) {
        end_held_ = false;
        const auto exchange = exchange_;
        exchange->deliver_end();
    }
}

// nghttp2's callbacks, each handing the event to the connection.
struct Http2Connection::Callbacks {
    static Http2Connection& self(void* user) { return *static_cast<Http2Connection*>(user); }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        Http2Connection& c = self(user);
        c.streams_.emplace(frame->hd.stream_id, std::make_unique<Stream>(c, frame->hd.stream_id));
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                         size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                         void* user) {
        Stream* stream = self(user).stream(frame->hd.stream_id);
        // Trailers are not passed on, as over HTTP/1.1.
        if (!stream || !stream->fields_) return 0;
        stream->fields_->add(std::string_view(reinterpret_cast<const char*>(name), name_length),
                             std::string_view(reinterpret_cast<const char*>(value), value_length));
        return 0;
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
        Http2Connection& c = self(user);
        const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
        switch (frame->hd.type) {
            case NGHTTP2_HEADERS:
                if (Stream* stream = c.stream(frame->hd.stream_id)) {
                    if (stream->fields_) {
                        c.on_request(*stream, end_stream);
                    } else if (end_stream) {
                        stream->request_ended();
                    }
                }
                break;
            case NGHTTP2_DATA:
                if (end_stream) {
                    if (Stream* stream = c.stream(frame->hd.stream_id)) stream->request_ended();
                }
                break;
            case NGHTTP2_SETTINGS:
                if (frame->hd.flags & NGHTTP2_FLAG_ACK) {
                    c.our_settings_acked_ = true;
                } else {
                    c.client_settings_ = true;
                }
                break;
            default:
                break;
        }
        return 0;
    }

    static int on_data_chunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                             const uint8_t* data, size_t length, void* user) {
        // The connection's window is given back at once: a paused stream
        // holds back its own window only.
        nghttp2_session_consume_connection(session, length);
        Http2Connection& c = self(user);
        if (Stream* stream = c.stream(stream_id)) {
            stream->receive(std::string_view(reinterpret_cast<const char*>(data), length));
        } else {
            nghttp2_session_consume_stream(session, stream_id, length);
        }
        return 0;
    }

    static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
        // A response complete before its request (a refusal, an early
        // answer): the client is asked to stop sending, without error
        // (RFC 9113 §8.1).
        if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
            Stream* stream = self(user).stream(frame->hd.stream_id);
            if (stream && !stream->request_complete_)
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                          NGHTTP2_NO_ERROR);
        }
        return 0;
    }

    static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
        self(user).stream_closed(stream_id);
        return 0;
    }

    static int on_error(nghttp2_session*, int, const char* message, size_t length, void* user) {
        log::debug("http") << self(user).peer_ << ": HTTP/2: " << std::string_view(message, length);
        return 0;
    }

    static const nghttp2_session_callbacks* get() {
        static const auto callbacks = [] {
            nghttp2_session_callbacks* raw = nullptr;
            if (nghttp2_session_callbacks_new(&raw) != 0) throw std::bad_alloc();
            std::unique_ptr<nghttp2_session_callbacks, CallbacksFree> owned(raw);
            nghttp2_session_callbacks_set_on_begin_headers_callback(raw, on_begin_headers);
            nghttp2_session_callbacks_set_on_header_callback(raw, on_header);
            nghttp2_session_callbacks_set_on_frame_recv_callback(raw, on_frame_recv);
            nghttp2_session_callbacks_set_on_data_chunk_recv_callback(raw, on_data_chunk);
            nghttp2_session_callbacks_set_on_frame_send_callback(raw, on_frame_send);
            nghttp2_session_callbacks_set_on_stream_close_callback(raw, on_stream_close);
            nghttp2_session_callbacks_set_error_callback2(raw, on_error);
            return owned;
        }();
        return callbacks.get();
    }
};

Http2Connection::Http2Connection(std::unique_ptr<Transport> transport, const Limits& limits,
                                 Handler& handler, ClosedCallback on_closed)
    : transport_(std::move(transport)),
      limits_(limits),
      handler_(handler),
      on_closed_(std::move(on_closed)),
      timer_(transport_->loop()),
      reaper_(transport_->loop()),
      flush_timer_(transport_->loop()) {
    nghttp2_option* raw_option = nullptr;
    if (nghttp2_option_new(&raw_option) != 0) throw std::bad_alloc();
    const std::unique_ptr<nghttp2_option, OptionFree> option(raw_option);
    // The window is given back as the handler takes the body: backpressure.
    nghttp2_option_set_no_auto_window_update(raw_option, 1);
    nghttp2_option_set_max_continuations(raw_option, kMaxContinuations);
    nghttp2_option_set_stream_reset_rate_limit(raw_option, kResetBurst, kResetsPerSecond);
    nghttp2_session* raw = nullptr;
    if (nghttp2_session_server_new2(&raw, Callbacks::get(), this, raw_option) != 0)
        throw std::bad_alloc();
    session_.reset(raw);
}

Http2Connection::~Http2Connection() {
    for (auto& [id, stream] : streams_)
        let_go(*stream);
}

void Http2Connection::let_go(Stream& stream) {
    auto exchange = std::move(stream.exchange_);
    if (!exchange) return;
    if (exchange->ended()) {
        // Answered whole: nothing was lost; the handler's callbacks go.
        exchange->release_callbacks();
        exchange->channel_ = nullptr;
    } else {
        exchange->detach();  // the client reset it, left, or the response failed
    }
}

void Http2Connection::start() {
    peer_ = transport_->peer_name();
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
         static_cast<uint32_t>(limits_.http2_max_concurrent_streams)},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
    };
    nghttp2_submit_settings(session_.get(), NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(session_.get(), NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    transport_->read_start([this](std::string_view data) { on_data(data); },
                           [this](int) { close(); });
    flush();
}

void Http2Connection::drain() {
    if (closed_ || closing_ || draining_) return;
    draining_ = true;
    // Streams the client began are finished; it opens new ones elsewhere.
    nghttp2_submit_goaway(session_.get(), NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_.get()), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    flush();
}

void Http2Connection::close() {
    if (closed_) return;
    closed_ = true;
    timer_.close();
    reaper_.close();
    flush_timer_.close();
    transport_->close();
    // The handlers of unfinished streams learn that their clients are gone.
    for (auto& [id, stream] : streams_)
        let_go(*stream);
    if (on_closed_) on_closed_(this);
}

Http2Connection::Stream* Http2Connection::stream(int32_t id) {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
}

void Http2Connection::on_data(std::string_view data) {
    if (closed_ || closing_) return;
    receiving_ = true;
    const auto consumed = nghttp2_session_mem_recv(
        session_.get(), reinterpret_cast<const uint8_t*>(data.data()), data.size());
    receiving_ = false;
    if (closed_) return;
    if (consumed < 0) {
        log::debug("http") << peer_ << ": HTTP/2: " << nghttp2_strerror(static_cast<int>(consumed));
        if (consumed == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
            close();  // not HTTP/2 at all: nothing to say in its framing
            return;
        }
        terminate(NGHTTP2_PROTOCOL_ERROR);
        return;
    }
    // A silence while requests are incomplete is measured from here.
    if (timer_mode_ == TimerMode::request) timer_mode_ = TimerMode::none;
    flush();
}

void Http2Connection::flush_soon() {
    if (closed_ || receiving_ || flush_timer_.active()) return;
    flush_timer_.start(0, [this] { flush(); });
}

void Http2Connection::flush() {
    if (closed_ || receiving_) return;  // on_data flushes once at its end
    if (flushing_) {
        flush_again_ = true;
        return;
    }
    flushing_ = true;
    std::string out;
    do {
        flush_again_ = false;
        while (!closed_ && transport_->write_queue_size() < kSendHighWater) {
            const uint8_t* data = nullptr;
            const auto n = nghttp2_session_mem_send(session_.get(), &data);
            if (n < 0) {
                flushing_ = false;
                close();
                return;
            }
            if (n == 0) break;
            out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
            if (out.size() >= kWriteChunk) write_out(out);
        }
    } while (flush_again_ && !closed_);
    write_out(out);
    flushing_ = false;
    if (closed_) return;
    if (!nghttp2_session_want_read(session_.get()) && !nghttp2_session_want_write(session_.get())) {
        close_after_flush();
        return;
    }
    update_timer();
}

void Http2Connection::write_out(std::string& out) {
    if (out.empty() || closed_) return;
    ++writes_in_flight_;
    auto flushed = std::move(flushed_pieces_);
    flushed_pieces_.clear();
    const int status = transport_->write(std::move(out), {}, nullptr,
                                         [this, flushed = std::move(flushed)](int result) mutable {
                                             written(result, std::move(flushed));
                                         });
    out.clear();
    if (status < 0) {
        --writes_in_flight_;
        close();
    }
}

void Http2Connection::written(int status, std::vector<std::function<void()>> flushed) {
    --writes_in_flight_;
    if (status < 0) {
        close();
        return;
    }
    // Producers waiting for these pieces to leave send their next ones.
    for (auto& done : flushed)
        done();
    if (closed_) return;
    if (closing_) {
        if (writes_in_flight_ == 0) close();
        return;
    }
    flush();
}

void Http2Connection::terminate(uint32_t error) {
    nghttp2_session_terminate_session(session_.get(), error);
    flush();
    close_after_flush();
}

void Http2Connection::close_after_flush() {
    if (closed_) return;
    closing_ = true;
    transport_->read_stop();
    timer_.clear();
    if (writes_in_flight_ == 0) close();
}

void Http2Connection::update_timer() {
    if (closed_ || closing_) return;
    TimerMode mode = TimerMode::none;
    if (!our_settings_acked_ || !client_settings_) {
        mode = TimerMode::settings;
    } else if (streams_.empty()) {
        mode = TimerMode::idle;
    } else if (std::any_of(streams_.begin(), streams_.end(),
                           [](const auto& entry) { return entry.second->awaits_client(); })) {
        mode = TimerMode::request;
    }
    if (mode == timer_mode_) return;
    timer_mode_ = mode;
    switch (mode) {
        case TimerMode::none:
            timer_.clear();
            break;
        case TimerMode::settings:
            // The preface, the client's SETTINGS and its acknowledgement of
            // ours (RFC 9113 §6.5.3), within the header timeout.
            timer_.set(limits_.header_timeout_ms, [this] { terminate(NGHTTP2_SETTINGS_TIMEOUT); });
            break;
        case TimerMode::idle:
            timer_.set(limits_.idle_timeout_ms, [this] { terminate(NGHTTP2_NO_ERROR); });
            break;
        case TimerMode::request:
            timer_.set(limits_.body_timeout_ms, [this] { requests_timed_out(); });
            break;
    }
}

void Http2Connection::requests_timed_out() {
    timer_mode_ = TimerMode::none;
    std::vector<Stream*> waiting;
    for (auto& [id, stream] : streams_) {
        if (stream->awaits_client()) waiting.push_back(stream.get());
    }
    for (Stream* stream : waiting) {
        if (stream->exchange_) {
            refuse(*stream, 408, "request body timeout");
        } else {
            refuse(*stream, 408, "request header timeout");
        }
    }
    flush();
}

void Http2Connection::on_request(Stream& stream, bool end_stream) {
    auto result = std::move(*stream.fields_).finish(end_stream);
    stream.fields_.reset();
    stream.request_complete_ = end_stream;
    if (result.status != 0) {
        refuse(stream, result.status, result.reason);
        return;
    }
    stream.exchange_ = std::make_shared<Exchange>(&stream, std::move(result.head), peer_);
    // Kept alive across the call even if the handler drops it.
    const auto exchange = stream.exchange_;
    handler_.handle(exchange);
}

void Http2Connection::refuse(Stream& stream, int status, std::string_view reason) {
    log::debug("http") << peer_ << ": stream " << stream.id_ << ": " << status << " " << reason;
    stream.answered_by_connection_ = true;
    ErrorBody error;
    if (auto exchange = std::move(stream.exchange_)) {
        if (exchange->started()) {
            // The response is under way: only a reset can say it failed.
            exchange->detach();
            stream.reset(NGHTTP2_INTERNAL_ERROR);
            return;
        }
        error = handler_.error_body(status, reason, &exchange->request());
        exchange->detach();
    } else {
        error = handler_.error_body(status, reason, nullptr);
    }
    ResponseHead head;
    head.status = status;
    head.headers.add("date", http_date_now());
    head.headers.add("content-type", error.content_type);
    head.content_length = error.body.size();
    stream.start_response(head, false, false);
    stream.send_body(std::move(error.body), {});
    stream.end_response(true);
}

void Http2Connection::stream_closed(int32_t id) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;
    // Destroyed on the next loop turn: nghttp2 and the stream's own
    // callers may still be on the stack.
    std::unique_ptr<Stream> stream = std::move(it->second);
    streams_.erase(it);
    let_go(*stream);
    closed_streams_.push_back(std::move(stream));
    if (!reaper_.active()) reaper_.start(0, [this] { closed_streams_.clear(); });
}

void Http2Connection::consumed(int32_t id, size_t bytes) {
    nghttp2_session_consume_stream(session_.get(), id, bytes);
}

}  // namespace core::http
