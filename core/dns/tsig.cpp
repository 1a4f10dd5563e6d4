// TSIG (RFC 8945).
#include "core/dns/tsig.hpp"

#include <algorithm>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdexcept>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/wire.hpp"

namespace core::dns::tsig {

namespace {

using wire::append16;
using wire::append32;
using wire::read16;
using wire::read32;

constexpr uint16_t kClassAny = 255;

const EVP_MD* digest_of(std::string_view algorithm) {
    std::string error;
    static const std::string sha256 = *name_from_text("hmac-sha256.", error);
    static const std::string sha512 = *name_from_text("hmac-sha512.", error);
    if (algorithm == sha256) return EVP_sha256();
    if (algorithm == sha512) return EVP_sha512();
    return nullptr;
}

// A name at `at`, pointers followed (a bounded number of times), appended
// lowercased to `out`; the offset after the name where it was read, or 0.
size_t read_name(std::string_view message, size_t at, std::string& out, bool compression) {
    size_t next = 0;
    for (int jumps = 0; at < message.size();) {
        const auto length = static_cast<unsigned char>(message[at]);
        if (length == 0) {
            out += '\0';
            return next ? next : at + 1;
        }
        if ((length & 0xc0) == 0xc0) {
            if (!compression || at + 1 >= message.size() || ++jumps > 64) return 0;
            if (!next) next = at + 2;
            at = static_cast<size_t>(read16(message, at) & 0x3fff);
            continue;
        }
        if (length > 63 || at + 1 + length > message.size() || out.size() + 1 + length > 254)
            return 0;
        out.append(message.substr(at, 1 + length));
        at += 1 + length;
    }
    return 0;
}

void append48(std::string& out, uint64_t value) {
    append16(out, static_cast<uint16_t>(value >> 32));
    append32(out, static_cast<uint32_t>(value & 0xffffffff));
}

std::string hmac(const EVP_MD* md, const std::string& secret, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(md, secret.data(), static_cast<int>(secret.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size))
        throw std::runtime_error("TSIG: HMAC failed");
    return std::string(reinterpret_cast<const char*>(out), size);
}

// What the MAC covers (RFC 8945 §4.3): the prior MAC with its length, the
// message without its TSIG record (ARCOUNT as before it was added, the
// original ID), then all the TSIG variables or, for a message after the
// first of a stream, the timers alone.
std::string signed_data(std::string_view prior_mac, std::string_view unsigned_before,
                        std::string_view message, uint16_t id, bool remove_one_additional,
                        bool timers_only, std::string_view key_name, std::string_view algorithm,
                        uint64_t time_signed, uint16_t fudge, uint16_t error,
                        std::string_view other) {
    std::string data;
    data.reserve(prior_mac.size() + unsigned_before.size() + message.size() + 300);
    if (!prior_mac.empty()) {
        append16(data, static_cast<uint16_t>(prior_mac.size()));
        data += prior_mac;
    }
    data += unsigned_before;
    const size_t start = data.size();
    data += message;
    wire::put16(data, start, id);
    if (remove_one_additional)
        wire::put16(data, start + 10, static_cast<uint16_t>(read16(message, 10) - 1));
    if (!timers_only) {
        data += key_name;
        append16(data, kClassAny);
        append32(data, 0);
        data += algorithm;
    }
    append48(data, time_signed);
    append16(data, fudge);
    if (!timers_only) {
        append16(data, error);
        append16(data, static_cast<uint16_t>(other.size()));
        data += other;
    }
    return data;
}

void append_record(std::string& message, std::string_view key_name, std::string_view algorithm,
                   uint64_t time_signed, std::string_view mac, uint16_t original_id, uint16_t error,
                   std::string_view other) {
    message += key_name;
    append16(message, type::TSIG);
    append16(message, kClassAny);
    append32(message, 0);
    const size_t rdlength_at = message.size();
    append16(message, 0);
    message += algorithm;
    append48(message, time_signed);
    append16(message, kFudge);
    append16(message, static_cast<uint16_t>(mac.size()));
    message += mac;
    append16(message, original_id);
    append16(message, error);
    append16(message, static_cast<uint16_t>(other.size()));
    message += other;
    wire::put16(message, rdlength_at, static_cast<uint16_t>(message.size() - rdlength_at - 2));
    wire::put16(message, 10, static_cast<uint16_t>(read16(message, 10) + 1));
}

}  // namespace

std::optional<std::string> algorithm_name(std::string_view text) {
    std::string error;
    if (text == "hmac-sha256") return name_from_text("hmac-sha256.", error);
    if (text == "hmac-sha512") return name_from_text("hmac-sha512.", error);
    return std::nullopt;
}

std::string decode_secret(std::string_view text, const std::string& file) {
    std::string base64;
    size_t at = 0;
    while (at < text.size()) {
        const size_t end = std::min(text.find('\n', at), text.size());
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        if (!base64.empty()) throw std::runtime_error(file + ": the secret is one line of base64");
        base64 = line;
    }
    const bool valid =
        !base64.empty() && base64.size() % 4 == 0 &&
        std::all_of(base64.begin(), base64.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
        });
    if (!valid) throw std::runtime_error(file + ": the secret is not base64");
    std::string secret(base64.size() / 4 * 3, '\0');
    const int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(secret.data()),
                                     reinterpret_cast<const unsigned char*>(base64.data()),
                                     static_cast<int>(base64.size()));
    if (size < 0) throw std::runtime_error(file + ": the secret is not base64");
    // EVP_DecodeBlock counts the padding as zero bytes.
    const size_t padding = static_cast<size_t>(std::count(base64.end() - 2, base64.end(), '='));
    secret.resize(static_cast<size_t>(size) - padding);
    if (secret.size() < 16)
        throw std::runtime_error(file + ": the secret is shorter than 16 bytes");
    return secret;
}

