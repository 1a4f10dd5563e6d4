// The rules a zone's data must keep (RFC 1034, 2181, 6672), checked when
// dnsd loads a zone and when appsrv validates a change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/dns/record.hpp"

namespace core::dns {

// Checks the records of the zone whose apex is `apex` (wire): all inside
// the zone, one SOA at the apex, NS at the apex, no CNAME beside other
// data, nothing below a DNAME, nothing at or below a delegation but NS,
// DS and address glue. Exact duplicates are dropped and the TTLs of an
// RRset made equal to its first record's; each such repair is a warning.
// Throws ZoneFileError naming the offending record's file and line.
std::vector<std::string> check_zone(std::string_view apex, std::vector<Record>& records);

}  // namespace core::dns
