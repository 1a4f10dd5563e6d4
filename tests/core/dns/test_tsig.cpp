// TSIG (RFC 8945): a request signed here is checked here, and each way it
// can be wrong gets the answer the RFC gives it.
#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/tsig.hpp"
#include "core/dns/wire.hpp"
#include "tests/support/dns.hpp"

namespace tsig = core::dns::tsig;

namespace {

tsig::Key key(const char* name, const char* algorithm, std::string secret) {
    std::string error;
    return {core::dns::lowercase_name(*core::dns::name_from_text(name, error)),
            *tsig::algorithm_name(algorithm), std::move(secret)};
}

const std::string kSecret =
    tsig::decode_secret("# a test key\nc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\n", "t");

std::string signed_query(const tsig::Key& k, uint64_t time) {
    std::string query = test::make_query("www.example.com.", 1, {.id = 0x4242});
    tsig::Signer(k, "").sign(query, time);
    return query;
}

tsig::Check check(std::string_view message, const std::vector<tsig::Key>& keys, uint64_t now) {
    tsig::Record record;
    REQUIRE(tsig::find(message, record) == tsig::Found::one);
    return tsig::check_request(message, record, keys, now);
}

}  // namespace

TEST_CASE("a signed request checks with its key, within the fudge") {
    const std::vector<tsig::Key> keys = {key("other.", "hmac-sha256", kSecret),
                                         key("Xfr.Example.", "hmac-sha256", kSecret),
                                         key("big.", "hmac-sha512", kSecret)};
    for (const auto& k : {keys[1], keys[2]}) {
        const std::string query = signed_query(k, 1'000'000);
        CHECK(core::dns::wire::read16(query, 10) == 1);  // ARCOUNT: the TSIG
        const auto result = check(query, keys, 1'000'000 + 299);
        CHECK(result.rcode == 0);
        CHECK(result.error == tsig::kNoError);
        REQUIRE(result.key);
        CHECK(result.key->name == k.name);
    }
    const std::string query = signed_query(keys[1], 1'000'000);
    // One byte changed anywhere the MAC covers: BADSIG.
    std::string tampered = query;
    tampered[20] ^= 1;
    CHECK(check(tampered, keys, 1'000'000).error == tsig::kBadSig);
    // The same name with another secret: BADSIG; an unknown name: BADKEY.
    CHECK(check(query, {key("xfr.example.", "hmac-sha256", kSecret + "x")}, 1'000'000).error ==
          tsig::kBadSig);
    const auto unknown = check(query, {keys[0]}, 1'000'000);
    CHECK(unknown.rcode == 9);
    CHECK(unknown.error == tsig::kBadKey);
    // The right name with another algorithm is another key: BADKEY.
    CHECK(check(query, {key("xfr.example.", "hmac-sha512", kSecret)}, 1'000'000).error ==
          tsig::kBadKey);
    // Outside the fudge, either way: BADTIME (the MAC is good).
    CHECK(check(query, keys, 1'000'000 + 301).error == tsig::kBadTime);
    CHECK(check(query, keys, 1'000'000 - 301).error == tsig::kBadTime);
}

TEST_CASE("MAC sizes: too long or too short is FORMERR; a truncated one is BADTRUNC") {
    const std::vector<tsig::Key> keys = {key("k.", "hmac-sha256", kSecret)};
    const std::string query = signed_query(keys[0], 5000);
    tsig::Record record;
    REQUIRE(tsig::find(query, record) == tsig::Found::one);
    // Rebuild the record with the MAC cut to `size` bytes.
    const auto with_mac_size = [&](size_t size) {
        std::string message = query.substr(0, record.offset);
        core::dns::wire::put16(message, 10, 0);
        tsig::Record cut = record;
        cut.mac = record.mac.substr(0, size);
        std::string rr = record.key_name;
        core::dns::wire::append16(rr, 250);
        core::dns::wire::append16(rr, 255);
        core::dns::wire::append32(rr, 0);
        std::string rdata = record.algorithm;
        core::dns::wire::append16(rdata, 0);
        core::dns::wire::append32(rdata, 5000);
        core::dns::wire::append16(rdata, 300);
        core::dns::wire::append16(rdata, static_cast<uint16_t>(cut.mac.size()));
        rdata += cut.mac;
        core::dns::wire::append16(rdata, 0x4242);
        core::dns::wire::append16(rdata, 0);
        core::dns::wire::append16(rdata, 0);
        core::dns::wire::append16(rr, static_cast<uint16_t>(rdata.size()));
        message += rr + rdata;
        core::dns::wire::put16(message, 10, 1);
        return message;
    };
    CHECK(check(with_mac_size(32), keys, 5000).rcode == 0);
    CHECK(check(with_mac_size(16), keys, 5000).error == tsig::kBadTrunc);  // half: allowed size
    CHECK(check(with_mac_size(15), keys, 5000).rcode == 1);                // below half: FORMERR
    CHECK(check(with_mac_size(0), keys, 5000).rcode == 1);
}

TEST_CASE("a TSIG record anywhere but last in the additional section is malformed") {
    const tsig::Key k = key("k.", "hmac-sha256", kSecret);
    std::string query = signed_query(k, 5000);
    tsig::Record record;
    CHECK(tsig::find(query, record) == tsig::Found::one);
    // A second TSIG after it: the first is no longer last.
    std::string twice = query;
    twice += query.substr(record.offset);
    core::dns::wire::put16(twice, 10, 2);
    CHECK(tsig::find(twice, record) == tsig::Found::malformed);
    // Counted as an answer record instead.
    std::string in_answer = query;
    core::dns::wire::put16(in_answer, 6, 1);
    core::dns::wire::put16(in_answer, 10, 0);
    CHECK(tsig::find(in_answer, record) == tsig::Found::malformed);
    // Cut short.
    CHECK(tsig::find(query.substr(0, query.size() - 3), record) == tsig::Found::malformed);
    CHECK(tsig::find(test::make_query("a.example.", 1), record) == tsig::Found::none);
}

