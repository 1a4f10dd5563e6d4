// HTTPS: certificates chosen by SNI, TLS 1.2 and 1.3 only, ALPN, garbage
// closed quietly, certificates reloaded on SIGHUP, and what --check
// refuses. The suite makes its own CA and certificates with openssl.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include <doctest/doctest.h>

#include "tests/http/httpd_fixture.hpp"
#include "tests/http/tls_fixture.hpp"
#include "tests/support/client.hpp"
#include "tests/support/http_server.hpp"

using test::Certificates;
using test::curl;
using test::handshake;
using test::tls_server;

TEST_CASE("HTTPS: SNI picks each server's certificate; an unknown name gets the default") {
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const std::string other = certs.issue("other.example");
    const int tls_port = test::free_port();
    test::Httpd httpd("listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
                      tls_server("www.foobar.com", www, "www", true) +
                      tls_server("other.example", other, "other"));
    const std::string ca = certs.path("ca.pem");
    CHECK(curl(tls_port, "www.foobar.com", ca) == "www 200 exit 0\n");
    CHECK(curl(tls_port, "other.example", ca) == "other 200 exit 0\n");
    CHECK(handshake(tls_port, "other.example").find("subject=CN = other.example") !=
          std::string::npos);
    // Unknown: the default server's certificate, which the client rejects
    // for that name (curl's exit 60), as nginx and Caddy answer.
    CHECK(handshake(tls_port, "nowhere.example").find("subject=CN = www.foobar.com") !=
          std::string::npos);
    CHECK(curl(tls_port, "nowhere.example", ca).find("exit 60") != std::string::npos);
    // The plain listener still speaks HTTP.
    CHECK(test::status_of(httpd.raw("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n")) == 200);
}

TEST_CASE("HTTPS: TLS 1.2 and 1.3 only; ALPN h2 and http/1.1; garbage closed quietly") {
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const int tls_port = test::free_port();
    test::Httpd httpd("listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
                      tls_server("www.foobar.com", www, "www", true));
    CHECK(handshake(tls_port, "www.foobar.com", "-tls1_3").find("New, TLSv1.3, Cipher is TLS_") !=
          std::string::npos);
    CHECK(handshake(tls_port, "www.foobar.com", "-tls1_2").find("New, TLSv1.2, Cipher is ECDHE-") !=
          std::string::npos);
    const std::string old = handshake(tls_port, "www.foobar.com", "-tls1_1");
    CHECK(old.find("Cipher is (NONE)") != std::string::npos);
    CHECK(old.find("alert protocol version") != std::string::npos);
    // h2 first when the client offers it (HTTP/2's own tests are in
    // test_http2.cpp), http/1.1 for a client that offers only that.
    CHECK(handshake(tls_port, "www.foobar.com", "-alpn h2,http/1.1").find("ALPN protocol: h2") !=
          std::string::npos);
    CHECK(handshake(tls_port, "www.foobar.com", "-alpn http/1.1").find("ALPN protocol: http/1.1") !=
          std::string::npos);
    // Plain HTTP, or random bytes, where a ClientHello belongs: closed.
    test::Client plain(tls_port);
    plain.send("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n");
    CHECK(plain.read_until_close(3000).find("HTTP/1.1") == std::string::npos);
    test::Client garbage(tls_port);
    garbage.send(std::string(300, '\x16'));
    CHECK(garbage.closed_by_peer(3000));
    CHECK(curl(tls_port, "www.foobar.com", certs.path("ca.pem")) == "www 200 exit 0\n");
    CHECK(httpd.process().running());
}

TEST_CASE("HTTPS: a client silent mid-handshake is let go at tls_handshake_timeout (reloadable)") {
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const int tls_port = test::free_port();
    // header_timeout far off: only the handshake's own timer can end it.
    const auto config = [&](const std::string& timeout) {
        return "listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) +
               "\"]\ntls_handshake_timeout = \"" + timeout + "\"\nheader_timeout = \"60s\"\n" +
               tls_server("www.foobar.com", www, "www", true);
    };
    test::Httpd httpd(config("60s"));
    test::Client patient(tls_port);
    CHECK_FALSE(patient.closed_by_peer(1000));
    REQUIRE(httpd.reload(config("300ms")));
    test::Client silent(tls_port);
    CHECK(silent.closed_by_peer(3000));
    // Half a ClientHello, then nothing.
    test::Client half(tls_port);
    half.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    CHECK(half.closed_by_peer(3000));
    // A client that finished its handshake is not cut off by it, however
    // long it then takes to ask.
    const std::string slow = test::run(
        "(sleep 1; printf 'GET / HTTP/1.1\\r\\nHost: www.foobar.com\\r\\nConnection: "
        "close\\r\\n\\r\\n'; sleep 1) | timeout 10 openssl s_client -quiet -connect 127.0.0.1:" +
        std::to_string(tls_port) + " -servername www.foobar.com 2>/dev/null | head -1");
    CHECK(slow == "HTTP/1.1 200 OK\r\n");
    CHECK(httpd.process().running());
}

