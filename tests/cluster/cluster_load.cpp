// The load on the simulated domain, run on its client host while the
// cluster suite kills or redeploys the other hosts: users who browse
// www.foobar.com as browsers do, and a writer whose every acknowledged
// change is looked for at the end.
//
// A user resolves www through the name servers in turn (the next one when
// one does not answer, as a stub resolver), keeps the answer for its TTL,
// and tries the addresses in turn when a connection is refused or times
// out. It keeps its connection alive for a visit of kVisit requests, then
// starts afresh (a new visitor), and sends a request again on a new
// connection only when a kept-alive one closed before any byte of the
// answer, as Chromium does (HttpNetworkTransaction::ShouldResendRequest).
// Every answer is checked: a status other than 200 or a body without the
// page's mark is a failure. A request in flight on a new connection to a
// host that dies is `cut`: a browser shows that error too.
//
// The writer makes a TXT record of its own (load-PID) and replaces its
// text with "w-PID-N-", N = 1, 2, ... (PUT, idempotent: httpd may send it
// again to another appsrv), one at a time; at the end every N acknowledged
// must be in the zone's audit log, and the record must hold the last one
// acknowledged or one tried after it. Then it deletes the record.
//
//   cluster_load --ns ADDRESS:PORT [--ns ...] [--port 8080] [--users 4]
//                [--seconds 60] [--token-file FILE]
// Runs until SIGTERM or SIGINT, or --seconds (at most 600); prints one
// report line and the first failures; exits 0 when nothing failed and no
// acknowledged write was lost, 1 otherwise, 2 on bad arguments.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kName[] = "www.foobar.com";
constexpr char kZoneApi[] = "/api/v1/zones/foobar.com";
constexpr int kVisit = 50;               // requests on one kept-alive connection
constexpr int kConnectTimeoutMs = 3000;  // browsers wait longer
constexpr int kAnswerTimeoutMs = 15000;
constexpr int kLookupTimeoutMs = 1000;  // per name server
constexpr int kMaxSeconds = 600;
constexpr auto kWriteEvery = std::chrono::milliseconds(40);

struct Page {
    const char* path;
    const char* mark;  // in a 200 answer's body
};
// A static file from httpd, and a zone's state from an appsrv through the
// pool and the database.
constexpr Page kPages[] = {
    {"/", "<h1>foobar.com</h1>"},
    {"/api/v1/public/zones/foobar.com", "\"name\":\"foobar.com.\""},
};

std::atomic<bool> stopping{false};

extern "C" void on_signal(int) {
    stopping = true;
}

struct NameServer {
    std::string address;
    int port;
};

struct Options {
    std::vector<NameServer> name_servers;
    int port = 8080;
    int users = 4;
    int seconds = 60;
    std::string token;
};

struct Counts {
    uint64_t requests = 0;
    uint64_t failed = 0;
    uint64_t cut = 0;
    uint64_t resent = 0;
    uint64_t moved = 0;  // to the next address after a failed connect
    uint64_t lookups = 0;
    uint64_t lookups_next_server = 0;
    uint64_t lookups_failed = 0;
    uint64_t writes_acknowledged = 0;
    uint64_t writes_refused = 0;
    uint64_t writes_lost = 0;
    std::vector<std::string> failures;  // the first few
};

class Report {
  public:
    void add(const Counts& c) {
        std::lock_guard lock(mutex_);
        total_.requests += c.requests;
        total_.failed += c.failed;
        total_.cut += c.cut;
        total_.resent += c.resent;
        total_.moved += c.moved;
        total_.lookups += c.lookups;
        total_.lookups_next_server += c.lookups_next_server;
        total_.lookups_failed += c.lookups_failed;
        total_.writes_acknowledged += c.writes_acknowledged;
        total_.writes_refused += c.writes_refused;
        total_.writes_lost += c.writes_lost;
        for (const auto& failure : c.failures)
            if (total_.failures.size() < 10) total_.failures.push_back(failure);
    }
    Counts total() {
        std::lock_guard lock(mutex_);
        return total_;
    }

