#include <doctest/doctest.h>

#include <thread>

#include "appsrv/tokens.hpp"

TEST_CASE("sha256_hex gives the FIPS 180-2 digests, call after call and on any thread") {
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    // The context is kept between calls: a second digest must not carry
    // anything of the first.
    CHECK(appsrv::sha256_hex("abc") == abc);
    CHECK(appsrv::sha256_hex("") == empty);
    CHECK(appsrv::sha256_hex("abc") == abc);
    std::string on_other_thread;
    std::thread([&] { on_other_thread = appsrv::sha256_hex("abc"); }).join();
    CHECK(on_other_thread == abc);
}
