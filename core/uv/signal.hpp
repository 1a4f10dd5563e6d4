// A libuv signal watcher with a std::function callback.
#pragma once

#include <functional>

#include "core/uv/error.hpp"
#include "core/uv/handle.hpp"

namespace core::uv {

struct SignalState {
    uv_signal_t uv;
    bool closed = false;
    std::function<void(int)> on_signal;
};

class Signal : public Handle<SignalState> {
  public:
    Signal() = default;
    Signal(uv_loop_t* loop, int signum, std::function<void(int)> on_signal) {
        auto s = make_state();
        check(uv_signal_init(loop, &s->uv), "uv_signal_init");
        s->on_signal = std::move(on_signal);
        adopt(std::move(s));
        check(
            uv_signal_start(
                &state()->uv,
                [](uv_signal_t* h, int sig) { static_cast<SignalState*>(h->data)->on_signal(sig); },
                signum),
            "uv_signal_start");
    }
};

}  // namespace core::uv
