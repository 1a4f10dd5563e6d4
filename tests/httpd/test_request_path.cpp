// httpd's request-target normalisation: the one place a path is decoded.
#include <doctest/doctest.h>

#include "httpd/request_path.hpp"

namespace {

std::string normalised(std::string_view target) {
    std::string error;
    const auto result = httpd::parse_target(target, error);
    return result ? result->path : "refused: " + error;
}

}  // namespace

TEST_CASE("a path is percent-decoded and its dot segments resolved once") {
    CHECK(normalised("/") == "/");
    CHECK(normalised("/a/b.html") == "/a/b.html");
    CHECK(normalised("/a%20b") == "/a b");
    CHECK(normalised("/a/./b//c") == "/a/b/c");
    CHECK(normalised("/a/b/../c") == "/a/c");
    CHECK(normalised("/dir/") == "/dir/");
    CHECK(normalised("/a/%2e/b") == "/a/b");
    // Decoding once: "%252e" is the literal text "%2e", not a dot.
    CHECK(normalised("/%252e%252e/x") == "/%2e%2e/x");
}

TEST_CASE("a path that would leave the root, or hides a NUL or a slash, is refused") {
    CHECK(normalised("/../etc/passwd").starts_with("refused"));
    CHECK(normalised("/a/../../etc/passwd").starts_with("refused"));
    CHECK(normalised("/%2e%2e/etc/passwd").starts_with("refused"));
    CHECK(normalised("/%2E%2E/%2e%2e/etc").starts_with("refused"));
    CHECK(normalised("/..%2fetc/passwd") == "refused: encoded slash in the path");
    CHECK(normalised("/a%2Fb") == "refused: encoded slash in the path");
    CHECK(normalised("/index.html%00.txt") == "refused: encoded NUL in the path");
    CHECK(normalised("/bad%zz") == "refused: malformed percent-encoding in the path");
    CHECK(normalised("/bad%4") == "refused: malformed percent-encoding in the path");
    CHECK(normalised("*").starts_with("refused"));
}

TEST_CASE("query and absolute-form targets") {
    std::string error;
    auto t = httpd::parse_target("/search?q=a%20b&x=1", error);
    REQUIRE(t);
    CHECK(t->path == "/search");
    CHECK(t->query == "q=a%20b&x=1");
    t = httpd::parse_target("http://www.foobar.com:8080/a/../b?z", error);
    REQUIRE(t);
    CHECK(t->path == "/b");
    CHECK(t->query == "z");
    CHECK(httpd::target_authority("http://www.foobar.com:8080/a") == "www.foobar.com:8080");
    CHECK(httpd::target_authority("/a") == "");
}

TEST_CASE("host names are compared without case, port or final dot") {
    CHECK(httpd::host_name("WWW.Foobar.COM:8080") == "www.foobar.com");
    CHECK(httpd::host_name("foobar.com.") == "foobar.com");
    CHECK(httpd::host_name("[::1]:8080") == "[::1]");
    CHECK(httpd::host_name("") == "");
}

TEST_CASE("the port of a Host value, with its colon") {
    CHECK(httpd::host_port("foobar.com:8443") == ":8443");
    CHECK(httpd::host_port("foobar.com") == "");
    CHECK(httpd::host_port("[::1]:8080") == ":8080");
    CHECK(httpd::host_port("[::1]") == "");
    CHECK(httpd::host_port("a:b:c") == "");
    CHECK(httpd::host_port("") == "");
}
