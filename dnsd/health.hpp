// Health-driven answers: names whose A and AAAA answers give only the
// addresses that pass an HTTP check dnsd runs itself. The zone keeps every
// address (so a host added through the API is checked at once, and
// transfers carry the zone as stored: each name server judges on its
// own); the verdicts only filter what is answered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/config/section.hpp"

namespace dnsd {

// One `[[dnsd.health]]` table.
struct HealthCheck {
    std::string name;  // wire, lowercase
    std::string text;  // as configured, for the log
    uint16_t port = 80;
    std::string path = "/healthz";
    std::string host;
    uint64_t interval_ms = 1000;
    uint64_t timeout_ms = 1000;
    int rise = 2;
    int fall = 2;
    uint32_t ttl = 5;
};

// Reads the tables; throws std::runtime_error naming one that is wrong.
std::vector<HealthCheck> health_checks(const core::config::Section& dnsd);

// The verdicts at one moment, shared by the answering threads.
class HealthView {
  public:
    struct Name {
        uint32_t ttl = 0;
        // A and AAAA rdatas (wire) that failed their checks.
        std::unordered_set<std::string> down;
    };
    // Looked up by string_view on the answer path: no allocation.
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view name) const {
            return std::hash<std::string_view>()(name);
        }
    };
    using Names = std::unordered_map<std::string, Name, NameHash, std::equal_to<>>;

    // An empty view for `checks`: every address passes until checked.
    explicit HealthView(const std::vector<HealthCheck>& checks);
    explicit HealthView(Names names) : names_(std::move(names)) {}

    // The verdicts for `name` (wire, lowercase); nullptr when it is not
    // checked.
    const Name* find(std::string_view name) const {
        const auto it = names_.find(name);
        return it == names_.end() ? nullptr : &it->second;
    }
    bool empty() const { return names_.empty(); }

  private:
    Names names_;
};

}  // namespace dnsd
