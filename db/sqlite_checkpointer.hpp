// Checkpoints of a SQLite database's write-ahead log, run by a thread of
// their own rather than by the writer whose commit filled the log: SQLite's
// automatic checkpoint copies the log into the file and syncs it inside
// that commit, which made one write in a hundred or so take 5-10 ms.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace db {

class SqliteCheckpointer {
  public:
    // The one for the file `path` in this process, made on first use.
    static std::shared_ptr<SqliteCheckpointer> for_file(const std::string& path);

    explicit SqliteCheckpointer(std::string path) : path_(std::move(path)) {}
    SqliteCheckpointer(const SqliteCheckpointer&) = delete;
    SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
    ~SqliteCheckpointer();

    // Called after a commit with the frames the log holds: past a
    // threshold, the thread checkpoints (without waiting for anyone).
    void committed(int frames);

  private:
    void run();

    const std::string path_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool due_ = false;       // guarded by mutex_
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;     // started by the first checkpoint that is due
};

}  // namespace db
