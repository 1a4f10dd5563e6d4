// Zone transfer out (AXFR, RFC 5936): the whole zone over TCP, SOA first
// and last, in as many messages as it takes.
#pragma once

#include <functional>
#include <string>

#include "dnsd/query.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

// Writes `zone` as AXFR response messages for `query` (which asked for the
// zone's apex); `emit` receives each message, unframed, in order.
void write_transfer(const Zone& zone, const Query& query,
                    const std::function<void(std::string)>& emit);

}  // namespace dnsd
