// The records of a DNS message read whole (an answer to a transfer, an
// UPDATE): names decompressed and owners lowercased, through ldns.
#pragma once

#include <string_view>
#include <vector>

#include "core/dns/record.hpp"

namespace dnsd {

struct MessageRecords {
    std::vector<core::dns::Record> question;   // owner, type and class only
    std::vector<core::dns::Record> answer;     // an UPDATE's prerequisites
    std::vector<core::dns::Record> authority;  // an UPDATE's updates
};

// Throws std::runtime_error when the message does not parse.
MessageRecords read_message_records(std::string_view message);

}  // namespace dnsd
