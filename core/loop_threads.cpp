// N threads, each running its own libuv loop: the daemons' threading model.
#include "core/loop_threads.hpp"

#include <csignal>

#include "core/log.hpp"

namespace core {

bool Worker::post(std::function<void()> task) {
    std::lock_guard lock(inbox_mutex_);
    if (!inbox_.is_open()) return false;
    inbox_.post(std::move(task));
    return true;
}

LoopThreads::LoopThreads(size_t count) {
    if (count == 0) count = 1;
    for (size_t i = 0; i < count; ++i)
        workers_.push_back(std::make_unique<Worker>(i));
}

LoopThreads::~LoopThreads() {
    if (!threads_.empty()) {
        stop([](Worker&) {}, [](Worker&) {}, 0);
        join();
    }
}

void LoopThreads::start(Setup setup) {
    // Sockets here are written without MSG_NOSIGNAL (libuv's streams): a
    // peer that closes early must fail one write, not end the process.
    std::signal(SIGPIPE, SIG_IGN);
    setup_ = std::move(setup);
    running_ = workers_.size();
    for (auto& worker : workers_) {
        threads_.emplace_back([this, w = worker.get()] { run_worker(*w); });
    }
    std::unique_lock lock(start_mutex_);
    started_.wait(lock, [&] { return ready_ == workers_.size(); });
    if (setup_error_) {
        lock.unlock();
        stop([](Worker&) {}, [](Worker&) {}, 0);
        join();
        std::rethrow_exception(setup_error_);
    }
}

void LoopThreads::run_worker(Worker& worker) {
    {
        std::lock_guard lock(worker.inbox_mutex_);
        worker.inbox_ = uv::Async(worker.loop());
    }
    worker.deadline_ = uv::Timer(worker.loop());
    try {
        setup_(worker);
    } catch (...) {
        std::lock_guard lock(start_mutex_);
        if (!setup_error_) setup_error_ = std::current_exception();
    }
    {
        std::lock_guard lock(start_mutex_);
        ++ready_;
    }
    started_.notify_all();

    worker.loop_.run();
    if (finish_) finish_(worker);
    // The loop ran dry: every handle but the (unreferenced) inbox and
    // deadline is closed. Those two close here, on the thread that owns them.
    {
        std::lock_guard lock(worker.inbox_mutex_);
        worker.inbox_.close();
    }
    worker.deadline_.close();
    worker.loop_close_status_ = worker.loop_.close();
    if (worker.loop_close_status_ != 0) {
        log::error("core") << "worker " << worker.index()
                           << ": loop closed with handles still open";
    }
    if (--running_ == 0 && on_all_stopped_) on_all_stopped_();
}

void LoopThreads::stop(Hook drain, Hook force, uint64_t deadline_ms,
                       std::function<void()> on_all_stopped, Hook finish) {
    on_all_stopped_ = std::move(on_all_stopped);
    finish_ = std::move(finish);
    for (auto& worker : workers_) {
        Worker* w = worker.get();
        w->post([w, drain, force, deadline_ms] {
            // The inbox stays open for a forced stop, but no longer keeps
            // the loop alive: the loop ends once the drain has left nothing.
            w->inbox_.unref();
            drain(*w);
            w->deadline_.start(deadline_ms, [w, force] { force(*w); });
            w->deadline_.unref();  // the deadline alone must not keep the loop alive
        });
    }
}

void LoopThreads::join() {
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void LoopThreads::post_all(const std::function<void(Worker&)>& task) {
    for (auto& worker : workers_) {
        Worker* w = worker.get();
        w->post([w, task] { task(*w); });
    }
}

}  // namespace core
