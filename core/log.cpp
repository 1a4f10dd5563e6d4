// Log lines on stderr: timestamp, level, component, message.
#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <unistd.h>

namespace core::log {
namespace {

std::atomic<Level> g_level{Level::info};

void append_timestamp(std::string& out) {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[40];
    const auto n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    out.append(buffer, n);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
    out.append(fraction);
}

}  // namespace

bool parse_level(std::string_view text, Level& out) {
    for (auto level : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (text == level_name(level)) {
            out = level;
            return true;
        }
    }
    return false;
}

std::string_view level_name(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "unknown";
}

void set_level(Level level) {
    g_level.store(level, std::memory_order_relaxed);
}
Level current_level() {
    return g_level.load(std::memory_order_relaxed);
}
bool enabled(Level level) {
    return level >= current_level();
}

void write(Level level, std::string_view component, std::string_view message) {
    if (!enabled(level)) return;
    std::string line;
    line.reserve(48 + component.size() + message.size());
    append_timestamp(line);
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += component;
    line += ": ";
    line += message;
    line += '\n';
    const char* data = line.data();
    size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, data, left);
        if (n <= 0) return;  // stderr is gone: nothing better to do with a log line
        data += n;
        left -= static_cast<size_t>(n);
    }
}

Line::Line(Level level, std::string_view component)
    : level_(level), component_(component), active_(enabled(level)) {}

Line::~Line() {
    if (active_) write(level_, component_, stream_.str());
}

}  // namespace core::log
