// Master files (RFC 1035 §5) and the zone rules: every form a zone file
// may take, and an error naming the file and the line for each mistake.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/record.hpp"
#include "core/dns/zone_rules.hpp"
#include "tests/support/process.hpp"

using namespace core::dns;

namespace {

std::string wire(const char* text) {
    std::string error;
    return *name_from_text(text, error);
}

std::vector<std::string> texts(const MasterFile& file) {
    std::vector<std::string> out;
    for (const auto& r : file.records) {
        std::string t = record_to_text(r);
        std::replace(t.begin(), t.end(), '\t', ' ');
        out.push_back(t);
    }
    return out;
}

std::string error_of(std::string_view text, std::string origin = wire("example.com.")) {
    try {
        auto file = parse_master_text(text, "z.zone", origin);
        check_zone(file.origin, file.records);
    } catch (const ZoneFileError& e) {
        return e.what();
    } catch (const ZoneRuleError& e) {
        return e.what();
    }
    return "";
}

constexpr std::string_view kHead =
    "$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n@ IN NS ns1\nns1 A 192.0.2.1\n";

}  // namespace

TEST_CASE("TTL and class in either order, relative names, @, blank owners, parentheses, comments") {
    const auto file = parse_master_text(R"zone($ORIGIN example.com.
$TTL 1h
@   IN  SOA ns1 hostmaster (   ; a comment inside
        2026112501  ; serial
        7200 3600
        1209600 300 )
    IN  NS  ns1
www 600 IN  A   192.0.2.1
ftp IN  600 A   192.0.2.2
    IN  AAAA 2001:db8::2          ; the owner is ftp again
mx  MX  10 mail.example.net.
txt TXT "a string; with a semicolon" "and (parens)"
WWW2.Example.COM. 1d CNAME www
)zone",
                                        "z.zone", {});
    CHECK(file.origin == wire("example.com."));
    const auto t = texts(file);
    REQUIRE(t.size() == 8);
    CHECK(t[0] ==
          "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2026112501 7200 3600 "
          "1209600 300");
    CHECK(t[1] == "example.com. 3600 IN NS ns1.example.com.");
    CHECK(t[2] == "www.example.com. 600 IN A 192.0.2.1");
    CHECK(t[3] == "ftp.example.com. 600 IN A 192.0.2.2");
    CHECK(t[4] == "ftp.example.com. 3600 IN AAAA 2001:db8::2");  // $TTL, not the previous TTL
    CHECK(t[5] == "mx.example.com. 3600 IN MX 10 mail.example.net.");
    CHECK(t[6] == "txt.example.com. 3600 IN TXT \"a string; with a semicolon\" \"and (parens)\"");
    CHECK(t[7] == "www2.example.com. 86400 IN CNAME www.example.com.");
    CHECK(std::get<FileLine>(file.records[2].origin).line == 8);
    CHECK(std::get<FileLine>(file.records[4].origin).line == 10);
}

TEST_CASE("the common types and RFC 3597 unknown types parse") {
    const auto file = parse_master_text(std::string(kHead) + R"(
a       A       192.0.2.10
a       AAAA    2001:db8::10
d       DNAME   other.example.net.
c       CAA     0 issue "letsencrypt.org"
p       PTR     host.example.com.
n       NAPTR   100 10 "S" "SIP+D2U" "" _sip._udp.example.com.
s       SSHFP   1 1 0123456789abcdef0123456789abcdef01234567
_443._tcp TLSA  3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_sip._udp SRV   0 5 5060 sip
h       HTTPS   1 . alpn=h2,h3
v       SVCB    1 svc.example.com. port=8443
u       TYPE65534 \# 4 0A000001
)",
                                        "z.zone", {});
    auto t = texts(file);
    CHECK(t.back() == "u.example.com. 300 IN TYPE65534 \\# 4 0a000001");
    CHECK(std::find(t.begin(), t.end(), "h.example.com. 300 IN HTTPS 1 . alpn=h2,h3") != t.end());
    CHECK(file.records.size() == 15);
}

