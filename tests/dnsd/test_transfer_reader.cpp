// Reading a zone transfer's answer (RFC 5936, RFC 1995): where it ends,
// which kind it is, and what it says changed; anything else is an error.
#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "dnsd/transfer_client.hpp"

namespace dns = core::dns;
using dnsd::TransferReader;
using dnsd::TransferResult;

namespace {

const std::string kApex("\7example\3com\0", 13);

dns::Record record(const std::string& text) {
    std::string error;
    auto r = dns::record_from_text(text, kApex, 300, error);
    REQUIRE_MESSAGE(r, error);
    return *r;
}

dns::Record soa(int serial) {
    return record("@ SOA ns1 hostmaster " + std::to_string(serial) + " 7200 3600 1209600 300");
}

// Feeds `records` as one message; whether the answer is complete.
bool feed(TransferReader& reader, const std::vector<dns::Record>& records) {
    for (const auto& r : records)
        reader.add(r);
    reader.end_of_message();
    return reader.complete();
}

}  // namespace

TEST_CASE("AXFR: SOA, the records, SOA again, over any number of messages") {
    TransferReader reader(std::nullopt);
    CHECK_FALSE(feed(reader, {soa(5), record("www A 192.0.2.1")}));
    CHECK_FALSE(feed(reader, {record("@ NS ns1")}));
    CHECK(feed(reader, {record("mail A 192.0.2.2"), soa(5)}));
    const TransferResult result = reader.take();
    CHECK(result.kind == TransferResult::Kind::whole);
    CHECK(result.serial == 5);
    REQUIRE(result.records.size() == 4);
    CHECK(result.records[0].type == dns::type::SOA);
    CHECK_THROWS_WITH(reader.add(record("x A 192.0.2.3")), "records after the end of the transfer");

    TransferReader mismatched(std::nullopt);
    mismatched.add(soa(5));
    CHECK_THROWS_WITH(mismatched.add(soa(6)), "the closing SOA's serial differs from the first's");
    TransferReader headless(std::nullopt);
    CHECK_THROWS_WITH(headless.add(record("www A 192.0.2.1")),
                      "the answer does not start with the zone's SOA");
}

TEST_CASE("IXFR: the differences, step by step, ending at the newest SOA") {
    TransferReader reader(3);
    // 3 → 4 takes www out and puts it back elsewhere; 4 → 5 only adds.
    CHECK_FALSE(feed(reader, {soa(5), soa(3), record("www A 192.0.2.1"), soa(4)}));
    CHECK(feed(reader,
               {record("www A 192.0.2.9"), soa(4), soa(5), record("new A 192.0.2.5"), soa(5)}));
    const TransferResult result = reader.take();
    CHECK(result.kind == TransferResult::Kind::incremental);
    CHECK(result.serial == 5);
    REQUIRE(result.changes.size() == 2);
    CHECK(result.changes[0].removed.size() == 2);  // SOA 3 and the old www
    CHECK(result.changes[0].added.size() == 2);    // SOA 4 and the new www
    CHECK(result.changes[1].removed.size() == 1);  // SOA 4 alone
    CHECK(result.changes[1].added.size() == 2);
    CHECK(dns::parse_soa(result.changes[1].added[0].rdata)->serial == 5);
}

TEST_CASE("IXFR answered by the SOA alone, or by the whole zone") {
    TransferReader current(5);
    CHECK(feed(current, {soa(5)}));
    CHECK(current.take().kind == TransferResult::Kind::current);

    TransferReader whole(3);
    CHECK_FALSE(feed(whole, {soa(5), record("www A 192.0.2.1")}));
    CHECK(feed(whole, {record("@ NS ns1"), soa(5)}));
    const TransferResult result = whole.take();
    CHECK(result.kind == TransferResult::Kind::whole);
    CHECK(result.records.size() == 3);
    CHECK(result.records[0].type == dns::type::SOA);
}
