// A zone's nodes by name, kept in shards that a new version of the zone
// shares with the one before it but for the shards a change touched: a
// change to a zone of 100,000 names copies a few hundred nodes, not the
// zone. A small zone has one shard, and a lookup then costs one hash.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dnsd {

// A name with its hash computed once: it picks the shard, then finds the
// node in the shard's map without hashing again.
struct HashedName {
    std::string_view name;
    size_t hash;
};

struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
    size_t operator()(const HashedName& name) const { return name.hash; }
};

struct NameEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
    bool operator()(const HashedName& a, std::string_view b) const { return a.name == b; }
    bool operator()(std::string_view a, const HashedName& b) const { return a == b.name; }
};

template <typename Node>
class NodeTable {
  public:
    using Shard = std::unordered_map<std::string, Node, NameHash, NameEqual>;

    // Sized for about `nodes` names: one shard up to kNodesPerShard, then
    // a power of two of them.
    explicit NodeTable(size_t nodes) {
        size_t shards = 1;
        while (shards < kMaxShards && nodes / shards > kNodesPerShard)
            shards *= 2;
        shards_.reserve(shards);
        for (size_t i = 0; i < shards; ++i)
            shards_.push_back(std::make_shared<Shard>());
        owned_.assign(shards, true);
        if (shards == 1) shards_[0]->reserve(nodes);
    }

    // A version to change: shares every shard with this one until it
    // writes to it. A table that has outgrown its shards is copied whole
    // into more of them instead, so that a shard a change copies stays
    // small however the zone grows (the sizes double: a node is copied so
    // a few times in all).
    NodeTable copy() const {
        const size_t nodes = size();
        if (shards_.size() < kMaxShards && nodes / shards_.size() > 2 * kNodesPerShard) {
            NodeTable bigger(nodes);
            for_each([&](const std::string& name, const Node& node) {
                bool made = false;
                bigger.get_or_make(name, made) = node;
            });
            return bigger;
        }
        NodeTable next = *this;
        next.owned_.assign(shards_.size(), false);
        return next;
    }

    const Node* find(std::string_view name) const {
        const HashedName hashed{name, NameHash{}(name)};
        const Shard& shard = *shards_[shard_of(hashed.hash)];
        const auto it = shard.find(hashed);
        return it == shard.end() ? nullptr : &it->second;
    }
    // The node to change, its shard copied first if another version shares it.
    Node* find_to_change(std::string_view name) {
        const HashedName hashed{name, NameHash{}(name)};
        Shard& shard = writable(shard_of(hashed.hash));
        const auto it = shard.find(hashed);
        return it == shard.end() ? nullptr : &it->second;
    }
    // The node `name`, made (default) when missing; `made` says which.
    Node& get_or_make(const std::string& name, bool& made) {
        auto [it, inserted] = writable(shard_of(NameHash{}(name))).try_emplace(name);
        made = inserted;
        return it->second;
    }
    void erase(std::string_view name) {
        const HashedName hashed{name, NameHash{}(name)};
        Shard& shard = writable(shard_of(hashed.hash));
        if (const auto it = shard.find(hashed); it != shard.end()) shard.erase(it);
    }

    size_t size() const {
        size_t total = 0;
        for (const auto& shard : shards_)
            total += shard->size();
        return total;
    }
    // Every node, in no particular order.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (const auto& shard : shards_) {
            for (const auto& [name, node] : *shard)
                visit(name, node);
        }
    }

  private:
    static constexpr size_t kNodesPerShard = 64;
    static constexpr size_t kMaxShards = 4096;

    size_t shard_of(size_t hash) const {
        // Shards are a power of two: bits of the hash above those the
        // shard's map uses for its buckets pick one.
        return (hash >> 40) & (shards_.size() - 1);
    }
    Shard& writable(size_t index) {
        if (!owned_[index]) {
            shards_[index] = std::make_shared<Shard>(*shards_[index]);
            owned_[index] = true;
        }
        return *shards_[index];
    }

    std::vector<std::shared_ptr<Shard>> shards_;
    std::vector<bool> owned_;  // shards this version copied (or made) itself
};

}  // namespace dnsd
