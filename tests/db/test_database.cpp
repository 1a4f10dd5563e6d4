// db/ on SQLite: statements with bound parameters, the transaction guard,
// errors, migrations, and the URLs that choose a driver.
#include <chrono>
#include <thread>

#include <doctest/doctest.h>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/mysql_connection.hpp"
#include "tests/support/process.hpp"

namespace {

std::unique_ptr<db::Connection> open_in(const test::TempDir& dir) {
    return db::connect("sqlite:" + (dir.path() / "sub" / "test.db").string());
}

}  // namespace

TEST_CASE("bound parameters carry any text, and rows come back typed") {
    test::TempDir dir;
    auto connection = open_in(dir);
    connection->execute_script(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)");
    const std::string hostile = "x'); DROP TABLE t; --";
    const auto changes =
        connection->execute("INSERT INTO t (name, n) VALUES (?, ?)", {hostile, int64_t{42}});
    CHECK(changes.affected == 1);
    CHECK(changes.last_insert_id == 1);
    connection->execute("INSERT INTO t (name, n) VALUES (?, ?)", {std::string("null n"), nullptr});
    const auto rows = connection->query("SELECT name, n FROM t ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].text(0) == hostile);
    CHECK(rows[0].integer(1) == 42);
    CHECK(rows[1].is_null(1));
    // The same statement again, reused with other values.
    CHECK(connection->query("SELECT n FROM t WHERE name = ?", {hostile}).size() == 1);
    CHECK(connection->query("SELECT n FROM t WHERE name = ?", {std::string("none")}).empty());
}

TEST_CASE("a transaction rolls back unless committed; errors say what happened") {
    test::TempDir dir;
    auto connection = open_in(dir);
    connection->execute_script("CREATE TABLE t (name TEXT UNIQUE)");
    {
        db::Transaction transaction(*connection);
        connection->execute("INSERT INTO t (name) VALUES (?)", {std::string("lost")});
    }
    CHECK(connection->query("SELECT name FROM t").empty());
    {
        db::Transaction transaction(*connection);
        connection->execute("INSERT INTO t (name) VALUES (?)", {std::string("kept")});
        transaction.commit();
    }
    CHECK(connection->query("SELECT name FROM t").size() == 1);
    try {
        connection->execute("INSERT INTO t (name) VALUES (?)", {std::string("kept")});
        FAIL("a duplicate was accepted");
    } catch (const db::Error& e) {
        CHECK(e.kind() == db::Error::Kind::constraint);
        CHECK_FALSE(e.retry_safe());
    }
    CHECK_THROWS_AS(connection->query("SELECT nothing FROM nowhere"), db::Error);
    // A second writer waits for the first (busy timeout), it does not fail:
    // its transaction begins while the first still holds the write lock.
    auto other = open_in(dir);
    db::Transaction first(*connection);
    connection->execute("INSERT INTO t (name) VALUES (?)", {std::string("first")});
    std::thread second_writer([&] {
        db::Transaction second(*other);
        other->execute("INSERT INTO t (name) VALUES (?)", {std::string("second")});
        second.commit();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    first.commit();
    second_writer.join();
    CHECK(connection->query("SELECT name FROM t").size() == 3);
}

TEST_CASE("a write transaction on one SQLite file does not hold up another file's") {
    // Writers of one file in a process take turns; another file is not
    // theirs to wait for, even on the same thread.
    test::TempDir first_dir, second_dir;
    auto first = open_in(first_dir);
    auto second = open_in(second_dir);
    first->execute_script("CREATE TABLE t (name TEXT)");
    second->execute_script("CREATE TABLE t (name TEXT)");
    db::Transaction holding(*first);
    first->execute("INSERT INTO t (name) VALUES (?)", {std::string("held")});
    {
        db::Transaction other(*second);
        second->execute("INSERT INTO t (name) VALUES (?)", {std::string("free")});
        other.commit();
    }
    holding.commit();
    CHECK(first->query("SELECT name FROM t").size() == 1);
    CHECK(second->query("SELECT name FROM t").size() == 1);
    // A failed BEGIN gives the turn back: the next writer is not held up.
    {
        db::ReadGroup group(*first);
        first->query("SELECT name FROM t");
        CHECK_THROWS_AS(db::Transaction{*first}, db::Error);
    }
    db::Transaction after(*first);
    first->execute("INSERT INTO t (name) VALUES (?)", {std::string("after")});
    after.commit();
    CHECK(first->query("SELECT name FROM t").size() == 2);
}

TEST_CASE("a read group sees one snapshot and holds nothing after it ends") {
    test::TempDir dir;
    auto reader = open_in(dir);
    auto writer = open_in(dir);
    reader->execute_script("CREATE TABLE t (name TEXT)");
    writer->execute("INSERT INTO t (name) VALUES (?)", {std::string("before")});
    {
        db::ReadGroup group(*reader);
        CHECK(reader->query("SELECT name FROM t").size() == 1);
        // WAL: the writer goes on beside the group, which keeps its snapshot.
        writer->execute("INSERT INTO t (name) VALUES (?)", {std::string("during")});
        CHECK(reader->query("SELECT name FROM t").size() == 1);
        // No write transaction can start inside a group.
        CHECK_THROWS_AS(db::Transaction{*reader}, db::Error);
    }
    CHECK(reader->query("SELECT name FROM t").size() == 2);
    // The group ended: the reader can write again, and a group with no
    // read in it ends cleanly too.
    { db::ReadGroup empty(*reader); }
    db::Transaction transaction(*reader);
    reader->execute("INSERT INTO t (name) VALUES (?)", {std::string("after")});
    transaction.commit();
    CHECK(writer->query("SELECT name FROM t").size() == 3);
}

TEST_CASE("migrations apply once, in order, and a failed one leaves nothing behind") {
    test::TempDir dir;
    auto connection = open_in(dir);
    const auto applied = db::migrate(*connection);
    REQUIRE(applied.size() == db::migrations().size());
    CHECK(applied[0] == "0001 schema");
    CHECK(db::migrate(*connection).empty());
    CHECK(connection->query("SELECT version FROM schema_migrations").size() == applied.size());
    for (const char* table : {"zones", "records", "api_tokens", "audit_log"})
        CHECK(connection->query(std::string("SELECT COUNT(*) FROM ") + table).size() == 1);

    const db::Migration broken[] = {
        {9001, "half", "CREATE TABLE first_half (x INTEGER); CREATE TABLE broken (", "unused"},
    };
    try {
        db::migrate(*connection, broken);
        FAIL("a broken migration was applied");
    } catch (const db::Error& e) {
        CHECK(std::string(e.what()).find("migration 9001 half failed") != std::string::npos);
    }
    CHECK_THROWS(connection->query("SELECT x FROM first_half"));
    CHECK(connection->query("SELECT version FROM schema_migrations WHERE version = 9001").empty());
}

TEST_CASE("database URLs") {
    const auto tcp = db::parse_mysql_url("mysql://web%40stack:p%3Ass@db.example:3307/webstack");
    CHECK(tcp.user == "web@stack");
    CHECK(tcp.password == "p:ss");
    REQUIRE(tcp.servers.size() == 1);
    CHECK(tcp.servers[0].host == "db.example");
    CHECK(tcp.servers[0].port == 3307);
    CHECK(tcp.database == "webstack");
    // The nodes of a Galera cluster, in the order they are tried.
    const auto cluster = db::parse_mysql_url("mysql://u:p@db1:3306,db2,10.0.0.3:3307/webstack");
    REQUIRE(cluster.servers.size() == 3);
    CHECK(cluster.servers[0].host == "db1");
    CHECK(cluster.servers[1].host == "db2");
    CHECK(cluster.servers[1].port == 3306);
    CHECK(cluster.servers[2].host == "10.0.0.3");
    CHECK(cluster.servers[2].port == 3307);
    CHECK(cluster.database == "webstack");
    for (const char* url : {"mysql://u:p@db1,/w", "mysql://u:p@,db1/w", "mysql://u:p@db1:x/w",
                            "mysql://u:p@db1:3306x/w", "mysql://u:p@db1:0/w",
                            "mysql://u:p@db1:65536/w", "mysql://u:p@db1:/w"})
        CHECK_THROWS_AS(db::check_url(url), std::invalid_argument);
    const auto unix_socket =
        db::parse_mysql_url("mysql://root:x@unix(/run/mysqld/mysqld.sock)/app");
    CHECK(unix_socket.socket == "/run/mysqld/mysqld.sock");
    CHECK(unix_socket.database == "app");
    CHECK_THROWS_AS(db::check_url("postgres://x"), std::invalid_argument);
    CHECK_THROWS_AS(db::check_url("mysql://nohost/db"), std::invalid_argument);
    CHECK_THROWS_AS(db::check_url("mysql://u:p@host:3306"), std::invalid_argument);
    CHECK_THROWS_AS(db::check_url("sqlite:"), std::invalid_argument);
    CHECK_NOTHROW(db::check_url("sqlite:var/webstack.db"));
    CHECK(db::dialect_of("sqlite:var/webstack.db") == db::Dialect::sqlite);
    CHECK(db::dialect_of("mysql://u:p@host:3306/db") == db::Dialect::mysql);
    CHECK_THROWS_AS(db::dialect_of("postgres://x"), std::invalid_argument);
    try {
        db::connect("mysql://u:p@127.0.0.1:1/none");
        FAIL("connected to nothing");
    } catch (const db::Error& e) {
        CHECK(e.kind() == db::Error::Kind::unavailable);
    }
}
