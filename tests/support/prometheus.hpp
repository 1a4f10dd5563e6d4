// Reading a /metrics answer in tests: one sample's value, and Prometheus's
// own linter over the whole text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace test {

// The value of the sample written exactly as `series` (name and labels,
// `webstack_dnsd_queries_total{transport="udp",type="A",rcode="NOERROR"}`),
// or nullopt when the text has no such line.
std::optional<double> metric_value(std::string_view text, std::string_view series);

// What `promtool check metrics` says of `text`: empty when it accepts it
// without a finding (promtool comes with Debian's prometheus package).
std::string promtool_findings(const std::string& text);

}  // namespace test
