// The TSIG keys of dnsd's configuration.
#include "dnsd/tsig_keys.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

#include "core/dns/name.hpp"

namespace dnsd {

namespace {

std::string wire_name(const std::string& text, const std::string& what) {
    std::string error;
    const std::string absolute = text.ends_with('.') ? text : text + ".";
    auto name = core::dns::name_from_text(absolute, error);
    if (!name) throw std::runtime_error(what + ": " + text + ": " + error);
    return core::dns::lowercase_name(*name);
}

std::string read_secret(const std::string& path, const std::string& what) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        throw std::runtime_error(what + ": " + path + ": cannot be read");
    // A shared secret others can read is no secret (BIND and Knot warn;
    // dnsd refuses).
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error(what + ": " + path +
                                 ": group or others may read it; chmod 600 it");
    std::ifstream in(path);
    if (!in) throw std::runtime_error(what + ": " + path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    return core::dns::tsig::decode_secret(text.str(), what + ": " + path);
}

}  // namespace

TsigSettings load_tsig_settings(const core::config::Section& section) {
    TsigSettings settings;
    if (section.has("key")) {
        for (const auto& table : section.tables("key")) {
            const std::string what = table.path() + " (" + table.origin("name").describe() + ")";
            core::dns::tsig::Key key;
            key.name = wire_name(table.string("name"), what);
            key.algorithm = *core::dns::tsig::algorithm_name(table.string("algorithm"));
            key.secret = read_secret(table.string("secret_file"), what);
            const bool again = std::any_of(settings.keys.begin(), settings.keys.end(),
                                           [&](const auto& k) { return k.name == key.name; });
            if (again)
                throw std::runtime_error(what + ": the key " + table.string("name") +
                                         " is given twice");
            settings.keys.push_back(std::move(key));
        }
    }
    for (const auto& text : section.strings("transfer_keys"))
        settings.transfer_keys.push_back(known_key_name(text, settings.keys, "dnsd.transfer_keys"));
    for (const auto& text : section.strings("update_keys"))
        settings.update_keys.push_back(known_key_name(text, settings.keys, "dnsd.update_keys"));
    if (section.has("update")) {
        for (const auto& table : section.tables("update")) {
            const std::string what = table.path() + " (" + table.origin("zone").describe() + ")";
            const std::string apex = wire_name(table.string("zone"), what + ": zone");
            if (settings.zone_update_keys.count(apex))
                throw std::runtime_error(what + ": zone " + table.string("zone") +
                                         " has another [[dnsd.update]] table");
            auto& keys = settings.zone_update_keys[apex];
            for (const auto& text : table.strings("keys"))
                keys.push_back(known_key_name(text, settings.keys, what + ": keys"));
        }
    }
    return settings;
}

std::string known_key_name(const std::string& text, const std::vector<core::dns::tsig::Key>& keys,
                           const std::string& what) {
    const std::string name = wire_name(text, what);
    const bool known =
        std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return k.name == name; });
    if (!known) throw std::runtime_error(what + ": " + text + ": no [[dnsd.key]] has that name");
    return name;
}

}  // namespace dnsd
