// HTTP/2 over TLS (ALPN h2): what curl, nghttp and h2load meet, the proxy
// from h2 to HTTP/1.1 members, RFC 9113's rules where a request is
// malformed, and the limits against the known floods. Frames no real
// client sends are written by hand (h2_frames.hpp).
#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

#include "tests/http/h2_frames.hpp"
#include "tests/http/httpd_fixture.hpp"
#include "tests/http/tls_fixture.hpp"
#include "tests/support/http_server.hpp"

namespace {

using Exchange = std::shared_ptr<core::http::Exchange>;

uint64_t fnv1a(std::string_view data, uint64_t hash = 1469598103934665603ull) {
    for (const char c : data) {
        hash ^= static_cast<uint8_t>(c);
        hash *= 1099511628211ull;
    }
    return hash;
}

// A member that counts the requests it received whole (its health checks
// aside) and answers with
// what it got: method, target, fields, the body's size and checksum.
// /slow answers after 1.5 s; /big/N answers N bytes.
class RecordingApp {
  public:
    RecordingApp()
        : server_(limits(), [this](test::HttpServer& self, const Exchange& exchange) {
              auto size = std::make_shared<uint64_t>(0);
              auto hash = std::make_shared<uint64_t>(fnv1a(""));
              exchange->read_body(
                  [size, hash](std::string_view chunk) {
                      *size += chunk.size();
                      *hash = fnv1a(chunk, *hash);
                  },
                  [this, &self, exchange, size, hash] {
                      // httpd's health checks are not the client's requests.
                      if (exchange->request().target != "/healthz") ++complete_requests_;
                      const auto& request = exchange->request();
                      if (request.target.rfind("/api/big/", 0) == 0) {
                          const size_t n = std::stoul(request.target.substr(9));
                          std::string body(n, '\0');
                          for (size_t i = 0; i < n; ++i)
                              body[i] = static_cast<char>('a' + i % 26);
                          exchange->respond(200, {}, std::move(body));
                          return;
                      }
                      std::string text = request.method + " " + request.target + "\n";
                      for (const auto& [n, v] : request.headers)
                          text += n + ": " + v + "\n";
                      text +=
                          "body " + std::to_string(*size) + " fnv " + std::to_string(*hash) + "\n";
                      if (request.target == "/api/slow") {
                          self.after(1500, [exchange, text] { exchange->respond(200, {}, text); });
                      } else {
                          exchange->respond(200, {}, text);
                      }
                  });
          }) {}
    std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
    int complete_requests() const { return complete_requests_; }

  private:
    static core::http::Limits limits() {
        core::http::Limits limits;
        limits.max_body_bytes = 64 << 20;
        return limits;
    }
    std::atomic<int> complete_requests_{0};
    test::HttpServer server_;
};

// httpd with HTTPS on `tls_port`: static files under {root}, /api/ to the
// member, and `extra` in [httpd].
struct Site {
    explicit Site(const std::string& member, const std::string& extra = "",
                  const std::string& max_body = "16m")
        : www(certs.issue("www.foobar.com")), httpd(config(member, extra, max_body)) {}

    std::string config(const std::string& member, const std::string& extra,
                       const std::string& max_body = "16m") const {
        return "listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\nmax_body_size = \"" +
               max_body + "\"\n" + extra + "\n[[httpd.upstream]]\nname = \"app\"\n" +
               "members = [\"" + member + "\"]\n[[httpd.server]]\nnames = [\"www.foobar.com\"]\n" +
               "default = true\ntls_certificate = \"" + www + ".pem\"\ntls_key = \"" + www +
               ".key\"\n[[httpd.server.route]]\nprefix = \"/api/\"\nproxy = \"app\"\n" +
               "[[httpd.server.route]]\nroot = \"{root}\"\n";
    }
    std::string url(const std::string& path) const {
        return "https://www.foobar.com:" + std::to_string(tls_port) + path;
    }
    // curl over HTTP/2 with the test CA; `format` for -w.
    std::string curl(const std::string& args, const std::string& format =
                                                  " %{http_version} "
                                                  "%{http_code}") const {
        return test::run("curl -s --http2 --max-time 20 --cacert " + certs.path("ca.pem") +
                         " --resolve www.foobar.com:" + std::to_string(tls_port) +
                         ":127.0.0.1 -w '" + format + "' " + args + " 2>&1");
    }
    std::vector<test::h2::Frame> frames(const std::string& bytes, int timeout_seconds = 5) const {
        return test::h2::parse(test::h2::exchange(tls_port, {bytes}, timeout_seconds));
    }
    // The URL by address, for the clients that cannot be told where a
    // name is (nghttp, h2load): the default server answers it.
    std::string ip_url(const std::string& path) const {
        return "https://127.0.0.1:" + std::to_string(tls_port) + path;
    }

