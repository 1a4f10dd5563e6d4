// The one ownership rule for libuv handles: uv_close, then free in the close callback.
#pragma once

#include <memory>
#include <utility>

#include <uv.h>

namespace core::uv {

// Owns a libuv handle embedded in a State struct (State::uv is the handle,
// the rest holds its callbacks). Destroying or closing the Handle calls
// uv_close; the State is freed only in the close callback, as libuv requires,
// so no callback can ever see freed memory. uv_close guarantees that no
// callback other than the close callback fires afterwards, and `closed` lets
// request callbacks that libuv still delivers (cancelled writes) know that
// their owner is gone.
template <typename State>
class Handle {
  public:
    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& other) noexcept : state_(std::move(other.state_)) {}
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            close();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    ~Handle() { close(); }

    bool is_open() const { return state_ != nullptr; }
    explicit operator bool() const { return is_open(); }

    uv_handle_t* raw_handle() const { return reinterpret_cast<uv_handle_t*>(&state_->uv); }
    uv_loop_t* loop() const { return raw_handle()->loop; }

    // Keeps the loop from running only for this handle (uv_unref).
    void unref() { uv_unref(raw_handle()); }

    void close() {
        if (!state_) return;
        State* state = state_.release();
        state->closed = true;
        auto* handle = reinterpret_cast<uv_handle_t*>(&state->uv);
        uv_handle_set_data(handle, state);
        uv_close(handle,
                 [](uv_handle_t* h) { std::unique_ptr<State> free(static_cast<State*>(h->data)); });
    }

  protected:
    // Allocates the State; the caller must uv_*_init it and then call adopt().
    static std::unique_ptr<State> make_state() { return std::make_unique<State>(); }
    void adopt(std::unique_ptr<State> state) {
        close();
        uv_handle_set_data(reinterpret_cast<uv_handle_t*>(&state->uv), state.get());
        state_ = std::move(state);
    }
    State* state() const { return state_.get(); }

  private:
    std::unique_ptr<State> state_;
};

}  // namespace core::uv
