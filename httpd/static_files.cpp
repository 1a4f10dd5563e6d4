// Static files under a route's root.
#include "httpd/static_files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/http/serialize.hpp"
#include "core/log.hpp"
#include "core/read_range.hpp"
#include "httpd/conditional.hpp"
#include "httpd/content_type.hpp"
#include "httpd/responses.hpp"
#include "httpd/upstream.hpp"

namespace httpd {

namespace {

using core::http::Exchange;

constexpr size_t kStreamChunk = 256 * 1024;
// From this size up, a file sent over plain HTTP/1.1 goes by sendfile
// rather than from the memory cache: copying 32 KiB costs about what
// opening and closing the file does.
constexpr uint64_t kSendfileFrom = 32 * 1024;

// Opens `relative` below the directory `dir` such that neither "..",
// nor an absolute symlink, nor a relative one climbing out can leave it:
// the kernel refuses with EXDEV (RESOLVE_BENEATH). Returns -errno.
int open_beneath(int dir, const std::string& relative) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how);
    return fd < 0 ? -errno : static_cast<int>(fd);
}

// What an open failure means to the client.
void respond_open_error(const std::shared_ptr<Exchange>& exchange, int error) {
    switch (error) {
        case -ENOENT:
        case -ENOTDIR:
        case -ENAMETOOLONG:
            respond_text(exchange, 404, "no such file");
            return;
        case -EXDEV:
        case -ELOOP:
            respond_text(exchange, 403, "the path leads outside the document root");
            return;
        case -EACCES:
        case -EPERM:
            respond_text(exchange, 403, "permission denied");
            return;
        default:
            core::log::error("httpd")
                << "open " << exchange->request().target << ": " << std::strerror(-error);
            respond_text(exchange, 500, "cannot open the file");
    }
}

StaticFiles::Version version_of(const struct stat& st) {
    return {static_cast<uint64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
            static_cast<uint64_t>(st.st_ino)};
}

// The status and range a request gets for a file of these validators.
struct Plan {
    int status = 200;
    ByteRange range;
};

Plan plan_response(const core::http::RequestHead& request, uint64_t size, std::string_view etag,
                   int64_t mtime_seconds, std::string_view last_modified) {
    Plan plan;
    plan.range = {0, size == 0 ? 0 : size - 1};
    // RFC 9110 §13.2.2, in its order: If-Match, else If-Unmodified-Since
    // (412 when they fail), then If-None-Match, else If-Modified-Since
    // (304), then If-Range.
    if (const auto im = request.headers.get("If-Match")) {
        if (!match_hits(*im, etag)) {
            plan.status = 412;
            return plan;
        }
    } else if (const auto ius = request.headers.get("If-Unmodified-Since")) {
        const auto since = parse_http_date(*ius);
        if (since && mtime_seconds > *since) {
            plan.status = 412;
            return plan;
        }
    }
    if (const auto inm = request.headers.get("If-None-Match")) {
        if (none_match_hits(*inm, etag)) {
            plan.status = 304;
            return plan;
        }
    } else if (const auto ims = request.headers.get("If-Modified-Since")) {
        const auto since = parse_http_date(*ims);
        if (since && mtime_seconds <= *since) {
            plan.status = 304;
            return plan;
        }
    }
    const auto range = request.headers.get("Range");
    if (!range || request.method != "GET") return plan;
    if (const auto if_range = request.headers.get("If-Range")) {
        // The range applies only to the version the client already has
        // (a strong tag, or exactly the Last-Modified it was given).
        const bool same = (*if_range == etag) || (*if_range == last_modified);
        if (!same) return plan;
    }
    ByteRange wanted;
    switch (evaluate_range(*range, size, wanted)) {
        case RangeOutcome::whole:
            return plan;
        case RangeOutcome::partial:
            plan.status = 206;
            plan.range = wanted;
            return plan;
        case RangeOutcome::unsatisfiable:
            plan.status = 416;
            return plan;
    }
    return plan;
}

