// Writing HTTP/1.1 message heads and chunked framing.
#include "core/http/serialize.hpp"

#include <cstring>
#include <ctime>

#include "core/http/status.hpp"

namespace core::http {
namespace {

bool is_framing_field(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection");
}

// "name: value\r\n", sized once and copied in place: four appends, each
// checking capacity, cost more than the copying.
void append_field(std::string& out, std::string_view name, std::string_view value) {
    size_t at = out.size();
    out.resize(at + name.size() + value.size() + 4);
    char* p = out.data();
    for (const std::string_view text :
         {name, std::string_view(": "), value, std::string_view("\r\n")}) {
        std::memcpy(p + at, text.data(), text.size());
        at += text.size();
    }
}

void append_fields(std::string& out, const Headers& headers) {
    size_t size = 0;
    for (const auto& [name, value] : headers)
        size += name.size() + value.size() + 4;
    out.reserve(out.size() + size);  // one allocation for them all
    for (const auto& [name, value] : headers) {
        if (!is_framing_field(name)) append_field(out, name, value);
    }
}

template <typename Head>
void append_framing(std::string& out, const Head& head, bool body_allowed) {
    if (head.chunked && body_allowed) {
        out += "Transfer-Encoding: chunked\r\n";
    } else if (head.content_length && body_allowed) {
        out += "Content-Length: ";
        out += std::to_string(*head.content_length);
        out += "\r\n";
    }
    if (!head.keep_alive) {
        out += "Connection: close\r\n";
    } else if (!head.version.at_least_1_1()) {
        out += "Connection: keep-alive\r\n";
    }
}

}  // namespace

std::string serialize(const ResponseHead& head) {
    std::string out;
    out.reserve(256);
    out += "HTTP/1.1 ";
    out += std::to_string(head.status);
    out += ' ';
    out += head.reason.empty() ? reason_phrase(head.status) : std::string_view(head.reason);
    out += "\r\n";
    append_fields(out, head.headers);
    // A 304 may carry the Content-Length the 200 would have had (RFC 9110 §8.6).
    append_framing(out, head, status_has_body(head.status) || head.status == 304);
    out += "\r\n";
    return out;
}

std::string serialize(const RequestHead& head) {
    std::string out;
    out.reserve(256);
    out += head.method;
    out += ' ';
    out += head.target;
    out += " HTTP/1.1\r\n";
    append_fields(out, head.headers);
    append_framing(out, head, true);
    out += "\r\n";
    return out;
}

RequestWriter::RequestWriter(std::string_view method, std::string_view target) {
    out_.reserve(256 + target.size());
    out_ += method;
    out_ += ' ';
    out_ += target;
    out_ += " HTTP/1.1\r\n";
}

void RequestWriter::field(std::string_view name, std::string_view value) {
    append_field(out_, name, value);
}

std::string RequestWriter::finish(bool chunked, std::optional<uint64_t> content_length) && {
    RequestHead framing;
    framing.chunked = chunked;
    framing.content_length = content_length;
    framing.keep_alive = true;
    framing.version = {1, 1};
    append_framing(out_, framing, true);
    out_ += "\r\n";
    return std::move(out_);
}

std::string chunk(std::string_view data) {
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string out;
    out.reserve(static_cast<size_t>(n) + data.size() + 2);
    out.append(size, static_cast<size_t>(n));
    out.append(data);
    out += "\r\n";
    return out;
}

std::string http_date(int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buffer[40];
    const auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(buffer, n);
}

const std::string& http_date_now() {
    thread_local std::time_t cached_second = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        cached = http_date(now);
    }
    return cached;
}

}  // namespace core::http
