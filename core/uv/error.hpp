// The exception thrown when a libuv call that must succeed does not.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <uv.h>

namespace core::uv {

class Error : public std::runtime_error {
  public:
    Error(std::string_view what, int code)
        : std::runtime_error(std::string(what) + ": " + uv_strerror(code)), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

// Throws core::uv::Error when a libuv call returned a negative status.
inline int check(int status, std::string_view what) {
    if (status < 0) throw Error(what, status);
    return status;
}

}  // namespace core::uv
