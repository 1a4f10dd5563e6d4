// How dnsd's set of zones takes in what the database holds: files first,
// database zones replaced and removed by name.
#include <doctest/doctest.h>

#include "core/dns/master_file.hpp"
#include "core/dns/name.hpp"
#include "core/dns/zone_rules.hpp"
#include "dnsd/zone_loader.hpp"

namespace {

std::string wire(const std::string& name) {
    std::string error;
    return core::dns::name_from_text(name, error).value();
}

const dnsd::ZoneOrigin kDatabase = dnsd::ZoneOrigin::from_database();

// A zone `name` with the given serial, from a file or from the database.
std::shared_ptr<const dnsd::Zone> zone(const std::string& name, uint32_t serial,
                                       const dnsd::ZoneOrigin& origin) {
    const std::string text = "@ 300 IN SOA ns1 host " + std::to_string(serial) +
                             " 7200 3600 1209600 300\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n";
    auto file = core::dns::parse_master_text(text, origin.describe(), wire(name));
    core::dns::check_zone(file.origin, file.records);
    return std::make_shared<const dnsd::Zone>(file.origin, file.records, origin);
}

}  // namespace

TEST_CASE("database changes replace and remove database zones; files' zones stay") {
    dnsd::ZoneSet served;
    served.add(zone("file.test.", 1, dnsd::ZoneOrigin::from_file("zones/file.test.zone")));
    served.add(zone("kept.test.", 5, kDatabase));
    served.add(zone("changed.test.", 5, kDatabase));
    served.add(zone("gone.test.", 5, kDatabase));

    std::vector<std::string> refused;
    const auto next = dnsd::with_database_changes(
        served,
        {zone("changed.test.", 6, kDatabase), zone("new.test.", 1, kDatabase),
         zone("file.test.", 9, kDatabase)},
        {wire("gone.test.")}, refused);

    CHECK(next->zones().size() == 4);
    CHECK(next->zones().at(wire("kept.test."))->serial() == 5);
    CHECK(next->zones().at(wire("changed.test."))->serial() == 6);
    CHECK(next->zones().at(wire("new.test."))->serial() == 1);
    CHECK_FALSE(next->zones().count(wire("gone.test.")));
    // A file serves that name: its version stays, the database's is refused.
    CHECK(next->zones().at(wire("file.test."))->origin().file == "zones/file.test.zone");
    CHECK(refused == std::vector<std::string>{wire("file.test.")});
    // The set served before is left as it was (the loops may still use it).
    CHECK(served.zones().at(wire("changed.test."))->serial() == 5);
    CHECK(served.zones().count(wire("gone.test.")));

    // Only the database's zones are compared with the database.
    std::map<std::string, uint32_t> serials;
    for (const auto& [apex, zone] : dnsd::database_zones(*next))
        serials[apex] = zone->serial();
    CHECK(serials == std::map<std::string, uint32_t>{{wire("changed.test."), 6},
                                                     {wire("kept.test."), 5},
                                                     {wire("new.test."), 1}});
}

TEST_CASE("at start or reload, a database zone a file serves too is an error") {
    dnsd::ZoneSet zones;
    zones.add(zone("file.test.", 1, dnsd::ZoneOrigin::from_file("zones/file.test.zone")));
    dnsd::add_database_zones(zones, {zone("db.test.", 3, kDatabase)});
    CHECK(zones.zones().size() == 2);
    CHECK_THROWS_WITH(
        dnsd::add_database_zones(zones, {zone("file.test.", 2, kDatabase)}),
        "zone file.test. is in the database and in zones/file.test.zone: serve it from one only");
}
