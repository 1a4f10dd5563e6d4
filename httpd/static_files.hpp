// Static files under a route's root: GET and HEAD with validators,
// conditional requests, one byte range, directory index and redirects,
// never a file outside the root. Small files are kept in memory and
// checked against their mtime; large ones stream with backpressure.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/http/exchange.hpp"
#include "core/unique_fd.hpp"
#include "httpd/request_path.hpp"

namespace httpd {

struct FileCacheSettings {
    size_t capacity_bytes = 16 << 20;  // 0: no cache
    uint64_t valid_ms = 1000;          // trust a cached file this long before a new stat
};

class StaticFiles {
  public:
    explicit StaticFiles(FileCacheSettings settings);
    StaticFiles(const StaticFiles&) = delete;
    StaticFiles& operator=(const StaticFiles&) = delete;

    // On a reload: new settings, and roots that may have moved.
    void reset(FileCacheSettings settings);

    void serve(const std::shared_ptr<core::http::Exchange>& exchange, const std::string& root,
               const RequestTarget& target);

    // One version of a file: what its validators are built from.
    struct Version {
        uint64_t size = 0;
        int64_t mtime_ns = 0;
        uint64_t inode = 0;
        bool operator==(const Version&) const = default;
    };

  private:
    struct CachedFile {
        std::string key;
        Version version;
        // Shared with the writes in flight, which outlive an eviction.
        std::shared_ptr<const std::string> content;
        std::string etag;
        std::string last_modified;
        std::string_view content_type;
        int64_t checked_at_ms = 0;
    };

    // The root directory, opened once (O_PATH) for openat2(RESOLVE_BENEATH).
    int root_fd(const std::string& root);

    FileCacheSettings settings_;
    std::unordered_map<std::string, core::UniqueFd> roots_;
    std::list<CachedFile> cache_;  // most recently used first
    std::unordered_map<std::string, std::list<CachedFile>::iterator> cache_index_;
    size_t cache_bytes_ = 0;
};

}  // namespace httpd
