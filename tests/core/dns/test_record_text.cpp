// One RDATA's text, as the API and the database give it: read strictly,
// written in a canonical form that reads back to the same wire.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/record.hpp"

namespace dns = core::dns;

namespace {

const std::string kOrigin("\6foobar\3com\0", 12);

std::optional<std::string> rdata(const std::string& type, const std::string& text,
                                 std::string& error) {
    return dns::rdata_from_text(dns::type_from_text(type).value(), text, kOrigin, error);
}

// The canonical text of `text` as `type`'s rdata; "" when refused.
std::string canonical(const std::string& type, const std::string& text) {
    std::string error;
    const auto wire = rdata(type, text, error);
    if (!wire) return {};
    dns::Record record;
    record.owner = kOrigin;
    record.type = dns::type_from_text(type).value();
    record.rdata = *wire;
    return dns::rdata_to_text(record);
}

}  // namespace

TEST_CASE("content that a zone file would read differently, or that does not fit, is refused") {
    struct Case {
        std::string type, text, reason;
    };
    const std::vector<Case> refused = {
        {"TXT", "a;b", "comment"},
        {"TXT", "\"a\" ; b", "comment"},
        {"TXT", "\"abc", "unterminated"},
        {"TXT", "(a b)", "group"},
        {"TXT", "a\nb", "line break"},
        {"TXT", std::string("a\0b", 3), "NUL"},
        {"A", "192.0.2.1 192.0.2.2", "superfluous"},
        {"A", "192.0.2.1 ; web", "comment"},
        {"MX", "10 mail.foobar.com. extra", "superfluous"},
        {"CAA", "300 issue \"ca.example\"", "0 to 255"},
        {"CAA", "256 issue \"ca.example\"", "0 to 255"},
        {"MX", "70000 mail", "0 to 65535"},
        {"MX", "-1 mail", "0 to 65535"},
        {"MX", "0x10 mail", "0 to 65535"},
        {"SRV", "65536 1 1 sip", "0 to 65535"},
        {"SRV", "1 65536 1 sip", "0 to 65535"},
        {"SRV", "1 1 70000 sip", "0 to 65535"},
        {"SOA", "ns1 hostmaster 4294967296 7200 3600 1209600 300", "0 to 4294967295"},
        {"SOA", "ns1 hostmaster 1 99999999999 3600 1209600 300", "duration"},
        {"SOA", "ns1 hostmaster 1 7200 3600 1209600 100000w", "duration"},
        {"SSHFP", "256 1 abcd", "0 to 255"},
        {"NAPTR", "65536 10 \"u\" \"E2U+sip\" \"\" .", "0 to 65535"},
    };
    for (const auto& c : refused) {
        CAPTURE(c.type);
        CAPTURE(c.text);
        std::string error;
        CHECK_FALSE(rdata(c.type, c.text, error));
        CHECK_MESSAGE(error.find(c.reason) != std::string::npos, error);
    }
}

TEST_CASE("what is read back is the canonical form of what was sent, and reads back the same") {
    struct Case {
        std::string type, text, expected;
    };
    const std::vector<Case> cases = {
        {"TXT", "a\\;b", "\"a;b\""},
        {"TXT", "\"a;b (c)\"", "\"a;b (c)\""},
        {"TXT", "\"say \\\"hi\\\"\" two", "\"say \\\"hi\\\"\" \"two\""},
        {"TXT", "\\(x\\)", "\"(x)\""},
        {"MX", "10 mail", "10 mail.foobar.com."},
        {"MX", "65535 mail.example.", "65535 mail.example."},
        {"MX", "10 a\\\"b.example.", "10 a\\\"b.example."},
        {"CNAME", "\\@home", "\\@home.foobar.com."},
        {"CNAME", "\\$x.example.", "\\$x.example."},
        {"CAA", "255 issue \"ca.example\"", "255 issue \"ca.example\""},
        {"SRV", "0 65535 65535 sip", "0 65535 65535 sip.foobar.com."},
        {"SOA", "ns1 hostmaster 4294967295 1h 3600 2w 300",
         "ns1.foobar.com. hostmaster.foobar.com. 4294967295 3600 3600 1209600 300"},
        {"A", "  192.0.2.1\t", "192.0.2.1"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.type);
        CAPTURE(c.text);
        const std::string text = canonical(c.type, c.text);
        CHECK(text == c.expected);
        CHECK(canonical(c.type, text) == text);
    }
}

TEST_CASE("every octet in a TXT string and in a name inside rdata survives the round trip") {
    for (int octet = 0; octet < 256; ++octet) {
        CAPTURE(octet);
        const char c = static_cast<char>(octet);
        dns::Record txt;
        txt.owner = kOrigin;
        txt.type = dns::type::TXT;
        txt.rdata = std::string(1, '\3') + 'a' + c + 'z';
        std::string error;
        const std::string text = dns::rdata_to_text(txt);
        CHECK(rdata("TXT", text, error) == txt.rdata);

        dns::Record mx;
        mx.owner = kOrigin;
        mx.type = dns::type::MX;
        mx.rdata = std::string("\0\12\3a", 4) + c + "z" + kOrigin;
        const std::string mx_text = dns::rdata_to_text(mx);
        CHECK(rdata("MX", mx_text, error) == mx.rdata);

        // A whole record as export writes it and a zone file reads it.
        dns::Record owner = mx;
        owner.owner = std::string("\3a", 2) + c + "z" + kOrigin;
        owner.owner = dns::lowercase_name(owner.owner);
        owner.ttl = 300;
        const std::string line = dns::record_to_text(owner);
        const auto back = dns::record_from_text(line, kOrigin, std::nullopt, error);
        REQUIRE_MESSAGE(back, std::string(line + ": " + error));
        CHECK(back->owner == owner.owner);
        CHECK(back->rdata == owner.rdata);
        const auto file =
            dns::parse_master_text("$ORIGIN foobar.com.\n" + line + "\n", "t", kOrigin);
        REQUIRE(file.records.size() == 1);
        CHECK(file.records[0].owner == owner.owner);
    }
}

TEST_CASE("a zone file's TTL out of range is named as such") {
    std::string error;
    CHECK_FALSE(
        dns::record_from_text("www 2147483648 IN A 192.0.2.1", kOrigin, std::nullopt, error));
    CHECK(error.find("TTL '2147483648'") != std::string::npos);
    CHECK(dns::record_from_text("www 2147483647 IN A 192.0.2.1", kOrigin, std::nullopt, error));
}
