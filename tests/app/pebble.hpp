// pebble, the ACME test server (offline), on free loopback ports, reading
// DNS-01 challenges from the dnsd on `dns_port`; with a certificate of its
// own for its HTTPS, which lego is told to trust.
#pragma once

#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/support/client.hpp"
#include "tests/support/process.hpp"

namespace test {

class Pebble {
  public:
    explicit Pebble(int dns_port) : port_(free_port()) {
        REQUIRE_MESSAGE(
            run("for c in lego pebble openssl; do command -v $c; done | wc -l") == "3\n",
            "lego, pebble and openssl are installed by scripts/setup");
        const std::string d = dir_.path().string();
        REQUIRE(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-days 1 -subj /CN=localhost -addext "
                    "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
                    d + "/pebble.key -out " + d + "/pebble.crt >/dev/null 2>&1; echo $?") == "0\n");
        const std::string config = dir_.write(
            "pebble.json", nlohmann::json{{"pebble",
                                           {{"listenAddress", "127.0.0.1:" + std::to_string(port_)},
                                            {"managementListenAddress",
                                             "127.0.0.1:" + std::to_string(free_port())},
                                            {"certificate", d + "/pebble.crt"},
                                            {"privateKey", d + "/pebble.key"},
                                            {"httpPort", free_port()},
                                            {"tlsPort", free_port()},
                                            {"ocspResponderURL", ""},
                                            {"externalAccountBindingRequired", false}}}}
                               .dump());
        process_ = std::make_unique<Process>(
            std::vector<std::string>{"/usr/bin/env", "PEBBLE_VA_NOSLEEP=1",
                                     "PEBBLE_WFE_NONCEREJECT=0", "pebble", "-config", config,
                                     "-dnsserver", "127.0.0.1:" + std::to_string(dns_port)},
            d + "/pebble.log");
        REQUIRE_MESSAGE(process_->wait_for_log("ACME directory available", 10000), process_->log());
    }
    // lego's options for this server.
    std::string lego_server() const {
        return "--server https://127.0.0.1:" + std::to_string(port_) + "/dir";
    }
    std::string certificate() const { return (dir_.path() / "pebble.crt").string(); }
    std::string log() const { return process_->log(); }

  private:
    TempDir dir_;
    int port_;
    std::unique_ptr<Process> process_;
};

}  // namespace test