  private:
    std::mutex mutex_;
    Counts total_;
};

void note(Counts& counts, std::string what) {
    if (counts.failures.size() < 10) counts.failures.push_back(std::move(what));
}

// What a stub resolver keeps: the addresses of www until their TTL ends.
class Resolver {
  public:
    Resolver(const Options& options, Counts& counts) : options_(options), counts_(counts) {}

    const std::vector<std::string>& addresses() {
        if (!addresses_.empty() && Clock::now() < expires_) return addresses_;
        ++counts_.lookups;
        for (size_t i = 0; i < options_.name_servers.size(); ++i) {
            const NameServer& server = options_.name_servers[i];
            test::QueryOptions query;
            query.id = static_cast<uint16_t>(++id_);
            const test::DnsResponse response = test::parse_dns_response(test::udp_exchange_with(
                server.address, server.port, test::make_query(kName, 1, query), kLookupTimeoutMs));
            if (!response.parsed || response.id != query.id || response.rcode != 0) continue;
            std::vector<std::string> found;
            uint32_t ttl = 3600;
            for (const auto& line : response.answer) {
                std::istringstream fields(line);
                std::string owner, klass, type, rdata;
                uint32_t record_ttl = 0;
                fields >> owner >> record_ttl >> klass >> type >> rdata;
                if (type != "A") continue;
                found.push_back(rdata);
                ttl = std::min(ttl, record_ttl);
            }
            if (found.empty()) continue;
            if (i > 0) ++counts_.lookups_next_server;
            addresses_ = std::move(found);
            expires_ = Clock::now() + std::chrono::seconds(ttl);
            return addresses_;
        }
        ++counts_.lookups_failed;
        note(counts_, "DNS: no name server answered www.foobar.com A");
        // As a resolver serving nothing stale: the next request asks again.
        addresses_.clear();
        return addresses_;
    }

  private:
    const Options& options_;
    Counts& counts_;
    std::vector<std::string> addresses_;
    Clock::time_point expires_;
    uint64_t id_ = 0;
};

struct Answer {
    int status = 0;  // 0: none
    std::string body;
    std::string problem;
    bool cut = false;  // in flight on a new connection, nothing came back
};

// One visitor's browser: a resolver and a kept-alive connection.
class Browser {
  public:
    Browser(const Options& options, Counts& counts, size_t first_choice, std::string token = {})
        : options_(options),
          counts_(counts),
          resolver_(options, counts),
          first_choice_(first_choice),
          token_(std::move(token)) {}

    // A new visitor: a new connection for the next request.
    void leave() { connection_.reset(); }

    Answer fetch(const std::string& method, const std::string& path, const std::string& body = {}) {
        std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + kName +
                              "\r\nUser-Agent: cluster_load\r\n";
        if (!token_.empty()) request += "Authorization: Bearer " + token_ + "\r\n";
        if (!body.empty())
            request +=
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n";
        request += "\r\n" + body;
        for (int sent = 0; sent < 2; ++sent) {
            if (!connection_ && !connect()) {
                Answer none;
                none.problem = "no address of www.foobar.com took a connection";
                return none;
            }
            connection_->send(request);
            const std::string bytes = connection_->read_responses(1, kAnswerTimeoutMs);
            if (bytes.empty() && reused_) {
                // The kept-alive connection was closed before the answer
                // began: sent again on a new one.
                ++counts_.resent;
                connection_.reset();
                continue;
            }
            reused_ = true;
            const auto responses = test::parse_responses(bytes);
            Answer answer;
            if (responses.size() != 1) {
                connection_.reset();
                answer.cut = bytes.empty();
                answer.problem = bytes.empty()
                                     ? "the connection to " + address_ + " ended before any answer"
                                     : "an incomplete answer from " + address_;
                return answer;
            }
            answer.status = responses[0].head.status;
            answer.body = responses[0].body;
            const auto close = responses[0].head.headers.get("Connection");
            if (close && *close == "close") connection_.reset();
            return answer;
        }
        Answer none;
        none.problem = "a new connection to " + address_ + " was closed before any answer";
        return none;
    }

