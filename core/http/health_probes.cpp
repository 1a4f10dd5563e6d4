// Active HTTP health checks.
#include "core/http/health_probes.hpp"

#include <memory>

namespace core::http {

void HealthProbes::probe(const Check& check, std::function<void(bool)> done) {
    const ClientTimeouts timeouts{.connect_ms = check.timeout_ms, .read_ms = check.timeout_ms};
    auto& connection =
        checks_.add(std::make_unique<ClientConnection>(loop_, check.address, limits_, timeouts));
    RequestHead head;
    head.method = "GET";
    head.target = check.path;
    head.keep_alive = false;
    head.headers.add("Host", check.host);
    head.headers.add("Connection", "close");
    head.headers.add("User-Agent", check.user_agent);
    auto status = std::make_shared<int>(0);
    auto* raw = &connection;
    const auto conclude = [this, raw, done = std::move(done)](bool passed) {
        raw->close();
        checks_.release(raw);
        done(passed);
    };
    connection.send_request(
        std::move(head),
        ClientConnection::Callbacks{
            .on_response = [status](ResponseHead& h) { *status = h.status; },
            .on_body = {},
            .on_complete = [conclude, status] { conclude(*status >= 200 && *status < 400); },
            .on_error = [conclude](int, std::string_view) { conclude(false); },
        });
}

void HealthProbes::close_all() {
    checks_.for_each([this](ClientConnection& connection) {
        connection.close();
        checks_.release(&connection);
    });
}

}  // namespace core::http
