// A zone's records as appsrv keeps them, read and parsed.
#include "db/zone_records.hpp"

#include <string>

namespace db {

std::vector<StoredRecord> read_zone_records(Connection& db, int64_t zone_id,
                                            std::string_view apex) {
    std::vector<StoredRecord> records;
    for (const auto& row :
         db.query("SELECT id, name, type, ttl, content FROM records WHERE zone_id = ? ORDER BY id",
                  {zone_id})) {
        const int64_t id = row.integer(0);
        // One line of a master file, as the fields would be written there.
        const std::string line = row.text(1) + " " + std::to_string(row.integer(3)) + " IN " +
                                 row.text(2) + " " + row.text(4);
        std::string error;
        auto record = core::dns::record_from_text(line, apex, std::nullopt, error);
        if (!record) throw StoredRecordError("record " + std::to_string(id) + ": " + error);
        record->file = "record";
        record->line = static_cast<int>(id);
        records.push_back({id, std::move(*record)});
    }
    return records;
}

}  // namespace db
