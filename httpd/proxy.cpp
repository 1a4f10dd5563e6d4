// The reverse proxy of one thread.
#include "httpd/proxy.hpp"

#include "core/log.hpp"
#include "httpd/forward_headers.hpp"
#include "httpd/responses.hpp"

namespace httpd {

namespace {

// A body up to this size is kept while it is sent, so that the request
// can go to another member if the first fails before answering.
constexpr size_t kReplayLimit = 64 * 1024;
// Response bytes queued to a slow client before the upstream is paused.
constexpr size_t kPauseAbove = 256 * 1024;
constexpr size_t kResumeBelow = 64 * 1024;

// RFC 9110 §9.2.2: sending one again does what sending it once did (as
// nginx, which resends all but POST, LOCK and PATCH).
bool idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
           method == "PUT" || method == "DELETE";
}

}  // namespace

struct ProxiedRequest : std::enable_shared_from_this<ProxiedRequest> {
    Proxy& proxy;
    std::shared_ptr<core::http::Exchange> exchange;
    std::shared_ptr<const Upstream> upstream;
    std::shared_ptr<Balancer> balancer;
    std::shared_ptr<RequestInfo> info;
    UpstreamRequest upstream_head;

    std::optional<size_t> member;
    core::http::ClientConnection* connection = nullptr;
    bool reused = false;
    int attempts = 0;
    bool resent_fresh = false;  // once, after a kept-alive connection the member had closed
    bool done = false;

    // The request body as sent so far, while it fits the replay limit.
    std::string replay;
    bool replayable = true;
    bool body_reading = false;
    bool body_complete = false;

    bool upstream_paused = false;

    ProxiedRequest(Proxy& p, std::shared_ptr<core::http::Exchange> e,
                   std::shared_ptr<const Upstream> u, std::shared_ptr<Balancer> b,
                   std::shared_ptr<RequestInfo> i)
        : proxy(p),
          exchange(std::move(e)),
          upstream(std::move(u)),
          balancer(std::move(b)),
          info(std::move(i)) {}

    void start() {
        upstream_head = upstream_request(exchange->request(), client_ip(exchange->peer()),
                                         info->request_id, upstream->name, exchange->secure());
        body_complete = !exchange->request().has_body();
        // Until release_callbacks() clears it, callbacks held elsewhere (the
        // upstream connection's, the body reader's) keep this request alive.
        exchange->on_abort([this] { client_gone(); });
        attempt(std::nullopt);
    }

    // `failure` is what the previous attempt met: the answer when no
    // other member is left to try. `again`: the same member once more, on
    // a new connection (not another attempt: the member did not fail).
    void attempt(std::optional<size_t> exclude, int failure_status = 0,
                 const std::string& failure = {}, std::optional<size_t> again = std::nullopt) {
        if (again) {
            member = again;
        } else {
            ++attempts;
            member = balancer->pick(monotonic_ms(), exclude);
            if (!member) {
                if (failure_status != 0) {
                    finish_with(failure_status, failure);
                } else {
                    finish_with(502, "no member of upstream '" + upstream->name + "' is available");
                }
                return;
            }
            if (exclude) proxy.counters_.count_upstream_retry(upstream->name);
        }
        const Member& chosen = upstream->members[*member];
        info->upstream = chosen.label;
        balancer->started(*member);
        auto* sending = &proxy.pool_.acquire(chosen, upstream->timeouts, reused, again.has_value());
        connection = sending;
        auto self = shared_from_this();
        // Every call below may fail at once and move this request on (to a
        // retry, or to its end): `connection` then no longer is `sending`.
        // The connection holds its callbacks as one set until it calls
        // on_complete (from that set, moved aside) or on_error (moved
        // aside alone): on_error's `self` keeps this request alive through
        // either, and the others need only `this` (which std::function
        // holds without allocating).
        sending->send_request(
            upstream_head.head, upstream_head.framing,
            core::http::ClientConnection::Callbacks{
                .on_response = [this](core::http::ResponseHead& h) { on_response(h); },
                .on_body = [this](std::string_view data) { on_body(data); },
                .on_complete = [this] { on_complete(); },
                .on_error = [self](int status,
                                   std::string_view reason) { self->on_error(status, reason); },
            });
        if (connection != sending || !exchange->request().has_body()) return;
        if (!replay.empty()) {
            sending->write_body(replay);
            if (connection != sending) return;
        }
        if (body_complete) {
            sending->end_body();
        } else if (!body_reading) {
            body_reading = true;
            exchange->read_body([self](std::string_view chunk) { self->on_client_body(chunk); },
                                [self] { self->on_client_body_end(); });
        } else {
            exchange->resume_body();
        }
    }

    void on_client_body(std::string_view chunk) {
        if (done || !connection) return;
        if (replayable) {
            if (replay.size() + chunk.size() <= kReplayLimit) {
                replay.append(chunk);
            } else {
                replayable = false;
                replay.clear();
            }
        }
        // One chunk in flight to the member at a time: the client is held
        // back by TCP while the member is slow to take the body.
        exchange->pause_body();
        connection->write_body(std::string(chunk), [self = shared_from_this()] {
            if (!self->done) self->exchange->resume_body();
        });
    }

