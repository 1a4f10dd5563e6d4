// libuv ownership: every handle closes, its memory is freed in the close
// callback, callbacks never reach a closed owner, and loops close clean.
#include <atomic>
#include <thread>

#include <doctest/doctest.h>

#include "core/loop_threads.hpp"
#include "core/net/socket.hpp"
#include "core/uv/async.hpp"
#include "core/uv/loop.hpp"
#include "core/uv/signal.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/timer.hpp"
#include "core/uv/udp.hpp"
#include "core/uv/work.hpp"

using namespace core;

namespace {

// A TCP listener on a free loopback port.
uv::Stream loopback_listener(uv::Loop& loop, int& port) {
    std::string error;
    auto address = net::parse_address("127.0.0.1:0", error);
    auto socket = net::bind_reuseport(*address, net::Transport::tcp);
    port = socket.local_port();
    uv::Stream listener = uv::Stream::tcp(loop.get());
    listener.open(socket.release());
    return listener;
}

}  // namespace

TEST_CASE("handles destroyed before, during and after a run leave uv_loop_close() == 0") {
    uv::Loop loop;
    int fired = 0;
    {
        uv::Timer never(loop.get());
        never.start(1000, [&] { ++fired; });
    }  // destroyed while active: closed, never fires
    uv::Timer once(loop.get());
    once.start(1, [&] { ++fired; });
    uv::Timer self_closing(loop.get());
    self_closing.start(
        1,
        [&] {
            ++fired;
            self_closing.close();  // closing from its own callback is safe
        },
        1);
    uv::Async async(loop.get());
    uv::Udp udp(loop.get());
    uv::Stream tcp = uv::Stream::tcp(loop.get());
    uv::Stream pipe = uv::Stream::pipe(loop.get());
    uv::Signal signal(loop.get(), SIGUSR2, [](int) {});
    async.unref();
    udp.unref();
    tcp.unref();
    pipe.unref();
    signal.unref();
    loop.run();
    CHECK(fired == 2);
    async.close();
    udp.close();
    tcp.close();
    pipe.close();
    signal.close();
    once.close();
    CHECK(loop.close() == 0);
}

TEST_CASE("a loop with a handle still open does not close") {
    uv::Loop loop;
    uv::Timer timer(loop.get());
    CHECK(loop.close() == UV_EBUSY);
    timer.close();
    CHECK(loop.close() == 0);
}

TEST_CASE("moving a handle keeps one owner") {
    uv::Loop loop;
    int fired = 0;
    uv::Timer a(loop.get());
    a.start(1, [&] { ++fired; });
    uv::Timer b = std::move(a);
    CHECK_FALSE(a.is_open());
    CHECK(b.is_open());
    loop.run();
    CHECK(fired == 1);
    b.close();
    CHECK(loop.close() == 0);
}

TEST_CASE("functions posted from other threads run on the loop thread") {
    uv::Loop loop;
    uv::Async async(loop.get());
    std::atomic<int> ran{0};
    const auto loop_thread = std::this_thread::get_id();
    std::thread poster([&] {
        for (int i = 0; i < 100; ++i) {
            async.post([&] {
                CHECK(std::this_thread::get_id() == loop_thread);
                if (++ran == 100) async.close();
            });
        }
    });
    poster.join();
    loop.run();
    CHECK(ran == 100);
    CHECK(loop.close() == 0);
}

TEST_CASE("work runs on the pool and its continuation on the loop") {
    uv::Loop loop;
    const auto loop_thread = std::this_thread::get_id();
    std::atomic<bool> worked_elsewhere{false};
    bool continued = false;
    uv::queue_work(
        loop.get(), [&] { worked_elsewhere = std::this_thread::get_id() != loop_thread; },
        [&](int status) {
            CHECK(status == 0);
            continued = std::this_thread::get_id() == loop_thread;
        });
    loop.run();
    CHECK(worked_elsewhere);
    CHECK(continued);
    CHECK(loop.close() == 0);
}

TEST_CASE("a write's callback never runs once its stream was closed") {
    uv::Loop loop;
    int port = 0;
    uv::Stream listener = loopback_listener(loop, port);
    uv::Stream accepted;
    listener.listen(8, [&](int) {
        accepted = uv::Stream::tcp(loop.get());
        listener.accept(accepted);
    });
    uv::Stream client = uv::Stream::tcp(loop.get());
    bool write_callback_ran = false;
    std::string error;
    auto target = net::parse_address("127.0.0.1:" + std::to_string(port), error);
    client.connect(target->sockaddr_ptr(), [&](int status) {
        REQUIRE(status == 0);
        // A write large enough not to complete at once, then close at once.
        client.write(std::string(8 << 20, 'x'), [&](int) { write_callback_ran = true; });
        client.close();
        listener.close();
        accepted.close();
    });
    loop.run();
    CHECK_FALSE(write_callback_ran);
    CHECK(loop.close() == 0);
}

