// A daemon's life: Starting → Serving → Draining → Stopped, driven by signals.
#pragma once

#include <atomic>
#include <functional>
#include <string_view>

#include "core/uv/async.hpp"
#include "core/uv/loop.hpp"
#include "core/uv/signal.hpp"

namespace core {

enum class State { starting, serving, draining, stopped };
std::string_view state_name(State state);

// Runs on the main thread's loop. SIGTERM or SIGINT call `on_stop` once (a
// second one calls `on_force_stop`: the operator insists); SIGHUP calls
// `on_reload`. The daemon reports the end of its drain with stopped(), from
// any thread, which ends run().
class Lifecycle {
  public:
    struct Hooks {
        std::function<void()> on_stop;
        std::function<void()> on_force_stop;
        std::function<void()> on_reload;
    };

    Lifecycle(std::string_view component, Hooks hooks);
    Lifecycle(const Lifecycle&) = delete;
    Lifecycle& operator=(const Lifecycle&) = delete;

    State state() const { return state_.load(); }
    void set_serving();

    // Begins draining as if SIGTERM had arrived.
    void request_stop();
    // Safe from any thread: the drain is over; run() returns.
    void stopped();

    uv_loop_t* loop() { return loop_.get(); }
    // Runs the main loop until stopped().
    void run();

  private:
    void set_state(State state);

    std::string_view component_;
    Hooks hooks_;
    std::atomic<State> state_{State::starting};
    std::atomic<bool> stop_reported_{false};
    uv::Loop loop_;
    uv::Signal sigterm_;
    uv::Signal sigint_;
    uv::Signal sighup_;
    uv::Async wakeup_;
};

}  // namespace core