  private:
    bool connect() {
        const std::vector<std::string> addresses = resolver_.addresses();
        for (size_t i = 0; i < addresses.size(); ++i) {
            const std::string& address = addresses[(first_choice_ + i) % addresses.size()];
            try {
                connection_ =
                    std::make_unique<test::Client>(address, options_.port, kConnectTimeoutMs);
                address_ = address;
                reused_ = false;
                return true;
            } catch (const std::exception&) {
                ++counts_.moved;
            }
        }
        return false;
    }

    const Options& options_;
    Counts& counts_;
    Resolver resolver_;
    size_t first_choice_;
    std::string token_;
    std::unique_ptr<test::Client> connection_;
    std::string address_;
    bool reused_ = false;
};

bool out_of_time(Clock::time_point deadline) {
    return stopping || Clock::now() >= deadline;
}

void browse(const Options& options, Report& report, int user, Clock::time_point deadline) {
    Counts counts;
    Browser browser(options, counts, static_cast<size_t>(user));
    for (uint64_t n = 0; !out_of_time(deadline); ++n) {
        if (n % kVisit == 0) browser.leave();
        const Page& page = kPages[(n + static_cast<uint64_t>(user)) % std::size(kPages)];
        const Answer answer = browser.fetch("GET", page.path);
        ++counts.requests;
        if (answer.cut) {
            ++counts.cut;
            note(counts, std::string("cut: GET ") + page.path + ": " + answer.problem);
        } else if (answer.status != 200 || answer.body.find(page.mark) == std::string::npos) {
            ++counts.failed;
            note(counts, std::string("GET ") + page.path + ": " +
                             (answer.status
                                  ? std::to_string(answer.status) + " " + answer.body.substr(0, 160)
                                  : answer.problem));
        }
    }
    report.add(counts);
}

// What the writer's N-th write stores, which no other run writes.
std::string write_mark(uint64_t n) {
    return "w-" + std::to_string(getpid()) + "-" + std::to_string(n) + "-";
}

std::string write_body(uint64_t n) {
    return R"({"name": "load-)" + std::to_string(getpid()) + R"(", "type": "TXT", "content": "\")" +
           write_mark(n) + R"(\""})";
}

std::optional<int64_t> record_id(const std::string& body) {
    const size_t at = body.find("\"id\":");
    if (at == std::string::npos) return std::nullopt;
    return std::stoll(body.substr(at + 5));
}

void write_and_check(const Options& options, Report& report, Clock::time_point deadline) {
    Counts counts;
    Browser browser(options, counts, 1, options.token);
    const Answer created = browser.fetch("POST", std::string(kZoneApi) + "/records", write_body(0));
    const auto id = created.status == 201 ? record_id(created.body) : std::nullopt;
    if (!id) {
        ++counts.writes_refused;
        note(counts, "the writer could not create its record: " +
                         (created.status ? std::to_string(created.status) + " " + created.body
                                         : created.problem));
        report.add(counts);
        return;
    }
    const std::string record = std::string(kZoneApi) + "/records/" + std::to_string(*id);
    std::vector<uint64_t> acknowledged;
    uint64_t tried = 0;
    while (!out_of_time(deadline)) {
        const Answer answer = browser.fetch("PUT", record, write_body(++tried));
        if (answer.status == 200) {
            acknowledged.push_back(tried);
        } else {
            ++counts.writes_refused;
            note(counts, "write " + write_mark(tried) + " not acknowledged: " +
                             (answer.status
                                  ? std::to_string(answer.status) + " " + answer.body.substr(0, 160)
                                  : answer.problem));
        }
        std::this_thread::sleep_for(kWriteEvery);
    }
    counts.writes_acknowledged = acknowledged.size();

    // Every acknowledged write, in the zone's audit log.
    std::string log;
    for (int64_t offset = 0; offset < 1'000'000; offset += 1000) {
        const Answer page = browser.fetch(
            "GET", std::string(kZoneApi) + "/audit?limit=1000&offset=" + std::to_string(offset));
        if (page.status != 200) {
            note(counts, "the audit log could not be read: " + std::to_string(page.status) + " " +
                             page.problem);
            counts.writes_lost = acknowledged.size();
            report.add(counts);
            return;
        }
        log += page.body;
        if (page.body.find("\"id\"") == std::string::npos) break;  // past the last entry
    }
    for (uint64_t n : acknowledged) {
        if (log.find(write_mark(n)) == std::string::npos) {
            ++counts.writes_lost;
            note(counts, "acknowledged write " + write_mark(n) + " is not in the audit log");
        }
    }
    // And the record holds the last one, or one tried after it.
    const Answer stored = browser.fetch("GET", record);
    const uint64_t last = acknowledged.empty() ? 0 : acknowledged.back();
    bool holds = false;
    for (uint64_t n = last; n <= tried && !holds; ++n)
        holds = stored.body.find(write_mark(n)) != std::string::npos;
    if (!holds) {
        ++counts.writes_lost;
        note(counts, "the record holds " + stored.body.substr(0, 160) + ", not " +
                         write_mark(last) + " or later");
    }
    const Answer deleted = browser.fetch("DELETE", record);
    if (deleted.status != 204)
        note(counts, "the writer's record was not deleted: " + std::to_string(deleted.status));
    report.add(counts);
}

