// A refusal the API explains: the HTTP status and the JSON body
// {"error", "detail", "field"} that tells the client what to fix.
#pragma once

#include <stdexcept>
#include <string>

namespace appsrv {

class ApiError : public std::runtime_error {
  public:
    ApiError(int status, std::string error, std::string detail = {}, std::string field = {})
        : std::runtime_error(error + (detail.empty() ? "" : ": " + detail)),
          status_(status),
          error_(std::move(error)),
          detail_(std::move(detail)),
          field_(std::move(field)) {}
    static ApiError method_not_allowed(std::string allow) {
        ApiError error(405, "method not allowed", "use " + allow);
        error.allow_ = std::move(allow);
        return error;
    }

    int status() const { return status_; }
    // For a 405: the methods the resource takes.
    const std::string& allow() const { return allow_; }
    const std::string& error() const { return error_; }
    const std::string& detail() const { return detail_; }
    const std::string& field() const { return field_; }

  private:
    int status_;
    std::string error_;
    std::string detail_;
    std::string field_;
    std::string allow_;
};

}  // namespace appsrv
