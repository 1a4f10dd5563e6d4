// An incremental HTTP/1.x message parser over llhttp (strict mode) that
// enforces the connection's limits and maps every failure to a status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <llhttp.h>

#include "core/http/limits.hpp"
#include "core/http/message.hpp"

namespace core::http {

// Whether a Host field value is uri-host [ ":" port ] (RFC 9112 §3.2).
bool is_valid_host(std::string_view host);
// Whether `name` is a field name: one or more token characters (RFC 9110 §5.1).
bool is_field_name(std::string_view name);
// Whether `value` may stand as a field value: visible characters, spaces
// and tabs, nothing that ends a line (RFC 9110 §5.5).
bool is_field_value(std::string_view value);

class Parser {
  public:
    enum class Kind { request, response };

    struct Callbacks {
        // The head is complete; for a request, the handler may start now.
        std::function<void(RequestHead&)> on_request;
        std::function<void(ResponseHead&)> on_response;
        std::function<void(std::string_view)> on_body;
        std::function<void()> on_complete;
    };

    enum class Outcome {
        need_more,         // everything consumed, the message is not complete
        message_complete,  // stopped right after a message; call resume() before feeding more
        error,             // the stream is unusable; error_status() says what to answer
    };

    struct Result {
        Outcome outcome;
        size_t consumed;  // bytes of the input used, the rest belongs to the next message
    };

    Parser(Kind kind, const Limits& limits, Callbacks callbacks);
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    Result feed(std::string_view data);
    // The peer closed its side: completes a close-delimited response body.
    Result finish();
    // Continues after message_complete with the next message.
    void resume();

    // For a response parser: the request was HEAD (or the status has no
    // body), so the next response's head is followed by no body.
    void expect_no_body(bool no_body) { expect_no_body_ = no_body; }

    // Bytes of the current message's head seen so far (0 between messages).
    bool in_message() const { return in_message_; }
    // After Outcome::error: the status to answer (400, 413, 414, 431, 501, 505)
    // and a short reason for the log.
    int error_status() const { return error_status_; }
    const std::string& error_reason() const { return error_reason_; }
    // The current request's head once it is whole (an error after it, a
    // body too large, still has it); null before.
    const RequestHead* complete_request_head() const {
        return kind_ == Kind::request && head_complete_ ? &request_ : nullptr;
    }

  private:
    static int on_message_begin(llhttp_t*);
    static int on_method(llhttp_t*, const char*, size_t);
    static int on_url(llhttp_t*, const char*, size_t);
    static int on_status(llhttp_t*, const char*, size_t);
    static int on_header_field(llhttp_t*, const char*, size_t);
    static int on_header_value(llhttp_t*, const char*, size_t);
    static int on_headers_complete(llhttp_t*);
    static int on_body_cb(llhttp_t*, const char*, size_t);
    static int on_message_complete(llhttp_t*);

    int fail(int status, std::string reason);
    bool count_head_bytes(size_t n);
    int check_request_head(bool chunked);
    Result map_errno(llhttp_errno_t err, std::string_view data);

    Kind kind_;
    Limits limits_;
    Callbacks callbacks_;
    llhttp_settings_t settings_{};
    llhttp_t parser_{};

    RequestHead request_;
    bool head_complete_ = false;  // request_ is whole
    ResponseHead response_;
    bool in_field_ = false;  // a field name has begun in this head
    bool in_value_ = false;
    size_t head_bytes_ = 0;
    uint64_t body_bytes_ = 0;
    bool in_message_ = false;
    bool expect_no_body_ = false;
    const char* feed_start_ = nullptr;
    char last_fed_byte_ = 0;
    int error_status_ = 0;
    std::string error_reason_;
};

}  // namespace core::http
