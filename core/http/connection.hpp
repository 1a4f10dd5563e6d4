// A connection a Server owns, whatever protocol it speaks.
#pragma once

#include <functional>

namespace core::http {

class Connection {
  public:
    // Runs once, when the connection has closed; the owner may destroy it
    // then, but not from inside that call.
    using ClosedCallback = std::function<void(Connection*)>;

    virtual ~Connection() = default;
    virtual void start() = 0;
    // Graceful stop: no new requests; close once those in flight are over.
    virtual void drain() = 0;
    // Close at once, abandoning whatever is in flight.
    virtual void close() = 0;
    // The configuration was reloaded. A connection that would otherwise
    // live on with what it began with (HTTP/2, kept for hours by browsers:
    // its certificate, its settings) asks its client to open a new one.
    virtual void reloaded() {}
};

}  // namespace core::http