TEST_CASE("$INCLUDE reads a file relative to the including one, with its own origin") {
    test::TempDir dir;
    dir.write("sub/hosts.inc", "www A 192.0.2.80\n");
    dir.write("sub/other.inc", "mail A 192.0.2.25\n");
    const auto path = dir.write(
        "zones/../sub/main.zone",
        std::string(kHead) +
            "$INCLUDE hosts.inc\n$INCLUDE other.inc lan.example.com.\nafter A 192.0.2.1\n");
    const auto file = read_master_file(path);
    const auto t = texts(file);
    CHECK(std::find(t.begin(), t.end(), "www.example.com. 300 IN A 192.0.2.80") != t.end());
    CHECK(std::find(t.begin(), t.end(), "mail.lan.example.com. 300 IN A 192.0.2.25") != t.end());
    // The include's origin does not leak back into the includer.
    CHECK(std::find(t.begin(), t.end(), "after.example.com. 300 IN A 192.0.2.1") != t.end());
    CHECK(std::get<FileLine>(file.records[3].origin).file.ends_with("hosts.inc"));
    CHECK(std::get<FileLine>(file.records[3].origin).line == 1);

    const auto missing = dir.write("bad.zone", std::string(kHead) + "$INCLUDE nowhere.inc\n");
    CHECK_THROWS_WITH(read_master_file(missing), doctest::Contains("bad.zone:6: cannot read"));
    const auto loop = dir.write("loop.zone", std::string(kHead) + "$INCLUDE loop.zone\n");
    CHECK_THROWS_WITH(read_master_file(loop), doctest::Contains("nested too deep"));
}

TEST_CASE("the zone's name comes from $ORIGIN or from the SOA owner") {
    const auto file = parse_master_text(
        "foobar.com. 300 IN SOA ns1.foobar.com. h.foobar.com. 1 2 3 4 5\n"
        "foobar.com. 300 IN NS ns1.foobar.com.\n",
        "z.zone", {});
    CHECK(file.origin == wire("foobar.com."));
    CHECK_THROWS_WITH(parse_master_text("www.foobar.com. 300 IN A 192.0.2.1\n", "z.zone", {}),
                      doctest::Contains("z.zone:1:"));
}

TEST_CASE("syntax errors name the file and the line") {
    CHECK(
        error_of(std::string(kHead) + "www A 300.1.1.1\n").starts_with("z.zone:6: invalid A data"));
    CHECK(error_of(std::string(kHead) + "www BOGUS 1\n") ==
          "z.zone:6: unknown record type 'BOGUS'");
    CHECK(error_of(std::string(kHead) + "www 300 IN\n") == "z.zone:6: missing record type");
    CHECK(error_of(std::string(kHead) + "\n\nwww MX 10 (\n mail\n") == "z.zone:8: '(' without ')'");
    CHECK(error_of(std::string(kHead) + "txt TXT \"open\n") ==
          "z.zone:6: unterminated quoted string");
    CHECK(error_of(std::string(kHead) + "$TTL forever\n") == "z.zone:6: invalid $TTL 'forever'");
    CHECK(error_of(std::string(kHead) + "$GENERATE 1-10 a$ A 1.2.3.$\n") ==
          "z.zone:6: unknown directive $GENERATE");
    CHECK(error_of("$ORIGIN example.com.\nwww A 192.0.2.1\n").find("no TTL") != std::string::npos);
}

TEST_CASE("zone rules: each violation is refused with its line") {
    CHECK(error_of(std::string(kHead) + "www.example.org. A 192.0.2.1\n")
              .starts_with("z.zone:6: www.example.org. A: out of zone"));
    CHECK(error_of("$ORIGIN example.com.\n$TTL 300\n@ NS ns1\nns1 A 192.0.2.1\n")
              .find("has no SOA") != std::string::npos);
    CHECK(error_of("$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n").find("has no NS") !=
          std::string::npos);
    CHECK(error_of(std::string(kHead) + "@ SOA ns2 h 1 2 3 4 5\n").find("a second SOA") !=
          std::string::npos);
    CHECK(error_of(std::string(kHead) + "www SOA ns1 h 1 2 3 4 5\n").find("only at the apex") !=
          std::string::npos);
    CHECK(error_of(std::string(kHead) + "www CNAME a\nwww A 192.0.2.1\n")
              .find("CNAME cannot stand beside") != std::string::npos);
    CHECK(error_of(std::string(kHead) + "www CNAME a\nwww CNAME b\n").find("more than one CNAME") !=
          std::string::npos);
    CHECK(error_of(std::string(kHead) + "sub NS ns.sub\nns.sub A 192.0.2.9\nhost.sub MX 10 x\n") ==
          "z.zone:8: host.sub.example.com. MX: below the delegation at sub.example.com. only glue "
          "(A, AAAA) may stand");
    CHECK(error_of(std::string(kHead) + "sub NS ns.sub\nsub TXT \"x\"\n")
              .find("at a delegation only NS, DS") != std::string::npos);
    CHECK(error_of(std::string(kHead) + "old DNAME new.example.net.\nx.old A 192.0.2.1\n")
              .find("below the DNAME") != std::string::npos);
}

