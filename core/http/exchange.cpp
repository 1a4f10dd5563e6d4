// One request and its response on a server connection: what a handler gets.
#include "core/http/exchange.hpp"

#include "core/http/serialize.hpp"
#include "core/http/server_connection.hpp"
#include "core/http/status.hpp"

namespace core::http {

Exchange::Exchange(ServerConnection* connection, RequestHead request, std::string peer)
    : connection_(connection), request_(std::move(request)), peer_(std::move(peer)) {
    head_only_ = request_.method == "HEAD";
    body_complete_ = !request_.has_body();
}

void Exchange::send_continue_if_expected() {
    // RFC 9110 §10.1.1: a client that asked may wait for this before
    // sending the body; it goes out only once the handler wants the body.
    if (continue_sent_ || body_complete_ || started_ || !connection_ ||
        !request_.version.at_least_1_1())
        return;
    const auto expect = request_.headers.get("Expect");
    if (!expect || !iequals(*expect, "100-continue")) return;
    continue_sent_ = true;
    connection_->send(std::string("HTTP/1.1 100 Continue\r\n\r\n"), {});
}

void Exchange::read_body(std::function<void(std::string_view)> on_chunk,
                         std::function<void()> on_end) {
    send_continue_if_expected();
    on_chunk_ = std::move(on_chunk);
    on_end_ = std::move(on_end);
    if (!buffered_body_.empty()) {
        const std::string early = std::move(buffered_body_);
        buffered_body_.clear();
        on_chunk_(early);
    }
    if (body_complete_ && on_end_) {
        auto done = std::move(on_end_);
        done();
    }
}

void Exchange::read_body(std::function<void(std::string)> on_body) {
    send_continue_if_expected();
    collect_whole_ = true;
    on_whole_body_ = std::move(on_body);
    if (body_complete_) {
        auto done = std::move(on_whole_body_);
        done(std::move(buffered_body_));
    }
}

void Exchange::pause_body() {
    if (connection_) connection_->set_body_paused(true);
}

void Exchange::resume_body() {
    if (connection_) connection_->set_body_paused(false);
}

void Exchange::deliver_body(std::string_view data) {
    if (on_chunk_) {
        on_chunk_(data);
    } else {
        // Not asked for yet (or asked whole): keep it; the parser's body
        // limit bounds how much this can be.
        buffered_body_.append(data);
    }
}

void Exchange::deliver_end() {
    body_complete_ = true;
    if (on_end_) {
        auto done = std::move(on_end_);
        done();
    } else if (collect_whole_ && on_whole_body_) {
        auto done = std::move(on_whole_body_);
        done(std::move(buffered_body_));
    }
}

void Exchange::detach() {
    if (!connection_) return;
    connection_ = nullptr;
    if (on_abort_) {
        auto abort = std::move(on_abort_);
        abort();
    }
    finish();
    release_callbacks();
}

void Exchange::finish() {
    if (on_finish_) {
        auto done = std::move(on_finish_);
        on_finish_ = nullptr;
        done();
    }
}

void Exchange::flush_head() {
    if (!connection_ || pending_head_.empty()) return;
    connection_->send(std::move(pending_head_), {});
    pending_head_.clear();
}

void Exchange::abort() {
    if (connection_) connection_->close();
}

void Exchange::release_callbacks() {
    on_chunk_ = nullptr;
    on_end_ = nullptr;
    on_whole_body_ = nullptr;
    on_abort_ = nullptr;
    on_finish_ = nullptr;
}

void Exchange::respond(int status, Headers headers, std::string body) {
    ResponseHead head;
    head.status = status;
    head.headers = std::move(headers);
    if (status_has_body(status)) head.content_length = body.size();
    start(std::move(head));
    if (status_has_body(status) && !body.empty()) write(std::move(body));
    end();
}

bool Exchange::secure() const {
    return connection_ && connection_->transport_->secure();
}

std::string Exchange::tls_description() const {
    return connection_ ? connection_->transport_->tls_description() : std::string();
}

void Exchange::start(ResponseHead head) {
    if (started_ || !connection_) return;
    started_ = true;
    status_ = head.status;
    if (!head.headers.has("Date")) head.headers.add("Date", http_date_now());
    for (auto& [name, value] : extra_fields_) {
        if (!head.headers.has(name)) head.headers.add(std::move(name), std::move(value));
    }
    // A response that starts before the request body was all read ends the
    // connection: the unread rest cannot be told from a next request.
    head.keep_alive = connection_->keep_alive_ && !connection_->draining_ && body_complete_;
    // The framing is written for the client's version: an HTTP/1.0 client
    // keeps the connection only when the answer says keep-alive (RFC 9112
    // §9.3), whatever version the head came with (a proxied member's).
    head.version = request_.version;
    head.chunked = false;
    if (!status_has_body(head.status)) {
        if (head.status != 304) head.content_length.reset();
    } else if (!head.content_length) {
        if (request_.version.at_least_1_1()) {
            head.chunked = true;
        } else {
            // An HTTP/1.0 client knows the end of an unsized body only by
            // the connection closing.
            head.keep_alive = false;
        }
    }
    connection_->keep_alive_ = head.keep_alive;
    chunked_ = head.chunked;
    content_length_ = head.content_length;
    if (!status_has_body(head.status)) content_length_ = 0;
    // Held back until the first piece of body or the end, so that a
    // response usually leaves in one write.
    pending_head_ = serialize(head);
}

void Exchange::write(std::string data, std::function<void()> on_flushed) {
    if (!connection_ || !started_ || ended_) return;
    if (head_only_ || data.empty()) {
        flush_head();
        if (on_flushed) on_flushed();
        return;
    }
    body_sent_ += data.size();
    std::vector<std::string> pieces;
    pieces.reserve(2);
    if (!pending_head_.empty()) pieces.push_back(std::move(pending_head_));
    pieces.push_back(chunked_ ? chunk(data) : std::move(data));
    pending_head_.clear();
    connection_->send(std::move(pieces), std::move(on_flushed));
}

void Exchange::write_shared(std::shared_ptr<const std::string> data, size_t offset, size_t length,
                            std::function<void()> on_flushed) {
    const std::string_view view = std::string_view(*data).substr(offset, length);
    write_borrowed(view, std::move(data), std::move(on_flushed));
}

void Exchange::write_view(std::string_view data, std::function<void()> on_flushed) {
    write_borrowed(data, nullptr, std::move(on_flushed));
}

void Exchange::write_borrowed(std::string_view data, std::shared_ptr<const void> keeper,
                              std::function<void()> on_flushed) {
    if (!connection_ || !started_ || ended_) return;
    if (head_only_ || data.empty() || chunked_) {
        // Chunked framing wraps the bytes: the copying path does it.
        write(head_only_ ? std::string() : std::string(data), std::move(on_flushed));
        return;
    }
    body_sent_ += data.size();
    std::string head = std::move(pending_head_);
    pending_head_.clear();
    connection_->send(std::move(head), std::move(on_flushed), data, std::move(keeper));
}

size_t Exchange::queued_bytes() const {
    return connection_ ? connection_->queued_bytes() : 0;
}

void Exchange::end() {
    if (!connection_ || ended_) return;
    if (!started_) {
        respond(500, {}, "handler ended without a response\n");
        return;
    }
    ended_ = true;
    std::vector<std::string> pieces;
    if (!pending_head_.empty()) pieces.push_back(std::move(pending_head_));
    pending_head_.clear();
    if (chunked_ && !head_only_) pieces.emplace_back(kLastChunk);
    if (!pieces.empty()) connection_->send(std::move(pieces), {});
    // A sized body that got more or fewer bytes than it announced leaves the
    // client unable to find the next response: the connection must close.
    const bool framing_intact = head_only_ || !content_length_ || *content_length_ == body_sent_;
    finish();
    if (connection_) connection_->exchange_ended(framing_intact);
}

ErrorBody Handler::error_body(int status, std::string_view reason, const RequestHead*) {
    return {"text/plain; charset=utf-8", std::to_string(status) + " " +
                                             std::string(reason_phrase(status)) + ": " +
                                             std::string(reason) + "\n"};
}

}  // namespace core::http