    test::Certificates certs;
    int tls_port = test::free_port();
    std::string www;
    test::Httpd httpd;
};

}  // namespace

namespace h2 = test::h2;

TEST_CASE("HTTP/2: ALPN h2 serves static files to curl and nghttp; http2 = false is HTTP/1.1") {
    RecordingApp app;
    Site site(app.address());
    site.httpd.put("index.html", "hello over h2\n");
    std::string big(2'000'000, '\0');
    for (size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 7 % 251);
    site.httpd.put("big.bin", big);

    CHECK(site.curl(site.url("/")) == "hello over h2\n 2 200");
    // Larger than every window: the body comes whole, byte for byte.
    const std::string copy = site.httpd.dir().path() / "copy.bin";
    CHECK(site.curl("-o " + copy + " " + site.url("/big.bin")) == " 2 200");
    std::ifstream in(copy, std::ios::binary);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == big);
    // HEAD: the size, no body; a conditional GET: 304; a missing file: 404.
    const std::string head = site.curl("-I " + site.url("/big.bin"));
    CHECK(head.find("HTTP/2 200") != std::string::npos);
    CHECK(head.find("content-length: 2000000") != std::string::npos);
    const auto etag_at = head.find("etag: ");
    REQUIRE(etag_at != std::string::npos);
    const std::string etag = head.substr(etag_at + 6, head.find('\r', etag_at) - etag_at - 6);
    CHECK(site.curl("-H 'If-None-Match: " + etag + "' " + site.url("/big.bin")) == " 2 304");
    CHECK(site.curl("-o /dev/null " + site.url("/nothing")) == " 2 404");

    // nghttp: the server's SETTINGS, and the answer on a stream.
    const std::string verbose = test::run("timeout 10 nghttp -nv " + site.ip_url("/") + " 2>&1");
    CHECK(verbose.find("SETTINGS_MAX_CONCURRENT_STREAMS(0x03):128") != std::string::npos);
    CHECK(verbose.find("(stream_id=13) :status: 200") != std::string::npos);

    REQUIRE(site.httpd.reload(site.config(app.address(), "http2 = false")));
    CHECK(test::handshake(site.tls_port, "www.foobar.com", "-alpn h2,http/1.1")
              .find("ALPN protocol: http/1.1") != std::string::npos);
    CHECK(site.curl(site.url("/")) == "hello over h2\n 1.1 200");
    // The access log names the protocol as nginx does.
    REQUIRE(site.httpd.process().stop(SIGTERM) == 0);
    std::ifstream log_file(site.httpd.dir().path() / "access.log");
    const std::string log((std::istreambuf_iterator<char>(log_file)), {});
    CHECK(log.find("\"GET / HTTP/2.0\" 200") != std::string::npos);
    CHECK(log.find("\"GET / HTTP/1.1\" 200") != std::string::npos);
}

TEST_CASE("HTTP/2: a thousand requests, 128 at once, on one connection (h2load)") {
    RecordingApp app;
    Site site(app.address());
    site.httpd.put("index.html", std::string(1024, 'x'));
    const std::string out = test::run("timeout 60 h2load -n 1000 -c 1 -m 128 " + site.ip_url("/") +
                                      " " + site.ip_url("/api/x") + " 2>&1");
    CHECK(out.find("requests: 1000 total, 1000 started, 1000 done, 1000 succeeded") !=
          std::string::npos);
    CHECK(out.find("status codes: 1000 2xx") != std::string::npos);
    CHECK(app.complete_requests() == 500);
}

