// Zone transfer out: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP, in as
// many messages as it takes.
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

enum class IxfrStyle {
    current,      // the client has this serial: the SOA alone
    differences,  // the steps since the client's serial
    whole_zone,   // the history does not reach back: the zone, as AXFR
};

// Answers an IXFR for `zone` from `query.client_serial` (the caller checked
// that the query carries one), in messages as write_transfer writes them.
IxfrStyle write_ixfr(const Zone& zone, const Query& query, size_t reserve,
                     const std::function<void(std::string)>& emit);

}  // namespace dnsd
