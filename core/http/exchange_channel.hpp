// The connection side of an Exchange: one HTTP/1.1 connection, or one
// HTTP/2 stream. The Exchange keeps what every protocol shares (the
// handler's callbacks, the bytes sent, whether the response is complete);
// the channel frames the head and the body for its protocol.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/http/message.hpp"
#include "core/http/transport.hpp"
#include "core/read_range.hpp"

namespace core::http {

class ExchangeChannel {
  public:
    virtual ~ExchangeChannel() = default;

    virtual const Transport& transport() const = 0;
    // An interim 100 (Continue): the client may send the body now.
    virtual void send_continue() = 0;
    // Backpressure on the request body.
    virtual void set_body_paused(bool paused) = 0;

    // The final head, with Date and the policy fields already in it; a
    // channel may hold it back to send it with the first piece of body.
    // `head_only`: the request was HEAD, no body follows. `body_complete`:
    // the whole request body was read.
    virtual void start_response(ResponseHead& head, bool head_only, bool body_complete) = 0;
    virtual void flush_head() = 0;
    // A piece of the body; `on_flushed` runs once it left for the client.
    virtual void send_body(std::string data, std::function<void()> on_flushed) = 0;
    // A piece of the body not copied when it can be sent at once; `keeper`,
    // when set, keeps `data` alive until then, else it is copied if it must
    // wait.
    virtual void send_body_view(std::string_view data, std::shared_ptr<const void> keeper,
                                std::function<void()> on_flushed) = 0;
    // A piece of the body from a file; false when the file could not be
    // read whole (the response cannot be completed). Read into memory
    // here; HTTP/1.1 on a plain socket sends the file's pages directly.
    virtual bool send_body_file(int file, uint64_t offset, size_t length,
                                std::function<void()> on_flushed) {
        std::string data;
        if (!read_range(file, offset, length, data)) return false;
        send_body(std::move(data), std::move(on_flushed));
        return true;
    }
    // The response is over. `framing_intact`: a sized body got exactly its
    // size (else the client must learn that the response is incomplete).
    virtual void end_response(bool framing_intact) = 0;
    // Response bytes not yet taken by the kernel.
    virtual size_t queued_bytes() const = 0;
    // The response cannot be completed: the client must not take it as
    // complete.
    virtual void abort() = 0;
};

}  // namespace core::http
