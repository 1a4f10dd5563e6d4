// Dynamic update (RFC 2136): an UPDATE message read and checked (§3.1 to
// §3.4.1), then its prerequisites weighed and its updates turned into
// edits of the zone as the database stores it (§3.2, §3.4.2), which
// db::ZoneStore applies with the same checks, serial raise, journal and
// audit as appsrv's API.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"
#include "db/zone_store.hpp"

namespace dnsd {

struct UpdateRequest {
    std::string apex;                              // wire: the zone section's name
    std::vector<core::dns::Record> prerequisites;  // their class says which kind (§2.4)
    std::vector<core::dns::Record> updates;        // likewise (§2.5)
};

// An UPDATE refused, with the rcode it is answered with.
class UpdateRefused : public std::runtime_error {
  public:
    UpdateRefused(uint8_t rcode, const std::string& why) : std::runtime_error(why), rcode_(rcode) {}
    uint8_t rcode() const { return rcode_; }

  private:
    uint8_t rcode_;
};

// Reads `message` (an UPDATE whose header parsed) into `request`; throws
// UpdateRefused with FORMERR (one zone of class IN and type SOA, a
// prerequisite or update of a form §2.4/§2.5 does not define, a TTL or
// data where there must be none) or NOTZONE (a name outside the zone).
UpdateRequest read_update(std::string_view message);

// Weighs the prerequisites against what `zone` stores, then plays the
// updates in order on it (§3.4.2: duplicates and a lower SOA serial
// ignored, no CNAME beside other data nor other data beside a CNAME, the
// apex SOA and last apex NS never deleted) and returns the edits that
// make the result, none when nothing changes. Throws UpdateRefused with
// NXDOMAIN, YXDOMAIN, NXRRSET or YXRRSET for a prerequisite not met.
std::vector<db::RecordEdit> plan_update(db::ZoneReader& zone, const UpdateRequest& request);

}  // namespace dnsd
