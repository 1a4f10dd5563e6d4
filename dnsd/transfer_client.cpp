// Zone transfer in.
#include "dnsd/transfer_client.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include "core/dns/ldns_ptr.hpp"
#include "core/dns/name.hpp"
#include "core/dns/wire.hpp"
#include "core/net/socket.hpp"
#include "dnsd/message_records.hpp"
#include "dnsd/query.hpp"

namespace dnsd {

using core::dns::Record;
namespace type = core::dns::type;

TransferReader::TransferReader(std::optional<uint32_t> client_serial)
    : client_serial_(client_serial) {}

uint32_t TransferReader::serial_of(const Record& soa) const {
    const auto fields = core::dns::parse_soa(soa.rdata);
    if (!fields) throw std::runtime_error("a malformed SOA record");
    return fields->serial;
}

void TransferReader::add(Record record) {
    const bool soa = record.type == type::SOA;
    switch (state_) {
        case State::start:
            if (!soa) throw std::runtime_error("the answer does not start with the zone's SOA");
            result_.serial = serial_of(record);
            if (client_serial_) {
                first_soa_ = std::move(record);
                state_ = State::after_first;
            } else {
                result_.records.push_back(std::move(record));
                state_ = State::whole;
            }
            return;
        case State::after_first:
            if (soa) {
                // SOA, old SOA: the differences (RFC 1995 §4).
                result_.changes.emplace_back().removed.push_back(std::move(record));
                state_ = State::deleting;
            } else {
                // SOA, then data: the whole zone, as AXFR.
                result_.records.push_back(std::move(first_soa_));
                result_.records.push_back(std::move(record));
                state_ = State::whole;
            }
            return;
        case State::whole:
            if (!soa) {
                result_.records.push_back(std::move(record));
                return;
            }
            if (serial_of(record) != result_.serial)
                throw std::runtime_error("the closing SOA's serial differs from the first's");
            state_ = State::done;
            return;
        case State::deleting:
            if (soa) {
                diff_new_serial_ = serial_of(record);
                result_.changes.back().added.push_back(std::move(record));
                state_ = State::adding;
            } else {
                result_.changes.back().removed.push_back(std::move(record));
            }
            return;
        case State::adding:
            if (!soa) {
                result_.changes.back().added.push_back(std::move(record));
                return;
            }
            // The SOA of the newest serial after the difference that led to
            // it ends the answer; any other starts the next difference.
            if (diff_new_serial_ == result_.serial && serial_of(record) == result_.serial) {
                state_ = State::done;
                return;
            }
            result_.changes.emplace_back().removed.push_back(std::move(record));
            state_ = State::deleting;
            return;
        case State::done:
            throw std::runtime_error("records after the end of the transfer");
    }
}

void TransferReader::end_of_message() {
    // An IXFR answered by the SOA alone: the primary has nothing newer.
    if (state_ == State::after_first) state_ = State::done;
}

TransferResult TransferReader::take() {
    if (!result_.changes.empty()) {
        result_.kind = TransferResult::Kind::incremental;
    } else if (!result_.records.empty()) {
        result_.kind = TransferResult::Kind::whole;
    } else {
        result_.kind = TransferResult::Kind::current;
    }
    return std::move(result_);
}

namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// A blocking TCP exchange where no wait lasts longer than `timeout` nor
// the whole transfer longer than its overall deadline.
class Connection {
  public:
    Connection(const core::net::Address& address, std::chrono::milliseconds timeout,
               const std::atomic<bool>* cancelled)
        : timeout_(timeout),
          cancelled_(cancelled),
          deadline_(Clock::now() + kMaxTransferTime),
          socket_(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
        if (socket_.get() < 0) throw TransferError(errno_text("socket"));
        if (::connect(socket_.get(), address.sockaddr_ptr(), address.sockaddr_length()) != 0 &&
            errno != EINPROGRESS)
            throw TransferError(errno_text("connect"));
        wait(POLLOUT, "connecting");
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(socket_.get(), SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) throw TransferError(std::string("connect: ") + std::strerror(error));
    }

    void send(std::string_view message) {
        std::string framed;
        core::dns::wire::append16(framed, static_cast<uint16_t>(message.size()));
        framed += message;
        for (size_t sent = 0; sent < framed.size();) {
            wait(POLLOUT, "sending");
            const ssize_t n =
                ::send(socket_.get(), framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) throw TransferError(errno_text("send"));
            if (n > 0) sent += static_cast<size_t>(n);
        }
    }

    std::string receive() {
        std::string length(2, '\0');
        read_exactly(length);
        std::string message(core::dns::wire::read16(length, 0), '\0');
        read_exactly(message);
        return message;
    }

  private:
    // A zone of millions of records comes in well under this; a primary
    // that trickles bytes forever does not hold the refresher.
    static constexpr std::chrono::minutes kMaxTransferTime{10};

