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

std::string ldns_text(const std::string& wire) {
    ldns_rdf* view = ldns_rdf_new(LDNS_RDF_TYPE_DNAME, wire.size(), const_cast<char*>(wire.data()));
    dns::CString text(ldns_rdf2str(view));
    ldns_rdf_free(view);
    return text.get();
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

TEST_CASE("a name's wire is written as ldns writes it, for every octet in a label") {
    for (int octet = 0; octet < 256; ++octet) {
        CAPTURE(octet);
        const std::string wire =
            std::string("\3a") + static_cast<char>(octet) + "z" + std::string("\7example\0", 9);
        CHECK(dns::name_to_text(wire) == ldns_text(wire));
    }
    CHECK(dns::name_to_text(std::string(1, '\0')) == ".");
    CHECK(dns::name_to_text(std::string("\3www\6FooBar\3com\0", 16)) == "www.FooBar.com.");
    CHECK(dns::name_to_text(std::string("\2*a\0", 4)) == "*a.");
}