std::optional<Options> parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) return std::nullopt;
        const std::string value = argv[++i];
        try {
            if (arg == "--ns") {
                const size_t colon = value.rfind(':');
                if (colon == std::string::npos) return std::nullopt;
                options.name_servers.push_back(
                    {value.substr(0, colon), std::stoi(value.substr(colon + 1))});
            } else if (arg == "--port") {
                options.port = std::stoi(value);
            } else if (arg == "--users") {
                options.users = std::stoi(value);
            } else if (arg == "--seconds") {
                options.seconds = std::stoi(value);
            } else if (arg == "--token-file") {
                std::ifstream file(value);
                if (!std::getline(file, options.token)) return std::nullopt;
            } else {
                return std::nullopt;
            }
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    if (options.name_servers.empty() || options.users < 1 || options.users > 64 ||
        options.seconds < 1 || options.seconds > kMaxSeconds)
        return std::nullopt;
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    if (!options) {
        std::cerr << "usage: cluster_load --ns ADDRESS:PORT [--ns ...] [--port 8080] "
                     "[--users 1-64] [--seconds 1-600] [--token-file FILE]\n";
        return 2;
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    const auto started = Clock::now();
    const auto deadline = started + std::chrono::seconds(options->seconds);
    Report report;
    std::vector<std::thread> threads;
    for (int user = 0; user < options->users; ++user)
        threads.emplace_back(browse, std::cref(*options), std::ref(report), user, deadline);
    if (!options->token.empty())
        threads.emplace_back(write_and_check, std::cref(*options), std::ref(report), deadline);
    for (auto& thread : threads)
        thread.join();
    const Counts total = report.total();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::printf(
        "load: %.1f s, requests %llu, failed %llu, cut in flight %llu, resent %llu, moved to the "
        "next address %llu; lookups %llu, from the second name server %llu, failed %llu; writes "
        "acknowledged %llu, not acknowledged %llu, lost %llu\n",
        seconds, static_cast<unsigned long long>(total.requests),
        static_cast<unsigned long long>(total.failed), static_cast<unsigned long long>(total.cut),
        static_cast<unsigned long long>(total.resent), static_cast<unsigned long long>(total.moved),
        static_cast<unsigned long long>(total.lookups),
        static_cast<unsigned long long>(total.lookups_next_server),
        static_cast<unsigned long long>(total.lookups_failed),
        static_cast<unsigned long long>(total.writes_acknowledged),
        static_cast<unsigned long long>(total.writes_refused),
        static_cast<unsigned long long>(total.writes_lost));
    for (const auto& failure : total.failures)
        std::printf("  %s\n", failure.c_str());
    return total.failed == 0 && total.lookups_failed == 0 && total.writes_lost == 0 ? 0 : 1;
}
