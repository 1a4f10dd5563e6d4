// Runs a blocking function on libuv's thread pool and its continuation back
// on the loop thread.
#pragma once

#include <functional>
#include <memory>

#include "core/uv/error.hpp"

namespace core::uv {

// `work` runs on a pool thread; `after` runs on the loop's thread with 0, or
// UV_ECANCELED if the work was cancelled before it started. The request owns
// both functions and frees itself after `after`; a loop with work queued
// keeps running until the work is done, so nothing outlives its loop.
inline void queue_work(uv_loop_t* loop, std::function<void()> work,
                       std::function<void(int)> after) {
    struct Request {
        uv_work_t req;
        std::function<void()> work;
        std::function<void(int)> after;
    };
    auto request = std::make_unique<Request>();
    request->work = std::move(work);
    request->after = std::move(after);
    check(uv_queue_work(
              loop, &request->req, [](uv_work_t* req) { reinterpret_cast<Request*>(req)->work(); },
              [](uv_work_t* req, int status) {
                  std::unique_ptr<Request> owned(reinterpret_cast<Request*>(req));
                  if (owned->after) owned->after(status);
              }),
          "uv_queue_work");
    request.release();  // owned by libuv until the after-callback frees it
}

}  // namespace core::uv
