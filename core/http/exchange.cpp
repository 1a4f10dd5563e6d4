// One request and its response on a server connection: what a handler gets.
#include "core/http/exchange.hpp"

#include "core/http/serialize.hpp"
#include "core/http/status.hpp"

namespace core::http {

Exchange::Exchange(ExchangeChannel* channel, RequestHead request, std::string peer)
    : channel_(channel), request_(std::move(request)), peer_(std::move(peer)) {
    head_only_ = request_.method == "HEAD";
    body_complete_ = !request_.has_body();
}

void Exchange::send_continue_if_expected() {
    // RFC 9110 §10.1.1: a client that asked may wait for this before
    // sending the body; it goes out only once the handler wants the body.
    if (continue_sent_ || body_complete_ || started_ || !channel_ ||
        !request_.version.at_least_1_1())
        return;
    const auto expect = request_.headers.get("Expect");
    if (!expect || !iequals(*expect, "100-continue")) return;
    continue_sent_ = true;
    channel_->send_continue();
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
    if (channel_) channel_->set_body_paused(true);
}

void Exchange::resume_body() {
    if (channel_) channel_->set_body_paused(false);
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
    if (!channel_) return;
    channel_ = nullptr;
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
    if (channel_ && started_) channel_->flush_head();
}

void Exchange::abort() {
    if (channel_) channel_->abort();
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
    return channel_ && channel_->transport().secure();
}

std::string Exchange::tls_description() const {
    return channel_ ? channel_->transport().tls_description() : std::string();
}

void Exchange::start(ResponseHead head) {
    if (started_ || !channel_) return;
    started_ = true;
    status_ = head.status;
    if (!head.headers.has("Date")) head.headers.add("Date", http_date_now());
    for (auto& [name, value] : extra_fields_) {
        if (!head.headers.has(name)) head.headers.add(std::move(name), std::move(value));
    }
    // A 304 keeps the size of what it stands for; other bodiless statuses
    // have none to state.
    if (!status_has_body(head.status) && head.status != 304) head.content_length.reset();
    content_length_ = status_has_body(head.status) ? head.content_length : 0;
    channel_->start_response(head, head_only_, body_complete_);
}

void Exchange::write(std::string data, std::function<void()> on_flushed) {
    if (!channel_ || !started_ || ended_) return;
    if (head_only_ || data.empty()) {
        channel_->flush_head();
        if (on_flushed) on_flushed();
        return;
    }
    body_sent_ += data.size();
    channel_->send_body(std::move(data), std::move(on_flushed));
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
    if (!channel_ || !started_ || ended_) return;
    if (head_only_ || data.empty()) {
        write(std::string(), std::move(on_flushed));
        return;
    }
    body_sent_ += data.size();
    channel_->send_body_view(data, std::move(keeper), std::move(on_flushed));
}

bool Exchange::write_file(int file, uint64_t offset, size_t length,
                          std::function<void()> on_flushed) {
    if (!channel_ || !started_ || ended_) return true;
    if (head_only_ || length == 0) {
        write(std::string(), std::move(on_flushed));
        return true;
    }
    body_sent_ += length;
    return channel_->send_body_file(file, offset, length, std::move(on_flushed));
}

size_t Exchange::queued_bytes() const {
    return channel_ ? channel_->queued_bytes() : 0;
}

void Exchange::end() {
    if (!channel_ || ended_) return;
    if (!started_) {
        respond(500, {}, "handler ended without a response\n");
        return;
    }
    ended_ = true;
    // A sized body that got more or fewer bytes than it announced must not
    // look complete to the client.
    const bool framing_intact = head_only_ || !content_length_ || *content_length_ == body_sent_;
    finish();
    if (channel_) channel_->end_response(framing_intact);
}

ErrorBody Handler::error_body(int status, std::string_view reason, const RequestHead*) {
    return {"text/plain; charset=utf-8", std::to_string(status) + " " +
                                             std::string(reason_phrase(status)) + ": " +
                                             std::string(reason) + "\n"};
}

}  // namespace core::http