Found find(std::string_view message, Record& record) {
    if (message.size() < 12) return Found::none;
    const size_t questions = read16(message, 4);
    const size_t records = size_t{read16(message, 6)} + read16(message, 8) + read16(message, 10);
    size_t at = 12;
    for (size_t i = 0; i < questions; ++i) {
        std::string name;
        at = read_name(message, at, name, true);
        if (at == 0 || at + 4 > message.size()) return Found::malformed;
        at += 4;
    }
    for (size_t i = 0; i < records; ++i) {
        const size_t start = at;
        std::string owner;
        at = read_name(message, at, owner, true);
        if (at == 0 || at + 10 > message.size()) return Found::malformed;
        const uint16_t type = read16(message, at);
        const uint16_t rdlength = read16(message, at + 8);
        const size_t rdata = at + 10;
        if (rdata + rdlength > message.size()) return Found::malformed;
        at = rdata + rdlength;
        if (type != type::TSIG) continue;
        // The last record of the additional section, and the only TSIG.
        if (i + 1 != records || read16(message, 10) == 0) return Found::malformed;
        if (read16(message, rdata - 8) != kClassAny || read32(message, rdata - 6) != 0)
            return Found::malformed;
        record.offset = start;
        record.key_name = lowercase_name(owner);
        std::string algorithm;
        size_t p = read_name(message, rdata, algorithm, false);
        if (p == 0 || p + 10 > at) return Found::malformed;
        record.algorithm = lowercase_name(algorithm);
        record.time_signed = (uint64_t{read16(message, p)} << 32) | read32(message, p + 2);
        record.fudge = read16(message, p + 6);
        const uint16_t mac_size = read16(message, p + 8);
        p += 10;
        if (p + mac_size + 6 > at) return Found::malformed;
        record.mac = std::string(message.substr(p, mac_size));
        p += mac_size;
        record.original_id = read16(message, p);
        record.error = read16(message, p + 2);
        const uint16_t other_size = read16(message, p + 4);
        p += 6;
        if (p + other_size != at) return Found::malformed;
        record.other = std::string(message.substr(p, other_size));
        return Found::one;
    }
    return at == message.size() ? Found::none : Found::malformed;
}

