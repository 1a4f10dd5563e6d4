// The Content-Type of a static file, from its extension.
#pragma once

#include <string_view>

namespace httpd {

// "text/html; charset=utf-8" for "index.html"; application/octet-stream
// for an extension not in the table. Case-insensitive.
std::string_view content_type_for(std::string_view path);

}  // namespace httpd
