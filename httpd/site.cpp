// What httpd serves, built from its configuration.
#include "httpd/site.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/config/load.hpp"
#include "core/http/parser.hpp"
#include "httpd/config.hpp"
#include "httpd/request_path.hpp"

namespace httpd {

namespace {

using core::config::Error;
using core::config::Section;

// An error about a key of a table, pointing at the line it came from (or,
// for a defaulted key, at any line of that table).
Error error_at(const Section& section, std::string_view key, const std::string& message) {
    const core::config::Origin* origin = nullptr;
    if (section.has(key)) origin = &section.origin(key);
    if ((!origin || origin->file.empty()) && section.schema()) {
        for (const auto& k : section.schema()->keys) {
            if (section.has(k.name) && !section.origin(k.name).file.empty()) {
                origin = &section.origin(k.name);
                break;
            }
        }
    }
    return Error(origin ? origin->file : "", origin ? origin->line : 0,
                 section.path() + "." + std::string(key), message);
}

std::string toml_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The quick command-line site, written as the configuration it stands for
// so that it is checked by the same rules.
Section quick_section(const Section& httpd, const QuickSite& quick) {
    std::string toml = "[httpd]\n";
    std::vector<std::string> routes;
    for (size_t i = 0; i < quick.proxies.size(); ++i) {
        const std::string& spec = quick.proxies[i];
        const size_t equals = spec.find('=');
        if (equals == std::string::npos || equals == 0 || spec[0] != '/') {
            throw Error("--proxy", 0, spec, "expected /PREFIX=ADDRESS[,ADDRESS...]");
        }
        const std::string name = "proxy" + std::to_string(i + 1);
        toml += "[[httpd.upstream]]\nname = " + toml_string(name) + "\nmembers = [";
        std::string_view members = std::string_view(spec).substr(equals + 1);
        bool first = true;
        while (!members.empty()) {
            const size_t comma = members.find(',');
            if (!first) toml += ", ";
            toml += toml_string(members.substr(0, comma));
            first = false;
            members =
                comma == std::string_view::npos ? std::string_view{} : members.substr(comma + 1);
        }
        toml += "]\n";
        routes.push_back("[[httpd.server.route]]\nprefix = " + toml_string(spec.substr(0, equals)) +
                         "\nproxy = " + toml_string(name) + "\n");
    }
    toml += "[[httpd.server]]\ndefault = true\n";
    for (const auto& route : routes)
        toml += route;
    if (!quick.root.empty())
        toml += "[[httpd.server.route]]\nprefix = \"/\"\nroot = " + toml_string(quick.root) + "\n";
    constexpr const core::config::Schema* kSchemas[] = {&config::kSchema};
    core::config::Config parsed = core::config::load_text(toml, "command line", kSchemas);
    const Section& quick_httpd = parsed.section("httpd");
    Section result = httpd;
    result.set("upstream", quick_httpd.has("upstream")
                               ? quick_httpd.value("upstream")
                               : core::config::Value(std::vector<Section>{}));
    result.set("server", quick_httpd.value("server"));
    return result;
}

std::shared_ptr<Upstream> build_upstream(const Section& section, const Site* previous) {
    auto upstream = std::make_shared<Upstream>();
    upstream->name = section.string("name");
    for (const auto& text : section.strings("members")) {
        std::string error;
        auto member = parse_member(text, error);
        if (!member) throw error_at(section, "members", text + ": " + error);
        upstream->members.push_back(std::move(*member));
    }
    if (previous) {
        for (const auto& old_pool : previous->upstreams) {
            if (old_pool->name != upstream->name) continue;
            for (const auto& old_member : old_pool->members) {
                for (auto& member : upstream->members) {
                    if (member.label == old_member.label) member.health = old_member.health;
                }
            }
        }
    }
    upstream->balance =
        section.string("balance") == "least_conn" ? Balance::least_conn : Balance::round_robin;
    upstream->timeouts.connect_ms = static_cast<uint64_t>(section.duration_ms("connect_timeout"));
    upstream->timeouts.read_ms = static_cast<uint64_t>(section.duration_ms("read_timeout"));
    upstream->fail_timeout_ms = static_cast<uint64_t>(section.duration_ms("fail_timeout"));
    upstream->keepalive = static_cast<size_t>(section.integer("keepalive"));
    upstream->health_path = section.string("health_path");
    if (upstream->health_path.empty() || upstream->health_path[0] != '/')
        throw error_at(section, "health_path", "must start with '/'");
    upstream->health_interval_ms = static_cast<uint64_t>(section.duration_ms("health_interval"));
    upstream->health_timeout_ms = static_cast<uint64_t>(section.duration_ms("health_timeout"));
    upstream->health_rise = static_cast<int>(section.integer("health_rise"));
    upstream->health_fall = static_cast<int>(section.integer("health_fall"));
    return upstream;
}

Route build_route(const Section& section,
                  const std::map<std::string, std::shared_ptr<const Upstream>>& upstreams) {
    Route route;
    route.prefix = section.string("prefix");
    if (route.prefix.empty() || route.prefix[0] != '/')
        throw error_at(section, "prefix", "must start with '/'");
    int kinds = 0;
    if (!section.string("root").empty()) {
        ++kinds;
        route.kind = Route::Kind::files;
        std::error_code ec;
        const std::filesystem::path root = section.string("root");
        if (!std::filesystem::is_directory(root, ec))
            throw error_at(section, "root", section.string("root") + ": not a directory");
        route.root = std::filesystem::absolute(root, ec).lexically_normal().string();
    }
    if (!section.string("proxy").empty()) {
        ++kinds;
        route.kind = Route::Kind::proxy;
        const auto it = upstreams.find(section.string("proxy"));
        if (it == upstreams.end())
            throw error_at(section, "proxy",
                           "no [[httpd.upstream]] is named '" + section.string("proxy") + "'");
        route.upstream = it->second;
    }
    if (!section.string("redirect").empty()) {
        ++kinds;
        route.kind = Route::Kind::redirect;
        route.location = section.string("redirect");
        route.to_https = route.location == "https";
        route.same_scheme = route.location.rfind("//", 0) == 0;
        while (!route.location.empty() && route.location.back() == '/')
            route.location.pop_back();
        if (route.same_scheme &&
            (route.location.size() <= 2 ||
             !core::http::is_valid_host(std::string_view(route.location).substr(2))))
            throw error_at(section, "redirect",
                           "//HOST: a host name, or host:port, and nothing else");
        route.asked_port =
            route.same_scheme && host_port(std::string_view(route.location).substr(2)).empty();
        route.status = section.has("status") ? static_cast<int>(section.integer("status")) : 301;
        if (route.status != 301 && route.status != 302 && route.status != 303 &&
            route.status != 307 && route.status != 308)
            throw error_at(section, "status", "a redirect's status is 301, 302, 303, 307 or 308");
    }
    if (!section.string("body").empty()) {
        ++kinds;
        route.kind = Route::Kind::fixed;
        route.body = section.string("body");
        route.status = section.has("status") ? static_cast<int>(section.integer("status")) : 200;
        route.content_type = section.string("content_type");
    }
    if (section.boolean("metrics")) {
        ++kinds;
        route.kind = Route::Kind::metrics;
    }
    if (kinds != 1)
        throw error_at(section, "prefix",
                       "a route needs exactly one of root, proxy, redirect, body or metrics");
    route.json_errors = section.string("errors") == "json";
    return route;
}

}  // namespace

const Route* VirtualServer::route_for(std::string_view path) const {
    for (const auto& route : routes) {
        if (path.substr(0, route.prefix.size()) == route.prefix) return &route;
        // "/api/" also takes "/api", which would otherwise fall to "/".
        if (route.prefix.size() > 1 && route.prefix.back() == '/' &&
            path == std::string_view(route.prefix).substr(0, route.prefix.size() - 1))
            return &route;
    }
    return nullptr;
}

const VirtualServer* Site::server_for(size_t listener, std::string_view host) const {
    const VirtualServer* wildcard = nullptr;
    size_t wildcard_length = 0;
    const VirtualServer* fallback = nullptr;
    for (const auto& server : servers) {
        if (!server.on_listener[listener]) continue;
        if (!fallback || (server.is_default && !fallback->is_default)) fallback = &server;
        for (const auto& name : server.exact_names) {
            if (name == host) return &server;
        }
        for (const auto& suffix : server.wildcard_suffixes) {
            if (host.size() > suffix.size() && suffix.size() > wildcard_length &&
                host.substr(host.size() - suffix.size()) == suffix) {
                wildcard = &server;
                wildcard_length = suffix.size();
            }
        }
    }
    return wildcard ? wildcard : fallback;
}

// "Name: value" of `response_headers`, checked: a field name, a value
// that cannot end the line, and none of the fields HTTP's framing and
// connection management are written with.
std::pair<std::string, std::string> response_header(const Section& section,
                                                    const std::string& text) {
    const size_t colon = text.find(':');
    const std::string name = text.substr(0, colon);
    if (colon == std::string::npos || !core::http::is_field_name(name))
        throw error_at(section, "response_headers", "'" + text + "' is not \"Name: value\"");
    std::string_view value = std::string_view(text).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    if (!core::http::is_field_value(value))
        throw error_at(section, "response_headers",
                       name + ": the value holds a control character (CR, LF, NUL...)");
    static constexpr std::string_view kFraming[] = {
        "content-length", "transfer-encoding", "connection", "keep-alive",
        "upgrade",        "trailer",           "te",         "date",
        "content-range"};
    std::string lower = name;
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(std::begin(kFraming), std::end(kFraming), lower) != std::end(kFraming))
        throw error_at(section, "response_headers",
                       name + " is written by httpd itself, from the answer it frames");
    return {name, std::string(value)};
}

