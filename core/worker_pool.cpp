// Threads for blocking work beside the event loops.
#include "core/worker_pool.hpp"

namespace core {

WorkerPool::WorkerPool(size_t threads) {
    threads_.reserve(threads);
    for (size_t i = 0; i < threads; ++i)
        threads_.emplace_back([this, i] { run(i); });
}

WorkerPool::~WorkerPool() {
    stop();
}

bool WorkerPool::submit(Task task) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        tasks_.push_back(std::move(task));
        wake = sleeping_ > 0;
    }
    // When every thread is busy, the first to finish takes the task: no
    // futex wake-up is needed.
    if (wake) wake_.notify_one();
    return true;
}

size_t WorkerPool::queued() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
}

void WorkerPool::run(size_t index) {
    for (;;) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            if (tasks_.empty() && !stopping_) {
                ++sleeping_;
                wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
                --sleeping_;
            }
            if (tasks_.empty()) return;  // stopping, and nothing left
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        task(index);
    }
}

}  // namespace core
