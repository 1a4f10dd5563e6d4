// A libuv stream (TCP or unix socket) with owned write requests and
// std::function callbacks.
#include "core/uv/stream.hpp"

#include <array>
#include <memory>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "core/net/address.hpp"
#include "core/read_range.hpp"

namespace core::uv {
namespace {

// One read buffer per thread: a read callback consumes its bytes before the
// next read on the same thread can start, so connections need not own one.
constexpr size_t kReadBufferSize = 64 * 1024;
thread_local char t_read_buffer[kReadBufferSize];

struct WriteRequest {
    uv_write_t req;
    StreamState* owner;
    std::vector<std::string> pieces;
    std::shared_ptr<const void> keeper;  // holds the memory of a borrowed piece
    std::vector<uv_buf_t> bufs;
    std::function<void(int)> done;
};

template <typename Request>
struct CallbackRequest {
    Request req;
    StreamState* owner;
    std::function<void(int)> done;
};

// Frees a request in its callback and runs `done` unless the owner is closed.
template <typename Request>
void finish(Request* raw, int status) {
    std::unique_ptr<Request> request(raw);
    if (request->done && !request->owner->closed) request->done(status);
}

}  // namespace

Stream::Stream(uv_loop_t* loop, Kind kind) : kind_(kind) {
    auto s = make_state();
    if (kind == Kind::tcp) {
        check(uv_tcp_init(loop, &s->uv.tcp), "uv_tcp_init");
    } else {
        check(uv_pipe_init(loop, &s->uv.pipe, 0), "uv_pipe_init");
    }
    adopt(std::move(s));
}

void Stream::open(uv_os_sock_t fd) {
    if (kind_ == Kind::tcp) {
        check(uv_tcp_open(&state()->uv.tcp, fd), "uv_tcp_open");
    } else {
        check(uv_pipe_open(&state()->uv.pipe, fd), "uv_pipe_open");
    }
}

void Stream::listen(int backlog, std::function<void(int)> on_connection) {
    state()->on_connection = std::move(on_connection);
    check(uv_listen(raw_stream(), backlog,
                    [](uv_stream_t* s, int status) {
                        static_cast<StreamState*>(s->data)->on_connection(status);
                    }),
          "uv_listen");
}

int Stream::accept(Stream& client) {
    const int status = uv_accept(raw_stream(), client.raw_stream());
    // Every write is a whole answer, or the last of one: none should wait
    // for the peer's ACK of the one before (Nagle), which a TLS handshake
    // followed by an answer otherwise does, for a delayed ACK's 40 ms.
    if (status == 0 && client.kind_ == Kind::tcp) uv_tcp_nodelay(&client.state()->uv.tcp, 1);
    return status;
}

void Stream::read_start(std::function<void(std::string_view)> on_data,
                        std::function<void(int)> on_read_end) {
    state()->on_data = std::move(on_data);
    state()->on_read_end = std::move(on_read_end);
    read_resume();
}

void Stream::read_resume() {
    if (reading_) return;
    const int status = uv_read_start(
        raw_stream(),
        [](uv_handle_t*, size_t, uv_buf_t* buf) {
            *buf = uv_buf_init(t_read_buffer, kReadBufferSize);
        },
        [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
            auto* state = static_cast<StreamState*>(s->data);
            if (nread > 0) {
                state->on_data(std::string_view(buf->base, static_cast<size_t>(nread)));
            } else if (nread < 0) {
                uv_read_stop(s);
                state->on_read_end(static_cast<int>(nread));
            }
        });
    reading_ = status == 0;
    if (status < 0) {
        // The peer is already gone; report it like a read error, later.
        state()->on_read_end(status);
    }
}

void Stream::read_stop() {
    if (!reading_) return;
    uv_read_stop(raw_stream());
    reading_ = false;
}

int Stream::write(std::vector<std::string> pieces, std::function<void(int)> done) {
    return write(std::move(pieces), {}, nullptr, std::move(done));
}

int Stream::write(std::vector<std::string> pieces, std::string_view borrowed,
                  std::shared_ptr<const void> keeper, std::function<void(int)> done) {
    // Tried from buffers on the stack (see try_write_now); a request is
    // made only for what the kernel does not take.
    constexpr size_t kInlineBuffers = 8;
    const size_t count = pieces.size() + (borrowed.empty() ? 0 : 1);
    size_t written = 0;
    if (count <= kInlineBuffers) {
        std::array<uv_buf_t, kInlineBuffers> bufs;
        for (size_t i = 0; i < pieces.size(); ++i)
            bufs[i] = uv_buf_init(pieces[i].data(), static_cast<unsigned>(pieces[i].size()));
        // libuv's buffers are not const, but it only reads them.
        if (!borrowed.empty())
            bufs[pieces.size()] = uv_buf_init(const_cast<char*>(borrowed.data()),
                                              static_cast<unsigned>(borrowed.size()));
        if (try_write_now(bufs.data(), count, written)) {
            if (done) done(0);
            return 0;
        }
    }
    return queue(std::move(pieces), borrowed, std::move(keeper), std::move(done), written);
}

int Stream::write(std::string data, std::function<void(int)> done) {
    return write(std::move(data), {}, nullptr, std::move(done));
}

int Stream::write(std::string first, std::string_view borrowed, std::shared_ptr<const void> keeper,
                  std::function<void(int)> done) {
    std::array<uv_buf_t, 2> bufs;
    size_t count = 0;
    if (!first.empty())
        bufs[count++] = uv_buf_init(first.data(), static_cast<unsigned>(first.size()));
    if (!borrowed.empty()) {
        bufs[count++] =
            uv_buf_init(const_cast<char*>(borrowed.data()), static_cast<unsigned>(borrowed.size()));
    }
    size_t written = 0;
    if (try_write_now(bufs.data(), count, written)) {
        if (done) done(0);
        return 0;
    }
    std::vector<std::string> pieces;
    if (!first.empty()) pieces.push_back(std::move(first));
    return queue(std::move(pieces), borrowed, std::move(keeper), std::move(done), written);
}

// Try writing now (libuv refuses while writes are queued or the stream is
// connecting, which keeps the order): a write the kernel takes whole needs
// no request, and libuv would otherwise re-arm the descriptor in epoll (one
// more system call) when reporting its completion. True when all went;
// `written` says how much did otherwise.
bool Stream::try_write_now(const uv_buf_t* bufs, size_t count, size_t& written) {
    size_t total = 0;
    for (size_t i = 0; i < count; ++i)
        total += bufs[i].len;
    const int result = uv_try_write(raw_stream(), bufs, static_cast<unsigned>(count));
    if (result >= 0 && static_cast<size_t>(result) == total) return true;
    written = result > 0 ? static_cast<size_t>(result) : 0;
    return false;
}

int Stream::queue(std::vector<std::string> pieces, std::string_view borrowed,
                  std::shared_ptr<const void> keeper, std::function<void(int)> done,
                  size_t already_written) {
    auto request = std::make_unique<WriteRequest>();
    request->owner = state();
    request->pieces = std::move(pieces);
    request->done = std::move(done);
    if (!borrowed.empty() && !keeper) {
        // Nothing keeps the borrowed bytes alive: the request keeps a copy.
        request->pieces.emplace_back(borrowed);
        borrowed = {};
    }
    request->keeper = std::move(keeper);
    auto& bufs = request->bufs;
    bufs.reserve(request->pieces.size() + 1);
    for (auto& piece : request->pieces)
        bufs.push_back(uv_buf_init(piece.data(), static_cast<unsigned>(piece.size())));
    if (!borrowed.empty()) {
        bufs.push_back(uv_buf_init(const_cast<char*>(borrowed.data()),
                                   static_cast<unsigned>(borrowed.size())));
    }
    if (already_written > 0) {
        size_t first = 0;
        while (already_written >= bufs[first].len) {
            already_written -= bufs[first].len;
            ++first;
        }
        bufs[first].base += already_written;
        bufs[first].len -= static_cast<decltype(bufs[first].len)>(already_written);
        bufs.erase(bufs.begin(), bufs.begin() + static_cast<std::ptrdiff_t>(first));
    }
    WriteRequest* raw = request.get();
    const int status =
        uv_write(&raw->req, raw_stream(), raw->bufs.data(), static_cast<unsigned>(raw->bufs.size()),
                 [](uv_write_t* req, int st) { finish(reinterpret_cast<WriteRequest*>(req), st); });
    if (status < 0) return status;
    request.release();  // owned by libuv until the callback frees it
    return 0;
}

int Stream::send_file(std::string head, int file, uint64_t offset, size_t length,
                      std::function<void(int)> done) {
    uv_os_fd_t socket = -1;
    size_t head_sent = 0;
    // Only with nothing queued: the bytes must follow those already written.
    const bool direct = write_queue_size() == 0 &&
                        uv_fileno(reinterpret_cast<uv_handle_t*>(raw_stream()), &socket) == 0;
    bool blocked = !direct;
    while (!blocked && head_sent < head.size()) {
        // MSG_MORE: the head waits to leave in one segment with the body.
        const ssize_t n = ::send(socket, head.data() + head_sent, head.size() - head_sent,
                                 MSG_MORE | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            blocked = true;
            break;
        }
        if (n < 0) return uv_translate_sys_error(errno);
        head_sent += static_cast<size_t>(n);
    }
    off_t at = static_cast<off_t>(offset);
    size_t left = length;
    while (!blocked && left > 0) {
        const ssize_t n = ::sendfile(socket, file, &at, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n < 0) return uv_translate_sys_error(errno);
        if (n == 0) return UV_EIO;  // the file ended early
        left -= static_cast<size_t>(n);
    }
    if (left == 0 && head_sent == head.size()) {
        if (done) done(0);
        return 0;
    }
    // The socket is full: the rest waits in memory, as any write's would.
    std::string rest;
    if (!core::read_range(file, static_cast<uint64_t>(at), left, rest)) return UV_EIO;
    std::vector<std::string> pieces;
    pieces.reserve(2);
    if (head_sent < head.size()) pieces.push_back(std::move(head));
    pieces.push_back(std::move(rest));
    return queue(std::move(pieces), {}, nullptr, std::move(done),
                 head_sent < head.size() ? head_sent : 0);
}

void Stream::shutdown(std::function<void(int)> done) {
    using Request = CallbackRequest<uv_shutdown_t>;
    auto request = std::make_unique<Request>();
    request->owner = state();
    request->done = std::move(done);
    if (uv_shutdown(&request->req, raw_stream(), [](uv_shutdown_t* req, int st) {
            finish(reinterpret_cast<Request*>(req), st);
        }) == 0) {
        request.release();
    }
}

void Stream::connect(const sockaddr* address, std::function<void(int)> done) {
    using Request = CallbackRequest<uv_connect_t>;
    auto request = std::make_unique<Request>();
    request->owner = state();
    request->done = std::move(done);
    uv_tcp_nodelay(&state()->uv.tcp, 1);  // a request is written whole, as answers are
    const int status = uv_tcp_connect(
        &request->req, &state()->uv.tcp, address,
        [](uv_connect_t* req, int st) { finish(reinterpret_cast<Request*>(req), st); });
    check(status, "uv_tcp_connect");
    request.release();
}

void Stream::connect(const std::string& path, std::function<void(int)> done) {
    using Request = CallbackRequest<uv_connect_t>;
    auto request = std::make_unique<Request>();
    request->owner = state();
    request->done = std::move(done);
    uv_pipe_connect(&request->req, &state()->uv.pipe, path.c_str(),
                    [](uv_connect_t* req, int st) { finish(reinterpret_cast<Request*>(req), st); });
    request.release();
}

bool Stream::peer_address(sockaddr_storage& address) const {
    if (kind_ != Kind::tcp) return false;
    int length = sizeof address;
    return uv_tcp_getpeername(&state()->uv.tcp, reinterpret_cast<sockaddr*>(&address), &length) ==
           0;
}

std::string Stream::peer_name() const {
    if (kind_ == Kind::pipe) return "unix:";
    sockaddr_storage address{};
    int length = sizeof address;
    if (uv_tcp_getpeername(&state()->uv.tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return "-";
    }
    return net::format_ip(reinterpret_cast<const sockaddr*>(&address));
}

}  // namespace core::uv