TEST_CASE("HTTP/2: proxied to an HTTP/1.1 member: fields, a large upload, a large download") {
    RecordingApp app;
    Site site(app.address());
    // 8 MiB: far beyond the stream window, so the upload waits on the
    // window the proxy gives back as the member takes the bytes.
    std::string upload(8 << 20, '\0');
    for (size_t i = 0; i < upload.size(); ++i)
        upload[i] = static_cast<char>(i * 13 % 256);
    const std::string file = site.httpd.put("upload.bin", upload);
    const std::string answer =
        site.curl("--data-binary @" + file + " -H 'Content-Type: application/octet-stream' " +
                  site.url("/api/upload?x=1"));
    CHECK(answer.find("POST /api/upload?x=1\n") != std::string::npos);
    CHECK(answer.find("body " + std::to_string(upload.size()) + " fnv " +
                      std::to_string(fnv1a(upload)) + "\n") != std::string::npos);
    CHECK(answer.find("host: www.foobar.com:" + std::to_string(site.tls_port) + "\n") !=
          std::string::npos);
    CHECK(answer.find("X-Forwarded-Proto: https\n") != std::string::npos);
    CHECK(answer.ends_with(" 2 200"));
    // A body of no stated length reaches the member chunked, whole.
    const std::string chunked =
        site.curl("-H 'Content-Length:' -T " + file + " " + site.url("/api/put"));
    CHECK(chunked.find("PUT /api/put\n") != std::string::npos);
    CHECK(chunked.find("body " + std::to_string(upload.size()) + " fnv " +
                       std::to_string(fnv1a(upload)) + "\n") != std::string::npos);

    // 3 MB from the member, streamed to the client under its window.
    CHECK(site.curl("-o /dev/null " + site.url("/api/big/3000000"),
                    "%{http_version} %{http_code} %{size_download}") == "2 200 3000000");

    // Cookie crumbs become one field again (RFC 9113 §8.2.3); :authority
    // is the Host the member sees.
    h2::Fields fields = h2::get("/api/cookies");
    fields.emplace_back("cookie", "a=1");
    fields.emplace_back("cookie", "b=2");
    const auto frames = site.frames(h2::preface() + h2::headers(1, fields, true) + h2::goaway(0));
    CHECK(h2::status_of(frames, 1) == 200);
    std::string body;
    for (const auto& f : frames) {
        if (f.type == h2::DATA && f.stream == 1) body += f.payload;
    }
    CHECK(body.find("cookie: a=1; b=2\n") != std::string::npos);
    CHECK(body.find("host: www.foobar.com\n") != std::string::npos);
}

TEST_CASE("HTTP/2: a proxied response to a client whose window is closed holds memory flat") {
    RecordingApp app;
    Site site(app.address());
    const long before = test::rss_kib(site.httpd.process().pid());
    // INITIAL_WINDOW_SIZE 0: the client takes no DATA at all. The member
    // sends 48 MB; httpd must stop reading it rather than hold it.
    const std::string no_window("\x00\x04\x00\x00\x00\x00", 6);
    const std::string bytes = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" +
                              h2::frame(h2::SETTINGS, 0, 0, no_window) +
                              h2::frame(h2::SETTINGS, h2::ACK, 0, "") +
                              h2::headers(1, h2::get("/api/big/48000000"), true);
    std::string seen;
    std::thread client([&] { seen = h2::exchange(site.tls_port, {bytes}, 3); });
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    const long during = test::rss_kib(site.httpd.process().pid());
    client.join();
    CHECK(during - before < 32 * 1024);  // the whole response would be 46 MiB more
    CHECK(h2::status_of(h2::parse(seen), 1) == 200);
    // And a client with a window gets it all.
    CHECK(site.curl("-o /dev/null " + site.url("/api/big/48000000"),
                    "%{http_code} %{size_download}") == "200 48000000");
}

