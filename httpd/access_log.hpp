// The access log: nginx's "combined" format followed by the request time,
// the upstream member and the request id. Each thread buffers its lines
// and appends them in whole lines, so threads never interleave mid-line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/uv/timer.hpp"

namespace httpd {

// The file, shared by the threads. "-" is standard output.
class AccessLogFile {
  public:
    // Throws std::runtime_error naming the path when it cannot be opened.
    explicit AccessLogFile(const std::string& path);
    AccessLogFile(const AccessLogFile&) = delete;
    AccessLogFile& operator=(const AccessLogFile&) = delete;
    ~AccessLogFile();
    void append(std::string_view lines) const;

  private:
    int fd_ = -1;
    bool owned_ = false;
};

struct AccessRecord {
    std::string_view client;  // IP address
    std::string_view method;
    std::string_view target;
    int version_major = 1;
    int version_minor = 1;
    int status = 0;
    uint64_t body_bytes = 0;
    std::string_view referer;
    std::string_view user_agent;
    double seconds = 0;
    std::string_view upstream;    // "-" when not proxied
    std::string_view request_id;  // "-" when none
    std::string_view tls;         // "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty for plain HTTP
};

// One thread's buffer in front of the file.
class AccessLog {
  public:
    AccessLog(uv_loop_t* loop, std::shared_ptr<const AccessLogFile> file);
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;
    ~AccessLog();

    void write(const AccessRecord& record);
    void flush();

  private:
    std::shared_ptr<const AccessLogFile> file_;
    std::string buffer_;
    core::uv::Timer timer_;
};

// The combined-format line for a record, with its newline.
std::string format_access_line(const AccessRecord& record, std::string_view local_time);

}  // namespace httpd
