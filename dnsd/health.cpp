// Health-driven answers: the configuration and the verdicts' view.
#include "dnsd/health.hpp"

#include <stdexcept>

#include "core/dns/name.hpp"

namespace dnsd {

std::vector<HealthCheck> health_checks(const core::config::Section& dnsd) {
    std::vector<HealthCheck> checks;
    if (!dnsd.has("health")) return checks;
    for (const auto& table : dnsd.tables("health")) {
        HealthCheck& check = checks.emplace_back();
        check.text = table.string("name");
        std::string error;
        const auto wire = core::dns::name_from_text(
            check.text.ends_with('.') ? check.text : check.text + ".", error);
        if (!wire) throw std::runtime_error(table.path() + ".name: " + check.text + ": " + error);
        check.name = core::dns::lowercase_name(*wire);
        for (const auto& other : checks) {
            if (&other != &check && other.name == check.name)
                throw std::runtime_error(table.path() + ".name: " + check.text +
                                         " has two [[dnsd.health]] tables");
        }
        check.port = static_cast<uint16_t>(table.integer("port"));
        check.path = table.string("path");
        if (check.path.empty() || check.path.front() != '/')
            throw std::runtime_error(table.path() + ".path: " + check.path +
                                     ": a path begins with /");
        check.host = table.has("host") ? table.string("host") : std::string();
        if (check.host.empty()) {
            check.host = check.text;
            if (check.host.ends_with('.')) check.host.pop_back();
        }
        check.interval_ms = static_cast<uint64_t>(table.duration_ms("interval"));
        check.timeout_ms = static_cast<uint64_t>(table.duration_ms("timeout"));
        check.rise = static_cast<int>(table.integer("rise"));
        check.fall = static_cast<int>(table.integer("fall"));
        check.ttl = static_cast<uint32_t>(table.duration_ms("ttl") / 1000);
    }
    return checks;
}

HealthView::HealthView(const std::vector<HealthCheck>& checks) {
    for (const auto& check : checks)
        names_[check.name].ttl = check.ttl;
}

}  // namespace dnsd
