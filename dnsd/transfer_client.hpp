// Zone transfer in (RFC 5936 AXFR, RFC 1995 IXFR): a secondary asks a
// primary over TCP for what changed since the serial it serves, or for the
// whole zone, signed when the zone has a key, and reads the answer to its
// end, checking every message. Blocking, with a deadline on each wait: it
// runs on the secondary refresher's thread, never on an answering loop.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dns/record.hpp"
#include "core/dns/tsig.hpp"
#include "core/net/address.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

// What a primary answered.
struct TransferResult {
    enum class Kind {
        current,      // the SOA alone: the primary's serial is not newer
        incremental,  // the differences since the serial asked from
        whole,        // the whole zone (an AXFR, or an IXFR answered as one)
    };
    Kind kind = Kind::current;
    uint32_t serial = 0;                     // the primary's
    std::vector<core::dns::Record> records;  // Kind::whole: every record, the SOA first
    // Kind::incremental: one change per difference, oldest first, each
    // taking out the old SOA and putting in the new one.
    std::vector<Zone::Change> changes;
};

// Reads the records of an AXFR or IXFR answer, in the order they come, and
// says when the transfer is complete (RFC 5936 §2.2, RFC 1995 §4).
class TransferReader {
  public:
    // `client_serial`: the serial an IXFR was asked from; none for AXFR.
    explicit TransferReader(std::optional<uint32_t> client_serial);

    // Takes the next record; throws std::runtime_error when the answer is
    // malformed (a first record that is not the SOA, records after the end).
    void add(core::dns::Record record);
    // Whether the last record ended the transfer. An IXFR answered by the
    // SOA alone ends at the end of its message: see end_of_message.
    bool complete() const { return state_ == State::done; }
    // The message ended: an IXFR answer that was only the SOA is complete.
    void end_of_message();
    TransferResult take();

  private:
    enum class State { start, after_first, whole, deleting, adding, done };
    uint32_t serial_of(const core::dns::Record& soa) const;

    std::optional<uint32_t> client_serial_;
    State state_ = State::start;
    TransferResult result_;
    core::dns::Record first_soa_;
    uint32_t diff_new_serial_ = 0;  // the serial the difference being read leads to
};

class TransferError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TransferRequest {
    std::string apex;  // wire
    core::net::Address primary;
    const core::dns::tsig::Key* key = nullptr;  // signs the request; every answer checked
    // The serial served: an IXFR from it. None: AXFR.
    std::optional<uint32_t> serial;
    // For connecting, and for each read of the answer.
    std::chrono::milliseconds timeout{10'000};
    // Set by another thread: the transfer is abandoned (TransferError).
    const std::atomic<bool>* cancelled = nullptr;
};

// Transfers the zone. Throws TransferError naming what went wrong: the
// connection, a timeout, an rcode, a TSIG refusal, a malformed answer.
TransferResult transfer_zone(const TransferRequest& request);

}  // namespace dnsd
