// The Prometheus text format (version 0.0.4), written family by family:
// HELP and TYPE once, then its samples. Names follow one scheme,
// webstack_<daemon>_<what>[_unit][_total].
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/metrics/counter.hpp"

namespace core::metrics {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The media type a scrape answer carries.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

class Exposition {
  public:
    // `daemon` prefixes every name: webstack_<daemon>_<name>.
    explicit Exposition(std::string_view daemon);

    enum class Type { counter, gauge, histogram };
    // Starts a family; the samples that follow belong to it.
    void family(std::string_view name, Type type, std::string_view help);
    void sample(Labels labels, double value);
    void sample(Labels labels, uint64_t value);
    // A histogram's samples from cumulative counts: `counts[i]` is the
    // number of observations in bucket i (not cumulative), `counts` has one
    // more entry than `bounds` (above the last bound).
    template <typename Bounds, typename Counts>
    void histogram(Labels labels, const Bounds& bounds, const Counts& counts, double sum) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < bounds.size(); ++i) {
            cumulative += counts[i];
            bucket(labels, format_number(bounds[i]), cumulative);
        }
        cumulative += counts[bounds.size()];
        bucket(labels, "+Inf", cumulative);
        line("_sum", labels, format_number(sum));
        line("_count", labels, std::to_string(cumulative));
    }

    // Build information and the configuration's reloads, which every
    // daemon exports alike.
    void common(const ReloadStatus& reloads);

    std::string take() && { return std::move(out_); }

  private:
    void bucket(Labels labels, const std::string& le, uint64_t cumulative);
    void line(std::string_view suffix, Labels labels, const std::string& value,
              std::pair<std::string_view, std::string_view> extra = {});
    static std::string format_number(double value);

    std::string prefix_;
    std::string name_;  // the current family's full name
    std::string out_;
};

}  // namespace core::metrics
