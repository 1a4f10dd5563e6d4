// HTTPS fixtures for the http suite: a CA of the test's own and the
// certificates it signs, a TLS server's configuration, and the clients
// (openssl s_client, curl) that check what a user meets.
#pragma once

#include <string>

#include <doctest/doctest.h>

#include "tests/support/process.hpp"

namespace test {

// A CA and certificates it signs, in a directory of the test's own.
class Certificates {
  public:
    Certificates() {
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
            "-out ca.pem -days 2 -subj '/CN=webstack test CA'");
    }
    // Issues NAME.pem and NAME.key (mode 600) for `name`, valid `days`
    // (negative: expired already); returns the directory's path + NAME.
    std::string issue(const std::string& name, int days = 2, const std::string& file = "") {
        const std::string base = file.empty() ? name : file;
        run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + base +
            ".key -out " + base + ".csr -subj '/CN=" + name + "' && printf 'subjectAltName=DNS:" +
            name + "\\n' >" + base + ".ext && openssl x509 -req -in " + base +
            ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + base + ".pem -days " +
            std::to_string(days) + " -extfile " + base + ".ext && chmod 600 " + base + ".key");
        return path(base);
    }
    std::string path(const std::string& base) const { return (dir_.path() / base).string(); }

  private:
    void run(const std::string& command) const {
        const std::string out = test::run("cd " + dir_.path().string() + " && " + command +
                                          " >/dev/null 2>&1; echo $?");
        REQUIRE_MESSAGE(out == "0\n", command);
    }
    test::TempDir dir_;
};

inline std::string tls_server(const std::string& name, const std::string& files,
                              const std::string& body, bool is_default = false) {
    return "[[httpd.server]]\nnames = [\"" + name + "\"]\n" +
           (is_default ? "default = true\n" : "") + "tls_certificate = \"" + files +
           ".pem\"\ntls_key = \"" + files + ".key\"\n[[httpd.server.route]]\nbody = \"" + body +
           "\"\n";
}

// What a client meets on `port` asking for `name`: the certificate's
// subject, the protocol and ALPN, as openssl s_client prints them.
inline std::string handshake(int port, const std::string& name, const std::string& options = "") {
    return test::run("echo | timeout 5 openssl s_client -connect 127.0.0.1:" +
                     std::to_string(port) + " -servername " + name + " " + options + " 2>&1");
}

inline std::string curl(int port, const std::string& name, const std::string& ca,
                        const std::string& path = "/") {
    return test::run("curl -s --max-time 5 --cacert " + ca + " --resolve " + name + ":" +
                     std::to_string(port) + ":127.0.0.1 https://" + name + ":" +
                     std::to_string(port) + path + " -w ' %{http_code}'; echo \" exit $?\"");
}

}  // namespace test