TEST_CASE("HTTP/2: malformed requests are stream errors, and nothing of them reaches a member") {
    RecordingApp app;
    Site site(app.address());
    const auto with = [](h2::Fields fields, std::string name, std::string value) {
        fields.emplace_back(std::move(name), std::move(value));
        return fields;
    };
    const h2::Fields get = h2::get("/api/x");
    h2::Fields post = {{":method", "POST"},
                       {":scheme", "https"},
                       {":authority", "www.foobar.com"},
                       {":path", "/api/x"}};
    struct Case {
        const char* what;
        h2::Fields fields;
        std::string after;  // frames that follow on the stream
    };
    const std::vector<Case> cases = {
        {"Connection", with(get, "connection", "keep-alive"), ""},
        {"Transfer-Encoding", with(get, "transfer-encoding", "chunked"), ""},
        {"Keep-Alive", with(get, "keep-alive", "timeout=5"), ""},
        {"TE other than trailers", with(get, "te", "gzip"), ""},
        {"a pseudo-field after a regular one",
         {{":method", "GET"}, {":scheme", "https"}, {"user-agent", "x"}, {":path", "/api/x"}},
         ""},
        {"an uppercase name", with(get, "User-Agent", "x"), ""},
        {"a value with a leading blank", with(get, "x-padded", " x"), ""},
        {"a value with a trailing blank", with(get, "x-padded", "x\t"), ""},
        {"CR LF in a value", with(get, "x-smuggle", "a\r\nGET /api/smuggled HTTP/1.1"), ""},
        {"NUL in a value", with(get, "x-nul", std::string("a\0b", 3)), ""},
        {"a blank in a name", with(get, "x y", "1"), ""},
        {"an unknown pseudo-field", with(get, ":foo", "1"), ""},
        {"no :path", {{":method", "GET"}, {":scheme", "https"}, {":authority", "x"}}, ""},
        {"content-length above the DATA", with(post, "content-length", "10"), "short"},
        {"content-length below the DATA", with(post, "content-length", "2"), "longer"},
    };
    std::string bytes = h2::preface() + h2::headers(1, get, true);
    uint32_t stream = 3;
    for (const auto& c : cases) {
        if (c.after.empty()) {
            bytes += h2::headers(stream, c.fields, true);
        } else {
            bytes += h2::headers(stream, c.fields, false) +
                     h2::frame(h2::DATA, h2::END_STREAM, stream, c.after);
        }
        stream += 2;
    }
    // A pseudo-field in trailers.
    bytes += h2::headers(stream, post, false) + h2::frame(h2::DATA, 0, stream, "abc") +
             h2::headers(stream, {{":path", "/api/y"}}, true);
    const uint32_t trailers_stream = stream;
    const uint32_t last = stream + 2;
    bytes += h2::headers(last, get, true) + h2::goaway(0);

    const auto frames = site.frames(bytes);
    // The good requests before and after are answered: these were stream
    // errors, not the connection's end.
    CHECK(h2::status_of(frames, 1) == 200);
    CHECK(h2::status_of(frames, last) == 200);
    CHECK(h2::goaway_code(frames) == -1);
    stream = 3;
    for (const auto& c : cases) {
        CAPTURE(c.what);
        CAPTURE(stream);
        CHECK(h2::status_of(frames, stream) == 0);
        CHECK(h2::reset_code(frames, stream) == h2::PROTOCOL_ERROR);
        stream += 2;
    }
    CHECK(h2::reset_code(frames, trailers_stream) == h2::PROTOCOL_ERROR);
    // The two good ones only: the member never saw a whole request of the
    // others, and nothing smuggled.
    CHECK(app.complete_requests() == 2);
    CHECK(site.httpd.process().running());
}

