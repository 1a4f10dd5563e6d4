// One thread's front door: picks the virtual server by Host and the route
// by path, hands the request to static files, the proxy, a redirect, a
// fixed body or the metrics, and logs and counts it when it is over.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/http/exchange.hpp"
#include "httpd/access_log.hpp"
#include "httpd/counters.hpp"
#include "httpd/proxy.hpp"
#include "httpd/site.hpp"
#include "httpd/static_files.hpp"

namespace httpd {

class Dispatcher {
  public:
    // Sums the counters of every thread and calls back on this thread.
    using CollectCounters = std::function<void(std::function<void(Counters)>)>;

    Dispatcher(uv_loop_t* loop, std::shared_ptr<const Site> site, FileCacheSettings cache,
               std::shared_ptr<const AccessLogFile> access_log, CollectCounters collect,
               const core::metrics::ReloadStatus& reloads);
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // The handler for connections accepted on listen address `listener`.
    core::http::Handler& handler_for(size_t listener) { return *handlers_[listener]; }

    // A reload: requests from now on see the new site; those in flight
    // finish with the old one.
    void set_site(std::shared_ptr<const Site> site, FileCacheSettings cache);
    void drain();
    const Counters& counters() const { return counters_; }

  private:
    // A refusal of the HTTP layer's, in the form of the route the request
    // was for (text when its head was refused: no route is known then).
    core::http::ErrorBody error_body(int status, std::string_view reason,
                                     const core::http::RequestHead* request, size_t listener) const;

    class ListenerHandler : public core::http::Handler {
      public:
        ListenerHandler(Dispatcher& dispatcher, size_t listener)
            : dispatcher_(dispatcher), listener_(listener) {}
        void handle(const std::shared_ptr<core::http::Exchange>& exchange) override {
            dispatcher_.handle(exchange, listener_);
        }
        core::http::ErrorBody error_body(int status, std::string_view reason,
                                         const core::http::RequestHead* request) override {
            return dispatcher_.error_body(status, reason, request, listener_);
        }

      private:
        Dispatcher& dispatcher_;
        size_t listener_;
    };

    void handle(const std::shared_ptr<core::http::Exchange>& exchange, size_t listener);
    void finished(const core::http::Exchange& exchange, const RequestInfo& info);
    void respond_metrics(const std::shared_ptr<core::http::Exchange>& exchange);

    std::shared_ptr<const Site> site_;
    const core::metrics::ReloadStatus& reloads_;
    std::vector<std::unique_ptr<ListenerHandler>> handlers_;
    Counters counters_;
    StaticFiles files_;
    Proxy proxy_;
    std::unique_ptr<AccessLog> access_log_;
    CollectCounters collect_;
};

}  // namespace httpd
