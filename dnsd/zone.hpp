// A zone compiled for answering: nodes by lowercased wire name, each with
// its RRsets in wire form. A version never changes once built; a change
// makes a new version that shares every node it does not touch.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/dns/record.hpp"
#include "core/dns/zone_rules.hpp"
#include "core/net/address.hpp"
#include "dnsd/node_table.hpp"
#include "dnsd/zone_history.hpp"

namespace dnsd {

struct Node;

// The name an NS, MX or SRV record points to, which the additional section
// follows. Its node is looked up when answering: a node may be shared by
// versions of the zone in which that name's node differs.
struct Target {
    std::string name;          // wire, lowercased
    bool in_zone = false;      // at or below the apex: its addresses may be ours
    bool below_owner = false;  // under the RRset's owner: in-domain glue of a delegation
};

struct RRset {
    uint16_t type = 0;
    uint16_t rclass = 0;
    uint32_t ttl = 0;
    std::vector<std::string> rdatas;  // wire, uncompressed
    std::vector<Target> targets;      // for NS, MX and SRV: one per rdata
};

// A name's data; the name itself is the table's key, kept once.
struct Node {
    std::vector<RRset> rrsets;  // few per name: a linear search is fastest
    uint32_t children = 0;      // nodes one label below: an empty node stays while it has any
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

// Where a served zone comes from: a master file, the database that appsrv
// writes, or a primary server it is transferred from (a secondary zone,
// kept in a file of its own). A reload from the database replaces only
// database zones; the secondary refresher only secondary ones.
struct ZoneOrigin {
    enum class Kind { file, database, secondary };
    Kind kind = Kind::file;
    std::string file;                           // the master file: read (file) or kept (secondary)
    std::vector<core::net::Address> primaries;  // for Kind::secondary
    std::string key;  // for Kind::secondary: the TSIG key (wire name) of its primaries, or empty

    static ZoneOrigin from_file(std::string path) { return {Kind::file, std::move(path), {}, {}}; }
    static ZoneOrigin from_database() { return {Kind::database, {}, {}, {}}; }
    static ZoneOrigin from_primaries(std::string path, std::vector<core::net::Address> primaries,
                                     std::string key) {
        return {Kind::secondary, std::move(path), std::move(primaries), std::move(key)};
    }
    bool is_database() const { return kind == Kind::database; }
    bool is_secondary() const { return kind == Kind::secondary; }
    // "zones/foobar.com.zone", "the database" or "transfers from
    // 127.0.0.1:5301", for messages.
    std::string describe() const;
};

// What the configuration says about a zone besides where its data comes
// from: whom to tell of its changes, and who may copy it.
struct ZoneAccess {
    std::vector<core::net::Address> notify;  // secondaries sent a NOTIFY when its serial rises
    std::string notify_key;                  // wire name: signs those NOTIFYs; empty: unsigned
    // Wire names: a transfer must be signed with one of them. Empty: the
    // [dnsd] transfer_keys decide.
    std::vector<std::string> transfer_keys;
};

class Zone {
  public:
    // Builds from records already checked by core::dns::check_zone.
    Zone(std::string apex, const std::vector<core::dns::Record>& records, ZoneOrigin origin,
         ZoneAccess access = {});
    // A secondary zone with no data yet (never transferred, its copy
    // unreadable): configured, so answered SERVFAIL rather than REFUSED.
    static std::shared_ptr<const Zone> without_data(std::string apex, ZoneOrigin origin,
                                                    ZoneAccess access);

    // Whether it is answered from: it has data and has not expired. A zone
    // that is not is answered SERVFAIL and never transferred out.
    bool available() const { return has_data() && !expired_; }
    bool has_data() const { return soa_ != nullptr; }
    bool expired() const { return expired_; }
    // This version past its SOA expire time (RFC 1035 §3.3.13), or back
    // from it once a primary answers: its data is kept meanwhile, for an
    // IXFR from it.
    std::shared_ptr<const Zone> with_expired(bool expired) const;
    // Every record, the SOA's first: what a secondary keeps on disk.
    std::vector<core::dns::Record> records() const;

