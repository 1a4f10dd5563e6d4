// Writing HTTP/1.1 message heads and chunked framing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/message.hpp"

namespace core::http {

// "HTTP/1.1 200 OK\r\n" + fields + "\r\n". Framing fields
// (Content-Length, Transfer-Encoding, Connection) are written from the
// head's members, never copied from `head.headers`.
std::string serialize(const ResponseHead& head);
// "GET /x HTTP/1.1\r\n" + fields + "\r\n", framing as above.
std::string serialize(const RequestHead& head);

// A request head written field by field, for a caller that filters the
// fields as it goes (a proxy): no Headers are built on the way. HTTP/1.1,
// keep-alive.
class RequestWriter {
  public:
    RequestWriter(std::string_view method, std::string_view target);
    void field(std::string_view name, std::string_view value);
    // The framing fields, from the arguments alone, and the blank line.
    std::string finish(bool chunked, std::optional<uint64_t> content_length) &&;

  private:
    std::string out_;
};

// One chunk of a chunked body: "size in hex\r\n" + data + "\r\n".
std::string chunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// An IMF-fixdate for the Date header, cached per second per thread.
const std::string& http_date_now();
std::string http_date(int64_t unix_seconds);

}  // namespace core::http
