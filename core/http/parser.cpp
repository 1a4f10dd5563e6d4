// An incremental HTTP/1.x message parser over llhttp (strict mode) that
// enforces the connection's limits and maps every failure to a status.
#include "core/http/parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace core::http {
namespace {

Parser& self(llhttp_t* p) {
    return *static_cast<Parser*>(p->data);
}

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '.':
        case '^':
        case '_':
        case '`':
        case '|':
        case '~':
            return true;
        default:
            return false;
    }
}

// From where llhttp gave up on the method: token characters up to a space
// or the end of what has arrived.
bool looks_like_method(std::string_view rest) {
    size_t i = 0;
    while (i < rest.size() && is_tchar(rest[i]))
        ++i;
    return i == rest.size() ? i > 0 || rest.empty() : rest[i] == ' ';
}

}  // namespace

Parser::Parser(Kind kind, const Limits& limits, Callbacks callbacks)
    : kind_(kind), limits_(limits), callbacks_(std::move(callbacks)) {
    llhttp_settings_init(&settings_);
    settings_.on_message_begin = &Parser::on_message_begin;
    settings_.on_url = &Parser::on_url;
    settings_.on_status = &Parser::on_status;
    settings_.on_method = &Parser::on_method;
    settings_.on_header_field = &Parser::on_header_field;
    settings_.on_header_value = &Parser::on_header_value;
    settings_.on_headers_complete = &Parser::on_headers_complete;
    settings_.on_body = &Parser::on_body_cb;
    settings_.on_message_complete = &Parser::on_message_complete;
    llhttp_init(&parser_, kind == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
    parser_.data = this;
}

int Parser::fail(int status, std::string reason) {
    error_status_ = status;
    error_reason_ = std::move(reason);
    return HPE_USER;
}

bool Parser::count_head_bytes(size_t n) {
    head_bytes_ += n;
    return head_bytes_ <= limits_.max_header_bytes;
}

int Parser::on_message_begin(llhttp_t* p) {
    Parser& s = self(p);
    s.in_message_ = true;
    s.head_bytes_ = 0;
    s.body_bytes_ = 0;
    s.in_field_ = false;
    s.in_value_ = false;
    s.head_complete_ = false;
    if (s.kind_ == Kind::request)
        s.request_ = RequestHead{};
    else
        s.response_ = ResponseHead{};
    return HPE_OK;
}

int Parser::on_method(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    if (!s.count_head_bytes(n)) return s.fail(431, "request line too long");
    s.request_.method.append(at, n);
    return HPE_OK;
}

int Parser::on_url(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    s.request_.target.append(at, n);
    if (s.request_.target.size() > s.limits_.max_url_bytes)
        return s.fail(414, "request target too long");
    if (!s.count_head_bytes(n)) return s.fail(414, "request target too long");
    return HPE_OK;
}

int Parser::on_status(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    if (!s.count_head_bytes(n)) return s.fail(502, "response status line too long");
    s.response_.reason.append(at, n);
    return HPE_OK;
}

namespace {
constexpr size_t kUsualFields = 8;  // 512 bytes: a larger block would make malloc consolidate
}  // namespace

int Parser::on_header_field(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    Headers& headers = s.kind_ == Kind::request ? s.request_.headers : s.response_.headers;
    // Each field costs its separator and line end too, so that many empty
    // fields cannot slip under the byte limit.
    // A name may come in pieces (split across reads): a new field starts
    // after a value, or at the first name of a head.
    const bool new_field = s.in_value_ || !s.in_field_;
    if (!s.count_head_bytes(n + (new_field ? 4 : 0))) {
        return s.fail(431, "header fields too large");
    }
    if (new_field) {
        s.in_value_ = false;
        s.in_field_ = true;
        if (headers.size() >= s.limits_.max_headers) return s.fail(431, "too many header fields");
        // One allocation for the usual head rather than one per doubling.
        if (headers.empty()) headers.reserve(kUsualFields);
        headers.add_empty();
    }
    headers.last().first.append(at, n);
    return HPE_OK;
}

int Parser::on_header_value(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    if (!s.count_head_bytes(n)) return s.fail(431, "header fields too large");
    // llhttp 8 passes obs-fold (a value continued on the next line) through
    // even in strict mode, as a second piece of the value that starts right
    // after the line end; RFC 9112 §5.2 lets a server reject it, and a proxy
    // must never forward it.
    const char before = at > s.feed_start_ ? at[-1] : s.last_fed_byte_;
    if (n > 0 && before == '\n') return s.fail(400, "obsolete line folding in a header field");
    Headers& headers = s.kind_ == Kind::request ? s.request_.headers : s.response_.headers;
    s.in_value_ = true;
    headers.last().second.append(at, n);
    return HPE_OK;
}

// Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2): an IP
// literal in brackets, or a reg-name of unreserved characters, sub-delims
// and percent escapes (an IPv4 address is one); the port digits only. An
// empty value is what a target without authority calls for.
bool is_field_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), is_tchar);
}

bool is_field_value(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
    });
}

