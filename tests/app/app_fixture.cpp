// appsrv as its users meet it.
#include "tests/app/app_fixture.hpp"

#include <cstdlib>
#include <stdexcept>

#include "tests/support/client.hpp"

namespace test {

bool suite_uses_mysql() {
    const char* engine = std::getenv("WEBSTACK_TEST_DATABASE");
    return engine && std::string(engine) == "mysql";
}

namespace {

MariaDb& suite_server() {
    // One server for the whole suite, stopped by PID when the suite ends.
    static MariaDb server;
    return server;
}

}  // namespace

TestDatabase::TestDatabase() {
    if (suite_uses_mysql()) {
        server_ = &suite_server();
        url_ = server_->create_database();
    } else {
        url_ = "sqlite:" + (dir_.path() / "app.db").string();
    }
}

db::Connection& TestDatabase::connection() {
    if (!connection_) connection_ = db::connect(url_);
    return *connection_;
}

nlohmann::json Reply::json() const {
    return nlohmann::json::parse(body, nullptr, false);
}

App::App(TestDatabase& database, const std::string& extra) : port_(free_port()) {
    config_path_ =
        dir_.write("webstack.toml", "[appsrv]\nlisten = [\"127.0.0.1:" + std::to_string(port_) +
                                        "\"]\nthreads = 2\n" + extra + "\n[db]\nurl = \"" +
                                        database.url() + "\"\n");
    std::string out = run(std::string(WEBSTACK_APPSRV) + " --config " + config_path_ +
                          " token create tester 2>/dev/null");
    // Another App on the same database: the name is taken; use another.
    if (out.empty())
        out = run(std::string(WEBSTACK_APPSRV) + " --config " + config_path_ +
                  " token create tester-" + std::to_string(port_) + " 2>/dev/null");
    while (!out.empty() && (out.back() == '\n'))
        out.pop_back();
    if (out.rfind("wst_", 0) != 0) throw std::runtime_error("no token: " + out);
    token_ = out;
    process_ = std::make_unique<Process>(
        std::vector<std::string>{WEBSTACK_APPSRV, "--config", config_path_},
        (dir_.path() / "appsrv.log").string());
    if (!process_->wait_for_log("state serving", 10000))
        throw std::runtime_error("appsrv did not start:\n" + process_->log());
}

Reply App::call(const std::string& method, const std::string& path, const std::string& body,
                const std::string& extra_headers) const {
    std::string headers = extra_headers;
    if (headers.find("Authorization:") == std::string::npos)
        headers += "Authorization: Bearer " + token_ + "\r\n";
    // A body is JSON unless the test says otherwise.
    if (!body.empty() && headers.find("Content-Type:") == std::string::npos)
        headers += "Content-Type: application/json\r\n";
    Client client(port_);
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: app\r\n" + headers;
    if (!body.empty() || method == "POST" || method == "PUT")
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    client.send(request);
    const auto parsed = parse_responses(client.read_responses(1, 10000), false, true);
    Reply reply;
    if (parsed.empty()) return reply;
    reply.status = parsed[0].head.status;
    reply.headers = parsed[0].head.headers;
    reply.body = parsed[0].body;
    return reply;
}

Reply App::call_with_token(const std::string& token, const std::string& method,
                           const std::string& path, const std::string& body) const {
    return call(method, path, body,
                token.empty() ? "Authorization:\r\n" : "Authorization: Bearer " + token + "\r\n");
}

}  // namespace test
