// Validators, conditional requests and byte ranges of static responses.
#include <doctest/doctest.h>

#include "httpd/conditional.hpp"
#include "httpd/content_type.hpp"

using httpd::ByteRange;
using httpd::RangeOutcome;

TEST_CASE("If-None-Match compares entity tags weakly, in lists and with *") {
    const std::string tag = httpd::make_etag(100, 1234567890, 42);
    CHECK(tag.front() == '"');
    CHECK(httpd::make_etag(101, 1234567890, 42) != tag);
    CHECK(httpd::none_match_hits(tag, tag));
    CHECK(httpd::none_match_hits("W/" + tag, tag));
    CHECK(httpd::none_match_hits("\"other\", " + tag, tag));
    CHECK(httpd::none_match_hits("*", tag));
    CHECK_FALSE(httpd::none_match_hits("\"other\"", tag));
    CHECK_FALSE(httpd::none_match_hits("", tag));
}

TEST_CASE("HTTP dates in the three forms RFC 9110 accepts") {
    CHECK(httpd::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(httpd::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(httpd::parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK_FALSE(httpd::parse_http_date("yesterday"));
    CHECK_FALSE(httpd::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
}

TEST_CASE("one byte range is served, an unsatisfiable one refused, others ignored") {
    ByteRange r;
    REQUIRE(httpd::evaluate_range("bytes=0-99", 1000, r) == RangeOutcome::partial);
    CHECK(r.first == 0);
    CHECK(r.last == 99);
    REQUIRE(httpd::evaluate_range("bytes=900-", 1000, r) == RangeOutcome::partial);
    CHECK(r.first == 900);
    CHECK(r.last == 999);
    REQUIRE(httpd::evaluate_range("bytes=-100", 1000, r) == RangeOutcome::partial);
    CHECK(r.first == 900);
    REQUIRE(httpd::evaluate_range("bytes=-5000", 1000, r) == RangeOutcome::partial);
    CHECK(r.first == 0);
    REQUIRE(httpd::evaluate_range("bytes=990-2000", 1000, r) == RangeOutcome::partial);
    CHECK(r.last == 999);
    CHECK(httpd::evaluate_range("bytes=1000-", 1000, r) == RangeOutcome::unsatisfiable);
    CHECK(httpd::evaluate_range("bytes=-0", 1000, r) == RangeOutcome::unsatisfiable);
    CHECK(httpd::evaluate_range("bytes=0-1,5-9", 1000, r) == RangeOutcome::whole);
    CHECK(httpd::evaluate_range("items=0-1", 1000, r) == RangeOutcome::whole);
    CHECK(httpd::evaluate_range("bytes=9-1", 1000, r) == RangeOutcome::whole);
    CHECK(httpd::evaluate_range("bytes=x-1", 1000, r) == RangeOutcome::whole);
}

TEST_CASE("Content-Type comes from the extension") {
    CHECK(httpd::content_type_for("/index.html") == "text/html; charset=utf-8");
    CHECK(httpd::content_type_for("/a/STYLE.CSS") == "text/css; charset=utf-8");
    CHECK(httpd::content_type_for("/app.mjs") == "text/javascript; charset=utf-8");
    CHECK(httpd::content_type_for("/x.wasm") == "application/wasm");
    CHECK(httpd::content_type_for("/x.avif") == "image/avif");
    CHECK(httpd::content_type_for("/font.woff2") == "font/woff2");
    CHECK(httpd::content_type_for("/README") == "application/octet-stream");
    CHECK(httpd::content_type_for("/dir.d/file") == "application/octet-stream");
    CHECK(httpd::content_type_for("/x.") == "application/octet-stream");
}
