// A libuv timer with a std::function callback.
#pragma once

#include <cstdint>
#include <functional>

#include "core/uv/error.hpp"
#include "core/uv/handle.hpp"

namespace core::uv {

struct TimerState {
    uv_timer_t uv;
    bool closed = false;
    std::function<void()> on_fire;
};

class Timer : public Handle<TimerState> {
  public:
    Timer() = default;
    explicit Timer(uv_loop_t* loop) {
        auto s = make_state();
        check(uv_timer_init(loop, &s->uv), "uv_timer_init");
        adopt(std::move(s));
    }

    // Fires once after `timeout_ms`, then every `repeat_ms` if non-zero.
    void start(uint64_t timeout_ms, std::function<void()> on_fire, uint64_t repeat_ms = 0) {
        state()->on_fire = std::move(on_fire);
        uv_timer_start(
            &state()->uv,
            [](uv_timer_t* t) {
                auto* s = static_cast<TimerState*>(t->data);
                // Copy: the callback may restart this timer with a new function.
                auto fire = s->on_fire;
                fire();
            },
            timeout_ms, repeat_ms);
    }
    void stop() {
        if (is_open()) uv_timer_stop(&state()->uv);
    }
    bool active() const { return is_open() && uv_is_active(raw_handle()); }
};

}  // namespace core::uv
