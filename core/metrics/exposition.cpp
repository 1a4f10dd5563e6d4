// The Prometheus text format.
#include "core/metrics/exposition.hpp"

#include <charconv>
#include <chrono>
#include <cmath>

namespace core::metrics {

namespace {

// Label values escape backslash, double quote and line feed; HELP text
// backslash and line feed.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

}  // namespace

Exposition::Exposition(std::string_view daemon)
    : prefix_("webstack_" + std::string(daemon) + "_") {}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
    name_ = prefix_ + std::string(name);
    out_ += "# HELP " + name_ + " ";
    append_escaped(out_, help, false);
    out_ += "\n# TYPE " + name_ +
            (type == Type::counter ? " counter\n"
             : type == Type::gauge ? " gauge\n"
                                   : " histogram\n");
}

void Exposition::sample(Labels labels, double value) {
    line("", labels, format_number(value));
}

void Exposition::sample(Labels labels, uint64_t value) {
    line("", labels, std::to_string(value));
}

void Exposition::bucket(Labels labels, const std::string& le, uint64_t cumulative) {
    line("_bucket", labels, std::to_string(cumulative), {"le", le});
}

void Exposition::line(std::string_view suffix, Labels labels, const std::string& value,
                      std::pair<std::string_view, std::string_view> extra) {
    out_ += name_;
    out_ += suffix;
    bool first = true;
    const auto label = [&](std::string_view name, std::string_view text) {
        out_ += first ? '{' : ',';
        first = false;
        out_ += name;
        out_ += "=\"";
        append_escaped(out_, text, true);
        out_ += '"';
    };
    for (const auto& [name, text] : labels)
        label(name, text);
    if (!extra.first.empty()) label(extra.first, extra.second);
    if (!first) out_ += '}';
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

std::string Exposition::format_number(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc{} ? std::string(buffer, end) : "NaN";
}

void Exposition::common(const ReloadStatus& reloads) {
    family("build_info", Type::gauge, "always 1; the labels say which build answers");
    sample({{"version", WEBSTACK_VERSION}}, uint64_t{1});
    family("config_last_reload_successful", Type::gauge,
           "1 when the last configuration load (start or SIGHUP) was applied, else 0");
    sample({}, uint64_t{reloads.last_successful() ? 1u : 0u});
    family("config_last_reload_success_timestamp_seconds", Type::gauge,
           "when the configuration in force was loaded (Unix time)");
    sample({}, reloads.loaded_at());
    family("config_reloads_total", Type::counter, "SIGHUP reloads, by result");
    sample({{"result", "success"}}, reloads.succeeded());
    sample({{"result", "failure"}}, reloads.failed());
}

ReloadStatus::ReloadStatus() {
    loaded_at_ =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void ReloadStatus::reloaded(bool success) {
    (success ? succeeded_ : failed_).add();
    last_successful_ = success;
    if (success) {
        loaded_at_ =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
    }
}

}  // namespace core::metrics
