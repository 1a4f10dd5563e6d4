// One DNS-over-TCP client (RFC 7766): length-prefixed queries, pipelined
// and all answered, an idle timeout, and no wait on a slow reader.
#include "dnsd/tcp_connection.hpp"

namespace dnsd {
namespace {

// A client that does not read its answers is not read from either, past
// this many queued bytes: it can hold its own connection, nothing more.
constexpr size_t kMaxQueuedBytes = 256 * 1024;

}  // namespace

TcpConnection::TcpConnection(core::uv::Stream stream, const std::shared_ptr<const ZoneSet>& zones,
                             const MessageSettings& settings, uint64_t idle_timeout_ms,
                             ThreadMetrics& metrics, std::shared_ptr<ReplyMailbox> mailbox,
                             Closed on_closed)
    : stream_(std::move(stream)),
      metrics_(metrics),
      zones_(zones),
      settings_(settings),
      idle_timeout_ms_(idle_timeout_ms),
      on_closed_(std::move(on_closed)),
      idle_(stream_.loop()),
      mailbox_(std::move(mailbox)) {
    // An address that cannot be read stays AF_UNSPEC: no allow list holds it.
    stream_.peer_address(peer_);
    defer_ = [this]() -> ReplySink {
        return [mailbox = mailbox_, open = open_, this](std::string reply) {
            mailbox->post([open, this, reply = std::move(reply)] {
                if (*open) send_framed(reply);
            });
        };
    };
}

void TcpConnection::start() {
    stream_.read_start([this](std::string_view data) { on_data(data); }, [this](int) { close(); });
    idle_.start(idle_timeout_ms_, [this] { close(); });
}

void TcpConnection::on_data(std::string_view data) {
    buffer_.append(data);
    answer_complete_queries();
}

void TcpConnection::answer_complete_queries() {
    size_t at = 0;
    bool answered = false;
    while (!closed_ && buffer_.size() - at >= 2) {
        const size_t length = (static_cast<unsigned char>(buffer_[at]) << 8) |
                              static_cast<unsigned char>(buffer_[at + 1]);
        if (buffer_.size() - at - 2 < length) break;
        const std::string_view query(buffer_.data() + at + 2, length);
        at += 2 + length;
        answered = true;
        const std::function<void(std::string)> emit = [this](std::string message) {
            if (!closed_) send_framed(message);
        };
        const Outcome outcome =
            handle_message(*zones_, query,
                           Peer{Transport::tcp, reinterpret_cast<const sockaddr*>(&peer_), &defer_},
                           settings_, metrics_, response_, &emit);
        if (outcome == Outcome::dropped) {
            // Not a query we can answer: nothing on this stream can be trusted.
            close();
            return;
        }
        if (outcome != Outcome::transfer && outcome != Outcome::deferred) send_framed(response_);
        if (closed_) return;
    }
    if (closed_) return;
    buffer_.erase(0, at);
    // The idle clock restarts with each complete query, not with each byte,
    // so a client dribbling a query cannot hold the connection open.
    if (answered) idle_.start(idle_timeout_ms_, [this] { close(); });
    if (stream_.write_queue_size() >= kMaxQueuedBytes) stream_.read_stop();
}

void TcpConnection::send_framed(const std::string& message) {
    std::string framed;
    framed.reserve(2 + message.size());
    framed += static_cast<char>(message.size() >> 8);
    framed += static_cast<char>(message.size() & 0xff);
    framed += message;
    ++writes_in_flight_;
    const int status = stream_.write(std::move(framed), [this](int st) {
        --writes_in_flight_;
        if (st < 0 || (draining_ && writes_in_flight_ == 0)) {
            close();
            return;
        }
        if (!stream_.reading() && stream_.write_queue_size() < kMaxQueuedBytes)
            stream_.read_resume();
    });
    if (status < 0) close();
}

void TcpConnection::drain() {
    draining_ = true;
    stream_.read_stop();
    if (writes_in_flight_ == 0) close();
}

void TcpConnection::close() {
    if (closed_) return;
    closed_ = true;
    *open_ = false;
    idle_.close();
    stream_.close();
    if (on_closed_) on_closed_(this);
}

}  // namespace dnsd