TEST_CASE("a stream of signed messages: each MAC covers the one before") {
    const tsig::Key k = key("k.", "hmac-sha256", kSecret);
    tsig::Signer one(k, "request-mac"), two(k, "request-mac");
    std::string a = test::make_query("a.example.", 1), b = a;
    one.sign(a, 100);
    two.sign(b, 100);
    CHECK(a == b);
    std::string next_a = test::make_query("b.example.", 1), next_b = next_a;
    one.sign(next_a, 101);
    tsig::Signer fresh(k, "request-mac");
    fresh.sign(next_b, 101);  // as a first message: all variables, no prior MAC of its own
    CHECK(next_a != next_b);
}

TEST_CASE("a signed request's answers verify in a stream, unsigned ones between allowed") {
    const tsig::Key k = key("xfr.example.", "hmac-sha256", kSecret);
    tsig::Signer request_signer(k, "");
    std::string request = test::make_query("example.", 252);
    request_signer.sign(request, 1000);
    // The server's side: answers signed from the request's MAC on.
    tsig::Record record;
    REQUIRE(tsig::find(request, record) == tsig::Found::one);
    CHECK(record.mac == request_signer.last_mac());
    tsig::Signer server(k, record.mac);
    std::string first = test::make_query("a.example.", 1), middle = first, last = first;
    server.sign(first, 1001);
    SUBCASE("every message signed") {
        server.sign(middle, 1001);
        server.sign(last, 1002);
        tsig::Verifier verifier(k, request_signer.last_mac());
        CHECK(verifier.verify(first, 1001) == "");
        CHECK(verifier.verify(middle, 1001) == "");
        CHECK(verifier.verify(last, 1002) == "");
        CHECK(verifier.last_signed());
    }
    SUBCASE("unsigned messages between two signed ones: the next MAC covers them") {
        server.leave_unsigned(middle);
        std::string forgetful_last = last;
        server.sign(last, 1002);
        tsig::Verifier verifier(k, request_signer.last_mac());
        CHECK(verifier.verify(first, 1001) == "");
        CHECK(verifier.verify(middle, 1001) == "");
        CHECK_FALSE(verifier.last_signed());
        CHECK(verifier.verify(last, 1002) == "");
        CHECK(verifier.last_signed());
        // A MAC over `last` alone, as if `middle` had not been sent, is wrong.
        tsig::Signer forgetful(k, record.mac);
        std::string again = test::make_query("a.example.", 1);
        forgetful.sign(again, 1001);
        forgetful.sign(forgetful_last, 1002);
        tsig::Verifier strict(k, request_signer.last_mac());
        CHECK(strict.verify(first, 1001) == "");
        CHECK(strict.verify(middle, 1001) == "");
        CHECK(strict.verify(forgetful_last, 1002) == "wrong MAC");
    }
    SUBCASE("at most 99 unsigned in a row") {
        tsig::Verifier verifier(k, request_signer.last_mac());
        CHECK(verifier.verify(first, 1001) == "");
        for (int i = 0; i < tsig::Verifier::kMaxUnsigned; ++i)
            REQUIRE(verifier.verify(middle, 1001) == "");
        CHECK(verifier.verify(middle, 1001) == "more than 99 messages unsigned in a row");
    }
    SUBCASE("refusals") {
        tsig::Verifier unsigned_first(k, request_signer.last_mac());
        CHECK(unsigned_first.verify(test::make_query("a.example.", 1), 1001) == "answer unsigned");
        tsig::Verifier other_request(k, "another request's MAC");
        CHECK(other_request.verify(first, 1001) == "wrong MAC");
        tsig::Verifier late(k, request_signer.last_mac());
        CHECK(late.verify(first, 1001 + 301) == "signed at a time too far from this clock");
        const tsig::Key other = key("xfr.example.", "hmac-sha256", kSecret + "x");
        tsig::Verifier wrong_secret(other, request_signer.last_mac());
        CHECK(wrong_secret.verify(first, 1001) == "wrong MAC");
        std::string tampered = first;
        tampered[13] ^= 1;  // the "a" of the question
        tsig::Verifier verifier(k, request_signer.last_mac());
        CHECK(verifier.verify(tampered, 1001) == "wrong MAC");
        // A BADKEY answer: the server does not know the key.
        std::string refused = test::make_query("example.", 252);
        tsig::Record asked;
        REQUIRE(tsig::find(request, asked) == tsig::Found::one);
        tsig::append_unsigned(refused, asked, 1001, tsig::kBadKey);
        tsig::Verifier badkey(k, request_signer.last_mac());
        CHECK(badkey.verify(refused, 1001) ==
              "TSIG error BADKEY (the other side does not know the key)");
    }
}

TEST_CASE("key secrets: one line of base64, at least 16 bytes") {
    CHECK(tsig::decode_secret("c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n", "f") == "secret-secret-secret");
    CHECK_THROWS_WITH(tsig::decode_secret("not base64!\n", "k.key"),
                      "k.key: the secret is not base64");
    CHECK_THROWS_WITH(tsig::decode_secret("c2hvcnQ=\n", "k.key"),
                      "k.key: the secret is shorter than 16 bytes");
    CHECK_THROWS_WITH(tsig::decode_secret(
                          "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\nc2VjcmV0LXNlY3JldC1zZWNyZXQ=\n", "k.key"),
                      "k.key: the secret is one line of base64");
    CHECK_THROWS(tsig::decode_secret("", "k.key"));
    CHECK_FALSE(tsig::algorithm_name("hmac-md5"));
}
