// core::uv::Deadline moves without touching the timer heap; it must still
// fire once, never before its latest time, and never once cleared. And
// Stream's borrowed bytes without a keeper must be copied when queued.
#include <doctest/doctest.h>

#include "core/net/socket.hpp"
#include "core/uv/deadline.hpp"
#include "core/uv/loop.hpp"
#include "core/uv/stream.hpp"
#include "core/uv/timer.hpp"

using namespace core;

TEST_CASE("a deadline moved later fires once, at the later time") {
    uv::Loop loop;
    uv::Deadline deadline(loop.get());
    const uint64_t start = uv_now(loop.get());
    std::vector<uint64_t> fired_at;
    deadline.set(30, [&] { fired_at.push_back(uv_now(loop.get()) - start); });
    uv::Timer mover(loop.get());
    uint64_t moved_at = 0;
    mover.start(10, [&] {
        moved_at = uv_now(loop.get()) - start;
        deadline.set(60, [&] { fired_at.push_back(uv_now(loop.get()) - start); });
    });
    loop.run();
    REQUIRE(fired_at.size() == 1);
    CHECK(fired_at[0] >= moved_at + 60);
    deadline.close();
    mover.close();
    loop.run();
    CHECK(loop.close() == 0);
}

TEST_CASE("a cleared deadline never fires; one set again after firing fires again") {
    uv::Loop loop;
    uv::Deadline deadline(loop.get());
    int cleared_fired = 0;
    deadline.set(5, [&] { ++cleared_fired; });
    deadline.clear();
    loop.run();  // the timer wakes once, finds nothing due, and stops
    CHECK(cleared_fired == 0);

    int fired = 0;
    deadline.set(1, [&] {
        ++fired;
        if (fired == 1) deadline.set(1, [&] { ++fired; });
    });
    loop.run();
    CHECK(fired == 2);
    // Moved earlier: the timer is re-armed for the earlier time.
    const uint64_t start = uv_now(loop.get());
    uint64_t fired_after = 0;
    deadline.set(10'000, [&] { fired_after = 10'000; });
    deadline.set(5, [&] { fired_after = uv_now(loop.get()) - start; });
    loop.run();
    CHECK(fired_after >= 5);
    CHECK(fired_after < 10'000);
    deadline.close();
    loop.run();
    CHECK(loop.close() == 0);
}

TEST_CASE("borrowed bytes without a keeper are copied when the write is queued") {
    uv::Loop loop;
    std::string error;
    auto address = net::parse_address("127.0.0.1:0", error);
    auto socket = net::bind_reuseport(*address, net::Transport::tcp);
    const int port = socket.local_port();
    uv::Stream listener = uv::Stream::tcp(loop.get());
    listener.open(socket.release());
    uv::Stream accepted;
    std::string received;
    const size_t size = 8 << 20;  // more than the socket buffers take at once
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
