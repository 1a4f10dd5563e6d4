// An owned libuv event loop that is closed, handles and all, when destroyed.
#include "core/uv/loop.hpp"

#include "core/log.hpp"
#include "core/uv/error.hpp"

namespace core::uv {

Loop::Loop() {
    check(uv_loop_init(&loop_), "uv_loop_init");
}

Loop::~Loop() {
    if (closed_) return;
    if (close() != 0) {
        // A handle is still open: its owner outlives the loop, which is a
        // programming error; say so rather than abort at exit.
        log::error("core") << "event loop destroyed with handles still open";
    }
}

int Loop::close() {
    if (closed_) return 0;
    // Close callbacks run on the next loop iteration; NOWAIT runs them
    // without blocking on handles that are still active.
    uv_run(&loop_, UV_RUN_NOWAIT);
    const int status = uv_loop_close(&loop_);
    if (status == 0) closed_ = true;
    return status;
}

}  // namespace core::uv
