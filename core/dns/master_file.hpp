// Reading RFC 1035 master files: directives ($ORIGIN, $TTL, $INCLUDE
// relative to the including file), records through ldns, errors that name
// the file and the line.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"

namespace core::dns {

class ZoneFileError : public std::runtime_error {
  public:
    ZoneFileError(std::string file, int line, const std::string& message)
        : std::runtime_error(file + ":" + std::to_string(line) + ": " + message),
          file_(std::move(file)),
          line_(line),
          reason_(message) {}
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    // The message without the file and line: for records that are not
    // lines of a file (a database row names its id instead).
    const std::string& reason() const { return reason_; }

  private:
    std::string file_;
    int line_;
    std::string reason_;
};

struct MasterFile {
    std::string origin;  // wire: the zone's name
    std::vector<Record> records;
};

// Reads `path`. `origin` (wire) is the zone's name when known; when empty
// it comes from the first $ORIGIN, else from the owner of the SOA record.
// Throws ZoneFileError.
MasterFile read_master_file(const std::string& path, std::string origin = {});
// The same for text held in memory (an API import); `name` is for messages,
// and $INCLUDE is refused.
MasterFile parse_master_text(std::string_view text, const std::string& name, std::string origin);

// Writes `records` (the zone whose apex is `origin`, wire) to `path` as a
// master file that read_master_file reads back to the same records: the
// SOA first, every name absolute, `comment` on top. The file is replaced
// whole or not at all (a temporary file beside it, synced, then renamed),
// so a crash never leaves half a zone. Throws std::runtime_error naming
// the path.
void write_master_file(const std::string& path, std::string_view origin,
                       const std::vector<Record>& records, std::string_view comment);

}  // namespace core::dns
