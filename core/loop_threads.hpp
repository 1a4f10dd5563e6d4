// N threads, each running its own libuv loop: the daemons' threading model.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/uv/async.hpp"
#include "core/uv/loop.hpp"
#include "core/uv/timer.hpp"

namespace core {

class LoopThreads;

// One thread's loop. Code running on that thread reaches its own listeners
// and connections through the objects its setup function created; other
// threads talk to it only through post().
class Worker {
  public:
    explicit Worker(size_t index) : index_(index) {}
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    size_t index() const { return index_; }
    uv_loop_t* loop() { return loop_.get(); }

    // Runs `task` on this worker's thread; safe from any thread. Returns
    // false (and drops the task) once the worker has stopped taking work.
    bool post(std::function<void()> task);

    // After the thread ended: uv_loop_close's status, 0 when every handle
    // had been closed.
    int loop_close_status() const { return loop_close_status_; }

  private:
    friend class LoopThreads;
    size_t index_;
    uv::Loop loop_;
    std::mutex inbox_mutex_;
    uv::Async inbox_;  // guarded by inbox_mutex_ for post() from other threads
    uv::Timer deadline_;
    int loop_close_status_ = -1;
};

class LoopThreads {
  public:
    // Runs on each worker's thread before it serves: opens its listeners.
    using Setup = std::function<void(Worker&)>;
    // Runs on each worker's thread when stopping.
    using Hook = std::function<void(Worker&)>;

    explicit LoopThreads(size_t count);
    LoopThreads(const LoopThreads&) = delete;
    LoopThreads& operator=(const LoopThreads&) = delete;
    ~LoopThreads();  // forces a stop and joins if still running

    size_t size() const { return workers_.size(); }
    Worker& worker(size_t index) { return *workers_[index]; }

    // Starts the threads and returns once every setup has run. If a setup
    // throws, all threads are stopped and the first exception is rethrown.
    void start(Setup setup);

    // Graceful stop: runs `drain` on every worker (stop accepting, let
    // in-flight work finish); a worker whose loop still has work after
    // `deadline_ms` runs `force` (close everything). A worker's loop ends when
    // it has nothing left; then `finish` runs on its thread, to destroy what
    // setup created before the loop is closed. `on_all_stopped` runs on the last worker thread to
    // finish (post it to wherever it belongs).
    void stop(Hook drain, Hook force, uint64_t deadline_ms,
              std::function<void()> on_all_stopped = {}, Hook finish = {});

    // Waits for every thread to end.
    void join();

    // Runs `task` on every worker's thread.
    void post_all(const std::function<void(Worker&)>& task);

  private:
    void run_worker(Worker& worker);

    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
    Setup setup_;
    std::mutex start_mutex_;
    std::condition_variable_any started_;
    size_t ready_ = 0;
    std::exception_ptr setup_error_;
    std::atomic<size_t> running_{0};
    std::function<void()> on_all_stopped_;
    Hook finish_;
};

}  // namespace core
