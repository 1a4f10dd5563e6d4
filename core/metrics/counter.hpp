// What a daemon counts for /metrics. Each loop thread owns its counters and
// is their only writer: an increment is a relaxed load and store, with no
// lock and no locked instruction on the answer or request path. A scrape,
// on another thread, reads them relaxed and sums the threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace core::metrics {

class Counter {
  public:
    // Only from the thread that owns the counter.
    void add(uint64_t n = 1) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

// A histogram with fixed upper bounds (in seconds), as Prometheus reads
// one: cumulative buckets are summed at scrape time from per-bucket counts.
template <size_t N>
class Histogram {
  public:
    explicit constexpr Histogram(const std::array<double, N>& bounds) : bounds_(bounds) {}

    void observe(double seconds) {
        size_t i = 0;
        while (i < N && seconds > bounds_[i])
            ++i;
        buckets_[i].add();
        sum_nanoseconds_.add(seconds > 0 ? static_cast<uint64_t>(seconds * 1e9) : 0);
    }

    const std::array<double, N>& bounds() const { return bounds_; }
    // Observations at or below bounds()[i] and above the bound before it;
    // index N: above every bound.
    uint64_t bucket(size_t i) const { return buckets_[i].value(); }
    double sum_seconds() const { return static_cast<double>(sum_nanoseconds_.value()) / 1e9; }

  private:
    std::array<double, N> bounds_;
    std::array<Counter, N + 1> buckets_;
    Counter sum_nanoseconds_;
};

// Latencies from 100 µs to 10 s: a loopback answer and a slow upstream both
// land in a bucket of their own.
inline constexpr std::array<double, 12> kDurationBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10};

using DurationHistogram = Histogram<kDurationBounds.size()>;

// The configuration's loads: written on the main thread only (start-up and
// SIGHUP), read by scrapes.
class ReloadStatus {
  public:
    ReloadStatus();
    void reloaded(bool success);

    uint64_t succeeded() const { return succeeded_.value(); }
    uint64_t failed() const { return failed_.value(); }
    bool last_successful() const { return last_successful_.load(std::memory_order_relaxed); }
    // When the configuration in force was loaded (Unix seconds).
    double loaded_at() const { return loaded_at_.load(std::memory_order_relaxed); }

  private:
    Counter succeeded_;
    Counter failed_;
    std::atomic<bool> last_successful_{true};
    std::atomic<double> loaded_at_{0};
};

}  // namespace core::metrics