TEST_CASE("HTTPS: a proxied request tells the member X-Forwarded-Proto: https") {
    test::HttpServer app({}, [](test::HttpServer&, const std::shared_ptr<core::http::Exchange>& e) {
        const auto proto = e->request().headers.get("X-Forwarded-Proto");
        e->respond(200, {}, "proto=" + std::string(proto.value_or("none")));
    });
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const int tls_port = test::free_port();
    test::Httpd httpd(
        "listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
        "[[httpd.upstream]]\nname = \"app\"\nmembers = [\"" + app.address() +
        "\"]\nhealth_interval = \"0s\"\n[[httpd.server]]\nnames = [\"www.foobar.com\"]\n"
        "tls_certificate = \"" +
        www + ".pem\"\ntls_key = \"" + www + ".key\"\n[[httpd.server.route]]\nproxy = \"app\"\n");
    CHECK(curl(tls_port, "www.foobar.com", certs.path("ca.pem")) == "proto=https 200 exit 0\n");
    CHECK(test::body_of(httpd.raw("GET / HTTP/1.1\r\nHost: www.foobar.com\r\n\r\n")) ==
          "proto=http");
}

TEST_CASE("HTTPS: HSTS on HTTPS answers only, a redirect to https, TLS in the access log") {
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const int tls_port = test::free_port();
    test::Httpd httpd(
        "listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
        "[[httpd.server]]\nnames = [\"www.foobar.com\"]\n"
        "hsts_max_age = \"365d\"\nhsts_include_subdomains = true\n"
        "tls_certificate = \"" +
        www + ".pem\"\ntls_key = \"" + www +
        ".key\"\n[[httpd.server.route]]\nprefix = \"/old/\"\nredirect = \"https\"\n"
        "[[httpd.server.route]]\nprefix = \"/moved/\"\nredirect = \"//www.foobar.com\"\n"
        "[[httpd.server.route]]\nbody = \"www\"\n");
    const std::string https =
        test::run("curl -si --http1.1 --max-time 5 --cacert " + certs.path("ca.pem") +
                  " --resolve www.foobar.com:" + std::to_string(tls_port) +
                  ":127.0.0.1 https://www.foobar.com:" + std::to_string(tls_port) + "/");
    CHECK(https.find("Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n") !=
          std::string::npos);
    // "//HOST" keeps HTTPS, and the port asked for.
    const std::string moved =
        test::run("curl -si --http1.1 --max-time 5 --cacert " + certs.path("ca.pem") +
                  " --resolve www.foobar.com:" + std::to_string(tls_port) +
                  ":127.0.0.1 https://www.foobar.com:" + std::to_string(tls_port) + "/moved/x?y");
    CHECK(moved.find("Location: https://www.foobar.com:" + std::to_string(tls_port) +
                     "/moved/x?y\r\n") != std::string::npos);
    const std::string plain =
        httpd.raw("GET /old/page?x=1 HTTP/1.1\r\nHost: WWW.foobar.com:80\r\n\r\n");
    CHECK(test::status_of(plain) == 301);
    CHECK(plain.find("Strict-Transport-Security") == std::string::npos);  // never over HTTP
    CHECK(plain.find("Location: https://www.foobar.com:" + std::to_string(tls_port) +
                     "/old/page?x=1\r\n") != std::string::npos);
    REQUIRE(httpd.process().stop(SIGTERM) == 0);
    std::ifstream in(httpd.dir().path() / "access.log");
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(log.find(" TLSv1.3/TLS_") != std::string::npos);
    CHECK(log.find("\"GET /old/page?x=1 HTTP/1.1\" 301") != std::string::npos);
}

