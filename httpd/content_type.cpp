// The Content-Type of a static file, from its extension.
#include "httpd/content_type.hpp"

#include <array>
#include <utility>

#include "core/http/headers.hpp"

namespace httpd {

namespace {

// Text types carry their charset: browsers would otherwise guess.
constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"gif", "image/gif"},
    {"woff", "font/woff"},
}};

}  // namespace

std::string_view content_type_for(std::string_view path) {
    const size_t slash = path.rfind('/');
    const std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const size_t dot = file.rfind('.');
    if (dot != std::string_view::npos && dot + 1 < file.size()) {
        const std::string_view extension = file.substr(dot + 1);
        for (const auto& [known, type] : kTypes) {
            if (core::http::iequals(known, extension)) return type;
        }
    }
    return "application/octet-stream";
}

}  // namespace httpd
