// core::uv::Deadline moves without touching the timer heap; it must still
// fire once, never before its latest time, and never once cleared.
#include <doctest/doctest.h>

#include "core/uv/deadline.hpp"
#include "core/uv/loop.hpp"
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