TEST_CASE("HTTPS: sessions resume on any thread and after a reload (one ticket key set)") {
    Certificates certs;
    const std::string www = certs.issue("www.foobar.com");
    const int tls_port = test::free_port();
    test::Httpd httpd("listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
                          tls_server("www.foobar.com", www, "www", true),
                      {"--threads", "2"});
    const std::string session = certs.path("session.pem");
    // A whole exchange, so that the client reads the tickets TLS 1.3 sends
    // after the handshake before the server closes (HTTP/1.0).
    const auto exchange = [&](const std::string& options) {
        return test::run(
            "printf 'GET / HTTP/1.0\\r\\nHost: www.foobar.com\\r\\n\\r\\n' | timeout 5 "
            "openssl s_client -connect 127.0.0.1:" +
            std::to_string(tls_port) + " -servername www.foobar.com -ign_eof " + options + " 2>&1");
    };
    const std::string first = exchange("-sess_out " + session);
    CHECK(first.find("New, TLSv1.3") != std::string::npos);
    CHECK(first.find("\nwww") != std::string::npos);
    // Each new connection may land on either thread: all resume.
    for (int i = 0; i < 6; ++i) {
        CAPTURE(i);
        CHECK(exchange("-sess_in " + session).find("Reused, TLSv1.3") != std::string::npos);
    }
    // A resumed connection gets a new ticket, which resumes in its turn: a
    // client that uses each ticket once (RFC 8446 §C.4, wrk, browsers)
    // never falls back to a full handshake.
    std::string previous = session;
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        const std::string next = certs.path("next" + std::to_string(i) + ".pem");
        CHECK(exchange("-sess_in " + previous + " -sess_out " + next).find("Reused, TLSv1.3") !=
              std::string::npos);
        previous = next;
    }
    // The ticket keys are the process's: a reload does not end sessions.
    REQUIRE(httpd.reload("listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
                         tls_server("www.foobar.com", www, "www again", true)));
    CHECK(exchange("-sess_in " + session).find("Reused, TLSv1.3") != std::string::npos);
}

TEST_CASE("HTTPS: SIGHUP takes new certificates for new connections") {
    Certificates certs;
    certs.issue("www.foobar.com", 2, "site");
    const int tls_port = test::free_port();
    const std::string config = "listen_tls = [\"127.0.0.1:" + std::to_string(tls_port) + "\"]\n" +
                               tls_server("www.foobar.com", certs.path("site"), "www", true);
    test::Httpd httpd(config);
    const auto serial = [&] {
        const std::string out = test::run(
            "echo | timeout 5 openssl s_client -connect 127.0.0.1:" + std::to_string(tls_port) +
            " -servername www.foobar.com 2>/dev/null | openssl x509 -noout -serial");
        return out;
    };
    const std::string before = serial();
    REQUIRE(before.find("serial=") == 0);
    certs.issue("www.foobar.com", 2, "site");  // renewed in place
    REQUIRE(httpd.reload(config));
    const std::string after = serial();
    CHECK(after.find("serial=") == 0);
    CHECK(after != before);
    CHECK(curl(tls_port, "www.foobar.com", certs.path("ca.pem")) == "www 200 exit 0\n");
}

TEST_CASE(
    "HTTPS: --check refuses a key that is not the certificate's, an open key, an expired one") {
    Certificates certs;
    const std::string good = certs.issue("www.foobar.com");
    const std::string other = certs.issue("other.example");
    const std::string expired = certs.issue("www.foobar.com", -1, "expired");
    test::TempDir dir;
    const auto check = [&](const std::string& certificate, const std::string& key) {
        const std::string config =
            dir.write("h.toml",
                      "[httpd]\nlisten = [\"127.0.0.1:1\"]\nlisten_tls = [\"127.0.0.1:2\"]\n"
                      "[[httpd.server]]\ntls_certificate = \"" +
                          certificate + "\"\ntls_key = \"" + key +
                          "\"\n[[httpd.server.route]]\nbody = \"x\"\n");
        return test::run(std::string(WEBSTACK_HTTPD) + " --config " + config +
                         " --check 2>&1; echo \"exit $?\"");
    };
    CHECK(check(good + ".pem", good + ".key").find("is valid") != std::string::npos);
    auto out = check(good + ".pem", other + ".key");
    CHECK(out.find("other.example.key: not the key of") != std::string::npos);
    CHECK(out.find("exit 1") != std::string::npos);
    ::chmod((good + ".key").c_str(), 0644);
    out = check(good + ".pem", good + ".key");
    CHECK(out.find("www.foobar.com.key: group or others may read the private key") !=
          std::string::npos);
    ::chmod((good + ".key").c_str(), 0600);
    out = check(expired + ".pem", expired + ".key");
    CHECK(out.find("expired.pem: the certificate has expired") != std::string::npos);
    out = check(good + ".pem", certs.path("missing.key"));
    CHECK(out.find("missing.key: cannot be read") != std::string::npos);
    // A server on a TLS address without a certificate.
    const std::string bare =
        dir.write("bare.toml",
                  "[httpd]\nlisten = [\"127.0.0.1:1\"]\nlisten_tls = [\"127.0.0.1:2\"]\n"
                  "[[httpd.server]]\n[[httpd.server.route]]\nbody = \"x\"\n");
    out = test::run(std::string(WEBSTACK_HTTPD) + " --config " + bare + " --check 2>&1");
    CHECK(out.find("(TLS) without a certificate") != std::string::npos);
}
