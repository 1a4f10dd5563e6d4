// dnsd's refresher over a SQLite database written by the test, as appsrv
// would: what a NOTIFY and a serial comparison read again, and what they
// leave alone.
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <mutex>
#include <unistd.h>

#include <doctest/doctest.h>

#include "core/dns/name.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "dnsd/database_refresher.hpp"
#include "tests/support/process.hpp"

namespace {

std::string wire(const std::string& name) {
    std::string error;
    return core::dns::name_from_text(name, error).value();
}

// The database side: zones written as appsrv stores them.
class Stored {
  public:
    explicit Stored(const std::string& url) : db_(db::connect(url)) { db::migrate(*db_); }

    int64_t add_zone(const std::string& name, uint32_t serial) {
        const int64_t id = db_->execute(
                                  "INSERT INTO zones (name, serial, created_at, updated_at) "
                                  "VALUES (?, ?, 'now', 'now')",
                                  {name, int64_t{serial}})
                               .last_insert_id;
        add(id, name, "SOA",
            "ns1." + name + " host." + name + " " + std::to_string(serial) +
                " 7200 3600 1209600 300");
        add(id, name, "NS", "ns1." + name);
        add(id, "ns1." + name, "A", "192.0.2.1");
        return id;
    }
    void add(int64_t zone, const std::string& name, const std::string& type,
             const std::string& content) {
        db_->execute(
            "INSERT INTO records (zone_id, name, type, ttl, content) VALUES (?, ?, ?, ?, ?)",
            {zone, name, type, int64_t{300}, content});
    }
    // A new serial in the zone row and its SOA, in one transaction as every
    // change of appsrv's.
    void raise(int64_t zone, const std::string& name, uint32_t serial) {
        db::Transaction transaction(*db_);
        db_->execute("UPDATE zones SET serial = ? WHERE id = ?", {int64_t{serial}, zone});
        db_->execute("UPDATE records SET content = ? WHERE zone_id = ? AND type = 'SOA'",
                     {"ns1." + name + " host." + name + " " + std::to_string(serial) +
                          " 7200 3600 1209600 300",
                      zone});
        transaction.commit();
    }
    db::Connection& connection() { return *db_; }

  private:
    std::unique_ptr<db::Connection> db_;
};

// What the refresher publishes, kept as dnsd would serve it.
struct Served {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const dnsd::Zone>> zones;
    int publications = 0;

    std::map<std::string, std::shared_ptr<const dnsd::Zone>> get() {
        const std::lock_guard lock(mutex);
        return zones;
    }
    std::vector<std::string> publish(dnsd::DatabaseRefresher::Changes changes) {
        const std::lock_guard lock(mutex);
        ++publications;
        for (const auto& zone : changes.loaded)
            zones[zone->apex()] = zone;
        for (const auto& apex : changes.removed)
            zones.erase(apex);
        return {};
    }
    uint32_t serial_of(const std::string& apex) {
        const std::lock_guard lock(mutex);
        const auto it = zones.find(apex);
        return it == zones.end() ? 0 : it->second->serial();
    }
    int count() {
        const std::lock_guard lock(mutex);
        return publications;
    }
};

// Standard error into a file while it lives: what the daemon code logs.
class StderrCapture {
  public:
    explicit StderrCapture(const std::string& path) : path_(path), saved_(::dup(STDERR_FILENO)) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
    }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;
    ~StderrCapture() { restore(); }
    // Puts standard error back; returns what was written meanwhile.
    std::string restore() {
        if (saved_ >= 0) {
            ::dup2(saved_, STDERR_FILENO);
            ::close(saved_);
            saved_ = -1;
        }
        std::ifstream in(path_);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

  private:
    std::string path_;
    int saved_;
};

size_t occurrences(const std::string& text, const std::string& part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

}  // namespace

TEST_CASE("the refresher reads a notified zone at once, and finds the rest by serial") {
    test::TempDir dir;
    const std::string url = "sqlite:" + (dir.path() / "zones.db").string();
    Stored stored(url);
    const int64_t a = stored.add_zone("a.test.", 1);
    dnsd::DatabaseZones zones(url, {});
    Served served;
    {
        // Compared only every hour: only the NOTIFY explains a read.
        dnsd::DatabaseRefresher refresher(
            zones, std::chrono::hours(1), [&] { return served.get(); },
            [&](dnsd::DatabaseRefresher::Changes c) { return served.publish(std::move(c)); });
        refresher.notify(wire("a.test."));
        CHECK(test::wait_until([&] { return served.serial_of(wire("a.test.")) == 1; }));
        stored.raise(a, "a.test.", 2);
        refresher.notify(wire("a.test."));
        CHECK(test::wait_until([&] { return served.serial_of(wire("a.test.")) == 2; }));
        // A zone the database does not have is not published, nor one
        // whose serial did not move (RFC 1996 §3.11).
        const int before = served.count();
        refresher.notify(wire("nowhere.test."));
        refresher.notify(wire("a.test."));
        stored.raise(a, "a.test.", 3);
        refresher.notify(wire("a.test."));
        CHECK(test::wait_until([&] { return served.serial_of(wire("a.test.")) == 3; }));
        CHECK(served.count() == before + 1);
        CHECK(served.get().size() == 1);
    }
    {
        dnsd::DatabaseRefresher refresher(
            zones, std::chrono::milliseconds(50), [&] { return served.get(); },
            [&](dnsd::DatabaseRefresher::Changes c) { return served.publish(std::move(c)); });
        const int64_t b = stored.add_zone("b.test.", 7);
        CHECK(test::wait_until([&] { return served.serial_of(wire("b.test.")) == 7; }));
        stored.raise(a, "a.test.", 4);
        CHECK(test::wait_until([&] { return served.serial_of(wire("a.test.")) == 4; }));
        stored.connection().execute("DELETE FROM zones WHERE id = ?", {b});
        CHECK(test::wait_until([&] { return !served.get().count(wire("b.test.")); }));
    }
}

TEST_CASE("a stored zone that does not check is read again only when its serial moves") {
    test::TempDir dir;
    const std::string url = "sqlite:" + (dir.path() / "zones.db").string();
    Stored stored(url);
    const int64_t a = stored.add_zone("a.test.", 1);
    stored.add(a, "a.test.", "CNAME", "elsewhere.example.");  // beside the apex's SOA and NS
    dnsd::DatabaseZones zones(url, {});
    CHECK_THROWS_WITH_AS(zones.load_all(),
                         doctest::Contains("zone a.test. in the database: record"),
                         std::runtime_error);
    Served served;
    std::atomic<int> reads{0};
    StderrCapture log((dir.path() / "stderr").string());
    dnsd::DatabaseRefresher refresher(
        zones, std::chrono::milliseconds(20),
        [&] {
            ++reads;  // once per comparison
            return served.get();
        },
        [&](dnsd::DatabaseRefresher::Changes c) { return served.publish(std::move(c)); });
    // Many comparisons pass; the broken zone is read (and logged) once,
    // never published.
    CHECK(test::wait_until([&] { return reads >= 10; }));
    CHECK(served.count() == 0);
    CHECK(occurrences(log.restore(), "reading a.test. again failed") == 1);
    // Mended, with a new serial: it is read and served.
    stored.connection().execute("DELETE FROM records WHERE type = 'CNAME'");
    stored.raise(a, "a.test.", 2);
    CHECK(test::wait_until([&] { return served.serial_of(wire("a.test.")) == 2; }));
}
