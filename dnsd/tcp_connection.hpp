// One DNS-over-TCP client (RFC 7766): length-prefixed queries, pipelined
// and all answered, an idle timeout, and no wait on a slow reader.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/net/cidr.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/timer.hpp"
#include "dnsd/message_handler.hpp"
#include "dnsd/metrics.hpp"
#include "dnsd/reply_mailbox.hpp"

namespace dnsd {

class TcpConnection {
  public:
    using Closed = std::function<void(TcpConnection*)>;

    // `zones` and `settings` are the listener's, read at each message, so
    // that a reload applies at once.
    TcpConnection(core::uv::Stream stream, const std::shared_ptr<const ZoneSet>& zones,
                  const MessageSettings& settings, uint64_t idle_timeout_ms, ThreadMetrics& metrics,
                  std::shared_ptr<ReplyMailbox> mailbox, Closed on_closed);
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    void start();
    // Close once the answers already queued are written.
    void drain();
    void close();

  private:
    void on_data(std::string_view data);
    void answer_complete_queries();
    void send_framed(const std::string& message);

    core::uv::Stream stream_;
    ThreadMetrics& metrics_;
    const std::shared_ptr<const ZoneSet>& zones_;
    const MessageSettings& settings_;
    sockaddr_storage peer_{};  // for the allow lists
    uint64_t idle_timeout_ms_;
    Closed on_closed_;
    core::uv::Timer idle_;
    std::string buffer_;  // bytes of queries not yet complete
    std::string response_;
    size_t writes_in_flight_ = 0;
    bool draining_ = false;
    bool closed_ = false;
    // A reply made later (an UPDATE) comes back through the listener's
    // mailbox, and is sent only while this connection is open.
    std::shared_ptr<ReplyMailbox> mailbox_;
    std::shared_ptr<bool> open_ = std::make_shared<bool>(true);
    DeferReply defer_;
};

}  // namespace dnsd
