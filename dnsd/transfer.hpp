// Zone transfer out (AXFR, RFC 5936): the whole zone over TCP, SOA first
// and last, in as many messages as it takes.
#pragma once

#include <functional>
#include <string>

#include "dnsd/query.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

// Writes `zone` as AXFR response messages for `query` (which asked for the
// zone's apex); `emit` receives each message, unframed, in order. Each
// message keeps `reserve` bytes below 65535 free (for a TSIG record).
void write_transfer(const Zone& zone, const Query& query, size_t reserve,
                    const std::function<void(std::string)>& emit);

}  // namespace dnsd
