// A COMMIT whose answer is lost (the database host died with it in
// flight): ZoneStore finds out from its audit row whether the change was
// made, so that a change is neither reported failed when it stands nor
// made twice by a retry. The database is SQLite beneath a connection that
// loses answers on demand, as a MariaDB's would be lost.
#include <utility>

#include <doctest/doctest.h>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/zone_store.hpp"
#include "tests/support/process.hpp"

namespace {

class LosingConnection : public db::Connection {
  public:
    enum class NextCommit { answered, made_unanswered, not_made_unanswered };

    explicit LosingConnection(std::unique_ptr<db::Connection> inner) : inner_(std::move(inner)) {}

    NextCommit next_commit = NextCommit::answered;
    // Reads just after the next lost commit that are lost too (the next
    // server is down as well).
    int reads_lost_after_commit = 0;

    db::Dialect dialect() const override { return inner_->dialect(); }
    db::Rows query(std::string_view sql, const db::Params& params) override {
        if (reads_to_lose_ > 0) {
            --reads_to_lose_;
            throw db::Error(db::Error::Kind::connection_lost, 2013, "read lost (test)");
        }
        return inner_->query(sql, params);
    }
    db::Changes execute(std::string_view sql, const db::Params& params) override {
        return inner_->execute(sql, params);
    }
    void execute_script(std::string_view sql) override { inner_->execute_script(sql); }
    void begin() override { inner_->begin(); }
    void commit() override {
        const NextCommit outcome = std::exchange(next_commit, NextCommit::answered);
        if (outcome == NextCommit::not_made_unanswered) {
            inner_->rollback();
        } else {
            inner_->commit();
        }
        if (outcome == NextCommit::answered) return;
        reads_to_lose_ = std::exchange(reads_lost_after_commit, 0);
        throw db::Error(db::Error::Kind::commit_unknown, 2013, "COMMIT lost (test)");
    }
    void rollback() override { inner_->rollback(); }
    void ping() override { inner_->ping(); }

  private:
    std::unique_ptr<db::Connection> inner_;
    int reads_to_lose_ = 0;
};

struct Fixture {
    test::TempDir dir;
    LosingConnection connection{db::connect("sqlite:" + (dir.path() / "zones.db").string())};
    db::ZoneStore store{connection};
    db::ZoneCommit change;

    Fixture() {
        db::migrate(connection);
        store.create_zone("test", "example.com", {}, change);
    }
    db::RecordInfo add(const std::string& address) {
        return store.add_record("test", "example.com", {"www", "A", 300, address}, change);
    }
    size_t stored_at_www() {
        return store.list_records("example.com", std::string("www"), std::nullopt, 100, 0)
            .records.size();
    }
    uint32_t serial() { return store.get_zone("example.com").serial; }
};

}  // namespace

TEST_CASE("a change whose COMMIT answer was lost but which was made stands, once") {
    Fixture f;
    const uint32_t before = f.serial();
    f.connection.next_commit = LosingConnection::NextCommit::made_unanswered;
    const db::RecordInfo added = f.add("192.0.2.1");
    CHECK(added.content == "192.0.2.1");
    CHECK(f.change.serial == f.serial());
    CHECK(f.serial() == before + 1);
    CHECK(f.stored_at_www() == 1);
}

TEST_CASE("a change whose COMMIT was lost unmade is retry-safe, and the retry makes it once") {
    Fixture f;
    const uint32_t before = f.serial();
    f.connection.next_commit = LosingConnection::NextCommit::not_made_unanswered;
    try {
        f.add("192.0.2.1");
        FAIL("a change that was not made was reported made");
    } catch (const db::Error& e) {
        CHECK(e.retry_safe());
        CHECK(std::string(e.what()).find("the change was not made") != std::string::npos);
    }
    CHECK(f.stored_at_www() == 0);
    CHECK(f.serial() == before);
    f.add("192.0.2.1");
    CHECK(f.stored_at_www() == 1);
    CHECK(f.serial() == before + 1);
}

TEST_CASE("a lost COMMIT is looked for twice, then reported as not known, never as failed") {
    Fixture f;
    // The first look is lost too; the second finds the change.
    f.connection.next_commit = LosingConnection::NextCommit::made_unanswered;
    f.connection.reads_lost_after_commit = 1;
    CHECK_NOTHROW(f.add("192.0.2.1"));
    CHECK(f.stored_at_www() == 1);

    // Both looks are lost: the caller hears that nobody knows, which it
    // must not retry (the change is in fact there).
    f.connection.next_commit = LosingConnection::NextCommit::made_unanswered;
    f.connection.reads_lost_after_commit = 2;
    try {
        f.add("192.0.2.2");
        FAIL("an unknown outcome was reported as known");
    } catch (const db::Error& e) {
        CHECK(e.kind() == db::Error::Kind::commit_unknown);
        CHECK_FALSE(e.retry_safe());
        CHECK(std::string(e.what()).find("not known") != std::string::npos);
    }
    CHECK(f.stored_at_www() == 2);
}
