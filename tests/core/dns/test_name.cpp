// core::dns converts plain names itself and leaves the rest to ldns: both
// paths must give what ldns alone gives.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/dns/ldns_ptr.hpp"
#include "core/dns/name.hpp"

namespace dns = core::dns;

namespace {

std::optional<std::string> ldns_wire(const std::string& text) {
    dns::RdfPtr name(ldns_dname_new_frm_str(text.c_str()));
    if (!name || text.empty()) return std::nullopt;
    return dns::lowercase_name(std::string_view(
        reinterpret_cast<const char*>(ldns_rdf_data(name.get())), ldns_rdf_size(name.get())));
}

}  // namespace

TEST_CASE("a name's text is read as ldns reads it, plain or not") {
    const std::string label63(63, 'a'), label64(64, 'a');
    // 4 labels of 63 + 3 more octets: wire 255 (the most) and 256.
    const std::string long_name =
        label63 + "." + label63 + "." + label63 + "." + label63.substr(0, 61);
    std::vector<std::string> texts = {"www.foobar.com.",
                                      "WWW.FooBar.COM.",
                                      "www.foobar.com",
                                      "a",
                                      "*.foobar.com.",
                                      "_sip._tcp.example.",
                                      "x-1.y_2.",
                                      ".",
                                      "",
                                      "..",
                                      "a..b.",
                                      ".a.",
                                      "a.b..",
                                      label63 + ".example.",
                                      label64 + ".example.",
                                      long_name + ".",
                                      long_name + "a.",
                                      long_name,
                                      long_name + "a",
                                      "a\\.b.example.",
                                      "a\\065b.example.",
                                      "sp ace.example.",
                                      "a@b.example.",
                                      "caf\xc3\xa9.example.",
                                      "a/b.example.",
                                      "a(b.example."};
    for (const auto& text : texts) {
        CAPTURE(text);
        std::string error;
        const auto ours = dns::name_from_text(text, std::string(1, '\0'), error);
        auto expected = ldns_wire(text);
        CHECK(ours.has_value() == expected.has_value());
        if (ours && expected) CHECK(*ours == *expected);
        if (!ours) CHECK(!error.empty());
    }
}

TEST_CASE("a relative name is completed with its origin on both paths") {
    std::string error;
    const auto origin = dns::name_from_text("foobar.com.", error).value();
    CHECK(dns::name_from_text("WWW", origin, error) == std::string("\3www\6foobar\3com\0", 16));
    CHECK(dns::name_from_text("w\\119w", origin, error) == std::string("\3www\6foobar\3com\0", 16));
    CHECK(dns::name_from_text("@", origin, error) == origin);
    CHECK_FALSE(dns::name_from_text("www", error).has_value());
    CHECK(error.find("without an origin") != std::string::npos);
}

TEST_CASE("a name's text reads back to the same wire, for every octet in a label") {
    const std::string origin("\7example\0", 9);
    for (int octet = 0; octet < 256; ++octet) {
        CAPTURE(octet);
        const std::string wire = std::string("\3a") + static_cast<char>(octet) + "z" + origin;
        const std::string text = dns::name_to_text(wire);
        std::string error;
        CHECK(dns::name_from_text(text, error) == dns::lowercase_name(wire));
        // ldns, which reads the names of rdata, takes it back the same.
        CHECK(ldns_wire(text) == dns::lowercase_name(wire));
        // Only printable ASCII: it goes into JSON and SQL as it is.
        for (const char c : text)
            CHECK((c > 0x20 && c < 0x7f));
    }
    CHECK(dns::name_to_text(std::string(1, '\0')) == ".");
    CHECK(dns::name_to_text(std::string("\3www\6FooBar\3com\0", 16)) == "www.FooBar.com.");
    CHECK(dns::name_to_text(std::string("\2*a\0", 4)) == "*a.");
    // What a master-file reader gives a meaning is escaped.
    CHECK(dns::name_to_text(std::string("\3a\"b\0", 5)) == "a\\\"b.");
    CHECK(dns::name_to_text(std::string("\1@\0", 3)) == "\\@.");
    CHECK(dns::name_to_text(std::string("\2$x\0", 4)) == "\\$x.");
    CHECK(dns::name_to_text(std::string("\3a.b\0", 5)) == "a\\.b.");
    CHECK(dns::name_to_text(std::string("\3a b\0", 5)) == "a\\032b.");
    CHECK(dns::name_to_text(std::string("\1\xff\0", 3)) == "\\255.");
}

TEST_CASE("the characters a master file gives a meaning are taken as they are in a name") {
    std::string error;
    for (const char c : std::string("\"();\\@$ \t")) {
        CAPTURE(c);
        // A backslash alone is an escape: it stands for itself only escaped.
        const std::string text =
            c == '\\' ? std::string("a\\\\b.example.") : std::string("a") + c + "b.example.";
        const auto wire = dns::name_from_text(text, error);
        REQUIRE_MESSAGE(wire, error);
        CHECK(*wire == std::string("\3a") + c + "b" + std::string("\7example\0", 9));
        CHECK(dns::name_from_text(dns::name_to_text(*wire), error) == wire);
    }
    CHECK_FALSE(dns::name_from_text(std::string("a\0b.example.", 12), error));
    CHECK(error.find("NUL") != std::string::npos);
    CHECK_FALSE(dns::name_from_text("a\\", error));
}