// The head for `plan`; returns false when the answer is complete already
// (304, 416) and no body follows.
bool start_response(const std::shared_ptr<Exchange>& exchange, const Plan& plan, uint64_t size,
                    std::string_view etag, std::string_view last_modified,
                    std::string_view content_type) {
    core::http::ResponseHead head;
    head.status = plan.status;
    head.headers.add("ETag", std::string(etag));
    head.headers.add("Last-Modified", std::string(last_modified));
    if (plan.status == 304) {
        exchange->start(std::move(head));
        exchange->end();
        return false;
    }
    if (plan.status == 412) {
        head.headers.add("Content-Type", "text/plain; charset=utf-8");
        std::string body =
            "412 Precondition Failed: the file is not the version the request names\n";
        head.content_length = body.size();
        exchange->start(std::move(head));
        exchange->write(std::move(body));
        exchange->end();
        return false;
    }
    if (plan.status == 416) {
        head.headers.add("Content-Range", "bytes */" + std::to_string(size));
        head.headers.add("Content-Type", "text/plain; charset=utf-8");
        std::string body =
            "416 Range Not Satisfiable: the file has " + std::to_string(size) + " bytes\n";
        head.content_length = body.size();
        exchange->start(std::move(head));
        exchange->write(std::move(body));
        exchange->end();
        return false;
    }
    head.headers.add("Content-Type", std::string(content_type));
    head.headers.add("Accept-Ranges", "bytes");
    if (plan.status == 206) {
        head.headers.add("Content-Range", "bytes " + std::to_string(plan.range.first) + "-" +
                                              std::to_string(plan.range.last) + "/" +
                                              std::to_string(size));
    }
    head.content_length = size == 0 ? 0 : plan.range.length();
    exchange->start(std::move(head));
    return size > 0;
}

// A file too large for the cache, sent a chunk at a time: the next chunk
// is read once the kernel took the previous one, so a slow client holds
// one chunk of memory, not the file.
struct FileStream : std::enable_shared_from_this<FileStream> {
    std::shared_ptr<Exchange> exchange;
    core::UniqueFd fd;
    uint64_t offset = 0;
    uint64_t remaining = 0;

    void pump() {
        if (exchange->aborted()) return;
        if (remaining == 0) {
            exchange->end();
            return;
        }
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, kStreamChunk));
        const uint64_t at = offset;
        offset += n;
        remaining -= n;
        if (!exchange->write_file(fd.get(), at, n, [self = shared_from_this()] { self->pump(); })) {
            // Truncated or unreadable midway: the promised length cannot
            // be kept, so the client must see the connection end.
            core::log::warn("httpd")
                << exchange->request().target << ": the file shrank or failed while being sent";
            exchange->abort();
        }
    }
};

}  // namespace

StaticFiles::StaticFiles(FileCacheSettings settings) : settings_(settings) {}

void StaticFiles::reset(FileCacheSettings settings) {
    settings_ = settings;
    roots_.clear();
    cache_.clear();
    cache_index_.clear();
    cache_bytes_ = 0;
}

int StaticFiles::root_fd(const std::string& root) {
    auto it = roots_.find(root);
    if (it == roots_.end()) {
        core::UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!fd) return -errno;
        it = roots_.emplace(root, std::move(fd)).first;
    }
    return it->second.get();
}

