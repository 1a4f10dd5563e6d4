// An owned libuv event loop that is closed, handles and all, when destroyed.
#pragma once

#include <uv.h>

namespace core::uv {

class Loop {
  public:
    Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    // Runs the loop until the close callbacks of every handle have run, then
    // closes it; handles must have been closed (destroyed) by then.
    ~Loop();

    uv_loop_t* get() { return &loop_; }
    operator uv_loop_t*() { return &loop_; }

    int run(uv_run_mode mode = UV_RUN_DEFAULT) { return uv_run(&loop_, mode); }
    void stop() { uv_stop(&loop_); }

    // Lets pending close callbacks run, then uv_loop_close(); returns its
    // status (0, or UV_EBUSY when a handle was left open).
    int close();

  private:
    uv_loop_t loop_{};
    bool closed_ = false;
};

}  // namespace core::uv
