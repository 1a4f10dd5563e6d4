// Builds a DNS response in wire form: header, the question echoed,
// sections with name compression, and truncation by whole RRsets.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dnsd/query.hpp"
#include "dnsd/zone.hpp"

namespace dnsd {

// The UDP payload size dnsd advertises (the DNS Flag Day 2020 value, which
// avoids IP fragmentation), and the most it sends over UDP.
inline constexpr uint16_t kAdvertisedUdpSize = 1232;

enum class Section { answer, authority, additional };

class MessageWriter {
  public:
    // `limit`: the largest message the transport allows (UDP: what the
    // client advertised, capped; TCP: 65535). Space for an OPT is kept
    // aside when the query had one.
    MessageWriter(std::string& out, const Query& query, size_t limit);

    void set_rcode(uint16_t rcode) { rcode_ = rcode; }
    void set_aa(bool aa) { aa_ = aa; }

    // Appends a whole RRset under `owner` (wire, lowercased), or nothing if
    // it does not fit; returns false then. `ttl_override` replaces the TTL
    // (negative answers), when non-zero-valued optional.
    bool add(Section section, std::string_view owner, const RRset& rrset,
             const uint32_t* ttl_override = nullptr);
    // One record with a given rdata (a synthesised CNAME).
    bool add_one(Section section, std::string_view owner, uint16_t type, uint16_t rclass,
                 uint32_t ttl, std::string_view rdata);

    void set_truncated() { truncated_ = true; }
    bool truncated() const { return truncated_; }
    uint16_t count(Section section) const { return counts_[static_cast<int>(section)]; }

    // Writes the header counts, flags and the OPT record.
    void finish();

  private:
    void write_name(std::string_view name);
    bool fits() const { return out_.size() <= limit_; }

    std::string& out_;
    const Query& query_;
    size_t limit_;
    uint16_t rcode_ = 0;
    bool aa_ = false;
    bool truncated_ = false;
    uint16_t counts_[3] = {0, 0, 0};
    // Names written so far, for compression: each suffix once, with the
    // offset where it starts. Views into the zone or the query, both alive
    // while the message is built.
    struct Written {
        std::string_view name;  // lowercased wire suffix
        uint16_t offset;
    };
    // A fixed table, so that building an answer allocates nothing; names
    // past its end are written uncompressed, which is still correct.
    std::array<Written, 64> written_;
    size_t written_count_ = 0;
    void remember(std::string_view name, uint16_t offset) {
        if (written_count_ < written_.size()) written_[written_count_++] = Written{name, offset};
    }
};

}  // namespace dnsd
