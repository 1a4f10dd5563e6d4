// A zone's records as appsrv keeps them (table `records`: owner, type, TTL
// and rdata in presentation form), read and parsed: what appsrv checks a
// change against and what dnsd serves.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"
#include "db/database.hpp"

namespace db {

struct StoredRecord {
    int64_t id = 0;
    core::dns::Record record;
};

// A stored row that does not parse: "record ID: reason".
class StoredRecordError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Every record of the zone `zone_id`, whose apex is `apex` (wire), by id.
// Each record's file is "record" and its line the id, so that a zone check
// names the record. Throws StoredRecordError, or Error when the database
// cannot be read.
std::vector<StoredRecord> read_zone_records(Connection& db, int64_t zone_id, std::string_view apex);

}  // namespace db
