// Runs functions on a loop's thread, posted from any thread (uv_async).
#pragma once

#include <deque>
#include <functional>
#include <mutex>

#include "core/uv/error.hpp"
#include "core/uv/handle.hpp"

namespace core::uv {

struct AsyncState {
    uv_async_t uv;
    bool closed = false;
    std::mutex mutex;
    std::deque<std::function<void()>> queue;
};

// post() is the only member safe to call from another thread; the object
// itself must be created and destroyed on the loop's thread.
class Async : public Handle<AsyncState> {
  public:
    Async() = default;
    explicit Async(uv_loop_t* loop) {
        auto s = make_state();
        check(uv_async_init(loop, &s->uv, &Async::drain), "uv_async_init");
        adopt(std::move(s));
    }

    void post(std::function<void()> task) {
        AsyncState* s = state();
        {
            std::lock_guard lock(s->mutex);
            s->queue.push_back(std::move(task));
        }
        uv_async_send(&s->uv);
    }

  private:
    static void drain(uv_async_t* handle) {
        auto* s = static_cast<AsyncState*>(handle->data);
        std::deque<std::function<void()>> batch;
        {
            std::lock_guard lock(s->mutex);
            batch.swap(s->queue);
        }
        for (auto& task : batch)
            task();
    }
};

}  // namespace core::uv
