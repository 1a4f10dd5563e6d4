// The load: every answer is checked, not only its status.
#include "tests/stack/load.hpp"

#include <chrono>

#include "tests/stack/stack.hpp"
#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"

namespace test {

namespace {

using Clock = std::chrono::steady_clock;

// Bounds: no test runs its load longer or more often than this.
constexpr auto kMaxDuration = std::chrono::seconds(120);
constexpr uint64_t kMaxPerClient = 500'000;

struct Target {
    std::string path;
    std::string must_contain;  // in a 200 answer's body
};

// A static file from httpd, and a zone's state from an appsrv through the pool.
const Target kTargets[] = {
    {"/", "<h1>foobar.com</h1>"},
    {"/api/v1/public/zones/foobar.com", "\"name\":\"foobar.com.\""},
};

}  // namespace

std::string LoadCounts::summary() const {
    std::string out = "HTTP: " + std::to_string(requests) + " requests, " +
                      std::to_string(requests_failed) + " failed, " + std::to_string(resent) +
                      " resent on a new connection; DNS: " + std::to_string(queries) +
                      " queries, " + std::to_string(queries_failed) + " failed";
    for (const auto& failure : failures)
        out += "\n  " + failure;
    return out;
}

Load::Load(const Stack& stack, int http_clients) : stack_(stack) {
    for (int i = 0; i < http_clients; ++i)
        threads_.emplace_back([this, i] { http_client(i); });
    threads_.emplace_back([this] { dns_client(); });
}

Load::~Load() {
    stop();
}

void Load::run_for(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

LoadCounts Load::stop() {
    stopping_ = true;
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
    std::lock_guard lock(mutex_);
    return counts_;
}

void Load::fail(std::string what, bool dns) {
    std::lock_guard lock(mutex_);
    ++(dns ? counts_.queries_failed : counts_.requests_failed);
    if (counts_.failures.size() < 10) counts_.failures.push_back(std::move(what));
}

void Load::http_client(int index) {
    const auto deadline = Clock::now() + kMaxDuration;
    std::unique_ptr<Client> connection;
    uint64_t made = 0, resent = 0;
    for (uint64_t n = 0; !stopping_ && n < kMaxPerClient && Clock::now() < deadline; ++n) {
        const Target& target = kTargets[(n + static_cast<uint64_t>(index)) % std::size(kTargets)];
        const std::string request =
            "GET " + target.path + " HTTP/1.1\r\nHost: www.foobar.com\r\nUser-Agent: load\r\n\r\n";
        std::string bytes;
        std::string problem;
        for (int attempt = 0; attempt < 2; ++attempt) {
            const bool fresh = !connection;
            try {
                if (!connection) connection = std::make_unique<Client>(stack_.http_port());
                connection->send(request);
                bytes = connection->read_responses(1, 10000);
            } catch (const std::exception& e) {
                problem = e.what();
                bytes.clear();
            }
            if (!bytes.empty() || fresh) break;
            // The kept-alive connection was closed before an answer began.
            connection.reset();
            ++resent;
        }
        ++made;
        const auto responses = parse_responses(bytes, false, false);
        if (responses.size() != 1) {
            connection.reset();
            fail("GET " + target.path + ": no complete answer" +
                     (problem.empty() ? "" : " (" + problem + ")") + ": " + bytes.substr(0, 200),
                 false);
            continue;
        }
        const auto& response = responses[0];
        if (response.head.status != 200 ||
            response.body.find(target.must_contain) == std::string::npos) {
            fail("GET " + target.path + ": " + std::to_string(response.head.status) + " " +
                     response.body.substr(0, 200),
                 false);
        }
        const auto connection_field = response.head.headers.get("Connection");
        if (connection_field && *connection_field == "close") connection.reset();
    }
    std::lock_guard lock(mutex_);
    counts_.requests += made;
    counts_.resent += resent;
}

void Load::dns_client() {
    const auto deadline = Clock::now() + kMaxDuration;
    uint64_t made = 0;
    for (uint64_t n = 0; !stopping_ && n < kMaxPerClient && Clock::now() < deadline; ++n) {
        QueryOptions options;
        options.id = static_cast<uint16_t>(n);
        const auto response = parse_dns_response(
            udp_exchange(stack_.dns_port(), make_query("www.foobar.com", 1, options), 2000));
        ++made;
        if (!response.parsed) {
            fail("DNS www.foobar.com A: no answer", true);
        } else if (response.id != options.id || response.rcode != 0 || !response.aa ||
                   !contains(response.answer, "www.foobar.com. 3600 IN A 8.8.8.8")) {
            std::string answer;
            for (const auto& record : response.answer)
                answer += record + "; ";
            fail("DNS www.foobar.com A: rcode " + std::to_string(response.rcode) + ": " + answer,
                 true);
        }
    }
    std::lock_guard lock(mutex_);
    counts_.queries += made;
}

}  // namespace test
