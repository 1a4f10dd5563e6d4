// An HTTP listener on one loop: accepts connections and owns them. A TLS
// connection speaks HTTP/2 when ALPN chose h2, HTTP/1.1 otherwise.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/http/connection.hpp"
#include "core/http/exchange.hpp"
#include "core/http/limits.hpp"
#include "core/http/server_connection.hpp"
#include "core/http/transport.hpp"
#include "core/net/address.hpp"
#include "core/net/connection_set.hpp"
#include "core/net/socket.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/timer.hpp"

namespace core::http {

class Server {
  public:
    Server(uv_loop_t* loop, const Limits& limits, Handler& handler, size_t max_connections);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    // Listens on `address`: TCP with SO_REUSEPORT, so that each thread's
    // Server may listen on the same address. Throws on failure. `transport`
    // wraps each connection accepted there (TLS); none: plain.
    void listen(const net::Address& address, TransportFactory transport = {});
    // Listens on a socket bound elsewhere (a unix socket shared by threads).
    void listen(net::Socket socket, uv::Stream::Kind kind, TransportFactory transport = {});
    // Connections accepted from now on on listener `index` (in the order of
    // listen calls) get this transport (a reload's new certificates).
    void set_transport(size_t index, TransportFactory transport) {
        transports_[index] = std::move(transport);
    }

    // Stops accepting, closes idle connections and closes the others after
    // their current response; `on_drained` runs once none is left.
    void drain(std::function<void()> on_drained = {});
    // Closes every connection now.
    void close_all();

    // Limits for connections accepted from now on (a reload).
    void set_limits(const Limits& limits) { limits_ = limits; }
    // After a reload: see Connection::reloaded.
    void reloaded() {
        connections_.for_each([](Connection& c) { c.reloaded(); });
    }

    size_t connection_count() const { return connections_.size(); }

  private:
    void on_connection(size_t index);
    // The handshake chose the protocol: its connection takes the transport.
    void negotiated(Connection* negotiation, std::unique_ptr<Transport> transport);
    void serve(std::unique_ptr<Transport> transport);

    uv_loop_t* loop_;
    Limits limits_;
    Handler& handler_;
    size_t max_connections_;
    std::vector<uv::Stream> listeners_;
    std::vector<TransportFactory> transports_;  // by listener
    net::ConnectionSet<Connection> connections_;
};

}  // namespace core::http