    const std::string& apex() const { return apex_; }
    const ZoneOrigin& origin() const { return origin_; }
    const ZoneAccess& access() const { return access_; }
    // The secondaries to NOTIFY when this zone's serial rises.
    const std::vector<core::net::Address>& notify() const { return access_.notify; }
    const Node* find(std::string_view name) const { return nodes_.find(name); }
    // Only for an available() zone, as soa().
    const Node& apex_node() const { return *apex_node_; }
    const RRset& soa() const { return *soa_; }
    uint32_t serial() const { return serial_; }
    // RFC 2308 §5: negative answers carry the SOA with min(TTL, MINIMUM).
    uint32_t negative_ttl() const { return negative_ttl_; }
    size_t record_count() const { return record_count_; }
    size_t node_count() const { return nodes_.size(); }
    // Every node, in no particular order (a zone transfer).
    template <typename Visit>
    void for_each_node(Visit&& visit) const {
        nodes_.for_each(visit);
    }

    // The differences that led to this version, for IXFR.
    const std::shared_ptr<const ZoneHistory>& history() const { return history_; }
    // This version with another origin and access (a reload that changed
    // a secondary zone's settings).
    std::shared_ptr<const Zone> with_origin(ZoneOrigin origin, ZoneAccess access) const;
    // This version with `history` instead (a reload that found what changed).
    std::shared_ptr<const Zone> with_history(std::shared_ptr<const ZoneHistory> history) const;

    // The records at the scope's names and below its `below` names, for a
    // check of the zone rules where a change was made.
    std::vector<core::dns::Record> records_in(const core::dns::ChangeScope& scope) const;

    // One change: records taken out (each must be there), then records put
    // in (none may be there already, and each joins its RRset's TTL).
    struct Change {
        std::vector<core::dns::Record> removed;
        std::vector<core::dns::Record> added;
    };

    // A new version: the changes applied in order, every node none of them
    // touches shared with this version (however many changes, the nodes
    // are copied once), each change a step of its history when it
    // replaces the SOA. The caller checks the zone rules. Throws
    // std::runtime_error, naming the record, when a change does not fit:
    // the zone is then read whole instead.
    std::shared_ptr<const Zone> with_changes(const std::vector<Change>& changes) const;
    std::shared_ptr<const Zone> with_changes(const std::vector<core::dns::Record>& removed,
                                             const std::vector<core::dns::Record>& added) const {
        return with_changes(std::vector<Change>{{removed, added}});
    }

    // Only with_changes can name the tag: a version made from another.
    struct Successor {
        explicit Successor() = default;
    };
    Zone(Successor, const Zone& base);
    // Only without_data can name this one.
    struct NoData {
        explicit NoData() = default;
    };
    Zone(NoData, std::string apex, ZoneOrigin origin, ZoneAccess access);

  private:
    // Puts `record` in its node and RRset, making the node and any empty
    // ones above it.
    void insert(const core::dns::Record& record);
    // Sets what follows from the nodes: the apex's node and SOA, serial,
    // negative TTL.
    void finish();

    std::string apex_;
    ZoneOrigin origin_;
    ZoneAccess access_;
    NodeTable<Node> nodes_;
    const Node* apex_node_ = nullptr;
    const RRset* soa_ = nullptr;
    uint32_t serial_ = 0;
    uint32_t negative_ttl_ = 0;
    size_t record_count_ = 0;
    bool expired_ = false;
    std::shared_ptr<const ZoneHistory> history_ = std::make_shared<ZoneHistory>();
};

// Checks the zone rules (core::dns::check_zone, nothing repaired) where
// `changes` made `zone` differ from the version they were applied to: as
// a check of the whole zone would decide, reading a handful of names.
// Throws core::dns::ZoneRuleError.
void check_rules_where_changed(const Zone& zone, const std::vector<Zone::Change>& changes);

// What differs between two versions of a zone, RRset by RRset (an RRset
// whose TTL changed is taken out whole and put in again).
std::shared_ptr<const ZoneDifference> difference(const Zone& before, const Zone& after);

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
