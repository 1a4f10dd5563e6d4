// Change-to-wire: how long from an API change until the DNS server answers
// with it. Each round PATCHes a new RRset through the PowerDNS API dialect
// (which webstack's appsrv and PowerDNS both speak, so both get the same
// request), then asks the DNS server for the new name over UDP until it
// answers with it. Prints the API's and the whole path's percentiles. A
// benchmark, not a test: loopback only, bounded in rounds and time.
//
//   change_to_wire API_PORT API_KEY DNS_PORT ZONE ROUNDS
#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "change_to_wire: %s\n", why.c_str());
    std::exit(1);
}

// A socket that closes itself.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {
        if (fd_ < 0) die(std::string("socket: ") + std::strerror(errno));
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { ::close(fd_); }
    int get() const { return fd_; }
    void reset(int fd) {
        ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_;
};

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// HTTP/1.1 to the API, on a kept-alive connection opened again when the
// server closes it (PowerDNS's web server may, after an answer).
class ApiConnection {
  public:
    explicit ApiConnection(int port) : address_(loopback(port)), fd_(open()) {}

    // One exchange; returns the status.
    int exchange(const std::string& request) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(request.size())) {
                if (const int status = read_response(); status > 0) return status;
            }
            fd_.reset(open());  // closed before the answer began: once more
        }
        die("the API closed the connection twice");
    }

  private:
    int open() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 ||
            ::connect(fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0)
            die("cannot connect to the API");
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd;
    }

    // The status, or 0 when the connection closed before any answer.
    int read_response() {
        std::string response;
        char buffer[4096];
        while (true) {
            const size_t head_end = response.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                size_t length = 0;
                bool close = false;
                std::string head = response.substr(0, head_end);
                for (auto& c : head)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                if (const size_t at = head.find("content-length: "); at != std::string::npos)
                    length = std::stoul(head.substr(at + 16));
                close = head.find("connection: close") != std::string::npos;
                if (response.size() >= head_end + 4 + length) {
                    const int status = std::stoi(response.substr(9, 3));
                    if (close) fd_.reset(open());
                    return status;
                }
            }
            const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
            if (n <= 0) {
                if (response.empty()) return 0;
                die("the API closed the connection in the middle of an answer");
            }
            response.append(buffer, static_cast<size_t>(n));
        }
    }

    sockaddr_in address_;
    Fd fd_;
};

// A query for `name` (dotted, absolute), type A, class IN.
std::string dns_query(const std::string& name, uint16_t id) {
    std::string q;
    q += static_cast<char>(id >> 8);
    q += static_cast<char>(id & 0xff);
    q += std::string("\0\0\0\1\0\0\0\0\0\0", 10);
    size_t at = 0;
    while (at < name.size()) {
        const size_t dot = name.find('.', at);
        q += static_cast<char>(dot - at);
        q += name.substr(at, dot - at);
        at = dot + 1;
    }
    q += std::string("\0\0\1\0\1", 5);
    return q;
}

// Asks until the answer holds a record (NOERROR, ANCOUNT > 0), giving up
// after `limit`.
bool wait_for_answer(int fd, const std::string& name, Clock::time_point limit) {
    static uint16_t id = 1;
    while (Clock::now() < limit) {
        const std::string query = dns_query(name, ++id);
        if (::send(fd, query.data(), query.size(), 0) < 0) die("send to the DNS server failed");
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, 20) == 1) {
            unsigned char reply[512];
            const ssize_t n = ::recv(fd, reply, sizeof reply, 0);
            if (n < 12 || ((reply[0] << 8) | reply[1]) != id) continue;
            const int rcode = reply[3] & 0x0f;
            const int answers = (reply[6] << 8) | reply[7];
            if (rcode == 0 && answers > 0) return true;
            break;  // not there yet: ask again
        }
    }
    return false;
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const size_t at = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
    return values[at];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) die("usage: change_to_wire API_PORT API_KEY DNS_PORT ZONE ROUNDS");
    const int api_port = std::atoi(argv[1]);
    const std::string key = argv[2];
    const int dns_port = std::atoi(argv[3]);
    std::string zone = argv[4];
    if (zone.back() != '.') zone += '.';
    const int rounds = std::atoi(argv[5]);

    ApiConnection api(api_port);
    Fd dns(::socket(AF_INET, SOCK_DGRAM, 0));
    const sockaddr_in dns_address = loopback(dns_port);
    if (::connect(dns.get(), reinterpret_cast<const sockaddr*>(&dns_address), sizeof dns_address) !=
        0)
        die("cannot reach the DNS server");

    // A prefix of this run's own: names of an earlier run are not new.
    const std::string run = "c" + std::to_string(std::random_device{}() % 1000000000);
    std::vector<double> api_ms, wire_ms;
    int failed = 0;
    for (int i = 0; i < rounds; ++i) {
        const std::string name = run + "-" + std::to_string(i) + "." + zone;
        const std::string body =
            R"({"rrsets": [{"name": ")" + name +
            R"(", "type": "A", "ttl": 60, "changetype": "REPLACE", "records": [{"content": "192.0.2.)" +
            std::to_string(i % 250 + 1) + R"(", "disabled": false}]}]})";
        const std::string request =
            "PATCH /api/v1/servers/localhost/zones/" + zone +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + key +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
        const auto start = Clock::now();
        const int status = api.exchange(request);
        const auto answered = Clock::now();
        if (status / 100 != 2) {
            ++failed;
            continue;
        }
        if (!wait_for_answer(dns.get(), name, answered + std::chrono::seconds(5))) {
            ++failed;
            continue;
        }
        const auto on_wire = Clock::now();
        api_ms.push_back(std::chrono::duration<double, std::milli>(answered - start).count());
        wire_ms.push_back(std::chrono::duration<double, std::milli>(on_wire - start).count());
    }
    if (wire_ms.empty()) die("no change reached the wire");
    std::printf("%zu %d %.2f %.2f %.2f %.2f %.2f\n", wire_ms.size(), failed,
                percentile(api_ms, 0.5), percentile(wire_ms, 0.5), percentile(wire_ms, 0.99),
                percentile(wire_ms, 1.0), percentile(api_ms, 0.99));
    return 0;
}