TEST_CASE("borrowed bytes without a keeper are copied when the write is queued") {
    uv::Loop loop;
    int port = 0;
    uv::Stream listener = loopback_listener(loop, port);
    uv::Stream accepted;
    std::string received;
    const size_t size = 8 << 20;    // more than the socket buffers take at once
    const size_t total = 5 + size;  // and "head:"
    listener.listen(8, [&](int) {
        accepted = uv::Stream::tcp(loop.get());
        listener.accept(accepted);
        accepted.read_start(
            [&](std::string_view data) {
                received.append(data);
                if (received.size() >= total) {
                    accepted.close();
                    listener.close();
                }
            },
            [&](int) {});
    });
    uv::Stream client = uv::Stream::tcp(loop.get());
    std::string error;
    auto target = net::parse_address("127.0.0.1:" + std::to_string(port), error);
    int write_status = 1;
    client.connect(target->sockaddr_ptr(), [&](int status) {
        REQUIRE(status == 0);
        std::string source(size, 'a');
        REQUIRE(client.write({std::string("head:")}, source, nullptr, [&](int st) {
            write_status = st;
            client.close();
        }) == 0);
        // The source goes away as soon as write() returns.
        std::fill(source.begin(), source.end(), 'z');
    });
    loop.run();
    CHECK(write_status == 0);
    REQUIRE(received.size() == total);
    CHECK(received.substr(0, 5) == "head:");
    CHECK(received.find('z') == std::string::npos);
    CHECK(loop.close() == 0);
}

TEST_CASE("loop threads: setup on each thread, graceful stop, every loop closed clean") {
    LoopThreads threads(3);
    std::atomic<int> setups{0};
    std::atomic<int> drains{0};
    std::vector<std::unique_ptr<uv::Timer>> timers(3);
    threads.start([&](Worker& worker) {
        ++setups;
        timers[worker.index()] = std::make_unique<uv::Timer>(worker.loop());
        timers[worker.index()]->start(
            10, [] {}, 10);  // work that never ends by itself
    });
    CHECK(setups == 3);
    std::atomic<bool> all_stopped{false};
    threads.stop(
        [&](Worker& worker) {
            ++drains;
            timers[worker.index()]->close();
        },
        [](Worker&) {}, 1000, [&] { all_stopped = true; });
    threads.join();
    CHECK(drains == 3);
    CHECK(all_stopped);
    for (size_t i = 0; i < threads.size(); ++i)
        CHECK(threads.worker(i).loop_close_status() == 0);
}

TEST_CASE("loop threads: the deadline forces what the drain could not finish") {
    LoopThreads threads(2);
    std::vector<std::unique_ptr<uv::Timer>> timers(2);
    threads.start([&](Worker& worker) {
        timers[worker.index()] = std::make_unique<uv::Timer>(worker.loop());
        timers[worker.index()]->start(
            10, [] {}, 10);
    });
    std::atomic<int> forced{0};
    threads.stop([](Worker&) {},  // the drain leaves the timers running
                 [&](Worker& worker) {
                     ++forced;
                     timers[worker.index()]->close();
                 },
                 50);
    threads.join();
    CHECK(forced == 2);
    for (size_t i = 0; i < threads.size(); ++i)
        CHECK(threads.worker(i).loop_close_status() == 0);
}

TEST_CASE("loop threads: a setup that throws stops the others and reaches the caller") {
    LoopThreads threads(2);
    CHECK_THROWS_WITH(threads.start([](Worker& worker) {
        if (worker.index() == 1) throw std::runtime_error("cannot bind 127.0.0.1:53");
    }),
                      "cannot bind 127.0.0.1:53");
}

TEST_CASE(
    "SO_REUSEPORT lets several sockets bind one address; a busy address is an error naming it") {
    std::string error;
    auto address = net::parse_address("127.0.0.1:0", error);
    auto first = net::bind_reuseport(*address, net::Transport::udp);
    auto same = net::parse_address("127.0.0.1:" + std::to_string(first.local_port()), error);
    CHECK_NOTHROW(net::bind_reuseport(*same, net::Transport::udp));
    CHECK_THROWS_WITH(
        net::bind_reuseport(*net::parse_address("192.0.2.1:1", error), net::Transport::tcp),
        doctest::Contains("192.0.2.1:1"));
}
