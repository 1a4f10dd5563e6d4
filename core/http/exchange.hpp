// One request and its response on a server connection: what a handler gets.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/exchange_channel.hpp"
#include "core/http/message.hpp"

namespace core::http {

class ServerConnection;
class Http2Connection;

// A handler holds a shared_ptr to the Exchange for as long as it works on
// it, possibly across threads' round trips; when the client goes away in
// the meantime, the Exchange is detached: its writes are dropped and
// on_abort runs. All members are for the connection's loop thread.
class Exchange {
  public:
    explicit Exchange(ExchangeChannel* channel, RequestHead request, std::string peer);
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    const RequestHead& request() const { return request_; }
    // The client's address, "ip:port" (or "unix:").
    const std::string& peer() const { return peer_; }
    // Whether the request came over TLS, and its version and cipher
    // ("TLSv1.3 TLS_AES_256_GCM_SHA384"; empty for plain HTTP). False and
    // empty once the connection is gone.
    bool secure() const;
    std::string tls_description() const;

    // The request body, streamed: the chunks already received, then the
    // rest as it arrives, then on_end. Call one read_body at most.
    void read_body(std::function<void(std::string_view)> on_chunk, std::function<void()> on_end);
    // The request body, whole; its size is bounded by the body limit.
    void read_body(std::function<void(std::string)> on_body);
    // Backpressure for a streamed body: stop taking bytes from the client.
    void pause_body();
    void resume_body();

    // A whole response. Framing (Content-Length, Connection) is added.
    void respond(int status, Headers headers, std::string body);
    // A field every response to this request carries, whoever makes it
    // (a site-wide policy such as HSTS); one the response has is kept.
    void add_response_field(std::string name, std::string value) {
        extra_fields_.add(std::move(name), std::move(value));
    }
    // A streamed response: sized when head.content_length is set, else
    // chunked (or, to an HTTP/1.0 client, delimited by closing).
    void start(ResponseHead head);
    // A piece of the body; `on_flushed` runs once the kernel took it, which
    // is when a producer should send the next piece (backpressure).
    void write(std::string data, std::function<void()> on_flushed = {});
    // A piece of the body that is not copied: `length` bytes at `offset` of
    // `data`, which stays alive until written.
    void write_shared(std::shared_ptr<const std::string> data, size_t offset, size_t length,
                      std::function<void()> on_flushed = {});
    // A piece of the body that need only live through the call: copied
    // only if the kernel does not take it at once (a proxied body).
    void write_view(std::string_view data, std::function<void()> on_flushed = {});
    // A piece of the body from an open file: `length` bytes at `offset`,
    // sent by sendfile(2) where the connection allows. False when the file
    // could not be read whole: call abort() then.
    bool write_file(int file, uint64_t offset, size_t length,
                    std::function<void()> on_flushed = {});
    // Response bytes the kernel has not taken yet, on this connection.
    size_t queued_bytes() const;
    void end();
    // Sends the head now rather than with the first piece of body: for a
    // body that may be slow to come.
    void flush_head();

    // Closes the client connection now: a response that cannot be
    // completed (its source failed midway) must not look complete.
    void abort();

    bool started() const { return started_; }
    // The status sent (0 before start) and the body bytes written: what an
    // access log records.
    int status() const { return status_; }
    uint64_t body_bytes_sent() const { return body_sent_; }
    bool ended() const { return ended_; }
    // True once the client connection is gone.
    bool aborted() const { return channel_ == nullptr; }
    void on_abort(std::function<void()> callback) { on_abort_ = std::move(callback); }
    // Runs once when the exchange is over: its response ended, or the
    // client went away first (after on_abort).
    void on_finish(std::function<void()> callback) { on_finish_ = std::move(callback); }

  private:
    Headers extra_fields_;
    friend class ServerConnection;
    friend class Http2Connection;
    // From the connection: body bytes, end of body, loss of the client.
    void deliver_body(std::string_view data);
    void deliver_end();
    void detach();
    // Drops every callback the handler gave: they may hold the Exchange
    // itself, and a cycle must not outlive the exchange.
    void release_callbacks();
    void finish();
    void send_continue_if_expected();

    ExchangeChannel* channel_;
    RequestHead request_;
    std::string peer_;

    std::string buffered_body_;
    bool body_complete_ = false;
    bool collect_whole_ = false;
    std::function<void(std::string_view)> on_chunk_;
    std::function<void()> on_end_;
    std::function<void(std::string)> on_whole_body_;

    bool started_ = false;
    bool ended_ = false;
    bool head_only_ = false;  // HEAD request: headers go out, the body does not
    std::optional<uint64_t> content_length_;
    uint64_t body_sent_ = 0;
    std::function<void()> on_abort_;
    std::function<void()> on_finish_;
    bool continue_sent_ = false;
    // write_shared and write_view: `keeper`, when set, keeps `data` alive
    // until written; without one, data that must wait is copied.
    void write_borrowed(std::string_view data, std::shared_ptr<const void> keeper,
                        std::function<void()> on_flushed);

    int status_ = 0;
};

// What httpd and appsrv implement: called on the loop thread once a
// request's head is complete, before its body is read.
// The body of an answer the HTTP layer makes itself, before or instead of
// the handler: 400 for ambiguous framing, 408, 413, 414, 431, 501, 505.
struct ErrorBody {
    std::string content_type;
    std::string body;
};

class Handler {
  public:
    virtual ~Handler() = default;
    virtual void handle(const std::shared_ptr<Exchange>& exchange) = 0;
    // "413 Content Too Large: request body too large" as plain text; a
    // handler whose clients read another form (appsrv's JSON) says so.
    // `request` is the head the error came after (a body too large or too
    // slow), null when the head itself was refused.
    virtual ErrorBody error_body(int status, std::string_view reason, const RequestHead* request);
};

}  // namespace core::http
