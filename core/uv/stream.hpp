// A libuv stream (TCP or unix socket) with owned write requests and
// std::function callbacks.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/uv/error.hpp"
#include "core/uv/handle.hpp"

namespace core::uv {

struct StreamState {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } uv;
    bool closed = false;
    // Bytes read: a view into a per-thread buffer, valid only during the call.
    std::function<void(std::string_view)> on_data;
    // UV_EOF when the peer closed its side, another negative code on error.
    std::function<void(int)> on_read_end;
    std::function<void(int)> on_connection;
};

class Stream : public Handle<StreamState> {
  public:
    enum class Kind { tcp, pipe };

    Stream() = default;
    Stream(uv_loop_t* loop, Kind kind);

    static Stream tcp(uv_loop_t* loop) { return Stream(loop, Kind::tcp); }
    static Stream pipe(uv_loop_t* loop) { return Stream(loop, Kind::pipe); }

    Kind kind() const { return kind_; }
    uv_stream_t* raw_stream() const { return &state()->uv.stream; }

    // Adopts an already bound (or connected) socket descriptor.
    void open(uv_os_sock_t fd);

    void listen(int backlog, std::function<void(int status)> on_connection);
    // Accepts a pending connection into `client`, created on the same loop.
    int accept(Stream& client);

    void read_start(std::function<void(std::string_view)> on_data,
                    std::function<void(int)> on_read_end);
    // Resumes reading with the callbacks given to read_start.
    void read_resume();
    void read_stop();
    bool reading() const { return reading_; }

    // Writes bytes, or queues what the kernel does not take at once; `done`
    // runs once they are written or failed, but never after this Stream was
    // closed — and before write() returns when the kernel took them all.
    // The pieces are kept alive by the request, so callers may pass
    // temporaries. Returns 0, or a negative libuv status when nothing was
    // queued (then `done` never runs).
    int write(std::vector<std::string> pieces, std::function<void(int status)> done = {});
    int write(std::string data, std::function<void(int status)> done = {});
    // Writes `pieces`, then `borrowed`: bytes not copied, which `keeper`
    // keeps alive until the write is over (a cached file sent to many
    // clients at once). Without a keeper, borrowed bytes need only live
    // through the call: they are copied if they must wait in the queue.
    int write(std::vector<std::string> pieces, std::string_view borrowed,
              std::shared_ptr<const void> keeper, std::function<void(int status)> done = {});
    // The same with one owned piece: the usual head-and-body response
    // needs no vector.
    int write(std::string first, std::string_view borrowed, std::shared_ptr<const void> keeper,
              std::function<void(int status)> done = {});
    // Writes `head`, then `length` bytes of `file` at `offset` with
    // sendfile(2): the file's pages go to the socket without a copy through
    // user space. What the kernel does not take at once is read into memory
    // and queued as write() queues. `done` as write()'s; UV_EIO when the
    // file is shorter than said.
    int send_file(std::string head, int file, uint64_t offset, size_t length,
                  std::function<void(int status)> done = {});
    size_t write_queue_size() const { return raw_stream()->write_queue_size; }

    // Half-closes the connection once queued writes are done.
    void shutdown(std::function<void(int status)> done = {});

    // Connects a TCP stream to `address`.
    void connect(const sockaddr* address, std::function<void(int status)> done);
    // Connects a pipe stream to a unix socket path.
    void connect(const std::string& path, std::function<void(int status)> done);

    // The peer's address (TCP only); false when unknown.
    bool peer_address(sockaddr_storage& address) const;
    // "ip:port" of the peer for TCP, "unix:" for a unix socket.
    std::string peer_name() const;

  private:
    bool try_write_now(const uv_buf_t* bufs, size_t count, size_t& written);
    int queue(std::vector<std::string> pieces, std::string_view borrowed,
              std::shared_ptr<const void> keeper, std::function<void(int)> done,
              size_t already_written);

    Kind kind_ = Kind::tcp;
    bool reading_ = false;
};

}  // namespace core::uv
