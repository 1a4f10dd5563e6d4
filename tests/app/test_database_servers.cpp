// A database URL that names several servers (the nodes of a Galera
// cluster): the driver connects to the first that answers, and a
// connection lost to one moves to the next. Two private MariaDBs stand in
// for the nodes; each says which it is. Suite mysql only (meson.build
// leaves it out of suite app).
#include <doctest/doctest.h>

#include "db/database.hpp"
#include "tests/support/client.hpp"
#include "tests/support/mariadb.hpp"

namespace {

std::string which(db::Connection& connection) {
    const db::Rows rows = connection.query("SELECT name FROM whoami");
    return rows.empty() ? "" : rows[0].text(0);
}

}  // namespace

TEST_CASE("a connection to a replicated database's servers moves on from a lost one") {
    test::MariaDb a, b;
    for (const auto& [server, name] : {std::pair{&a, "a"}, std::pair{&b, "b"}}) {
        const std::string url = server->create_database();
        const std::string database = url.substr(url.rfind('/') + 1);
        server->sql("CREATE TABLE " + database + ".whoami (name VARCHAR(8)); INSERT INTO " +
                    database + ".whoami VALUES ('" + name + "')");
    }
    const std::string nothing = "127.0.0.1:" + std::to_string(test::free_port());
    const std::string url = "mysql://webstack:secret@" + nothing +
                            ",127.0.0.1:" + std::to_string(a.port()) +
                            ",127.0.0.1:" + std::to_string(b.port()) + "/webstack_1";

    // A server that does not answer is passed over.
    auto connection = db::connect(url);
    CHECK(which(*connection) == "a");

    // The statement in flight when its server goes reports a lost
    // connection, safe to retry; the retry runs on the next server.
    a.stop();
    try {
        which(*connection);
        FAIL("a statement ran on a stopped server");
    } catch (const db::Error& e) {
        CHECK(e.retry_safe());
        CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(a.port())) !=
              std::string::npos);
    }
    CHECK(which(*connection) == "b");

    // It stays there while that server lives, and comes round to the
    // first again (past the one that never answers) when it goes.
    a.start();
    CHECK(which(*connection) == "b");
    b.stop();
    CHECK_THROWS_AS(which(*connection), db::Error);
    CHECK(which(*connection) == "a");

    // None left: the error names each server and why.
    a.stop();
    CHECK_THROWS_AS(which(*connection), db::Error);
    try {
        which(*connection);
        FAIL("a statement ran with every server stopped");
    } catch (const db::Error& e) {
        CHECK(e.kind() == db::Error::Kind::unavailable);
        const std::string what = e.what();
        CHECK(what.find(nothing) != std::string::npos);
        CHECK(what.find("127.0.0.1:" + std::to_string(a.port())) != std::string::npos);
        CHECK(what.find("127.0.0.1:" + std::to_string(b.port())) != std::string::npos);
    }
}
