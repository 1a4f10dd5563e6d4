// SOA serial arithmetic (RFC 1982): serials wrap around at 2^32.
#pragma once

#include <cstdint>

namespace core::dns {

// Is `a` newer than `b`? Undefined (false) when they are exactly 2^31 apart.
constexpr bool serial_newer(uint32_t a, uint32_t b) {
    return (a < b && b - a > 0x80000000u) || (a > b && a - b < 0x80000000u);
}

// The next serial after `current`: today's YYYYMMDD00 when that is newer,
// else `current` + 1 (wrapping), as most operators number their zones.
constexpr uint32_t next_serial(uint32_t current, uint32_t date_serial) {
    return serial_newer(date_serial, current) ? date_serial : current + 1;
}

}  // namespace core::dns
