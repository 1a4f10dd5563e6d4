// TSIG (RFC 8945): transaction signatures with a shared secret, HMAC-SHA256
// or HMAC-SHA512. Finds a message's TSIG record, checks a request against
// the keys a server has, and signs messages, one or a stream of them (a
// zone transfer signs every message, each MAC covering the one before).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core::dns::tsig {

// The TSIG error field (RFC 8945 §4.2; the names of RFC 2845's table).
inline constexpr uint16_t kNoError = 0, kBadSig = 16, kBadKey = 17, kBadTime = 18, kBadTrunc = 22;
// How far apart two clocks may be, in seconds (RFC 8945 §10: 300).
inline constexpr uint16_t kFudge = 300;

struct Key {
    std::string name;       // wire, lowercased: what the TSIG record names
    std::string algorithm;  // wire, lowercased: hmac-sha256. or hmac-sha512.
    std::string secret;     // the raw bytes (decoded from base64)
};

// "hmac-sha256" or "hmac-sha512" to its wire name; nullopt for another.
std::optional<std::string> algorithm_name(std::string_view text);
// The secret of a key file: base64 on one line (blank lines and lines
// starting with '#' ignored); throws std::runtime_error naming `file`.
std::string decode_secret(std::string_view text, const std::string& file);

// A message's TSIG record, as read.
struct Record {
    size_t offset = 0;      // where the record starts: the message signed ends here
    std::string key_name;   // wire, lowercased
    std::string algorithm;  // wire, lowercased
    uint64_t time_signed = 0;
    uint16_t fudge = 0;
    std::string mac;
    uint16_t original_id = 0;
    uint16_t error = 0;
    std::string other;
};

enum class Found { none, one, malformed };
// Finds the TSIG record, which must be the last record of the additional
// section and the only one (RFC 8945 §5.1); `malformed` when it is
// elsewhere, twice, or does not parse.
Found find(std::string_view message, Record& record);

// What checking a signed request found (RFC 8945 §5.2).
struct Check {
    uint16_t rcode = 0;         // 0, FORMERR (1) or NOTAUTH (9)
    uint16_t error = kNoError;  // the TSIG error to answer with
    const Key* key = nullptr;   // the key that signed it, when known
};

// Checks `record` (found in `message`) against `keys` at `now` (Unix
// seconds): the key and algorithm, the MAC's length (a MAC longer than the
// hash, or shorter than 10 bytes and half the hash, is FORMERR; any MAC
// shorter than the hash is BADTRUNC: this server asks for whole MACs),
// the MAC itself (BADSIG), then the time (BADTIME).
Check check_request(std::string_view message, const Record& record, const std::vector<Key>& keys,
                    uint64_t now);

// Signs the messages of one exchange, in order: the first with the
// request's MAC before it (empty for a request), each next one with the
// MAC of the one before and only the timers (RFC 8945 §5.3.1).
class Signer {
  public:
    // `request_mac`: the MAC of the request answered; empty when signing
    // a request.
    Signer(const Key& key, std::string request_mac);

    // Appends the TSIG record to `message` (a complete message without
    // one) and raises its ARCOUNT. `error` and `other` go in the record
    // (BADTIME answers carry the server's time in `other`).
    void sign(std::string& message, uint64_t now, uint16_t error = kNoError,
              std::string_view other = {});
    // Sends `message` unsigned: the next MAC covers it (a long stream may
    // be signed every few messages, at least every 100th).
    void leave_unsigned(std::string_view message) { unsigned_messages_ += message; }
    // The size `sign` adds, for a writer to keep room for it.
    size_t record_size(size_t other_size = 0) const;
    // The MAC of the last message signed: a signed request's, which the
    // answers' MACs cover.
    const std::string& last_mac() const { return prior_mac_; }

  private:
    const Key& key_;
    std::string prior_mac_;
    std::string unsigned_messages_;  // since the last signed one
    bool first_ = true;
};

// Checks the answers to a request this side signed, in order (a zone
// transfer's messages, an acknowledgement): the first must be signed with
// the request's key, later ones may come unsigned, at most 99 in a row,
// each signed one's MAC covering those unsigned since the one before
// (RFC 8945 §5.3.1). The stream's last message must be signed: ask
// last_signed() once it is read.
class Verifier {
  public:
    static constexpr int kMaxUnsigned = 99;

    Verifier(const Key& key, std::string request_mac);
    // Checks `message` at `now` (Unix seconds): "" when it is acceptable,
    // else why not ("answer unsigned", "TSIG error BADKEY", "wrong MAC"...).
    std::string verify(std::string_view message, uint64_t now);
    bool last_signed() const { return unsigned_count_ == 0 && !first_; }

  private:
    const Key& key_;
    std::string prior_mac_;
    std::string unsigned_messages_;  // since the last signed one
    int unsigned_count_ = 0;
    bool first_ = true;
};

// The record an unsigned error answer carries (BADKEY, BADSIG: RFC 8945
// §5.3.2): the request's key and algorithm names, an empty MAC, `error`.
void append_unsigned(std::string& message, const Record& request, uint64_t now, uint16_t error);

}  // namespace core::dns::tsig
