// dnsd's section of the configuration, described as data.
#pragma once

#include "core/config/common_keys.hpp"
#include "core/config/schema.hpp"

namespace dnsd::config {

using core::config::Key;
using core::config::Type;

inline constexpr Key kZoneKeys[] = {
    {.name = "name",
     .type = Type::string,
     .default_value = "",
     .help = "the zone's name; by default the file's $ORIGIN or SOA owner",
     .reloadable = true},
    {.name = "file",
     .type = Type::string,
     .default_value = "",
     .help = "RFC 1035 master file, relative to the working directory: the zone's data, or for "
             "a secondary zone the copy dnsd keeps of it (written after each transfer, served at "
             "start-up until the primaries answer)",
     .reloadable = true,
     .required = true},
    {.name = "notify",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "secondaries (IP:PORT) sent a NOTIFY when the zone's serial rises",
     .reloadable = true},
    {.name = "notify_key",
     .type = Type::string,
     .default_value = "",
     .help = "a `[[dnsd.key]]` name: the NOTIFYs to `notify` are signed with it, and their "
             "acknowledgements must be",
     .reloadable = true},
    {.name = "transfer_keys",
     .type = Type::string_list,
     .default_value = "[]",
     .help = "when set, a transfer of this zone must be signed with one of these `[[dnsd.key]]` "
             "names, in place of `[dnsd] transfer_keys`",
     .reloadable = true},
    {.name = "primaries",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "makes the zone a secondary one: transferred (IXFR, else AXFR) from these servers "
             "(IP:PORT), tried in order, as its SOA's refresh and retry say and at once on their "
             "NOTIFY; answered SERVFAIL once its SOA's expire time passes without one answering. "
             "`name` is then required",
     .reloadable = true},
    {.name = "primary_key",
     .type = Type::string,
     .default_value = "",
     .help = "a `[[dnsd.key]]` name: transfers from the primaries are signed with it and every "
             "answer must be, and so must their NOTIFYs",
     .reloadable = true},
};

inline constexpr core::config::Schema kZoneSchema{
    .name = "dnsd.zone",
    .help = "One `[[dnsd.zone]]` table per zone served from a file or transferred from primaries.",
    .keys = kZoneKeys,
};

inline constexpr Key kTsigKeys[] = {
    {.name = "name",
     .type = Type::string,
     .default_value = "",
     .help = "the key's name, as the other side knows it (`transfer.foobar.com.`)",
     .reloadable = false,
     .required = true},
    {.name = "algorithm",
     .type = Type::string,
     .default_value = "\"hmac-sha256\"",
     .help = "the HMAC the key signs with",
     .reloadable = false,
     .choices = "hmac-sha256|hmac-sha512"},
    {.name = "secret_file",
     .type = Type::string,
     .default_value = "",
     .help = "a file holding the secret in base64 on one line, readable by its owner only",
     .reloadable = false,
     .required = true},
};

inline constexpr core::config::Schema kTsigKeySchema{
    .name = "dnsd.key",
    .help = "One `[[dnsd.key]]` table per TSIG key (RFC 8945) dnsd shares with a peer.",
    .keys = kTsigKeys,
};

inline constexpr Key kUpdateKeys[] = {
    {.name = "zone",
     .type = Type::string,
     .default_value = "",
     .help = "a zone served from the database (`foobar.com`)",
     .reloadable = false,
     .required = true},
    {.name = "keys",
     .type = Type::string_list,
     .default_value = "[]",
     .help = "the `[[dnsd.key]]` names whose signed UPDATEs change this zone, in place of "
             "`update_keys`",
     .reloadable = false,
     .required = true,
     .min = 1},
};

inline constexpr core::config::Schema kUpdateSchema{
    .name = "dnsd.update",
    .help = "One `[[dnsd.update]]` table per database zone whose UPDATE keys are its own.",
    .keys = kUpdateKeys,
};

inline constexpr Key kKeys[] = {
    {.name = "listen",
     .type = Type::ip_address_list,
     .default_value = "[\"127.0.0.1:5300\"]",
     .help = "addresses to answer on, UDP and TCP (IP:PORT or [IPv6]:PORT)",
     .reloadable = false,
     .min = 1},
    {.name = "metrics_listen",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "addresses (IP:PORT) answering GET /metrics in the Prometheus text format, for the "
             "scraper only; none by default",
     .reloadable = false},
    core::config::common::threads,
    core::config::common::shutdown_timeout,
    core::config::common::log_level,
    {.name = "zone",
     .type = Type::table_list,
     .default_value = "",
     .help = "the zones to serve (see `[[dnsd.zone]]`)",
     .reloadable = true,
     .children = &kZoneSchema},
    {.name = "tcp_idle_timeout",
     .type = Type::duration,
     .default_value = "\"10s\"",
     .help = "a TCP connection with no complete query for this long is closed (RFC 7766 §6.2.3)",
     .reloadable = false,
     .min = 100,
     .max = 600'000},
    {.name = "tcp_max_connections",
     .type = Type::integer,
     .default_value = "1000",
     .help = "open TCP connections per thread; more are closed at once",
     .reloadable = false,
     .min = 1,
     .max = 1'000'000},
    {.name = "transfer_allow",
     .type = Type::cidr_list,
     .default_value = "[\"127.0.0.0/8\", \"::1\"]",
     .help = "clients allowed to transfer zones (AXFR, IXFR) over TCP; others get REFUSED",
     .reloadable = false},
    {.name = "transfer_keys",
     .type = Type::string_list,
     .default_value = "[]",
     .help = "when set, a transfer must also be signed (TSIG) with one of these `[[dnsd.key]]` "
             "names; others get REFUSED",
     .reloadable = false},
    {.name = "update_keys",
     .type = Type::string_list,
     .default_value = "[]",
     .help = "`[[dnsd.key]]` names whose signed UPDATEs (RFC 2136, nsupdate) change the "
             "database zones, as appsrv's API does; none: every UPDATE is REFUSED",
     .reloadable = false},
    {.name = "update",
     .type = Type::table_list,
     .default_value = "",
     .help = "the keys that may UPDATE one zone (see `[[dnsd.update]]`)",
     .reloadable = false,
     .children = &kUpdateSchema},
    {.name = "key",
     .type = Type::table_list,
     .default_value = "",
     .help = "TSIG keys (see `[[dnsd.key]]`)",
     .reloadable = false,
     .children = &kTsigKeySchema},
    {.name = "answer_version",
     .type = Type::boolean,
     .default_value = "true",
     .help = "answer CH TXT version.bind and version.server",
     .reloadable = true},
    {.name = "answer_identity",
     .type = Type::boolean,
     .default_value = "true",
     .help = "answer CH TXT id.server and hostname.bind with the host name",
     .reloadable = true},
    {.name = "database_zones",
     .type = Type::boolean,
     .default_value = "false",
     .help = "also serve every zone in the [db] database (appsrv's), read again on a NOTIFY",
     .reloadable = false},
    {.name = "database_refresh",
     .type = Type::duration,
     .default_value = "\"10s\"",
     .help = "how often the database's zone serials are compared with those served",
     .reloadable = false,
     .min = 100,
     .max = 86'400'000},
    {.name = "database_notify",
     .type = Type::ip_address_list,
     .default_value = "[]",
     .help = "secondaries (IP:PORT) sent a NOTIFY when a database zone's serial rises",
     .reloadable = false},
    {.name = "database_notify_key",
     .type = Type::string,
     .default_value = "",
     .help = "a `[[dnsd.key]]` name: the NOTIFYs to `database_notify` are signed with it, and "
             "their acknowledgements must be",
     .reloadable = false},
    {.name = "notify_allow",
     .type = Type::cidr_list,
     .default_value = "[\"127.0.0.0/8\", \"::1\"]",
     .help = "senders whose NOTIFY makes dnsd read a database zone again, or refresh a "
             "secondary zone (besides its primaries); others get REFUSED",
     .reloadable = false},
};

inline constexpr core::config::Schema kSchema{
    .name = "dnsd",
    .help = "The authoritative DNS server.",
    .keys = kKeys,
};

}  // namespace dnsd::config
