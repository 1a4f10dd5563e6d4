// The configuration reference in Markdown, rendered from the schemas.
#pragma once

#include <span>
#include <string>

#include "core/config/schema.hpp"

namespace core::config {

// One table per schema (and per nested table list): key, type, default,
// limits, reloadable, description. The README embeds this text verbatim.
std::string render_reference(std::span<const Schema* const> schemas);

}  // namespace core::config
