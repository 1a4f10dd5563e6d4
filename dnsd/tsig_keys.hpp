// The TSIG keys of dnsd's configuration: each `[[dnsd.key]]` read with its
// secret, and the names `transfer_keys` allows.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config/section.hpp"
#include "core/dns/tsig.hpp"

namespace dnsd {

struct TsigSettings {
    std::vector<core::dns::tsig::Key> keys;
    std::vector<std::string> transfer_keys;  // wire names, lowercased
    std::vector<std::string> update_keys;    // likewise: may UPDATE database zones
    // The zones (wire) whose UPDATE keys are their own, in place of those.
    std::map<std::string, std::vector<std::string>> zone_update_keys;

    // The keys that may UPDATE the zone `apex` (wire).
    const std::vector<std::string>& may_update(const std::string& apex) const {
        const auto own = zone_update_keys.find(apex);
        return own == zone_update_keys.end() ? update_keys : own->second;
    }
    bool takes_updates() const { return !update_keys.empty() || !zone_update_keys.empty(); }
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
