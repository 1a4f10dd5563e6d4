// Domain names in uncompressed wire format, lowercased: the form every
// lookup in webstack compares.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core::dns {

// "www.foobar.com." → "\3www\6foobar\3com\0", lowercased. A relative name
// is completed with `origin` (wire), "@" is the origin itself. Returns
// nullopt and sets `error` when the text is not a valid name.
std::optional<std::string> name_from_text(std::string_view text, std::string_view origin,
                                          std::string& error);
std::optional<std::string> name_from_text(std::string_view text, std::string& error);

// "\3www\6foobar\3com\0" → "www.foobar.com.": the text that name_from_text
// and every master-file reader take back to the same wire, whatever the
// octets (RFC 1035 §5.1 escapes: \X for the characters a master file gives
// a meaning, \DDD for what is not printable ASCII).
std::string name_to_text(std::string_view wire);

// ASCII lowercase of a wire name; label lengths are below 64, so they are
// never changed by it.
std::string lowercase_name(std::string_view wire);

// Is `name` equal to `ancestor` or below it? Both wire, lowercased.
bool is_at_or_below(std::string_view name, std::string_view ancestor);

// The name without its first label ("\3www\6foobar\3com\0" → "\6foobar\3com\0");
// the root stays the root.
std::string_view parent_of(std::string_view wire);

size_t label_count(std::string_view wire);

inline const std::string kRootName(1, '\0');

}  // namespace core::dns
