// A reply made on another thread (an UPDATE applied to the database) comes
// back through here to the loop that owns the client's socket. post() is
// safe from any thread at any time: once the loop's side has closed the
// mailbox, what is posted is dropped.
#pragma once

#include <functional>
#include <mutex>

#include "core/uv/async.hpp"

namespace dnsd {

class ReplyMailbox {
  public:
    // On the loop's thread.
    explicit ReplyMailbox(uv_loop_t* loop) : async_(loop) {}
    ReplyMailbox(const ReplyMailbox&) = delete;
    ReplyMailbox& operator=(const ReplyMailbox&) = delete;

    // `task` runs on the loop's thread, unless the mailbox closes first.
    void post(std::function<void()> task) {
        const std::lock_guard lock(mutex_);
        if (open_) async_.post(std::move(task));
    }
    // On the loop's thread: nothing posted from now on runs.
    void close() {
        const std::lock_guard lock(mutex_);
        open_ = false;
        async_.close();
    }

  private:
    std::mutex mutex_;
    bool open_ = true;
    core::uv::Async async_;
};

}  // namespace dnsd
