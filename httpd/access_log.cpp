// The access log.
#include "httpd/access_log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace httpd {

namespace {

constexpr size_t kFlushBytes = 32 * 1024;
constexpr uint64_t kFlushIntervalMs = 1000;

// A field as nginx writes it: quotes, backslashes and bytes outside
// printable ASCII escaped as \xHH, so a client cannot forge a log line.
void append_escaped(std::string& out, std::string_view text) {
    if (text.empty()) {
        out += '-';
        return;
    }
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
            out += escaped;
        } else {
            out += c;
        }
    }
}

const std::string& local_time_now() {
    thread_local time_t cached_second = 0;
    thread_local std::string cached;
    const time_t now = time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        std::tm tm{};
        localtime_r(&now, &tm);
        char buffer[64];
        strftime(buffer, sizeof buffer, "%d/%b/%Y:%H:%M:%S %z", &tm);
        cached = buffer;
    }
    return cached;
}

}  // namespace

AccessLogFile::AccessLogFile(const std::string& path) {
    if (path == "-") {
        fd_ = STDOUT_FILENO;
        return;
    }
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("access_log " + path + ": " + std::strerror(errno));
    owned_ = true;
}

AccessLogFile::~AccessLogFile() {
    if (owned_) ::close(fd_);
}

void AccessLogFile::append(std::string_view lines) const {
    while (!lines.empty()) {
        const ssize_t n = ::write(fd_, lines.data(), lines.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a full disk must not stop the server
        lines.remove_prefix(static_cast<size_t>(n));
    }
}

AccessLog::AccessLog(uv_loop_t* loop, std::shared_ptr<const AccessLogFile> file)
    : file_(std::move(file)), timer_(loop) {
    timer_.start(
        kFlushIntervalMs, [this] { flush(); }, kFlushIntervalMs);
    uv_unref(timer_.raw_handle());
}

AccessLog::~AccessLog() {
    flush();
}

void AccessLog::write(const AccessRecord& record) {
    buffer_ += format_access_line(record, local_time_now());
    if (buffer_.size() >= kFlushBytes) flush();
}

void AccessLog::flush() {
    if (buffer_.empty()) return;
    file_->append(buffer_);
    buffer_.clear();
}

std::string format_access_line(const AccessRecord& r, std::string_view local_time) {
    std::string line;
    line.reserve(200 + r.target.size() + r.user_agent.size());
    line += r.client.empty() ? std::string_view("-") : r.client;
    line += " - - [";
    line += local_time;
    line += "] \"";
    append_escaped(line, r.method);
    line += ' ';
    append_escaped(line, r.target);
    line += r.version_major == 2   ? " HTTP/2.0\" "
            : r.version_minor == 0 ? " HTTP/1.0\" "
                                   : " HTTP/1.1\" ";
    line += std::to_string(r.status);
    line += ' ';
    line += std::to_string(r.body_bytes);
    line += " \"";
    append_escaped(line, r.referer);
    line += "\" \"";
    append_escaped(line, r.user_agent);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "\" %.3f ", r.seconds);
    line += seconds;
    line += r.upstream.empty() ? std::string_view("-") : r.upstream;
    line += ' ';
    append_escaped(line, r.request_id);
    // The TLS version and cipher as one field ("TLSv1.3/TLS_AES_256_GCM_SHA384").
    line += ' ';
    if (r.tls.empty()) {
        line += '-';
    } else {
        for (const char c : r.tls)
            line += c == ' ' ? '/' : c;
    }
    line += '\n';
    return line;
}

}  // namespace httpd
