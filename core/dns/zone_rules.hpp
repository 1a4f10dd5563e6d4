// The rules a zone's data must keep (RFC 1034, 2181, 6672), checked when
// dnsd loads a zone and when appsrv validates a change.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"

namespace core::dns {

// What check_zone does with exact duplicates and an RRset whose TTLs
// differ: a zone file's are repaired with a warning, as NSD and BIND do;
// a writer that must store exactly what it was given refuses them.
enum class Repairs { warn, refuse };

// Checks the records of the zone whose apex is `apex` (wire): all inside
// the zone, one SOA at the apex, NS at the apex, no CNAME beside other
// data, nothing below a DNAME, nothing at or below a delegation but NS,
// DS and address glue. With Repairs::warn, exact duplicates are dropped
// and the TTLs of an RRset made equal to its first record's, each repair
// a warning. Throws ZoneRuleError naming the offending record's origin.
std::vector<std::string> check_zone(std::string_view apex, std::vector<Record>& records,
                                    Repairs repairs = Repairs::warn);

// The records a change can break a rule with, in a zone that kept them
// before it: those at each changed record's name and at each of its
// ancestors up to the apex (a CNAME beside other data, a delegation or
// DNAME above it, the apex's SOA and NS) and, below a new delegation or
// DNAME, every one under it. Checking those alone decides as a check of
// the whole zone would.
struct ChangeScope {
    std::vector<std::string> names;  // wire, each once, the apex always among them
    std::vector<std::string> below;  // wire: every name under these as well
};
ChangeScope change_scope(std::string_view apex, const std::vector<const Record*>& changed);

// A zone rule a record breaks: "zones/foobar.com.zone:12: www.foobar.com.
// CNAME: a CNAME cannot stand beside other data", or "record 42: ...".
class ZoneRuleError : public std::runtime_error {
  public:
    ZoneRuleError(RecordOrigin origin, const std::string& reason)
        : std::runtime_error(describe(origin).empty() ? reason : describe(origin) + ": " + reason),
          origin_(std::move(origin)),
          reason_(reason) {}
    const RecordOrigin& origin() const { return origin_; }
    // The message without the origin.
    const std::string& reason() const { return reason_; }

  private:
    RecordOrigin origin_;
    std::string reason_;
};

}  // namespace core::dns
