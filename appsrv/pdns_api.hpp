// The PowerDNS HTTP API (version 1) as a second face of appsrv, so that the
// tools written for PowerDNS (lego's DNS-01 provider, octoDNS, external-dns
// and others) manage webstack's zones unchanged: `X-API-Key`, the server
// and zone resources, and the RRset PATCH, mapped onto the same db::ZoneStore,
// with its checks, audit log, journal and NOTIFY. What webstack does not
// keep (disabled records, comments, DNSSEC, secondary zones) is refused
// with a reason, never dropped.
#pragma once

#include <string>
#include <string_view>

#include "appsrv/api.hpp"
#include "appsrv/tokens.hpp"
#include "db/zone_store.hpp"

namespace appsrv::pdns {

// Is this target the PowerDNS dialect's ("/api", "/api/v1/servers...")?
bool is_dialect_target(std::string_view target);

// Answers one call of the dialect; refusals are thrown as ApiError.
ApiResponse route(db::ZoneStore& store, const ApiRequest& request, const TokenScope& scope);

// {"error": "..."}, as PowerDNS answers a refusal.
std::string error_body(const std::string& error, const std::string& detail);

}  // namespace appsrv::pdns
