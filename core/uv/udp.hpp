// A libuv UDP socket with std::function callbacks and owned send requests.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/uv/error.hpp"
#include "core/uv/handle.hpp"

namespace core::uv {

struct UdpState {
    uv_udp_t uv;
    bool closed = false;
    bool batch = false;
    // A datagram: a view into a per-thread buffer, valid only during the call.
    std::function<void(std::string_view, const sockaddr*)> on_datagram;
    // After the datagrams of one read (a recvmmsg batch) were delivered:
    // the moment to flush replies gathered meanwhile.
    std::function<void()> on_batch_end;
};

class Udp : public Handle<UdpState> {
  public:
    Udp() = default;
    enum class Receive { one, batched };

    // Receive::batched reads many datagrams per system call (recvmmsg):
    // for a server's busy socket.
    explicit Udp(uv_loop_t* loop, Receive receive = Receive::one) {
        auto s = make_state();
        const unsigned flags = receive == Receive::batched ? UV_UDP_RECVMMSG : 0;
        check(uv_udp_init_ex(loop, &s->uv, AF_UNSPEC | flags), "uv_udp_init_ex");
        s->batch = receive == Receive::batched;
        adopt(std::move(s));
    }

    void open(uv_os_sock_t fd) { check(uv_udp_open(&state()->uv, fd), "uv_udp_open"); }
    uv_udp_t* raw() const { return &state()->uv; }

    void recv_start(std::function<void(std::string_view, const sockaddr*)> on_datagram,
                    std::function<void()> on_batch_end = {});
    // The socket, for sendmmsg (libuv 1.44 has no batched send).
    int fd() const {
        uv_os_fd_t fd = -1;
        uv_fileno(reinterpret_cast<const uv_handle_t*>(&state()->uv), &fd);
        return fd;
    }
    void recv_stop();

    // Sends one datagram at once if the socket can take it: the fast path,
    // with no request to allocate. Returns the bytes sent or a negative
    // status (UV_EAGAIN: use send()).
    int try_send(std::string_view data, const sockaddr* to) {
        uv_buf_t buf =
            uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
        return uv_udp_try_send(&state()->uv, &buf, 1, to);
    }

    // Sends one datagram; `done` (optional) runs unless this Udp was closed.
    // Returns 0 or a negative libuv status when nothing was queued.
    int send(std::string data, const sockaddr* to, std::function<void(int)> done = {});
};

}  // namespace core::uv