bool is_valid_host(std::string_view host) {
    size_t end = 0;
    if (!host.empty() && host.front() == '[') {
        end = host.find(']');
        if (end == std::string_view::npos || end == 1) return false;
        for (const char c : host.substr(1, end - 1)) {
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
        }
        ++end;
    } else {
        for (; end < host.size() && host[end] != ':'; ++end) {
            const char c = host[end];
            if (c == '%') {
                if (end + 2 >= host.size() ||
                    !std::isxdigit(static_cast<unsigned char>(host[end + 1])) ||
                    !std::isxdigit(static_cast<unsigned char>(host[end + 2])))
                    return false;
                end += 2;
                continue;
            }
            if (!std::isalnum(static_cast<unsigned char>(c)) &&
                std::string_view("-._~!$&'()*+,;=").find(c) == std::string_view::npos)
                return false;
        }
    }
    if (end == host.size()) return true;
    if (host[end] != ':') return false;
    const std::string_view port = host.substr(end + 1);
    return port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Parser::check_request_head(bool chunked) {
    RequestHead& r = request_;
    if (r.version.major != 1) return fail(505, "HTTP version not supported");
    // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request.
    const size_t hosts = r.headers.count("Host");
    if ((r.version.minor >= 1 && hosts == 0) || hosts > 1)
        return fail(400, "a request needs exactly one Host");
    if (const auto host = r.headers.get("Host"); host && !is_valid_host(*host))
        return fail(400, "the Host field is not a host and port");
    if (const auto te = r.headers.get("Transfer-Encoding")) {
        // Without chunked last the body's end is unknowable (RFC 9112
        // §6.3); with it, another coding is one not implemented here (§6.1).
        if (!chunked) return fail(400, "chunked must be the final transfer coding");
        if (!iequals(*te, "chunked")) return fail(501, "transfer coding not implemented");
    }
    if (r.method == "CONNECT") return fail(501, "CONNECT not implemented");
    return HPE_OK;
}

int Parser::on_headers_complete(llhttp_t* p) {
    Parser& s = self(p);
    const bool chunked = (p->flags & F_CHUNKED) != 0;
    const bool sized = (p->flags & F_CONTENT_LENGTH) != 0;
    const auto version = Version{p->http_major, p->http_minor};
    if (s.kind_ == Kind::request) {
        RequestHead& r = s.request_;
        r.version = version;
        r.keep_alive = llhttp_should_keep_alive(p) != 0;
        r.chunked = chunked;
        if (sized) r.content_length = p->content_length;
        if (const int st = s.check_request_head(chunked); st != HPE_OK) return st;
        s.head_complete_ = true;
        if (sized && p->content_length > s.limits_.max_body_bytes)
            return s.fail(413, "request body too large");
        if (s.callbacks_.on_request) s.callbacks_.on_request(r);
        return 0;
    }
    ResponseHead& r = s.response_;
    r.status = p->status_code;
    r.version = version;
    r.keep_alive = llhttp_should_keep_alive(p) != 0;
    r.chunked = chunked;
    if (sized) r.content_length = p->content_length;
    if (s.callbacks_.on_response) s.callbacks_.on_response(r);
    // 1: this response has no body (it answers HEAD, or its status has none).
    return s.expect_no_body_ ? 1 : 0;
}

int Parser::on_body_cb(llhttp_t* p, const char* at, size_t n) {
    Parser& s = self(p);
    s.body_bytes_ += n;
    if (s.kind_ == Kind::request && s.body_bytes_ > s.limits_.max_body_bytes) {
        return s.fail(413, "request body too large");
    }
    if (s.callbacks_.on_body) s.callbacks_.on_body(std::string_view(at, n));
    return HPE_OK;
}

int Parser::on_message_complete(llhttp_t* p) {
    Parser& s = self(p);
    s.in_message_ = false;
    if (s.callbacks_.on_complete) s.callbacks_.on_complete();
    // Pause so that the caller handles one message at a time: the bytes of
    // a pipelined next message stay unparsed until it is ready for them.
    return HPE_PAUSED;
}

Parser::Result Parser::map_errno(llhttp_errno_t err, std::string_view data) {
    const char* pos = llhttp_get_error_pos(&parser_);
    const size_t consumed = pos && pos >= data.data() && pos <= data.data() + data.size()
                                ? static_cast<size_t>(pos - data.data())
                                : 0;
    if (err == HPE_OK) return {Outcome::need_more, data.size()};
    if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE)
        return {Outcome::message_complete, consumed};
    // A callback of ours refused the message and set the status already.
    if (error_status_ != 0) return {Outcome::error, consumed};
    error_reason_ =
        llhttp_get_error_reason(&parser_) ? llhttp_get_error_reason(&parser_) : "malformed message";
    error_status_ = kind_ == Kind::request ? 400 : 502;
    if (kind_ == Kind::request) {
        // An unknown but well-formed method is 501 (RFC 9110 §9.1); the
        // token may continue in a later read, so only a byte that cannot
        // be part of one makes it a 400.
        if (err == HPE_INVALID_METHOD && looks_like_method(data.substr(consumed)))
            error_status_ = 501;
        // llhttp reports a version only once "HTTP/" was matched: the
        // request is well formed but asks for a version other than 1.x.
        if (err == HPE_INVALID_VERSION) error_status_ = 505;
    }
    return {Outcome::error, consumed};
}

Parser::Result Parser::feed(std::string_view data) {
    if (error_status_ != 0) return {Outcome::error, 0};
    feed_start_ = data.data();
    const auto err = llhttp_execute(&parser_, data.data(), data.size());
    const auto result = map_errno(err, data);
    if (result.consumed > 0) last_fed_byte_ = data[result.consumed - 1];
    return result;
}

Parser::Result Parser::finish() {
    if (error_status_ != 0) return {Outcome::error, 0};
    const auto err = llhttp_finish(&parser_);
    if (err == HPE_OK) return {in_message_ ? Outcome::need_more : Outcome::message_complete, 0};
    return map_errno(err, {});
}

void Parser::resume() {
    llhttp_resume(&parser_);
}

}  // namespace core::http