TEST_CASE(
    "HTTP/2: a preface without SETTINGS, frames on idle or closed streams end the "
    "connection") {
    RecordingApp app;
    Site site(app.address());
    const std::string magic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    // §3.4: the preface's first frame must be SETTINGS.
    auto frames = site.frames(magic + h2::headers(1, h2::get("/"), true));
    CHECK(h2::goaway_code(frames) == h2::PROTOCOL_ERROR);
    CHECK(h2::status_of(frames, 1) == 0);
    // §5.1: DATA on a stream never opened.
    frames = site.frames(h2::preface() + h2::frame(h2::DATA, 0, 5, "x"));
    CHECK(h2::goaway_code(frames) == h2::PROTOCOL_ERROR);
    // §5.1.1: a stream the client opens must have an odd number.
    frames = site.frames(h2::preface() + h2::headers(2, h2::get("/"), true));
    CHECK(h2::goaway_code(frames) == h2::PROTOCOL_ERROR);
    // §5.1: HEADERS again on a stream already closed (once answered).
    frames = h2::parse(
        h2::exchange(site.tls_port, {h2::preface() + h2::headers(1, h2::get("/none"), true),
                                     h2::headers(1, h2::get("/none"), true)}));
    CHECK(h2::status_of(frames, 1) == 404);
    CHECK(h2::goaway_code(frames) == h2::STREAM_CLOSED);
    // Not HTTP/2 at all after ALPN chose it: closed.
    const std::string raw =
        h2::exchange(site.tls_port, {"GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n"});
    CHECK(raw.find("HTTP/1.1") == std::string::npos);
    CHECK(site.httpd.process().running());
}

TEST_CASE("HTTP/2: limits: streams at once, header list size, a body too large") {
    RecordingApp app;
    Site site(app.address(), "http2_max_concurrent_streams = 4\nmax_header_size = \"2k\"");
    // Six slow requests at once, before the client acknowledged the limit:
    // four are taken, the others refused for it to retry (RFC 9113 §5.1.2).
    std::string bytes = h2::preface(false);
    for (uint32_t s = 1; s <= 11; s += 2)
        bytes += h2::headers(s, h2::get("/api/slow"), true);
    bytes += h2::goaway(0);
    auto frames = site.frames(bytes, 10);
    int answered = 0, refused = 0;
    for (uint32_t s = 1; s <= 11; s += 2) {
        answered += h2::status_of(frames, s) == 200;
        refused += h2::reset_code(frames, s) == h2::REFUSED_STREAM;
    }
    CHECK(answered == 4);
    CHECK(refused == 2);

    // A header list past max_header_size: 431, as over HTTP/1.1.
    h2::Fields large = h2::get("/api/x");
    large.emplace_back("x-large", std::string(3000, 'a'));
    // A body past max_body_size (16m here): 413.
    h2::Fields sized = {{":method", "POST"},
                        {":scheme", "https"},
                        {":authority", "www.foobar.com"},
                        {":path", "/api/x"},
                        {"content-length", "999999999"}};
    frames = site.frames(h2::preface() + h2::headers(1, large, true) +
                         h2::headers(3, sized, false) + h2::goaway(0));
    CHECK(h2::status_of(frames, 1) == 431);
    CHECK(h2::status_of(frames, 3) == 413);
    CHECK(app.complete_requests() == 4);
}

TEST_CASE(
    "HTTP/2: a body past max_body_size as it streams: 413, and the member gets no whole "
    "request") {
    RecordingApp app;
    Site site(app.address(), "", "64k");
    h2::Fields post = {{":method", "POST"},
                       {":scheme", "https"},
                       {":authority", "www.foobar.com"},
                       {":path", "/api/upload"}};
    std::string bytes = h2::preface() + h2::headers(1, post, false);
    for (int i = 0; i < 5; ++i)
        bytes += h2::frame(h2::DATA, 0, 1, std::string(16000, 'x'));
    bytes += h2::frame(h2::DATA, h2::END_STREAM, 1, "end") +
             h2::headers(3, h2::get("/api/after"), true) + h2::goaway(0);
    const auto frames = site.frames(bytes);
    CHECK(h2::status_of(frames, 1) == 413);
    CHECK(h2::status_of(frames, 3) == 200);
    CHECK(app.complete_requests() == 1);  // /api/after alone
}

