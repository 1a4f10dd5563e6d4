// HTTP/2 frames by hand, and the server's read back.
#include "tests/http/h2_frames.hpp"

#include <fstream>
#include <iterator>
#include <memory>
#include <nghttp2/nghttp2.h>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace test::h2 {

namespace {

void put32(std::string& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out += static_cast<char>((value >> shift) & 0xff);
}

uint32_t get32(std::string_view in) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i)
        value = value << 8 | static_cast<uint8_t>(in[i]);
    return value;
}

// An HPACK string literal: its length with a 7-bit prefix (RFC 7541
// §5.1), then the bytes.
void put_string(std::string& out, std::string_view text) {
    size_t length = text.size();
    if (length < 127) {
        out += static_cast<char>(length);
    } else {
        out += static_cast<char>(127);
        length -= 127;
        while (length >= 128) {
            out += static_cast<char>(0x80 | (length & 0x7f));
            length >>= 7;
        }
        out += static_cast<char>(length);
    }
    out += text;
}

struct InflaterFree {
    void operator()(nghttp2_hd_inflater* inflater) const { nghttp2_hd_inflate_del(inflater); }
};

}  // namespace

std::string frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
    std::string out;
    const auto length = static_cast<uint32_t>(payload.size());
    out += static_cast<char>((length >> 16) & 0xff);
    out += static_cast<char>((length >> 8) & 0xff);
    out += static_cast<char>(length & 0xff);
    out += static_cast<char>(type);
    out += static_cast<char>(flags);
    put32(out, stream & 0x7fffffff);
    out += payload;
    return out;
}

std::string header_block(const Fields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += '\0';  // literal without indexing, new name
        put_string(out, name);
        put_string(out, value);
    }
    return out;
}

std::string preface(bool acknowledge) {
    return "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(SETTINGS, 0, 0, "") +
           (acknowledge ? frame(SETTINGS, ACK, 0, "") : "");
}

std::string headers(uint32_t stream, const Fields& fields, bool end_stream) {
    return frame(HEADERS, END_HEADERS | (end_stream ? END_STREAM : 0), stream,
                 header_block(fields));
}

std::string rst_stream(uint32_t stream, uint32_t error) {
    std::string payload;
    put32(payload, error);
    return frame(RST_STREAM, 0, stream, payload);
}

std::string goaway(uint32_t last_stream) {
    std::string payload;
    put32(payload, last_stream);
    put32(payload, NO_ERROR);
    return frame(GOAWAY, 0, 0, payload);
}

Fields get(const std::string& path) {
    return {{":method", "GET"},
            {":scheme", "https"},
            {":authority", "www.foobar.com"},
            {":path", path}};
}

std::vector<Frame> parse(std::string_view bytes) {
    nghttp2_hd_inflater* raw = nullptr;
    if (nghttp2_hd_inflate_new(&raw) != 0) throw std::bad_alloc();
    const std::unique_ptr<nghttp2_hd_inflater, InflaterFree> inflater(raw);
    std::vector<Frame> frames;
    std::string block;  // a header block across CONTINUATION frames
    while (bytes.size() >= 9) {
        const size_t length = static_cast<uint8_t>(bytes[0]) << 16 |
                              static_cast<uint8_t>(bytes[1]) << 8 | static_cast<uint8_t>(bytes[2]);
        if (bytes.size() < 9 + length) break;
        Frame f;
        f.type = static_cast<uint8_t>(bytes[3]);
        f.flags = static_cast<uint8_t>(bytes[4]);
        f.stream = get32(bytes.substr(5)) & 0x7fffffff;
        f.payload = std::string(bytes.substr(9, length));
        bytes.remove_prefix(9 + length);
        if (f.type == RST_STREAM && f.payload.size() >= 4) f.error = get32(f.payload);
        if (f.type == GOAWAY && f.payload.size() >= 8) f.error = get32(f.payload.substr(4));
        if (f.type == HEADERS || f.type == CONTINUATION) {
            block += f.payload;
            if (!(f.flags & END_HEADERS)) continue;
            auto* in = reinterpret_cast<const uint8_t*>(block.data());
            size_t left = block.size();
            for (;;) {
                nghttp2_nv field{};
                int inflate_flags = 0;
                const auto used =
                    nghttp2_hd_inflate_hd2(inflater.get(), &field, &inflate_flags, in, left, 1);
                if (used < 0) throw std::runtime_error("the server's header block is not HPACK");
                in += used;
                left -= static_cast<size_t>(used);
                if (inflate_flags & NGHTTP2_HD_INFLATE_EMIT) {
                    f.fields.emplace_back(
                        std::string(reinterpret_cast<const char*>(field.name), field.namelen),
                        std::string(reinterpret_cast<const char*>(field.value), field.valuelen));
                }
                if (inflate_flags & NGHTTP2_HD_INFLATE_FINAL) {
                    nghttp2_hd_inflate_end_headers(inflater.get());
                    break;
                }
                if (!(inflate_flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0) break;
            }
            block.clear();
            f.type = HEADERS;
        }
        frames.push_back(std::move(f));
    }
    return frames;
}

std::string exchange(int port, const std::vector<std::string>& parts, int timeout_seconds) {
    TempDir dir;
    std::string feed = "(";
    for (size_t i = 0; i < parts.size(); ++i) {
        const std::string in = dir.write("in" + std::to_string(i) + ".bin", parts[i]);
        feed += (i > 0 ? "; sleep 0.3; cat " : "cat ") + in;
    }
    feed += ")";
    const std::string out = (dir.path() / "out.bin").string();
    run(feed + " | timeout " + std::to_string(timeout_seconds) +
        " openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
        " -servername www.foobar.com -alpn h2 -quiet >" + out + " 2>/dev/null");
    std::ifstream file(out, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

int status_of(const std::vector<Frame>& frames, uint32_t stream) {
    for (const auto& f : frames) {
        if (f.type != HEADERS || f.stream != stream) continue;
        for (const auto& [name, value] : f.fields) {
            if (name == ":status") return std::stoi(value);
        }
    }
    return 0;
}

int64_t reset_code(const std::vector<Frame>& frames, uint32_t stream) {
    for (const auto& f : frames) {
        if (f.type == RST_STREAM && f.stream == stream) return f.error;
    }
    return -1;
}

int64_t goaway_code(const std::vector<Frame>& frames) {
    for (const auto& f : frames) {
        if (f.type == GOAWAY) return f.error;
    }
    return -1;
}

}  // namespace test::h2
