// A zone compiled for answering: nodes by lowercased wire name, each with
// its RRsets in wire form, built once at load and never changed after.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/dns/record.hpp"
#include "core/net/address.hpp"

namespace dnsd {

struct Node;

// The name an NS, MX or SRV record points to, which the additional section
// follows, resolved once at load so that answers make no lookup for it.
struct Target {
    std::string name;            // wire, lowercased
    const Node* node = nullptr;  // the node of that name in this zone, if any
    bool below_owner = false;    // under the RRset's owner: in-domain glue of a delegation
};

struct RRset {
    uint16_t type = 0;
    uint16_t rclass = 0;
    uint32_t ttl = 0;
    std::vector<std::string> rdatas;  // wire, uncompressed
    std::vector<Target> targets;      // for NS, MX and SRV: one per rdata
};

struct Node {
    std::string name;           // wire, lowercased
    std::vector<RRset> rrsets;  // few per name: a linear search is fastest
    bool delegation = false;    // NS below the apex: a zone cut
    bool dname = false;

    const RRset* find(uint16_t type) const {
        for (const auto& rrset : rrsets) {
            if (rrset.type == type) return &rrset;
        }
        return nullptr;
    }
    // An empty non-terminal exists only because names below it do.
    bool empty() const { return rrsets.empty(); }
};

struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

// Where a served zone comes from: a master file, or the database that
// appsrv writes. A reload from the database replaces only the latter.
struct ZoneOrigin {
    enum class Kind { file, database };
    Kind kind = Kind::file;
    std::string file;  // the master file's path, for Kind::file

    static ZoneOrigin from_file(std::string path) { return {Kind::file, std::move(path)}; }
    static ZoneOrigin from_database() { return {Kind::database, {}}; }
    bool is_database() const { return kind == Kind::database; }
    // "zones/foobar.com.zone" or "the database", for messages.
    std::string describe() const { return is_database() ? "the database" : file; }
};

class Zone {
  public:
    // Builds from records already checked by core::dns::check_zone.
    Zone(std::string apex, const std::vector<core::dns::Record>& records, ZoneOrigin origin,
         std::vector<core::net::Address> notify = {});

    const std::string& apex() const { return apex_; }
    const ZoneOrigin& origin() const { return origin_; }
    // The secondaries to NOTIFY when this zone's serial rises.
    const std::vector<core::net::Address>& notify() const { return notify_; }
    const Node* find(std::string_view name) const;
    const Node& apex_node() const { return *apex_node_; }
    const RRset& soa() const { return *soa_; }
    uint32_t serial() const { return serial_; }
    // RFC 2308 §5: negative answers carry the SOA with min(TTL, MINIMUM).
    uint32_t negative_ttl() const { return negative_ttl_; }
    size_t record_count() const { return record_count_; }
    size_t node_count() const { return nodes_.size(); }
    // Every node, in no particular order (a zone transfer).
    const std::unordered_map<std::string, Node, NameHash, std::equal_to<>>& nodes() const {
        return nodes_;
    }

  private:
    std::string apex_;
    ZoneOrigin origin_;
    std::vector<core::net::Address> notify_;
    std::unordered_map<std::string, Node, NameHash, std::equal_to<>> nodes_;
    const Node* apex_node_ = nullptr;
    const RRset* soa_ = nullptr;
    uint32_t serial_ = 0;
    uint32_t negative_ttl_ = 0;
    size_t record_count_ = 0;
};

// The zones served, by apex; a query goes to the longest matching one.
class ZoneSet {
  public:
    void add(std::shared_ptr<const Zone> zone);
    // The zone for `name` (wire, lowercased), or nullptr.
    const Zone* find_zone(std::string_view name) const;
    const std::unordered_map<std::string, std::shared_ptr<const Zone>, NameHash, std::equal_to<>>&
    zones() const {
        return zones_;
    }

  private:
    // Up to this many zones, a scan of the apexes, longest first, beats
    // hashing every suffix of the name.
    static constexpr size_t kScanLimit = 16;

    std::unordered_map<std::string, std::shared_ptr<const Zone>, NameHash, std::equal_to<>> zones_;
    std::vector<const Zone*> by_length_;  // longest apex first
};

}  // namespace dnsd
