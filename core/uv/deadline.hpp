// A timeout that is moved far more often than it expires: a connection's
// header, idle or read timeout, pushed back by every request. Moving it
// records the new time only; the libuv timer underneath stays armed for
// the earliest time it may expire and, on firing, sleeps again for the
// rest if the deadline moved meanwhile. That spares the timer heap two
// operations per request (nginx defers its timers in the same spirit).
#pragma once

#include <cstdint>
#include <functional>

#include "core/uv/timer.hpp"

namespace core::uv {

class Deadline {
  public:
    explicit Deadline(uv_loop_t* loop) : loop_(loop), timer_(loop) {}
    // The timer's callback points here.
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;

    // `expired` runs once `timeout_ms` have passed from the loop's now,
    // unless the deadline is set again or cleared before.
    void set(uint64_t timeout_ms, std::function<void()> expired) {
        expired_ = std::move(expired);
        due_ = uv_now(loop_) + timeout_ms;
        if (timer_due_ != 0 && timer_due_ <= due_) return;  // it fires first, and looks again
        arm(timeout_ms);
    }
    void clear() { due_ = 0; }
    void close() { timer_.close(); }

  private:
    void arm(uint64_t timeout_ms) {
        timer_due_ = uv_now(loop_) + timeout_ms;
        timer_.start(timeout_ms, [this] { fire(); });
    }

    void fire() {
        timer_due_ = 0;
        if (due_ == 0) return;
        const uint64_t now = uv_now(loop_);
        if (now < due_) {
            arm(due_ - now);
            return;
        }
        due_ = 0;
        auto expired = expired_;  // it may set this deadline anew
        expired();
    }

    uv_loop_t* loop_;
    Timer timer_;
    uint64_t due_ = 0;        // loop time it expires at; 0 when cleared
    uint64_t timer_due_ = 0;  // loop time the libuv timer fires at; 0 when idle
    std::function<void()> expired_;
};

}  // namespace core::uv
