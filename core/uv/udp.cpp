// A libuv UDP socket with std::function callbacks and owned send requests.
#include "core/uv/udp.hpp"

#include <memory>
#include <vector>

namespace core::uv {
namespace {

// Large enough for any UDP payload; one per thread, see Stream's read buffer.
constexpr size_t kDatagramBufferSize = 65536;
thread_local char t_datagram_buffer[kDatagramBufferSize];

// With recvmmsg, libuv splits the buffer into 64 KiB slots, one per
// datagram: this many slots let one system call read this many queries.
constexpr size_t kBatch = 16;

char* batch_buffer() {
    thread_local std::vector<char> buffer;
    if (buffer.empty()) buffer.resize(kBatch * kDatagramBufferSize);
    return buffer.data();
}

struct SendRequest {
    uv_udp_send_t req;
    UdpState* owner;
    std::string data;
    std::function<void(int)> done;
};

}  // namespace

void Udp::recv_start(std::function<void(std::string_view, const sockaddr*)> on_datagram,
                     std::function<void()> on_batch_end) {
    state()->on_datagram = std::move(on_datagram);
    state()->on_batch_end = std::move(on_batch_end);
    check(uv_udp_recv_start(
              &state()->uv,
              [](uv_handle_t* h, size_t, uv_buf_t* buf) {
                  if (static_cast<UdpState*>(h->data)->batch) {
                      *buf = uv_buf_init(batch_buffer(),
                                         static_cast<unsigned>(kBatch * kDatagramBufferSize));
                  } else {
                      *buf = uv_buf_init(t_datagram_buffer, kDatagramBufferSize);
                  }
              },
              [](uv_udp_t* h, ssize_t nread, const uv_buf_t* buf, const sockaddr* from, unsigned) {
                  auto* state = static_cast<UdpState*>(h->data);
                  if (nread > 0 && from != nullptr) {
                      state->on_datagram(std::string_view(buf->base, static_cast<size_t>(nread)),
                                         from);
                      // A lone datagram (no recvmmsg batch) is its own batch.
                      if (!state->batch && state->on_batch_end) state->on_batch_end();
                  } else if (nread == 0 && from == nullptr && state->on_batch_end) {
                      // The end of a recvmmsg batch, or nothing more to read.
                      state->on_batch_end();
                  }
              }),
          "uv_udp_recv_start");
}

void Udp::recv_stop() {
    if (is_open()) uv_udp_recv_stop(&state()->uv);
}

int Udp::send(std::string data, const sockaddr* to, std::function<void(int)> done) {
    auto request = std::make_unique<SendRequest>();
    request->owner = state();
    request->data = std::move(data);
    request->done = std::move(done);
    uv_buf_t buf = uv_buf_init(request->data.data(), static_cast<unsigned>(request->data.size()));
    const int status =
        uv_udp_send(&request->req, &state()->uv, &buf, 1, to, [](uv_udp_send_t* req, int st) {
            std::unique_ptr<SendRequest> owned(reinterpret_cast<SendRequest*>(req));
            if (owned->done && !owned->owner->closed) owned->done(st);
        });
    if (status < 0) return status;
    request.release();  // owned by libuv until the callback frees it
    return 0;
}

}  // namespace core::uv
