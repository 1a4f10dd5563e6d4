// Big-endian integers in DNS messages: read, appended, patched in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace core::dns::wire {

inline uint16_t read16(std::string_view data, size_t at) {
    return static_cast<uint16_t>((static_cast<unsigned char>(data[at]) << 8) |
                                 static_cast<unsigned char>(data[at + 1]));
}

inline uint32_t read32(std::string_view data, size_t at) {
    return (uint32_t{read16(data, at)} << 16) | read16(data, at + 2);
}

inline void append16(std::string& out, uint16_t value) {
    out += static_cast<char>(value >> 8);
    out += static_cast<char>(value & 0xff);
}

inline void append32(std::string& out, uint32_t value) {
    append16(out, static_cast<uint16_t>(value >> 16));
    append16(out, static_cast<uint16_t>(value & 0xffff));
}

inline void put16(std::string& out, size_t at, uint16_t value) {
    out[at] = static_cast<char>(value >> 8);
    out[at + 1] = static_cast<char>(value & 0xff);
}

}  // namespace core::dns::wire
