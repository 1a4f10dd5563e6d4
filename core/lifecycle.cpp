// A daemon's life: Starting → Serving → Draining → Stopped, driven by signals.
#include "core/lifecycle.hpp"

#include <csignal>

#include "core/log.hpp"

namespace core {

std::string_view state_name(State state) {
    switch (state) {
        case State::starting:
            return "starting";
        case State::serving:
            return "serving";
        case State::draining:
            return "draining";
        case State::stopped:
            return "stopped";
    }
    return "unknown";
}

Lifecycle::Lifecycle(std::string_view component, Hooks hooks)
    : component_(component), hooks_(std::move(hooks)), wakeup_(loop_.get()) {
    const auto on_terminate = [this](int signum) {
        if (state() == State::draining) {
            log::warn(component_) << "signal " << signum << " while draining: stopping now";
            if (hooks_.on_force_stop) hooks_.on_force_stop();
            return;
        }
        log::info(component_) << "signal " << signum << ": draining";
        request_stop();
    };
    sigterm_ = uv::Signal(loop_.get(), SIGTERM, on_terminate);
    sigint_ = uv::Signal(loop_.get(), SIGINT, on_terminate);
    sighup_ = uv::Signal(loop_.get(), SIGHUP, [this](int) {
        if (state() != State::serving) {
            log::warn(component_) << "SIGHUP ignored while " << state_name(state());
            return;
        }
        log::info(component_) << "SIGHUP: reloading";
        if (hooks_.on_reload) hooks_.on_reload();
    });
}

void Lifecycle::set_state(State state) {
    state_.store(state);
    log::info(component_) << "state " << state_name(state);
}

void Lifecycle::set_serving() {
    set_state(State::serving);
}

void Lifecycle::request_stop() {
    if (state() == State::draining || state() == State::stopped) return;
    set_state(State::draining);
    if (hooks_.on_stop) hooks_.on_stop();
}

void Lifecycle::stopped() {
    if (stop_reported_.exchange(true)) return;
    wakeup_.post([this] {
        set_state(State::stopped);
        sigterm_.close();
        sigint_.close();
        sighup_.close();
        wakeup_.close();
    });
}

void Lifecycle::run() {
    loop_.run();
}

}  // namespace core