TEST_CASE("HTTP/2: timeouts: SETTINGS never acknowledged, a body that stops, an idle connection") {
    RecordingApp app;
    Site site(app.address(),
              "header_timeout = \"1s\"\nbody_timeout = \"1s\"\nidle_timeout = \"1s\"");
    // RFC 9113 §6.5.3: SETTINGS_TIMEOUT (4) for a client that never
    // acknowledges the server's SETTINGS.
    auto frames = site.frames(h2::preface(false));
    CHECK(h2::goaway_code(frames) == 4);
    // A body that stops coming: 408 on its stream, as HTTP/1.1 answers;
    // then, nothing open, the idle timeout ends the connection with
    // GOAWAY NO_ERROR.
    h2::Fields post = {{":method", "POST"},
                       {":scheme", "https"},
                       {":authority", "www.foobar.com"},
                       {":path", "/api/upload"}};
    frames =
        site.frames(h2::preface() + h2::headers(1, post, false) + h2::frame(h2::DATA, 0, 1, "abc"));
    CHECK(h2::status_of(frames, 1) == 408);
    CHECK(h2::goaway_code(frames) == h2::NO_ERROR);
    CHECK(app.complete_requests() == 0);
}

TEST_CASE(
    "HTTP/2: a client resetting streams in a loop, or sending endless CONTINUATION, is cut "
    "off; others are unharmed") {
    RecordingApp app;
    Site site(app.address());
    site.httpd.put("index.html", "still here\n");
    // Rapid reset (CVE-2023-44487): open and cancel, a thousand times.
    std::string bytes = h2::preface();
    for (uint32_t s = 1; s < 2000; s += 2)
        bytes += h2::headers(s, h2::get("/"), false) + h2::rst_stream(s, h2::CANCEL);
    auto frames = site.frames(bytes);
    CHECK(h2::goaway_code(frames) != -1);
    CHECK(h2::goaway_code(frames) != h2::NO_ERROR);

    // CONTINUATION without end (CVE-2024-27316): a header block never done.
    bytes = h2::preface() + h2::frame(h2::HEADERS, 0, 1, h2::header_block(h2::get("/")));
    for (int i = 0; i < 50; ++i)
        bytes += h2::frame(h2::CONTINUATION, 0, 1, h2::header_block({{"x-more", "aaaaaaaa"}}));
    frames = site.frames(bytes);
    CHECK(h2::goaway_code(frames) != -1);
    CHECK(h2::status_of(frames, 1) == 0);

    CHECK(site.curl(site.url("/")) == "still here\n 2 200");
    CHECK(site.httpd.process().running());
}

TEST_CASE("HTTP/2: SIGHUP and SIGTERM send GOAWAY; the stream in flight still completes") {
    RecordingApp app;
    Site site(app.address());
    // A slow request, and the signal while it is with the member.
    const auto signalled_during_request = [&](int signal) {
        std::string out;
        std::thread client(
            [&] { out = test::run("timeout 10 nghttp -v " + site.ip_url("/api/slow") + " 2>&1"); });
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        site.httpd.process().signal(signal);
        client.join();
        return out;
    };
    // A reload: the client is told to take its next requests to a new
    // connection (which gets the new certificates and settings).
    std::string out = signalled_during_request(SIGHUP);
    CHECK(out.find("recv GOAWAY frame") != std::string::npos);
    CHECK(out.find("error_code=NO_ERROR") != std::string::npos);
    CHECK(out.find(":status: 200") != std::string::npos);
    CHECK(out.find("GET /api/slow") != std::string::npos);
    CHECK(site.curl(site.url("/api/after-reload")).ends_with(" 2 200"));
    // A stop: the same, then the process ends.
    out = signalled_during_request(SIGTERM);
    CHECK(out.find("recv GOAWAY frame") != std::string::npos);
    CHECK(out.find(":status: 200") != std::string::npos);
    CHECK(site.httpd.process().stop(0) == 0);
}
