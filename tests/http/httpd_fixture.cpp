// httpd as users meet it, for the `http` suite.
#include "tests/http/httpd_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace test {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

Httpd::Httpd(const std::string& config, std::vector<std::string> extra) : port_(free_port()) {
    std::filesystem::create_directory(dir_.path() / "www");
    config_path_ = write_config(config);
    std::vector<std::string> argv = {WEBSTACK_HTTPD, "--config", config_path_};
    if (std::find(extra.begin(), extra.end(), "--threads") == extra.end())
        extra.insert(extra.end(), {"--threads", "2"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(argv, (dir_.path() / "httpd.log").string());
    if (!process_->wait_for_log("state serving"))
        throw std::runtime_error("httpd did not start:\n" + process_->log());
}

std::string Httpd::write_config(const std::string& config) const {
    const std::string text = "[httpd]\nlisten = [\"127.0.0.1:" + std::to_string(port_) +
                             "\"]\naccess_log = \"" + (dir_.path() / "access.log").string() +
                             "\"\n" + replace_all(config, "{root}", root());
    return dir_.write("webstack.toml", text);
}

std::string Httpd::put(const std::string& path, std::string_view content) const {
    const auto full = dir_.path() / "www" / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << content;
    return full.string();
}

bool Httpd::reload(const std::string& config, const std::string& expect) {
    const size_t before = process_->log().size();
    write_config(config);
    process_->signal(SIGHUP);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string log = process_->log();
        if (log.find(expect, before) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::string Httpd::raw(std::string_view request, int timeout_ms) const {
    Client client(port_);
    client.send(request);
    return client.read_responses(1, timeout_ms);
}

std::string Httpd::curl(const std::string& args) const {
    return run("curl -s --max-time 5 " + args + " 2>&1");
}

AppProcess::AppProcess(const std::string& name) : port_(free_port()) {
    const std::string config = "[httpd]\nlisten = [\"127.0.0.1:" + std::to_string(port_) +
                               "\"]\n[[httpd.server]]\n[[httpd.server.route]]\nprefix = "
                               "\"/healthz\"\nbody = \"ok\"\n[[httpd.server.route]]\nbody = \"" +
                               name + "\"\n";
    const std::string path = dir_.write("app.toml", config);
    process_ = std::make_unique<Process>(
        std::vector<std::string>{WEBSTACK_HTTPD, "--config", path, "--threads", "1"},
        (dir_.path() / "app.log").string());
    if (!process_->wait_for_log("state serving"))
        throw std::runtime_error("app server did not start:\n" + process_->log());
}

Load::Load(int port, std::string request, int threads, int expected_status) {
    for (int i = 0; i < threads; ++i)
        threads_.emplace_back(
            [this, port, request, expected_status] { run(port, request, expected_status); });
}

Load::~Load() {
    stop();
}

void Load::stop() {
    stop_ = true;
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
}

std::string Load::first_failure() const {
    std::lock_guard lock(mutex_);
    return first_failure_;
}

void Load::run(int port, const std::string& request, int expected_status) {
    std::unique_ptr<Client> client;
    // Bounded in count as well as by stop().
    for (int i = 0; i < 50'000 && !stop_; ++i) {
        std::string failure;
        try {
            if (!client) client = std::make_unique<Client>(port);
            client->send(request);
            const std::string response = client->read_responses(1, 5000);
            const auto parsed = parse_responses(response);
            if (parsed.empty()) {
                failure = "no complete response: [" + response + "]";
            } else if (parsed[0].head.status != expected_status) {
                failure = response;
            } else if (!parsed[0].head.keep_alive) {
                client.reset();
            }
        } catch (const std::exception& e) {
            failure = e.what();
        }
        if (failure.empty()) {
            ++ok_;
            continue;
        }
        ++failed_;
        client.reset();
        std::lock_guard lock(mutex_);
        if (first_failure_.empty()) first_failure_ = failure;
    }
}

std::string body_of(const std::string& raw_response) {
    const auto parsed = parse_responses(raw_response, false, true);
    return parsed.empty() ? std::string() : parsed[0].body;
}

int status_of(const std::string& raw_response) {
    const auto parsed = parse_responses(raw_response, false, true);
    return parsed.empty() ? 0 : parsed[0].head.status;
}

}  // namespace test