    void read_exactly(std::string& out) {
        for (size_t got = 0; got < out.size();) {
            wait(POLLIN, "waiting for the answer");
            const ssize_t n = ::recv(socket_.get(), out.data() + got, out.size() - got, 0);
            if (n == 0) throw TransferError("the primary closed the connection mid-answer");
            if (n < 0 && errno != EAGAIN && errno != EINTR) throw TransferError(errno_text("recv"));
            if (n > 0) got += static_cast<size_t>(n);
        }
    }

    // Waits in short slices, so that a cancellation is seen soon.
    void wait(short events, const char* doing) {
        const auto until = std::min(Clock::now() + timeout_, deadline_);
        for (;;) {
            if (cancelled_ && cancelled_->load()) throw TransferError("cancelled");
            const auto now = Clock::now();
            if (now >= until) {
                if (until == deadline_)
                    throw TransferError(std::string("no end after 10 minutes ") + doing);
                throw TransferError("timed out after " + std::to_string(timeout_.count()) + " ms " +
                                    doing);
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
            pollfd fd{socket_.get(), events, 0};
            const int ready = ::poll(&fd, 1, static_cast<int>(std::min(kSlice, left).count()) + 1);
            if (ready < 0 && errno != EINTR) throw TransferError(errno_text("poll"));
            if (ready > 0) return;
        }
    }

    static constexpr std::chrono::milliseconds kSlice{200};
    std::chrono::milliseconds timeout_;
    const std::atomic<bool>* cancelled_;
    Clock::time_point deadline_;
    core::net::Socket socket_;
};

uint64_t unix_now() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

std::string make_request(const TransferRequest& request, uint16_t id) {
    using core::dns::wire::append16;
    using core::dns::wire::append32;
    std::string message;
    append16(message, id);
    append16(message, 0);  // a query, opcode QUERY
    append16(message, 1);
    append16(message, 0);
    append16(message, request.serial ? 1 : 0);
    append16(message, 0);
    message += request.apex;
    append16(message, request.serial ? type::IXFR : type::AXFR);
    append16(message, core::dns::rrclass::IN);
    if (request.serial) {
        // RFC 1995 §3: the SOA the client has; only its serial is read.
        message += request.apex;
        append16(message, type::SOA);
        append16(message, core::dns::rrclass::IN);
        append32(message, 0);
        append16(message, 22);
        message += std::string(2, '\0');  // MNAME and RNAME: the root
        append32(message, *request.serial);
        for (int i = 0; i < 4; ++i)
            append32(message, 0);
    }
    return message;
}

std::string rcode_text(unsigned rcode) {
    const ldns_lookup_table* known = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(rcode));
    return known ? known->name : "rcode " + std::to_string(rcode);
}

}  // namespace

TransferResult transfer_zone(const TransferRequest& request) {
    const uint16_t id = static_cast<uint16_t>(std::random_device{}());
    std::string message = make_request(request, id);
    std::optional<core::dns::tsig::Signer> signer;
    if (request.key) {
        signer.emplace(*request.key, "");
        signer->sign(message, unix_now());
    }
    Connection connection(request.primary, request.timeout, request.cancelled);
    connection.send(message);
    std::optional<core::dns::tsig::Verifier> verifier;
    if (signer) verifier.emplace(*request.key, signer->last_mac());
    TransferReader reader(request.serial);
    try {
        while (!reader.complete()) {
            const std::string answer = connection.receive();
            if (answer.size() < 12 || core::dns::wire::read16(answer, 0) != id ||
                !(answer[2] & 0x80))
                throw TransferError("an answer that is not to this request");
            // Checked before anything in it is believed (RFC 8945 §5.3.1).
            if (verifier) {
                if (const std::string why = verifier->verify(answer, unix_now()); !why.empty())
                    throw TransferError("TSIG: " + why);
            }
            const unsigned rcode = static_cast<unsigned char>(answer[3]) & 0x0f;
            if (rcode != rcode::noerror)
                throw TransferError("the primary answered " + rcode_text(rcode));
            std::vector<Record> records;
            try {
                records = read_message_records(answer).answer;
            } catch (const std::runtime_error& e) {
                throw TransferError(std::string("an answer message: ") + e.what());
            }
            for (auto& record : records) {
                if (record.owner.size() < request.apex.size() ||
                    !core::dns::is_at_or_below(record.owner, request.apex))
                    throw TransferError("a record outside the zone: " +
                                        core::dns::name_to_text(record.owner));
                reader.add(std::move(record));
            }
            reader.end_of_message();
        }
    } catch (const TransferError&) {
        throw;
    } catch (const std::runtime_error& e) {
        throw TransferError(e.what());  // the reader's: a malformed answer
    }
    if (verifier && !verifier->last_signed())
        throw TransferError("TSIG: the last message of the answer is unsigned");
    return reader.take();
}

}  // namespace dnsd