Check check_request(std::string_view message, const Record& record, const std::vector<Key>& keys,
                    uint64_t now) {
    constexpr uint16_t kFormerr = 1, kNotauth = 9;
    Check check;
    const auto key = std::find_if(keys.begin(), keys.end(), [&](const Key& k) {
        return k.name == record.key_name && k.algorithm == record.algorithm;
    });
    const EVP_MD* md = digest_of(record.algorithm);
    if (key == keys.end() || !md) {
        check.rcode = kNotauth;
        check.error = kBadKey;
        return check;
    }
    check.key = &*key;
    const size_t full = static_cast<size_t>(EVP_MD_get_size(md));
    if (record.mac.size() > full || record.mac.size() < std::max<size_t>(10, full / 2)) {
        check.rcode = kFormerr;
        return check;
    }
    const std::string expected =
        hmac(md, key->secret,
             signed_data({}, {}, message.substr(0, record.offset), record.original_id, true, false,
                         record.key_name, record.algorithm, record.time_signed, record.fudge,
                         record.error, record.other));
    if (CRYPTO_memcmp(expected.data(), record.mac.data(), record.mac.size()) != 0) {
        check.rcode = kNotauth;
        check.error = kBadSig;
        return check;
    }
    if (record.mac.size() < full) {
        check.rcode = kNotauth;
        check.error = kBadTrunc;
        return check;
    }
    const uint64_t distance =
        now > record.time_signed ? now - record.time_signed : record.time_signed - now;
    if (distance > record.fudge) {
        check.rcode = kNotauth;
        check.error = kBadTime;
    }
    return check;
}

Signer::Signer(const Key& key, std::string request_mac)
    : key_(key), prior_mac_(std::move(request_mac)) {}

size_t Signer::record_size(size_t other_size) const {
    const EVP_MD* md = digest_of(key_.algorithm);
    const size_t mac = md ? static_cast<size_t>(EVP_MD_get_size(md)) : 64;
    return key_.name.size() + 10 + key_.algorithm.size() + 16 + mac + other_size;
}

void Signer::sign(std::string& message, uint64_t now, uint16_t error, std::string_view other) {
    const EVP_MD* md = digest_of(key_.algorithm);
    if (!md) throw std::logic_error("TSIG: a key with an unknown algorithm");
    const uint16_t id = read16(message, 0);
    const std::string mac =
        hmac(md, key_.secret,
             signed_data(prior_mac_, unsigned_messages_, message, id, false, !first_, key_.name,
                         key_.algorithm, now, kFudge, error, other));
    append_record(message, key_.name, key_.algorithm, now, mac, id, error, other);
    unsigned_messages_.clear();
    prior_mac_ = mac;
    first_ = false;
}

Verifier::Verifier(const Key& key, std::string request_mac)
    : key_(key), prior_mac_(std::move(request_mac)) {}

std::string Verifier::verify(std::string_view message, uint64_t now) {
    Record record;
    switch (find(message, record)) {
        case Found::malformed:
            return "malformed TSIG record";
        case Found::none:
            if (first_) return "answer unsigned";
            if (++unsigned_count_ > kMaxUnsigned)
                return "more than " + std::to_string(kMaxUnsigned) + " messages unsigned in a row";
            unsigned_messages_ += message;
            return {};
        case Found::one:
            break;
    }
    if (record.key_name != key_.name || record.algorithm != key_.algorithm)
        return "answer signed with another key";
    if (record.error != kNoError) {
        switch (record.error) {
            case kBadSig:
                return "TSIG error BADSIG (the other side has another secret)";
            case kBadKey:
                return "TSIG error BADKEY (the other side does not know the key)";
            case kBadTime:
                return "TSIG error BADTIME (the clocks differ)";
            default:
                return "TSIG error " + std::to_string(record.error);
        }
    }
    const EVP_MD* md = digest_of(record.algorithm);
    if (!md || record.mac.size() != static_cast<size_t>(EVP_MD_get_size(md)))
        return "a MAC of the wrong size";
    const std::string expected =
        hmac(md, key_.secret,
             signed_data(prior_mac_, unsigned_messages_, message.substr(0, record.offset),
                         record.original_id, true, !first_, record.key_name, record.algorithm,
                         record.time_signed, record.fudge, record.error, record.other));
    if (CRYPTO_memcmp(expected.data(), record.mac.data(), record.mac.size()) != 0)
        return "wrong MAC";
    const uint64_t distance =
        now > record.time_signed ? now - record.time_signed : record.time_signed - now;
    if (distance > record.fudge) return "signed at a time too far from this clock";
    prior_mac_ = record.mac;
    unsigned_messages_.clear();
    unsigned_count_ = 0;
    first_ = false;
    return {};
}

void append_unsigned(std::string& message, const Record& request, uint64_t now, uint16_t error) {
    append_record(message, request.key_name, request.algorithm, now, {}, read16(message, 0), error,
                  {});
}

}  // namespace core::dns::tsig
