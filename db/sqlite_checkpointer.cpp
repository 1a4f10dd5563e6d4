// Checkpoints of a SQLite database's write-ahead log, off the writers.
#include "db/sqlite_checkpointer.hpp"

#include <filesystem>
#include <map>
#include <sqlite3.h>

namespace db {

namespace {

// SQLite's own threshold for its automatic checkpoint.
constexpr int kCheckpointFrames = 1000;

}  // namespace

std::shared_ptr<SqliteCheckpointer> SqliteCheckpointer::for_file(const std::string& path) {
    static std::mutex guard;
    static std::map<std::string, std::weak_ptr<SqliteCheckpointer>> checkpointers;
    std::error_code error;
    const auto canonical = std::filesystem::weakly_canonical(path, error);
    const std::string key = error ? path : canonical.string();
    const std::lock_guard lock(guard);
    auto& slot = checkpointers[key];
    auto checkpointer = slot.lock();
    if (!checkpointer) {
        checkpointer = std::make_shared<SqliteCheckpointer>(key);
        slot = checkpointer;
    }
    return checkpointer;
}

SqliteCheckpointer::~SqliteCheckpointer() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void SqliteCheckpointer::committed(int frames) {
    if (frames < kCheckpointFrames) return;
    {
        const std::lock_guard lock(mutex_);
        if (due_ || stopping_) return;
        due_ = true;
        if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    }
    wake_.notify_one();
}

void SqliteCheckpointer::run() {
    sqlite3* raw = nullptr;
    const int opened =
        sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> database(raw, &sqlite3_close);
    // A connection learns that the file is in WAL mode when it first reads
    // it; a checkpoint before that finds no log.
    if (opened == SQLITE_OK)
        sqlite3_exec(database.get(), "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr,
                     nullptr);
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return due_ || stopping_; });
        if (stopping_) return;
        due_ = false;
        lock.unlock();
        // PASSIVE: copy what no reader still needs, wait for no one. A
        // failure (busy with another process's checkpoint) is tried again
        // at the next commit past the threshold.
        if (opened == SQLITE_OK)
            sqlite3_wal_checkpoint_v2(database.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                      nullptr);
        lock.lock();
    }
}

}  // namespace db
