// httpd's static files and virtual hosts, through the real binary.
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include <doctest/doctest.h>

#include "tests/http/httpd_fixture.hpp"

namespace {

constexpr const char* kStatic = R"(
file_cache_valid = "0s"
[[httpd.server]]
names = ["www.foobar.com"]
default = true
[[httpd.server.route]]
root = "{root}"
)";

std::string get(const test::Httpd& httpd, const std::string& target,
                const std::string& extra_headers = "", const std::string& method = "GET") {
    return httpd.raw(method + " " + target + " HTTP/1.1\r\nHost: www.foobar.com\r\n" +
                     extra_headers + "\r\n");
}

std::string header(const std::string& response, const std::string& name) {
    const auto parsed = test::parse_responses(response, false, true);
    if (parsed.empty()) return "<no response>";
    return std::string(parsed[0].head.headers.get(name).value_or("<absent>"));
}

using test::rss_kib;

}  // namespace

TEST_CASE("GET and HEAD of files, index.html for a directory, types by extension") {
    test::Httpd httpd(kStatic);
    httpd.put("index.html", "<h1>foobar</h1>\n");
    httpd.put("css/site.css", "body{}");
    httpd.put("logo.svg", "<svg/>");
    httpd.put("data.bin", "\x01\x02");

    std::string r = get(httpd, "/");
    CHECK(test::status_of(r) == 200);
    CHECK(test::body_of(r) == "<h1>foobar</h1>\n");
    CHECK(header(r, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(r, "Content-Length") == "16");
    CHECK(header(r, "ETag").front() == '"');
    CHECK(header(r, "Last-Modified").ends_with(" GMT"));
    CHECK(header(r, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(get(httpd, "/css/site.css"), "Content-Type") == "text/css; charset=utf-8");
    CHECK(header(get(httpd, "/logo.svg"), "Content-Type") == "image/svg+xml");
    CHECK(header(get(httpd, "/data.bin"), "Content-Type") == "application/octet-stream");

    // HEAD: the same head, no body.
    test::Client client(httpd.port());
    client.send("HEAD /index.html HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    const auto heads = test::parse_responses(client.read_responses(1), true);
    REQUIRE(heads.size() == 1);
    CHECK(heads[0].head.content_length == 16u);
    CHECK(heads[0].body.empty());

    CHECK(test::status_of(get(httpd, "/missing.html")) == 404);
    r = get(httpd, "/css?x=1");
    CHECK(test::status_of(r) == 301);
    CHECK(header(r, "Location") == "/css/?x=1");
    CHECK(test::status_of(get(httpd, "/css/")) == 403);  // no index.html there

    r = get(httpd, "/index.html", "Content-Length: 0\r\n", "POST");
    CHECK(test::status_of(r) == 405);
    CHECK(header(r, "Allow") == "GET, HEAD");
}

TEST_CASE("response_headers go on every answer of the server: a file, a 304, a 404") {
    test::Httpd httpd(R"(
file_cache_valid = "0s"
[[httpd.server]]
names = ["www.foobar.com"]
default = true
response_headers = ["X-Content-Type-Options: nosniff", "Referrer-Policy: same-origin"]
[[httpd.server.route]]
root = "{root}"
)");
    httpd.put("index.html", "<h1>foobar</h1>\n");
    const std::string ok = get(httpd, "/");
    CHECK(test::status_of(ok) == 200);
    CHECK(header(ok, "X-Content-Type-Options") == "nosniff");
    CHECK(header(ok, "Referrer-Policy") == "same-origin");
    const std::string missing = get(httpd, "/nothing-here");
    CHECK(test::status_of(missing) == 404);
    CHECK(header(missing, "X-Content-Type-Options") == "nosniff");
    const std::string same = get(httpd, "/", "If-None-Match: " + header(ok, "ETag") + "\r\n");
    CHECK(test::status_of(same) == 304);
    CHECK(header(same, "Referrer-Policy") == "same-origin");
}

TEST_CASE("ETag and Last-Modified answer conditional requests with 304") {
    test::Httpd httpd(kStatic);
    httpd.put("page.html", "version one");
    const std::string first = get(httpd, "/page.html");
    const std::string etag = header(first, "ETag");
    const std::string modified = header(first, "Last-Modified");

    std::string r = get(httpd, "/page.html", "If-None-Match: " + etag + "\r\n");
    CHECK(test::status_of(r) == 304);
    CHECK(header(r, "ETag") == etag);
    CHECK(test::body_of(r).empty());
    CHECK(test::status_of(
              get(httpd, "/page.html", "If-None-Match: \"other\", W/" + etag + "\r\n")) == 304);
    CHECK(test::status_of(get(httpd, "/page.html", "If-Modified-Since: " + modified + "\r\n")) ==
          304);
    CHECK(test::status_of(get(httpd, "/page.html",
                              "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n")) == 200);
    // If-None-Match wins over If-Modified-Since.
    CHECK(test::status_of(
              get(httpd, "/page.html",
                  "If-None-Match: \"other\"\r\nIf-Modified-Since: " + modified + "\r\n")) == 200);

    // A changed file has a new tag, and the old one no longer matches.
    httpd.put("page.html", "version two, longer");
    r = get(httpd, "/page.html", "If-None-Match: " + etag + "\r\n");
    CHECK(test::status_of(r) == 200);
    CHECK(test::body_of(r) == "version two, longer");
    CHECK(header(r, "ETag") != etag);
}

TEST_CASE("If-Match and If-Unmodified-Since: 412 when they fail, in RFC 9110's order") {
    test::Httpd httpd(kStatic);
    httpd.put("page.html", "version one");
    const std::string first = get(httpd, "/page.html");
    const std::string etag = header(first, "ETag");
    const std::string modified = header(first, "Last-Modified");
    const std::string long_ago = "Sun, 06 Nov 1994 08:49:37 GMT";
    const auto status = [&](const std::string& fields) {
        return test::status_of(get(httpd, "/page.html", fields));
    };
    CHECK(status("If-Match: " + etag + "\r\n") == 200);
    CHECK(status("If-Match: \"other\", " + etag + "\r\n") == 200);
    CHECK(status("If-Match: *\r\n") == 200);
    const std::string refused = get(httpd, "/page.html", "If-Match: \"other\"\r\n");
    CHECK(test::status_of(refused) == 412);
    CHECK(test::body_of(refused).starts_with("412 Precondition Failed"));
    // Strong comparison: the same tag marked weak does not match.
    CHECK(status("If-Match: W/" + etag + "\r\n") == 412);
    CHECK(status("If-Unmodified-Since: " + modified + "\r\n") == 200);
    CHECK(status("If-Unmodified-Since: " + long_ago + "\r\n") == 412);
    CHECK(status("If-Unmodified-Since: not a date\r\n") == 200);  // ignored
    // If-Match comes first: when present, If-Unmodified-Since is not read.
    CHECK(status("If-Match: " + etag + "\r\nIf-Unmodified-Since: " + long_ago + "\r\n") == 200);
    // Then If-None-Match: a 412 is decided before a 304 could be.
    CHECK(status("If-Match: \"other\"\r\nIf-None-Match: " + etag + "\r\n") == 412);
    CHECK(status("If-Match: " + etag + "\r\nIf-None-Match: " + etag + "\r\n") == 304);
    // And before a range is served.
    CHECK(status("If-Unmodified-Since: " + long_ago + "\r\nRange: bytes=0-1\r\n") == 412);
    CHECK(status("If-Match: " + etag + "\r\nRange: bytes=0-1\r\n") == 206);
}

TEST_CASE("one byte range is 206, an unsatisfiable one 416") {
    test::Httpd httpd(kStatic);
    httpd.put("digits.txt", "0123456789");
    std::string r = get(httpd, "/digits.txt", "Range: bytes=2-5\r\n");
    CHECK(test::status_of(r) == 206);
    CHECK(test::body_of(r) == "2345");
    CHECK(header(r, "Content-Range") == "bytes 2-5/10");
    r = get(httpd, "/digits.txt", "Range: bytes=-3\r\n");
    CHECK(test::body_of(r) == "789");
    r = get(httpd, "/digits.txt", "Range: bytes=20-\r\n");
    CHECK(test::status_of(r) == 416);
    CHECK(header(r, "Content-Range") == "bytes */10");
    r = get(httpd, "/digits.txt", "Range: bytes=0-1,4-5\r\n");
    CHECK(test::status_of(r) == 200);
    CHECK(test::body_of(r) == "0123456789");
    // If-Range with a stale validator: the whole file.
    r = get(httpd, "/digits.txt", "Range: bytes=2-5\r\nIf-Range: \"stale\"\r\n");
    CHECK(test::status_of(r) == 200);
    const std::string etag = header(get(httpd, "/digits.txt"), "ETag");
    r = get(httpd, "/digits.txt", "Range: bytes=2-5\r\nIf-Range: " + etag + "\r\n");
    CHECK(test::status_of(r) == 206);
}

TEST_CASE(
    "a file sent by sendfile: ranges of it, and a file that shrinks midway ends the "
    "connection") {
    test::Httpd httpd(kStatic);
    // 100 KiB: over plain HTTP/1.1 this goes from the file, not the cache.
    std::string medium(100 * 1024, '\0');
    for (size_t i = 0; i < medium.size(); ++i)
        medium[i] = static_cast<char>('a' + i % 23);
    httpd.put("medium.bin", medium);
    std::string r = get(httpd, "/medium.bin");
    CHECK(test::status_of(r) == 200);
    CHECK(test::body_of(r) == medium);
    r = get(httpd, "/medium.bin", "Range: bytes=50000-50009\r\n");
    CHECK(test::status_of(r) == 206);
    CHECK(test::body_of(r) == medium.substr(50000, 10));
    CHECK(get(httpd, "/medium.bin", "", "HEAD").find("\r\nContent-Length: 102400\r\n") !=
          std::string::npos);

    // 64 MB read at 10 MB/s, cut to 1 MB after a moment (the kernel's
    // buffers hold some megabytes, the rest is still to read): the client
    // must see the transfer end short (curl's 18), never a response passed
    // off as complete.
    const std::string path = httpd.put("shrinking.bin", std::string(64 << 20, 'x'));
    std::string out;
    std::thread client([&] {
        out = httpd.curl("--limit-rate 10M -o /dev/null -w ' %{size_download}' " +
                         httpd.url("/shrinking.bin") + "; echo \" exit $?\"");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    std::filesystem::resize_file(path, 1 << 20);
    client.join();
    CAPTURE(out);
    CHECK(out.find("exit 18") != std::string::npos);
    CHECK(httpd.process().running());
}

TEST_CASE("no request reaches a file outside the document root") {
    test::Httpd httpd(kStatic);
    httpd.put("inside.txt", "inside");
    httpd.dir().write("secret.txt", "secret");  // beside www/, not in it
    std::filesystem::create_symlink(httpd.dir().path() / "secret.txt",
                                    std::filesystem::path(httpd.root()) / "out-absolute");
    std::filesystem::create_symlink("../secret.txt",
                                    std::filesystem::path(httpd.root()) / "out-relative");
    std::filesystem::create_symlink("inside.txt",
                                    std::filesystem::path(httpd.root()) / "alias.txt");

    for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                               "/..%2fsecret.txt", "/x/..%2f..%2fsecret.txt", "/inside.txt%00.html",
                               "/out-absolute", "/out-relative", "/%2e%2e%2fsecret.txt"}) {
        const std::string r = get(httpd, target);
        CAPTURE(target);
        CHECK(test::body_of(r).find("secret") == std::string::npos);
        const int status = test::status_of(r);
        CHECK((status == 400 || status == 403));
    }
    CHECK(test::body_of(get(httpd, "/alias.txt")) == "inside");
    CHECK(test::body_of(get(httpd, "/x/../inside.txt")) == "inside");
}

TEST_CASE("a large file streams with backpressure, never read whole into memory") {
    test::Httpd httpd(kStatic);
    std::string big(48 << 20, '\0');
    for (size_t i = 0; i < big.size(); i += 4096)
        big[i] = static_cast<char>(i / 4096);
    httpd.put("big.bin", big);

    // Whole and intact through curl.
    const std::string copy = (httpd.dir().path() / "copy.bin").string();
    CHECK(httpd.curl("-o " + copy + " -w '%{http_code}' " + httpd.url("/big.bin")) == "200");
    CHECK(std::filesystem::file_size(copy) == big.size());
    std::ifstream in(copy, std::ios::binary);
    const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(got == big);

    // A client that does not read: httpd holds a chunk or two, not the file.
    const long before = rss_kib(httpd.process().pid());
    std::vector<std::unique_ptr<test::Client>> stalled;
    for (int i = 0; i < 4; ++i) {
        stalled.push_back(std::make_unique<test::Client>(httpd.port()));
        stalled.back()->send("GET /big.bin HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long after = rss_kib(httpd.process().pid());
    CHECK(after - before < 32 * 1024);  // four whole copies would be 192 MiB
    // And others are served meanwhile.
    CHECK(test::status_of(get(httpd, "/big.bin", "Range: bytes=0-9\r\n")) == 206);
}

TEST_CASE("virtual hosts: exact names, wildcards, the redirect of the apex, the default") {
    test::Httpd httpd(R"(
[[httpd.server]]
names = ["www.foobar.com"]
default = true
[[httpd.server.route]]
root = "{root}"
[[httpd.server]]
names = ["foobar.com"]
[[httpd.server.route]]
redirect = "http://www.foobar.com"
[[httpd.server]]
names = ["*.foobar.com"]
[[httpd.server.route]]
body = "a wildcard\n"
[[httpd.server]]
names = ["teapot.example"]
[[httpd.server.route]]
body = "short and stout\n"
status = 418
[[httpd.server]]
names = ["old.example"]
[[httpd.server.route]]
redirect = "//www.foobar.com"
[[httpd.server]]
names = ["older.example"]
[[httpd.server.route]]
redirect = "//www.foobar.com:8000"
)");
    httpd.put("index.html", "www\n");
    const auto host = [&](const std::string& name, const std::string& target = "/") {
        return httpd.raw("GET " + target + " HTTP/1.1\r\nHost: " + name + "\r\n\r\n");
    };
    CHECK(test::body_of(host("www.foobar.com")) == "www\n");
    CHECK(test::body_of(host("WWW.FOOBAR.COM:8080")) == "www\n");
    std::string r = host("foobar.com", "/a/b?c=d");
    CHECK(test::status_of(r) == 301);
    CHECK(header(r, "Location") == "http://www.foobar.com/a/b?c=d");
    // "//HOST": the request's scheme, and the port the client asked for
    // unless HOST names one.
    CHECK(header(host("old.example:8080", "/a?b"), "Location") == "http://www.foobar.com:8080/a?b");
    CHECK(header(host("old.example", "/a"), "Location") == "http://www.foobar.com/a");
    CHECK(header(host("older.example:8080", "/a"), "Location") == "http://www.foobar.com:8000/a");
    CHECK(test::body_of(host("blog.foobar.com")) == "a wildcard\n");
    CHECK(test::status_of(host("teapot.example")) == 418);
    CHECK(test::body_of(host("unknown.example")) == "www\n");
    // An absolute-form target names the host itself.
    r = httpd.raw("GET http://foobar.com/x HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    CHECK(header(r, "Location") == "http://www.foobar.com/x");
    // HTTP/1.1 without Host is refused.
    CHECK(test::status_of(httpd.raw("GET / HTTP/1.1\r\n\r\n")) == 400);
}

TEST_CASE("the one-line form serves a directory") {
    test::TempDir dir;
    dir.write("hello.txt", "hello\n");
    const int port = test::free_port();
    test::Process httpd({WEBSTACK_HTTPD, "--listen", "127.0.0.1:" + std::to_string(port), "--root",
                         dir.path().string()},
                        (dir.path() / "httpd.log").string());
    REQUIRE_MESSAGE(httpd.wait_for_log("state serving"), httpd.log());
    CHECK(test::run("curl -s http://127.0.0.1:" + std::to_string(port) + "/hello.txt") ==
          "hello\n");
}
