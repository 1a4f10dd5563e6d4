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

void Exchange::read_body(std::function<void(std::string_view)> on_chunk,
                         std::function<void()> on_end) {
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
    release_callbacks();
}

void Exchange::release_callbacks() {
    on_chunk_ = nullptr;
    on_end_ = nullptr;
    on_whole_body_ = nullptr;
    on_abort_ = nullptr;
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

void Exchange::start(ResponseHead head) {
    if (started_ || !connection_) return;
    started_ = true;
    if (!head.headers.has("Date")) head.headers.add("Date", http_date_now());
    // A response that starts before the request body was all read ends the
    // connection: the unread rest cannot be told from a next request.
    head.keep_alive = connection_->keep_alive_ && !connection_->draining_ && body_complete_;
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
    connection_->send(serialize(head), {});
}

void Exchange::write(std::string data, std::function<void()> on_flushed) {
    if (!connection_ || !started_ || ended_) return;
    if (head_only_ || data.empty()) {
        if (on_flushed) on_flushed();
        return;
    }
    body_sent_ += data.size();
    connection_->send(chunked_ ? chunk(data) : std::move(data), std::move(on_flushed));
}

void Exchange::end() {
    if (!connection_ || ended_) return;
    if (!started_) {
        respond(500, {}, "handler ended without a response\n");
        return;
    }
    ended_ = true;
    if (chunked_ && !head_only_) connection_->send(std::string(kLastChunk), {});
    // A sized body that got more or fewer bytes than it announced leaves the
    // client unable to find the next response: the connection must close.
    const bool framing_intact = head_only_ || !content_length_ || *content_length_ == body_sent_;
    connection_->exchange_ended(framing_intact);
}

}  // namespace core::http
