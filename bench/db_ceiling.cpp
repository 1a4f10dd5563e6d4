// The ceiling for bench/app.sh: the queries appsrv runs for a record read
// or a record write (token check, then db::ZoneStore), issued straight through
// the driver by N threads with a connection each, for a fixed time.
// Prints operations per second.
//
//   db_ceiling URL TOKEN ZONE RECORD_ID read|write THREADS SECONDS
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "appsrv/tokens.hpp"
#include "db/database.hpp"
#include "db/zone_store.hpp"

int main(int argc, char** argv) {
    if (argc != 8) {
        std::fprintf(stderr, "usage: %s URL TOKEN ZONE RECORD_ID read|write THREADS SECONDS\n",
                     argv[0]);
        return 2;
    }
    const std::string url = argv[1], token = argv[2], zone = argv[3];
    const int64_t record_id = std::stoll(argv[4]);
    const bool write = std::string(argv[5]) == "write";
    const int threads = std::stoi(argv[6]);
    const auto duration = std::chrono::seconds(std::stoi(argv[7]));
    std::atomic<int64_t> done{0};
    std::atomic<int64_t> failed{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto connection = db::connect(url);
            db::ZoneStore store(*connection);
            int64_t n = 0;
            while (!stop) {
                try {
                    const auto owner = appsrv::token_scope(*connection, token);
                    if (!owner) throw std::runtime_error("bad token");
                    if (write) {
                        db::ZoneCommit change;
                        store.add_record(
                            owner->name, zone,
                            {"c" + std::to_string(t) + "-" + std::to_string(n++) + "-" +
                                 std::to_string(
                                     std::chrono::steady_clock::now().time_since_epoch().count()),
                             "A", std::nullopt, "10.9.8.7"},
                            change);
                    } else {
                        store.get_record(zone, record_id);
                    }
                    ++done;
                } catch (const db::Error& e) {
                    // As appsrv does: a busy or lost database is tried again.
                    if (!e.retry_safe() && ++failed == 1)
                        std::fprintf(stderr, "db_ceiling: %s\n", e.what());
                } catch (const std::exception& e) {
                    if (++failed == 1) std::fprintf(stderr, "db_ceiling: %s\n", e.what());
                }
            }
        });
    }
    std::this_thread::sleep_for(duration);
    stop = true;
    for (auto& w : workers)
        w.join();
    std::printf("%.0f\n", static_cast<double>(done) / static_cast<double>(duration.count()));
    return failed > 0 ? 1 : 0;
}
