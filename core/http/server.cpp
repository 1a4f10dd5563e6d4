// An HTTP listener on one loop: accepts connections and owns them.
#include "core/http/server.hpp"

#include <sys/socket.h>

#include "core/http/http2_connection.hpp"
#include "core/log.hpp"

namespace core::http {

namespace {

// A TLS connection whose handshake is under way: what it will speak is
// known only once ALPN has chosen.
class Negotiation final : public Connection {
  public:
    using Ready = std::function<void(Connection*, std::unique_ptr<Transport>)>;
    Negotiation(std::unique_ptr<Transport> transport, Ready on_ready, ClosedCallback on_closed)
        : transport_(std::move(transport)),
          on_ready_(std::move(on_ready)),
          on_closed_(std::move(on_closed)) {}

    void start() override {
        transport_->negotiate(
            [this] {
                closed_ = true;
                on_ready_(this, std::move(transport_));
            },
            [this](int) { close(); });
    }
    // Nothing was asked yet: nothing to finish.
    void drain() override { close(); }
    void close() override {
        if (closed_) return;
        closed_ = true;
        transport_->close();
        on_closed_(this);
    }

  private:
    std::unique_ptr<Transport> transport_;
    Ready on_ready_;
    ClosedCallback on_closed_;
    bool closed_ = false;
};

}  // namespace

Server::Server(uv_loop_t* loop, const Limits& limits, Handler& handler, size_t max_connections)
    : loop_(loop),
      limits_(limits),
      handler_(handler),
      max_connections_(max_connections),
      connections_(loop) {}

Server::~Server() {
    close_all();
}

void Server::listen(const net::Address& address, TransportFactory transport) {
    if (address.kind == net::Address::Kind::unix_socket) {
        throw std::runtime_error(
            "Server::listen: bind unix sockets with net::bind_unix and pass the socket");
    }
    listen(net::bind_reuseport(address, net::Transport::tcp), uv::Stream::Kind::tcp,
           std::move(transport));
}

void Server::listen(net::Socket socket, uv::Stream::Kind kind, TransportFactory transport) {
    uv::Stream listener(loop_, kind);
    listener.open(socket.release());
    listeners_.push_back(std::move(listener));
    transports_.push_back(std::move(transport));
    uv::Stream* raw = &listeners_.back();
    // listeners_ may grow: find the listener by index in the callback.
    const size_t index = listeners_.size() - 1;
    raw->listen(SOMAXCONN, [this, index](int status) {
        if (status < 0) {
            log::warn("http") << "accept failed: " << uv_strerror(status);
            return;
        }
        on_connection(index);
    });
}

void Server::on_connection(size_t index) {
    uv::Stream& listener = listeners_[index];
    uv::Stream client(loop_, listener.kind());
    if (listener.accept(client) != 0) return;
    if (connections_.size() >= max_connections_) {
        // Refused by closing: answering would cost what the limit protects.
        log::warn("http") << "connection limit " << max_connections_
                          << " reached; closing a new connection";
        return;  // `client` closes as it goes out of scope
    }
    if (!transports_[index]) {
        serve(std::make_unique<PlainTransport>(std::move(client)));
        return;
    }
    connections_
        .add(std::make_unique<Negotiation>(
            transports_[index](std::move(client)),
            [this](Connection* negotiation, std::unique_ptr<Transport> transport) {
                negotiated(negotiation, std::move(transport));
            },
            [this](Connection* c) { connections_.release(c); }))
        .start();
}

void Server::negotiated(Connection* negotiation, std::unique_ptr<Transport> transport) {
    connections_.release(negotiation);
    serve(std::move(transport));
}

void Server::serve(std::unique_ptr<Transport> transport) {
    auto on_closed = [this](Connection* c) { connections_.release(c); };
    if (transport->alpn_protocol() == "h2") {
        connections_
            .add(std::make_unique<Http2Connection>(std::move(transport), limits_, handler_,
                                                   std::move(on_closed)))
            .start();
        return;
    }
    connections_
        .add(std::make_unique<ServerConnection>(std::move(transport), limits_, handler_,
                                                std::move(on_closed)))
        .start();
}

void Server::drain(std::function<void()> on_drained) {
    listeners_.clear();  // closes them: no new connections
    connections_.for_each([](Connection& c) { c.drain(); });
    connections_.when_empty(on_drained ? std::move(on_drained) : [] {});
}

void Server::close_all() {
    listeners_.clear();
    connections_.for_each([](Connection& c) { c.close(); });
}

}  // namespace core::http