std::shared_ptr<const Site> build_site(const Section& configured, const QuickSite& quick,
                                       const Site* previous) {
    const Section httpd = quick.empty() ? configured : quick_section(configured, quick);
    auto site = std::make_shared<Site>();
    site->tls_handshake_timeout_ms =
        static_cast<uint64_t>(httpd.duration_ms("tls_handshake_timeout"));
    site->http2 = httpd.boolean("http2");
    std::map<std::string, size_t> listener_index;
    for (const char* key : {"listen", "listen_tls"}) {
        if (!httpd.has(key)) continue;
        const auto& texts = httpd.strings(key);
        auto addresses = httpd.addresses(key);
        for (size_t i = 0; i < texts.size(); ++i) {
            if (!listener_index.emplace(texts[i], site->listen.size()).second)
                throw error_at(httpd, key, texts[i] + " is listed twice");
            site->listen.push_back(std::move(addresses[i]));
            site->tls.push_back(nullptr);
        }
    }
    const size_t plain_listeners = httpd.strings("listen").size();
    std::vector<const Section*> server_sections;

    std::map<std::string, std::shared_ptr<const Upstream>> upstreams;
    if (httpd.has("upstream")) {
        for (const auto& section : httpd.tables("upstream")) {
            auto upstream = build_upstream(section, previous);
            if (!upstreams.emplace(upstream->name, upstream).second)
                throw error_at(section, "name",
                               "another upstream is named '" + upstream->name + "'");
            site->upstreams.push_back(std::move(upstream));
        }
    }

    std::set<std::pair<size_t, std::string>> names_taken;
    if (httpd.has("server")) {
        for (const auto& section : httpd.tables("server")) {
            VirtualServer server;
            server.is_default = section.boolean("default");
            server.tls_certificate = section.string("tls_certificate");
            server.tls_key = section.string("tls_key");
            if (const int64_t max_age = section.duration_ms("hsts_max_age") / 1000; max_age > 0) {
                server.hsts = "max-age=" + std::to_string(max_age);
                if (section.boolean("hsts_include_subdomains"))
                    server.hsts += "; includeSubDomains";
            }
            for (const auto& text : section.strings("response_headers"))
                server.response_headers.push_back(response_header(section, text));
            if (server.tls_certificate.empty() != server.tls_key.empty())
                throw error_at(section, server.tls_key.empty() ? "tls_certificate" : "tls_key",
                               "tls_certificate and tls_key go together");
            server.on_listener.assign(site->listen.size(), section.strings("listen").empty());
            for (const auto& text : section.strings("listen")) {
                const auto it = listener_index.find(text);
                if (it == listener_index.end())
                    throw error_at(section, "listen",
                                   text + " is not in httpd.listen or httpd.listen_tls");
                server.on_listener[it->second] = true;
            }
            for (const auto& configured_name : section.strings("names")) {
                const std::string name = host_name(configured_name);
                if (name.empty() || (name[0] == '*' && (name.size() < 3 || name[1] != '.')) ||
                    name.find('*', 1) != std::string::npos)
                    throw error_at(section, "names",
                                   configured_name + ": expected a host name or *.domain");
                for (size_t l = 0; l < site->listen.size(); ++l) {
                    if (server.on_listener[l] && !names_taken.emplace(l, name).second)
                        throw error_at(section, "names",
                                       configured_name + " is named by another server too");
                }
                if (name[0] == '*') {
                    server.wildcard_suffixes.push_back(name.substr(1));
                } else {
                    server.exact_names.push_back(name);
                }
            }
            server.label = section.strings("names").empty()
                               ? "default"
                               : host_name(section.strings("names")[0]);
            std::set<std::string> prefixes;
            if (section.has("route")) {
                for (const auto& route_section : section.tables("route")) {
                    Route route = build_route(route_section, upstreams);
                    if (!prefixes.insert(route.prefix).second)
                        throw error_at(route_section, "prefix",
                                       route.prefix + " is routed twice in this server");
                    server.routes.push_back(std::move(route));
                }
            }
            std::stable_sort(
                server.routes.begin(), server.routes.end(),
                [](const Route& a, const Route& b) { return a.prefix.size() > b.prefix.size(); });
            site->servers.push_back(std::move(server));
            server_sections.push_back(&section);
        }
    }
    // Redirects to HTTPS go to the first TLS address's port.
    for (auto& server : site->servers) {
        for (auto& route : server.routes) {
            if (!route.to_https) continue;
            if (plain_listeners == site->listen.size())
                throw error_at(httpd, "listen_tls",
                               "a route redirects to https, and no address speaks it");
            route.https_port = site->listen[plain_listeners].port();
        }
    }
    // Each TLS listener: the certificates of the servers on it, its default
    // server's first (the one a client naming no known host gets).
    for (size_t l = plain_listeners; l < site->listen.size(); ++l) {
        std::vector<core::tls::Certificate> certificates;
        std::optional<size_t> first;
        for (size_t s = 0; s < site->servers.size(); ++s) {
            const VirtualServer& server = site->servers[s];
            if (!server.on_listener[l]) continue;
            if (server.tls_certificate.empty())
                throw error_at(*server_sections[s], "tls_certificate",
                               "server " + server.label + " answers on " +
                                   site->listen[l].to_string() + " (TLS) without a certificate");
            core::tls::Certificate certificate{{}, server.tls_certificate, server.tls_key};
            for (const auto& name : server.exact_names)
                certificate.names.push_back(name);
            for (const auto& suffix : server.wildcard_suffixes)
                certificate.names.push_back("*" + suffix);
            if (!first || (server.is_default && !site->servers[*first].is_default)) {
                first = s;
                certificates.insert(certificates.begin(), std::move(certificate));
            } else {
                certificates.push_back(std::move(certificate));
            }
        }
        if (certificates.empty())
            throw error_at(httpd, "listen_tls",
                           "no server answers on " + site->listen[l].to_string() +
                               ": without one there is no certificate to offer");
        try {
            site->tls[l] = core::tls::ServerContext::load(std::move(certificates), site->http2);
        } catch (const std::exception& e) {
            throw error_at(*server_sections[*first], "tls_certificate", e.what());
        }
    }
    for (size_t l = 0; l < site->listen.size(); ++l) {
        size_t defaults = 0;
        for (const auto& server : site->servers)
            defaults += server.on_listener[l] && server.is_default;
        if (defaults > 1)
            throw error_at(httpd, "server",
                           "two servers are the default on " + site->listen[l].to_string());
    }
    return site;
}

}  // namespace httpd