void StaticFiles::serve(const std::shared_ptr<Exchange>& exchange, const std::string& root,
                        const RequestTarget& target) {
    const auto& request = exchange->request();
    if (request.method != "GET" && request.method != "HEAD") {
        core::http::Headers headers;
        headers.add("Allow", "GET, HEAD");
        respond_text(exchange, 405, "static files answer GET and HEAD", std::move(headers));
        return;
    }
    const int64_t now = monotonic_ms();
    std::string key = root;
    key += '\n';
    key += target.path;
    const auto send_cached = [&](CachedFile& file) {
        const Plan plan = plan_response(request, file.version.size, file.etag,
                                        file.version.mtime_ns / 1'000'000'000, file.last_modified);
        if (start_response(exchange, plan, file.version.size, file.etag, file.last_modified,
                           file.content_type)) {
            exchange->write_shared(file.content, plan.range.first, plan.range.length());
        }
        if (!exchange->ended()) exchange->end();
    };
    // Over plain HTTP/1.1 a large file goes from the page cache to the
    // socket by sendfile, which beats copying it from this cache; over TLS
    // or HTTP/2 the bytes are copied anyway, and the cache saves the reads.
    const bool send_from_file = !exchange->secure() && request.version.major == 1;
    auto cached = cache_index_.find(key);
    if (cached != cache_index_.end() &&
        (send_from_file && cached->second->version.size >= kSendfileFrom)) {
        cached = cache_index_.end();  // served from the file below
    } else if (cached != cache_index_.end() &&
               now - cached->second->checked_at_ms < static_cast<int64_t>(settings_.valid_ms)) {
        cache_.splice(cache_.begin(), cache_, cached->second);
        send_cached(*cached->second);
        return;
    }

    const int dir = root_fd(root);
    if (dir < 0) {
        core::log::error("httpd") << "root " << root << ": " << std::strerror(-dir);
        respond_text(exchange, 500, "the document root is unavailable");
        return;
    }
    std::string relative = target.path.size() > 1 ? target.path.substr(1) : ".";
    core::UniqueFd fd;
    struct stat st {};
    const auto open_file = [&](const std::string& path) {
        const int opened = open_beneath(dir, path);
        if (opened < 0) return opened;
        fd = core::UniqueFd(opened);
        return ::fstat(fd.get(), &st) == 0 ? 0 : -errno;
    };
    if (const int error = open_file(relative); error < 0) {
        respond_open_error(exchange, error);
        return;
    }
    std::string_view served_path = target.path;
    std::string index_path;
    if (S_ISDIR(st.st_mode)) {
        if (target.path.back() != '/') {
            // Relative links in the index resolve against the directory
            // only when its URL ends in '/'.
            std::string location = target.path + "/";
            if (!target.query.empty()) location += "?" + target.query;
            respond_redirect(exchange, 301, std::move(location));
            return;
        }
        index_path = (relative == "." ? std::string() : relative) + "index.html";
        if (const int error = open_file(index_path); error < 0) {
            if (error == -ENOENT) {
                respond_text(exchange, 403, "this directory has no index.html");
            } else {
                respond_open_error(exchange, error);
            }
            return;
        }
        served_path = index_path;
    }
    if (!S_ISREG(st.st_mode)) {
        respond_text(exchange, 403, "not a regular file");
        return;
    }
    const Version version = version_of(st);
    if (cached != cache_index_.end()) {
        if (cached->second->version == version) {
            cached->second->checked_at_ms = now;
            cache_.splice(cache_.begin(), cache_, cached->second);
            send_cached(*cached->second);
            return;
        }
        cache_bytes_ -= cached->second->content->size();
        cache_.erase(cached->second);
        cache_index_.erase(cached);
    }

    CachedFile file;
    file.version = version;
    file.etag = make_etag(version.size, version.mtime_ns, version.inode);
    file.last_modified = core::http::http_date(st.st_mtim.tv_sec);
    file.content_type = content_type_for(served_path);
    const size_t largest_cached = settings_.capacity_bytes / 16;
    const bool sent_from_file = send_from_file && version.size >= kSendfileFrom;
    if (settings_.capacity_bytes > 0 && version.size <= largest_cached && !sent_from_file) {
        auto content = std::make_shared<std::string>();
        if (!core::read_range(fd.get(), 0, version.size, *content)) {
            respond_text(exchange, 500, "cannot read the file");
            return;
        }
        file.content = std::move(content);
        while (cache_bytes_ + file.content->size() > settings_.capacity_bytes && !cache_.empty()) {
            cache_bytes_ -= cache_.back().content->size();
            cache_index_.erase(cache_.back().key);
            cache_.pop_back();
        }
        file.key = std::move(key);
        file.checked_at_ms = now;
        cache_bytes_ += file.content->size();
        cache_.push_front(std::move(file));
        cache_index_.emplace(cache_.front().key, cache_.begin());
        send_cached(cache_.front());
        return;
    }

    const Plan plan =
        plan_response(request, version.size, file.etag, st.st_mtim.tv_sec, file.last_modified);
    if (!start_response(exchange, plan, version.size, file.etag, file.last_modified,
                        file.content_type)) {
        if (!exchange->ended()) exchange->end();
        return;
    }
    if (request.method == "HEAD") {
        exchange->end();
        return;
    }
    auto stream = std::make_shared<FileStream>();
    stream->exchange = exchange;
    stream->fd = std::move(fd);
    stream->offset = plan.range.first;
    stream->remaining = plan.range.length();
    stream->pump();
}

}  // namespace httpd
