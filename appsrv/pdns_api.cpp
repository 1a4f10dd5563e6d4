// The PowerDNS HTTP API as a second face of appsrv.
#include "appsrv/pdns_api.hpp"

#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "appsrv/api_error.hpp"
#include "appsrv/api_request.hpp"
#include "appsrv/json_writer.hpp"

namespace appsrv::pdns {

namespace {

using nlohmann::json;

constexpr std::string_view kServer = "localhost";
constexpr std::string_view kZonesUrl = "/api/v1/servers/localhost/zones";
constexpr size_t kMaxRRsets = 10000;

// 422, PowerDNS's answer to a request it understands but will not apply.
[[noreturn]] void unprocessable(const std::string& error, const std::string& detail = {}) {
    throw ApiError(422, error, detail);
}

void write_zone(JsonWriter& out, const db::ZoneInfo& zone,
                const std::vector<db::RecordInfo>* records) {
    const auto serial = int64_t{zone.serial};
    out.begin_object().field("account", "").key("dnssec").boolean(false);
    out.key("edited_serial").value(serial).field("id", zone.name).field("kind", "Native");
    out.key("masters").begin_array().end_array();
    out.field("name", zone.name).field("notified_serial", serial);
    if (records) {
        // Grouped by name and type, each RRset with its one TTL.
        out.key("rrsets").begin_array();
        for (size_t i = 0; i < records->size();) {
            const db::RecordInfo& first = (*records)[i];
            out.begin_object().key("comments").begin_array().end_array();
            out.field("name", first.name).key("records").begin_array();
            for (; i < records->size() && (*records)[i].name == first.name &&
                   (*records)[i].type == first.type;
                 ++i) {
                out.begin_object().field("content", (*records)[i].content);
                out.key("disabled").boolean(false).end_object();
            }
            out.end_array().field("ttl", first.ttl).field("type", first.type).end_object();
        }
        out.end_array();
    }
    out.field("serial", serial)
        .field("type", "Zone")
        .field("url", std::string(kZonesUrl) + "/" + zone.name)
        .end_object();
}

std::string zone_json(const db::ZoneInfo& zone, const std::vector<db::RecordInfo>* records) {
    JsonWriter out;
    write_zone(out, zone, records);
    return std::move(out).take();
}

// A name as PowerDNS takes it: absolute ("www.foobar.com.").
std::string absolute_name(const json& object, const std::string& field) {
    const std::string name = string_field(object, field, true).value();
    if (name.empty() || name.back() != '.')
        unprocessable("name '" + name + "' is not canonical", "names end with a dot");
    return name;
}

bool is_false(const json& object, const std::string& key) {
    const auto it = object.find(key);
    return it == object.end() || (it->is_boolean() && !it->get<bool>());
}

// The records of one RRset of a request; a disabled one or a comment is
// something webstack does not keep: refused, not dropped. Older clients
// (lego) repeat the RRset's name, type and TTL in each record, as API
// version 0 had it: taken when they agree with the RRset's.
std::vector<std::string> rrset_contents(const json& rrset) {
    if (const auto comments = rrset.find("comments");
        comments != rrset.end() && !(comments->is_array() && comments->empty()))
        unprocessable("comments are not kept by webstack", "send the RRset without comments");
    std::vector<std::string> contents;
    const auto records = rrset.find("records");
    if (records == rrset.end()) return contents;
    if (!records->is_array()) unprocessable("records must be a list");
    for (const auto& record : *records) {
        if (!record.is_object()) unprocessable("a record must be an object");
        for (const auto& [key, value] : record.items()) {
            if (key == "content" || key == "disabled") continue;
            const auto same = rrset.find(key);
            if ((key == "name" || key == "type" || key == "ttl") && same != rrset.end() &&
                *same == value)
                continue;
            unprocessable("unknown field in a record, or one that differs from its RRset's", key);
        }
        if (!is_false(record, "disabled"))
            unprocessable("disabled records are not kept by webstack",
                          "leave a record out of the RRset instead");
        contents.push_back(string_field(record, "content", true).value());
    }
    return contents;
}

std::optional<int64_t> rrset_ttl(const json& rrset) {
    const auto it = rrset.find("ttl");
    if (it == rrset.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) unprocessable("ttl must be an integer");
    return it->get<int64_t>();
}

void only_fields(const json& object, const std::set<std::string>& allowed, const char* what) {
    for (const auto& [key, _] : object.items()) {
        if (!allowed.count(key)) unprocessable(std::string("unsupported field in ") + what, key);
    }
}

// PATCH's {"rrsets": [{"name", "type", "ttl", "changetype", "records"}]}.
std::vector<db::RecordEdit> rrset_edits(const std::string& body) {
    const json object = parse_object(body, {"rrsets"});
    const auto rrsets = object.find("rrsets");
    if (rrsets == object.end() || !rrsets->is_array()) unprocessable("rrsets must be a list");
    if (rrsets->size() > kMaxRRsets) throw ApiError(413, "too many RRsets");
    std::vector<db::RecordEdit> edits;
    for (const auto& rrset : *rrsets) {
        if (!rrset.is_object()) unprocessable("an RRset must be an object");
        // "kind" is an API version 0 member that PowerDNS ignores too.
        only_fields(rrset, {"name", "type", "ttl", "changetype", "records", "comments", "kind"},
                    "an RRset");
        db::RecordEdit edit;
        edit.name = absolute_name(rrset, "name");
        edit.type = string_field(rrset, "type", true).value();
        const std::string change = string_field(rrset, "changetype", true).value();
        edit.contents = rrset_contents(rrset);
        edit.ttl = rrset_ttl(rrset);
        if (change == "DELETE" || (change == "REPLACE" && edit.contents.empty())) {
            edit.kind = db::RecordEdit::Kind::delete_rrset;
            edit.absent_ok = true;  // PowerDNS deletes what is not there without a word
        } else if (change == "REPLACE") {
            if (!edit.ttl) unprocessable("ttl is required to REPLACE an RRset", edit.name);
            edit.kind = db::RecordEdit::Kind::replace_rrset;
        } else {
            unprocessable("changetype must be REPLACE or DELETE", change);
        }
        edits.push_back(std::move(edit));
    }
    return edits;
}

// POST's zone: name, kind Native or Master, nameservers, rrsets.
db::ZoneSpec zone_spec(const json& object) {
    // Its members were held to a zone's by the parse_object that read it.
    const std::string kind = string_field(object, "kind", false).value_or("Native");
    if (kind != "Native" && kind != "Master")
        unprocessable("kind " + kind + " is not served by webstack", "Native or Master");
    if (const auto masters = object.find("masters");
        masters != object.end() && !(masters->is_array() && masters->empty()))
        unprocessable("secondary zones are not served by webstack yet", "masters must be empty");
    if (!is_false(object, "dnssec")) unprocessable("DNSSEC is not served by webstack yet");
    if (string_field(object, "account", false).value_or("") != "")
        unprocessable("accounts are not kept by webstack");
    db::ZoneSpec spec;
    if (const auto nameservers = object.find("nameservers"); nameservers != object.end()) {
        if (!nameservers->is_array()) unprocessable("nameservers must be a list");
        spec.nameservers.emplace();
        for (const auto& ns : *nameservers) {
            if (!ns.is_string()) unprocessable("nameservers must be names");
            spec.nameservers->push_back(ns.get<std::string>());
        }
        if (spec.nameservers->empty()) spec.nameservers.reset();
    }
    if (const auto rrsets = object.find("rrsets"); rrsets != object.end()) {
        if (!rrsets->is_array()) unprocessable("rrsets must be a list");
        for (const auto& rrset : *rrsets) {
            if (!rrset.is_object()) unprocessable("an RRset must be an object");
            only_fields(rrset, {"name", "type", "ttl", "changetype", "records", "comments"},
                        "an RRset");
            const std::string name = absolute_name(rrset, "name");
            const std::string type = string_field(rrset, "type", true).value();
            const auto ttl = rrset_ttl(rrset);
            for (const auto& content : rrset_contents(rrset))
                spec.records.push_back({name, type, ttl, content});
        }
    }
    return spec;
}

void require_zone(const TokenScope& scope, const std::string& name) {
    if (!scope.allows_zone(name))
        throw ApiError(403, "the token is not for this zone",
                       "token '" + scope.name + "' may not use " + name);
}

ApiResponse no_content(const db::ZoneCommit& change) {
    ApiResponse response;
    response.status = 204;
    response.change = change;
    return response;
}

std::string server_json() {
    JsonWriter out;
    out.begin_object()
        .field("config_url", "/api/v1/servers/localhost/config{/config_setting}")
        .field("daemon_type", "authoritative")
        .field("id", kServer)
        .field("type", "Server")
        .field("url", "/api/v1/servers/localhost")
        .field("version", std::string("webstack ") + WEBSTACK_VERSION)
        .field("zones_url", std::string(kZonesUrl) + "{/zone}")
        .end_object();
    return std::move(out).take();
}

}  // namespace

bool is_dialect_target(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/api" || path == "/api/" || path == "/api/v1/servers" ||
           path.starts_with("/api/v1/servers/");
}

std::string error_body(const std::string& error, const std::string& detail) {
    JsonWriter out;
    out.begin_object().field("error", detail.empty() ? error : error + ": " + detail).end_object();
    return std::move(out).take();
}

ApiResponse route(db::ZoneStore& store, const ApiRequest& request, const TokenScope& scope) {
    const std::string& method = request.method;
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/api" || path == "/api/") {
        if (method != "GET") throw ApiError::method_not_allowed("GET");
        return ok(200, "[{\"url\":\"/api/v1\",\"version\":1}]\n");
    }
    if (scope.read_only && method != "GET")
        throw ApiError(403, "the token is read-only",
                       "token '" + scope.name + "' may read, and change nothing");
    const Target target = parse_target(request.target);
    const auto& s = target.segments;  // "servers", "localhost", "zones", ...
    if (s.size() == 1) {
        if (method != "GET") throw ApiError::method_not_allowed("GET");
        std::string server = server_json();
        server.pop_back();  // its newline
        return ok(200, "[" + server + "]\n");
    }
    if (s[1] != kServer) throw ApiError(404, "no such server", s[1] + ": this one is localhost");
    if (s.size() == 2) {
        if (method != "GET") throw ApiError::method_not_allowed("GET");
        return ok(200, server_json());
    }
    if (s[2] != "zones") throw ApiError(404, "no such endpoint", request.target);
    db::ZoneCommit change;
    if (s.size() == 3) {
        if (method == "GET") {
            std::string body = "[";
            for (const auto& zone : store.list_zones()) {
                if (!scope.allows_zone(zone.name)) continue;
                std::string one = zone_json(zone, nullptr);
                one.pop_back();  // its newline
                body += (body.size() > 1 ? "," : "") + one;
            }
            return ok(200, body + "]\n");
        }
        if (method == "POST") {
            require_json(request);
            const json object =
                parse_object(request.body, {"name", "kind", "nameservers", "rrsets", "masters",
                                            "dnssec", "account", "id", "type"});
            const std::string name = db::canonical_zone_name(absolute_name(object, "name"));
            require_zone(scope, name);
            store.create_zone(scope.name, name, zone_spec(object), change);
            const auto records = store.zone_records(name);
            ApiResponse response = ok(201, zone_json(store.get_zone(name), &records));
            response.change = change;
            return response;
        }
        throw ApiError::method_not_allowed("GET, POST");
    }
    const std::string zone = db::canonical_zone_name(s[3]);
    require_zone(scope, zone);
    if (s.size() == 4) {
        if (method == "GET") {
            const auto records = store.zone_records(zone);
            return ok(200, zone_json(store.get_zone(zone), &records));
        }
        if (method == "PATCH") {
            require_json(request);
            const auto edits = rrset_edits(request.body);
            if (edits.empty()) return no_content({});
            store.edit_records(scope.name, zone, edits, change);
            return no_content(change);
        }
        if (method == "DELETE") {
            store.delete_zone(scope.name, zone, change);
            return no_content(change);
        }
        throw ApiError::method_not_allowed("GET, PATCH, DELETE");
    }
    if (s.size() == 5 && s[4] == "notify") {
        if (method != "PUT") throw ApiError::method_not_allowed("PUT");
        const db::ZoneInfo info = store.get_zone(zone);
        ApiResponse response = ok(200, "{\"result\":\"Notification queued\"}\n");
        response.change = db::ZoneCommit{info.name, info.serial};
        return response;
    }
    if (s.size() == 5 && s[4] == "export") {
        if (method != "GET") throw ApiError::method_not_allowed("GET");
        ApiResponse response = ok(200, store.export_zone(zone));
        response.content_type = "text/plain; charset=utf-8";
        return response;
    }
    throw ApiError(404, "no such endpoint", request.target);
}

}  // namespace appsrv::pdns
