// Listen addresses as written in the configuration and on the command line.
#include <doctest/doctest.h>

#include "core/net/address.hpp"

using core::net::parse_address;

TEST_CASE("IPv4, bracketed IPv6 and unix socket addresses parse") {
    std::string error;
    auto v4 = parse_address("127.0.0.1:5300", error);
    REQUIRE(v4);
    CHECK(v4->family() == AF_INET);
    CHECK(v4->port() == 5300);
    CHECK(v4->to_string() == "127.0.0.1:5300");

    auto v6 = parse_address("[::1]:8080", error);
    REQUIRE(v6);
    CHECK(v6->family() == AF_INET6);
    CHECK(v6->to_string() == "[::1]:8080");

    auto unix_socket = parse_address("unix:/run/webstack/appsrv.sock", error);
    REQUIRE(unix_socket);
    CHECK(unix_socket->kind == core::net::Address::Kind::unix_socket);
    CHECK(unix_socket->path == "/run/webstack/appsrv.sock");
}

TEST_CASE("bad addresses say what is wrong") {
    std::string error;
    CHECK_FALSE(parse_address("127.0.0.1", error));
    CHECK(error.find("IP:PORT") != std::string::npos);
    CHECK_FALSE(parse_address("127.0.0.1:99999", error));
    CHECK(error.find("port") != std::string::npos);
    CHECK_FALSE(parse_address("::1:53", error));
    CHECK(error.find("brackets") != std::string::npos);
    CHECK_FALSE(parse_address("www.foobar.com:80", error));
    CHECK(error.find("not an IP") != std::string::npos);
    CHECK_FALSE(parse_address("unix:", error));
    CHECK_FALSE(parse_address("unix:/" + std::string(200, 'x'), error));
    CHECK(error.find("longer") != std::string::npos);
}
