// Log lines on stderr: timestamp, level, component, message.
#pragma once

#include <sstream>
#include <string_view>

namespace core::log {

enum class Level { debug, info, warn, error };

// Parses "debug", "info", "warn" or "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);
std::string_view level_name(Level level);

void set_level(Level level);
Level current_level();
bool enabled(Level level);

// Writes one whole line with a single write(2), so that lines from several
// threads never interleave.
void write(Level level, std::string_view component, std::string_view message);

// Collects a message with operator<< and writes it when destroyed:
//   core::log::info("dnsd") << "loaded " << count << " zones";
class Line {
  public:
    Line(Level level, std::string_view component);
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    ~Line();

    template <typename T>
    Line& operator<<(const T& value) {
        if (active_) stream_ << value;
        return *this;
    }

  private:
    Level level_;
    std::string_view component_;
    bool active_;
    std::ostringstream stream_;
};

inline Line debug(std::string_view component) {
    return Line(Level::debug, component);
}
inline Line info(std::string_view component) {
    return Line(Level::info, component);
}
inline Line warn(std::string_view component) {
    return Line(Level::warn, component);
}
inline Line error(std::string_view component) {
    return Line(Level::error, component);
}

}  // namespace core::log
