// dnsd serving the zones of a test's database, for the app suites.
#pragma once

#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "tests/app/app_fixture.hpp"
#include "tests/support/process.hpp"

namespace test {

// dnsd with database_zones on the test's database, on a free port.
class DatabaseDnsd {
  public:
    DatabaseDnsd(const TestDatabase& database, int port, const std::string& extra) : port_(port) {
        const std::string config =
            dir_.write("dnsd.toml", "[dnsd]\nlisten = [\"127.0.0.1:" + std::to_string(port) +
                                        "\"]\nthreads = 2\ndatabase_zones = true\n" + extra +
                                        "\n[db]\nurl = \"" + database.url() + "\"\n");
        process_ =
            std::make_unique<Process>(std::vector<std::string>{WEBSTACK_DNSD, "--config", config},
                                      (dir_.path() / "dnsd.log").string());
        REQUIRE_MESSAGE(process_->wait_for_log("answering on", 10000), process_->log());
    }

    // dig's short answer: the rdata of each answer record, a line each.
    std::string dig(const std::string& question) const {
        return run("dig @127.0.0.1 -p " + std::to_string(port_) + " +short +time=1 +tries=3 " +
                   question + " 2>&1");
    }
    // The rcode dig reports ("NOERROR", "REFUSED", ...).
    std::string status(const std::string& question) const {
        const std::string out = run("dig @127.0.0.1 -p " + std::to_string(port_) +
                                    " +time=1 +tries=3 " + question + " 2>&1");
        const size_t at = out.find("status: ");
        if (at == std::string::npos) return out;
        return out.substr(at + 8, out.find(',', at) - at - 8);
    }
    test::Process& process() { return *process_; }

  private:
    TempDir dir_;
    int port_;
    std::unique_ptr<Process> process_;
};

}  // namespace test
