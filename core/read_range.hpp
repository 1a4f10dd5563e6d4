// Reads `length` bytes at `offset` of a file, whole or not at all: a body
// whose size was promised cannot be sent short.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <unistd.h>

namespace core {

inline bool read_range(int fd, uint64_t offset, size_t length, std::string& out) {
    out.resize(length);
    size_t done = 0;
    while (done < length) {
        const ssize_t n =
            ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace core
