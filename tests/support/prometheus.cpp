// Reading a /metrics answer in tests.
#include "tests/support/prometheus.hpp"

#include <charconv>
#include <cstdlib>

#include "tests/support/process.hpp"

namespace test {

std::optional<double> metric_value(std::string_view text, std::string_view series) {
    size_t at = 0;
    while (at < text.size()) {
        const size_t end = std::min(text.find('\n', at), text.size());
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.size() > series.size() && line.substr(0, series.size()) == series &&
            line[series.size()] == ' ') {
            const std::string value(line.substr(series.size() + 1));
            char* stop = nullptr;
            const double number = std::strtod(value.c_str(), &stop);
            if (stop && *stop == '\0') return number;
        }
    }
    return std::nullopt;
}

std::string promtool_findings(const std::string& text) {
    TempDir dir;
    const std::string path = dir.write("metrics.txt", text);
    const std::string out = run("promtool check metrics <" + path + " 2>&1; echo \"exit $?\"");
    return out == "exit 0\n" ? std::string() : out;
}

}  // namespace test
