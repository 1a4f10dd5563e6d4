// Reads the TOML configuration file and checks it against the schemas.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/schema.hpp"
#include "core/config/section.hpp"

namespace core::config {

// A configuration that does not fit its schema. what() reads
// "conf/webstack.toml:12: dnsd.threads: must be between 1 and 256".
class Error : public std::runtime_error {
  public:
    Error(std::string file, int line, std::string key, std::string message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    const std::string& key() const { return key_; }
    const std::string& message() const { return message_; }

  private:
    std::string file_;
    int line_;
    std::string key_;
    std::string message_;
};

// The top-level tables of conf/webstack.toml. A daemon checks the ones it
// uses and lets the others pass, so that one file serves the whole stack.
inline constexpr std::string_view kSections[] = {"dnsd", "httpd", "appsrv", "db"};

class Config {
  public:
    const Section& section(std::string_view name) const;
    Section& section(std::string_view name);
    const std::string& file() const { return file_; }

  private:
    friend Config load_text(std::string_view, const std::string&, std::span<const Schema* const>);
    friend Config defaults(std::span<const Schema* const>);
    std::string file_;
    std::vector<Section> sections_;
};

// Parses `text` (named `file` in messages) and checks the tables of
// `schemas`; keys that are absent take their defaults. Throws Error.
Config load_text(std::string_view text, const std::string& file,
                 std::span<const Schema* const> schemas);
// Reads and checks a file. Throws Error, naming the file when it cannot be read.
Config load_file(const std::string& path, std::span<const Schema* const> schemas);
// Every section at its defaults: a daemon started without a file.
Config defaults(std::span<const Schema* const> schemas);

// Converts a value written as in TOML ("\"10s\"", "[\"a\"]") for `key`;
// used for defaults and for command-line overrides. Throws Error.
Value parse_value(const Key& key, std::string_view toml_text, const std::string& path);

// Why `item` is not a valid item of list key `key` (an address, a range),
// or empty when it is; every item of a plain string list is.
std::string list_item_error(const Key& key, std::string_view item);

// Keys not reloadable whose value differs between two loads of a section:
// a reload keeps their old value and says which they are.
std::vector<std::string> changed_fixed_keys(const Section& before, const Section& after);

}  // namespace core::config
