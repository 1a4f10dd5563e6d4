// HTTP/2 frames by hand, for what no well-behaved client sends (RFC 9113
// §4.1), and the server's frames read back, their header blocks decoded
// with nghttp2's HPACK decoder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace test::h2 {

enum FrameType : uint8_t {
    DATA = 0,
    HEADERS = 1,
    RST_STREAM = 3,
    SETTINGS = 4,
    PING = 6,
    GOAWAY = 7,
    WINDOW_UPDATE = 8,
    CONTINUATION = 9
};
enum Flag : uint8_t { END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4 };
enum ErrorCode : uint32_t {
    NO_ERROR = 0,
    PROTOCOL_ERROR = 1,
    INTERNAL_ERROR = 2,
    STREAM_CLOSED = 5,
    REFUSED_STREAM = 7,
    CANCEL = 8,
    ENHANCE_YOUR_CALM = 0xb
};

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload);
// Each field as an HPACK literal without indexing, not Huffman-coded: the
// bytes given are the bytes sent, whatever they are.
std::string header_block(const Fields& fields);
// The client preface, an empty SETTINGS and (unless told otherwise) the
// acknowledgement of the server's, which it sends before reading anything.
std::string preface(bool acknowledge = true);
std::string headers(uint32_t stream, const Fields& fields, bool end_stream);
std::string rst_stream(uint32_t stream, uint32_t error);
std::string goaway(uint32_t last_stream);
// A GET of `path` on host www.foobar.com, ending the stream.
Fields get(const std::string& path);

struct Frame {
    uint8_t type = 0;
    uint8_t flags = 0;
    uint32_t stream = 0;
    std::string payload;
    Fields fields;       // HEADERS: decoded
    uint32_t error = 0;  // RST_STREAM and GOAWAY
};
// Splits what the server sent into frames (after nothing: the server
// sends no preface of its own beyond its SETTINGS frame).
std::vector<Frame> parse(std::string_view bytes);

// Sends `parts` over TLS with ALPN h2 to `port`, 0.3 s apart, and returns
// all the server sent until it closed (or `timeout_seconds` passed).
std::string exchange(int port, const std::vector<std::string>& parts, int timeout_seconds = 5);

// What the server answered on `stream`: its :status (0: none), the
// RST_STREAM code (-1: none).
int status_of(const std::vector<Frame>& frames, uint32_t stream);
int64_t reset_code(const std::vector<Frame>& frames, uint32_t stream);
// The GOAWAY's error code, -1 when none came.
int64_t goaway_code(const std::vector<Frame>& frames);

}  // namespace test::h2