TEST_CASE("zone rules repair duplicates and TTL mismatches, with warnings") {
    auto file = parse_master_text(
        std::string(kHead) + "www 300 A 192.0.2.1\nwww 600 A 192.0.2.1\nwww 900 A 192.0.2.2\n",
        "z.zone", wire("example.com."));
    const auto warnings = check_zone(file.origin, file.records);
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].find("z.zone:7: duplicate record ignored") == 0);
    CHECK(warnings[1].find("z.zone:8: TTL 900 differs within its RRset; using 300") == 0);
    CHECK(file.records.size() == 5);
}

TEST_CASE("the shipped zone of foobar.com is valid and says www A 8.8.8.8") {
    auto file = read_master_file(WEBSTACK_SOURCE_ROOT "/zones/foobar.com.zone");
    CHECK(check_zone(file.origin, file.records).empty());
    const auto t = texts(file);
    CHECK(std::find(t.begin(), t.end(), "www.foobar.com. 3600 IN A 8.8.8.8") != t.end());
}

TEST_CASE("a written master file reads back to the same records, hostile bytes and all") {
    test::TempDir dir;
    const std::string origin = wire("Example.COM.");
    std::vector<Record> records;
    std::string error;
    const auto add = [&](const std::string& text) {
        auto record = record_from_text(text, origin, 300, error);
        REQUIRE_MESSAGE(record, text << ": " << error);
        records.push_back(*record);
    };
    add("zz.example.com. 60 IN TXT \"after the SOA\"");
    add("@ 3600 IN SOA ns1 hostmaster 2026120101 7200 3600 1209600 300");
    add("@ IN NS ns1");
    add("ns1 IN A 192.0.2.1");
    // Quotes, backslashes, ';', '$', '@', '(' and bytes outside ASCII, in
    // text and in names.
    add("txt IN TXT \"a\\\"b\\\\c;d $e @f (g) \\000\\255\\010\" \"second string\"");
    add("a\\.dot\\032space\\;semi\\@at IN A 192.0.2.7");
    add("\\$dollar IN CNAME target\\(paren\\).example.com.");
    add("empty IN TXT \"\"");
    add("mx IN MX 10 Mail.Example.COM.");
    add("caa IN CAA 0 issue \"ca.example.net; account=1\"");
    add("unknown IN TYPE65300 \\# 4 00ff0a0d");
    const auto path = (dir.path() / "kept.zone").string();
    write_master_file(path, origin, records, "a copy\nof two lines");
    const auto text = [&] {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    CHECK(text.starts_with("; a copy\n; of two lines\n$ORIGIN example.com.\n"));
    CHECK(text.find("\tSOA\t") < text.find("after the SOA"));  // the SOA first
    const MasterFile back = read_master_file(path, origin);
    REQUIRE(back.records.size() == records.size());
    for (const auto& record : records) {
        const bool found = std::any_of(
            back.records.begin(), back.records.end(),
            [&](const Record& r) { return r.same_data(record) && r.ttl == record.ttl; });
        CHECK_MESSAGE(found, record_to_text(record));
    }
    // Replaced whole: no temporary file is left beside it.
    size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
        ++files;
    CHECK(files == 1);
    // A directory that does not exist: an error naming the path.
    CHECK_THROWS_WITH(
        write_master_file((dir.path() / "no" / "such.zone").string(), origin, records, ""),
        doctest::Contains("no/.such.zone."));
}
