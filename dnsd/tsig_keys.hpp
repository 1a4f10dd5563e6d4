// The TSIG keys of dnsd's configuration: each `[[dnsd.key]]` read with its
// secret, and the names `transfer_keys` allows.
#pragma once

#include <string>
#include <vector>

#include "core/config/section.hpp"
#include "core/dns/tsig.hpp"

namespace dnsd {

struct TsigSettings {
    std::vector<core::dns::tsig::Key> keys;
    std::vector<std::string> transfer_keys;  // wire names, lowercased
    std::vector<std::string> update_keys;    // likewise: may UPDATE database zones
};

// Reads the keys and their secret files. Throws std::runtime_error naming
// the file and key: a name given twice or not a name, a secret file that
// cannot be read, that others may read, or that is not base64; a
// transfer_keys entry that names no key.
TsigSettings load_tsig_settings(const core::config::Section& section);

// The wire name of the key `text` names, which must be among `keys`;
// throws std::runtime_error naming `what` (the configuration key) and
// `text` otherwise.
std::string known_key_name(const std::string& text, const std::vector<core::dns::tsig::Key>& keys,
                           const std::string& what);

}  // namespace dnsd
