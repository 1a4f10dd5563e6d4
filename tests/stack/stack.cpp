// The whole stack, from the repository's own configuration.
#include "tests/stack/stack.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/client.hpp"
#include "tests/support/dns.hpp"

namespace test {

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Replaces the one occurrence of `from` in `text`: the test must notice
// when the shipped configuration changes shape under it.
void replace_once(std::string& text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    if (at == std::string::npos || text.find(from, at + 1) != std::string::npos)
        throw std::runtime_error("conf/webstack.toml: expected '" + from + "' exactly once");
    text.replace(at, from.size(), to);
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    size_t found = 0;
    for (size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
        ++found;
    }
    if (found == 0) throw std::runtime_error("conf/webstack.toml: expected '" + from + "'");
}

std::string address(int port) {
    return "127.0.0.1:" + std::to_string(port);
}

std::string json_string(const std::string& text) {
    return nlohmann::json(text).dump();
}

MariaDb& suite_server() {
    // One server for the whole suite, stopped by PID when the suite ends.
    static MariaDb server;
    return server;
}

const std::string kSource = WEBSTACK_SOURCE_ROOT;

}  // namespace

Stack::Stack()
    : dns_port_(free_port()),
      http_port_(free_port()),
      dns_metrics_port_(free_port()),
      http_metrics_port_(free_port()),
      https_port_(free_port()) {
    for (auto& port : app_ports_)
        port = free_port();
    std::string url = "sqlite:" + (dir_.path() / "webstack.db").string();
    const char* engine = std::getenv("WEBSTACK_TEST_DATABASE");
    if (engine && std::string(engine) == "mysql") {
        mariadb_ = &suite_server();
        url = mariadb_->create_database();
    }

    std::string config = read_file(kSource + "/conf/webstack.toml");
    replace_all(config, "\"127.0.0.1:5300\"", "\"" + address(dns_port_) + "\"");
    replace_all(config, "\"127.0.0.1:8080\"", "\"" + address(http_port_) + "\"");
    replace_all(config, "\"127.0.0.1:9145\"", "\"" + address(http_metrics_port_) + "\"");
    replace_all(config, "\"127.0.0.1:8443\"", "\"" + address(https_port_) + "\"");
    // The HTTPS material, made by the script scripts/run uses.
    const std::string tls_dir = (dir_.path() / "tls").string();
    if (run(kSource + "/scripts/local-tls " + tls_dir + " >/dev/null 2>&1; echo $?") != "0\n")
        throw std::runtime_error("scripts/local-tls failed");
    replace_all(config, "\"var/tls/", "\"" + tls_dir + "/");
    replace_once(config, "\"127.0.0.1:9153\"", "\"" + address(dns_metrics_port_) + "\"");
    replace_all(config, "\"127.0.0.1:9000\"", "\"" + address(app_ports_[0]) + "\"");
    replace_once(config, "\"127.0.0.1:9001\"", "\"" + address(app_ports_[1]) + "\"");
    replace_once(config, "\"var/httpd-access.log\"",
                 json_string((dir_.path() / "access.log").string()));
    replace_once(config, "root = \"www\"", "root = " + json_string(kSource + "/www"));
    replace_once(config, "\"sqlite:var/webstack.db\"", json_string(url));
    config_path_ = dir_.write("webstack.toml", config);

    const std::string appsrv = std::string(WEBSTACK_APPSRV) + " --config " + config_path_;
    token_ = run(appsrv + " token create stack-test 2>/dev/null");
    while (!token_.empty() && token_.back() == '\n')
        token_.pop_back();
    if (token_.rfind("wst_", 0) != 0) throw std::runtime_error("no token: " + token_);

    dnsd_ =
        std::make_unique<Process>(std::vector<std::string>{WEBSTACK_DNSD, "--config", config_path_},
                                  (dir_.path() / "dnsd.log").string());
    httpd_ = std::make_unique<Process>(
        std::vector<std::string>{WEBSTACK_HTTPD, "--config", config_path_},
        (dir_.path() / "httpd.log").string());
    for (size_t i = 0; i < kAppServers; ++i)
        start_appsrv(i);
    for (Process* daemon : {dnsd_.get(), httpd_.get()}) {
        if (!daemon->wait_for_log("state serving", 20000))
            throw std::runtime_error("a daemon did not start:\n" + logs());
    }

    // The domain's zone, as scripts/run imports it on a first start.
    const std::string zone = read_file(kSource + "/zones/foobar.com.zone");
    const auto created = http("POST", "/api/v1/zones",
                              nlohmann::json{{"name", "foobar.com"}, {"zone_file", zone}}.dump());
    if (created.status != 201)
        throw std::runtime_error("zone not created: " + std::to_string(created.status) + " " +
                                 created.body);
    // appsrv's NOTIFY has dnsd load it from the database.
    if (!wait_until([&] { return dig_a("www.foobar.com") == std::vector<std::string>{"8.8.8.8"}; },
                    5000))
        throw std::runtime_error("dnsd does not serve foobar.com:\n" + logs());
}

