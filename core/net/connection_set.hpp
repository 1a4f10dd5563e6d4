// The connections a listener owns on its loop: closed ones are destroyed on
// the next loop turn, never inside their own callbacks.
#pragma once

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/uv/timer.hpp"

namespace core::net {

template <typename Connection>
class ConnectionSet {
  public:
    explicit ConnectionSet(uv_loop_t* loop) : reaper_(loop) {}
    ConnectionSet(const ConnectionSet&) = delete;
    ConnectionSet& operator=(const ConnectionSet&) = delete;

    Connection& add(std::unique_ptr<Connection> connection) {
        Connection* raw = connection.get();
        live_.emplace(raw, std::move(connection));
        return *raw;
    }

    // A connection that has closed: destroyed on the next loop turn.
    void release(Connection* connection) {
        const auto it = live_.find(connection);
        if (it == live_.end()) return;
        dead_.push_back(std::move(it->second));
        live_.erase(it);
        if (reaper_.is_open() && !reaper_.active()) {
            reaper_.start(0, [this] {
                dead_.clear();
                if (live_.empty() && on_empty_) {
                    // One-shot, and moved out first: it may destroy this set.
                    auto done = std::move(on_empty_);
                    on_empty_ = nullptr;
                    done();
                }
            });
        }
    }

    // Calls `fn` on each live connection; `fn` may release them.
    void for_each(const std::function<void(Connection&)>& fn) {
        std::vector<Connection*> all;
        all.reserve(live_.size());
        for (auto& [raw, owned] : live_)
            all.push_back(raw);
        for (auto* raw : all) {
            if (live_.count(raw)) fn(*raw);
        }
    }

    size_t size() const { return live_.size(); }
    bool empty() const { return live_.empty() && dead_.empty(); }

    // Runs once, when every connection is gone (now, if none is left).
    void when_empty(std::function<void()> callback) {
        on_empty_ = std::move(callback);
        if (empty()) {
            auto done = std::move(on_empty_);
            done();
        }
    }

  private:
    std::unordered_map<Connection*, std::unique_ptr<Connection>> live_;
    std::vector<std::unique_ptr<Connection>> dead_;
    uv::Timer reaper_;
    std::function<void()> on_empty_;
};

}  // namespace core::net