    void on_client_body_end() {
        body_complete = true;
        if (!done && connection) connection->end_body();
    }

    void on_response(core::http::ResponseHead& upstream_head) {
        if (done) return;
        core::http::ResponseHead head_out = client_response(std::move(upstream_head));
        exchange->start(std::move(head_out));
    }

    void on_body(std::string_view data) {
        if (done) return;
        const auto keep = shared_from_this();  // a failed write may end the exchange
        // Only a write that may take the client's queue past the limit
        // reports its flush; the last one queued before the pause resumes
        // the upstream, as the queue then is empty.
        std::function<void()> on_flushed;
        if (exchange->queued_bytes() + data.size() > kPauseAbove) {
            on_flushed = [self = shared_from_this()] {
                if (self->upstream_paused && self->connection &&
                    self->exchange->queued_bytes() < kResumeBelow) {
                    self->upstream_paused = false;
                    self->connection->resume_reading();
                }
            };
        }
        exchange->write_view(data, std::move(on_flushed));
        if (!upstream_paused && exchange->queued_bytes() > kPauseAbove) {
            upstream_paused = true;
            connection->pause_reading();
        }
    }

    void on_complete() {
        if (done) return;
        done = true;
        balancer->finished(*member);
        auto* finished = connection;
        connection = nullptr;
        proxy.pool_.release(*finished, upstream->members[*member].label, upstream->keepalive);
        exchange->end();
        release_callbacks();
    }

    void on_error(int status, std::string_view reason) {
        if (done) return;
        auto* failed = connection;
        connection = nullptr;
        const bool response_started = failed->response_started();
        const bool reached_member = failed->connected();
        proxy.pool_.discard(*failed);
        balancer->finished(*member);
        const Member& chosen = upstream->members[*member];
        // A keep-alive connection the member closed just as it was reused
        // says nothing about the member's health.
        const bool stale_keepalive =
            reused && !response_started && (status == UV_EOF || status == UV_ECONNRESET);
        if (!stale_keepalive) {
            upstream->report_failure(*member, monotonic_ms());
            proxy.counters_.count_upstream_failure(upstream->name);
        }
        core::log::warn("httpd") << "upstream " << upstream->name << " member " << chosen.label
                                 << ": " << reason << " (" << uv_err_name(status) << ") for "
                                 << exchange->request().method << " " << exchange->request().target;
        // The member closed the kept-alive connection before a byte of
        // answer: sent again, once, on a new connection to the same member,
        // as browsers do (RFC 9112 §9.3.1).
        const bool body_available_again = !exchange->request().has_body() || replayable;
        if (stale_keepalive && !resent_fresh && body_available_again && !exchange->started() &&
            !exchange->aborted()) {
            resent_fresh = true;
            attempt(std::nullopt, 0, {}, member);
            return;
        }
        if (exchange->started()) {
            // Part of the response went out: only closing tells the client.
            done = true;
            exchange->abort();
            release_callbacks();
            return;
        }
        const bool safe_to_resend = !reached_member || idempotent(exchange->request().method);
        const bool body_available = !exchange->request().has_body() || replayable;
        const bool timed_out = status == UV_ETIMEDOUT;
        const int answer = timed_out ? 504 : 502;
        const std::string why =
            timed_out ? "upstream " + upstream->name + " timed out"
                      : "upstream " + upstream->name + " failed: " + std::string(reason);
        if (attempts < 2 && !response_started && safe_to_resend && body_available &&
            !exchange->aborted()) {
            attempt(member, answer, why);
            return;
        }
        finish_with(answer, why);
    }

    void client_gone() {
        if (done) return;
        const auto keep = shared_from_this();
        done = true;
        if (connection) {
            balancer->finished(*member);
            proxy.pool_.discard(*connection);
            connection = nullptr;
        }
        release_callbacks();
    }

    void finish_with(int status, const std::string& reason) {
        done = true;
        if (!exchange->aborted() && !exchange->started()) {
            // Whatever of the body is still coming is not read: the
            // connection closes after this answer (Exchange sees to it).
            respond_error(exchange, status, reason, info->json_errors);
        }
        release_callbacks();
    }

    // The exchange holds callbacks that hold this request: break the cycle.
    void release_callbacks() {
        exchange->on_abort(nullptr);
        if (body_reading && !body_complete) exchange->resume_body();
    }
};

Proxy::Proxy(uv_loop_t* loop, Counters& counters) : pool_(loop), counters_(counters) {}

std::shared_ptr<Balancer> Proxy::balancer_for(const std::shared_ptr<const Upstream>& upstream) {
    auto it = balancers_.find(upstream.get());
    if (it == balancers_.end()) {
        it = balancers_
                 .emplace(upstream.get(),
                          BalancerEntry{upstream, std::make_shared<Balancer>(*upstream)})
                 .first;
    }
    return it->second.balancer;
}

void Proxy::forget_balancers() {
    balancers_.clear();
}

void Proxy::forward(const std::shared_ptr<core::http::Exchange>& exchange,
                    const std::shared_ptr<const Upstream>& upstream,
                    const std::shared_ptr<RequestInfo>& info) {
    auto request =
        std::make_shared<ProxiedRequest>(*this, exchange, upstream, balancer_for(upstream), info);
    request->start();
}

}  // namespace httpd