Stack::~Stack() {
    // appsrv first: nothing then writes while the others stop.
    for (auto& app : appsrv_)
        if (app) app->stop();
    if (httpd_) httpd_->stop();
    if (dnsd_) dnsd_->stop();
}

void Stack::start_appsrv(size_t i) {
    std::vector<std::string> argv{WEBSTACK_APPSRV, "--config", config_path_};
    // The configuration names the first; the second is told its address,
    // as scripts/run does.
    if (i > 0) {
        argv.push_back("--listen");
        argv.push_back(address(app_ports_[i]));
    }
    const auto log =
        dir_.path() / ("appsrv-" + std::to_string(i) + "-" + std::to_string(starts_[i]++) + ".log");
    appsrv_[i] = std::make_unique<Process>(argv, log.string());
    if (!appsrv_[i]->wait_for_log("state serving", 20000))
        throw std::runtime_error("appsrv did not start:\n" + appsrv_[i]->log());
}

void Stack::restart_appsrv(size_t i) {
    appsrv_[i]->stop(0, 10000);
    start_appsrv(i);
}

bool Stack::wait_until_pooled(size_t i, int timeout_ms) {
    const std::string log_path = (dir_.path() / "access.log").string();
    // httpd writes its access log each second: lines of requests answered
    // before now are in the file after that, and are skipped.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const size_t seen = [&] {
        std::ifstream in(log_path);
        in.seekg(0, std::ios::end);
        return in ? static_cast<size_t>(in.tellg()) : size_t{0};
    }();
    // An access-log line of a request that member answered with 200 (a
    // line names the last member tried, which may have failed it).
    const std::string label = " " + address(app_ports_[i]) + " ";
    return wait_until(
        [&] {
            http("GET", "/api/v1/public/zones/foobar.com");
            std::istringstream lines(read_file(log_path).substr(seen));
            for (std::string line; std::getline(lines, line);) {
                if (line.find(label) != std::string::npos &&
                    line.find("HTTP/1.1\" 200 ") != std::string::npos)
                    return true;
            }
            return false;
        },
        timeout_ms);
}

HttpReply Stack::http(const std::string& method, const std::string& path,
                      const std::string& body) const {
    std::string request = method + " " + path +
                          " HTTP/1.1\r\nHost: www.foobar.com\r\nConnection: close\r\n"
                          "Authorization: Bearer " +
                          token_ + "\r\n";
    if (!body.empty()) request += "Content-Type: application/json\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    HttpReply reply;
    try {
        Client client(http_port_);
        client.send(request);
        const auto parsed = parse_responses(client.read_until_close(10000), method == "HEAD", true);
        if (parsed.empty()) return reply;
        reply.status = parsed[0].head.status;
        reply.headers = parsed[0].head.headers;
        reply.body = parsed[0].body;
    } catch (const std::exception&) {
        // No connection: status 0 says so.
    }
    return reply;
}

std::vector<std::string> Stack::dig_a(const std::string& name) const {
    const auto response = parse_dns_response(udp_exchange(dns_port_, make_query(name, 1)));
    std::vector<std::string> addresses;
    if (!response.parsed || response.rcode != 0) return addresses;
    for (const auto& record : response.answer) {
        const size_t space = record.rfind(' ');
        if (record.find(" IN A ") != std::string::npos)
            addresses.push_back(record.substr(space + 1));
    }
    return addresses;
}

std::string Stack::logs() const {
    std::string out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
        if (entry.path().extension() != ".log" || entry.path().filename() == "access.log") continue;
        out += "--- " + entry.path().filename().string() + "\n" + read_file(entry.path().string());
    }
    return out;
}

}  // namespace test
