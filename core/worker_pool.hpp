// Threads for blocking work (database calls) beside the event loops: tasks
// queue up and each runs on one of the threads, which may keep state of
// their own (a database connection each).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace core {

class WorkerPool {
  public:
    using Task = std::function<void(size_t thread_index)>;

    explicit WorkerPool(size_t threads);
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    // Runs what is queued, then joins.
    ~WorkerPool();

    size_t size() const { return threads_.size(); }
    // Queues a task; false once the pool is stopping.
    bool submit(Task task);
    size_t queued() const;
    // Stops taking tasks, finishes the queued ones, joins the threads.
    void stop();

  private:
    void run(size_t index);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Task> tasks_;
    bool stopping_ = false;
    size_t sleeping_ = 0;  // threads blocked on wake_: only they need a notify
    std::vector<std::thread> threads_;
};

}  // namespace core
