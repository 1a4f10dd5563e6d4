// The JSON API under /api/v1/.
#include "appsrv/api.hpp"

#include <cctype>
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "appsrv/api_error.hpp"
#include "appsrv/api_request.hpp"
#include "appsrv/json_writer.hpp"
#include "appsrv/pdns_api.hpp"
#include "appsrv/tokens.hpp"
#include "core/log.hpp"

namespace appsrv {

namespace {

using nlohmann::json;

constexpr int64_t kDefaultPage = 100;
constexpr int64_t kMaxPage = 1000;
constexpr int kAttempts = 3;  // a transaction the database may retry

db::RecordInput record_input(const std::string& body) {
    const json object = parse_object(body, {"name", "type", "ttl", "content"});
    db::RecordInput input;
    input.name = string_field(object, "name", true).value();
    input.type = string_field(object, "type", true).value();
    input.content = string_field(object, "content", true).value();
    if (const auto it = object.find("ttl"); it != object.end() && !it->is_null()) {
        if (!it->is_number_integer())
            throw ApiError(400, "wrong type", "ttl must be an integer", "ttl");
        if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX})
            throw ApiError(400, "ttl out of range", "from 0 to 2147483647", "ttl");
        input.ttl = it->get<int64_t>();
    }
    return input;
}

// Most edits in one PATCH: a zone's worth of changes, not an import.
constexpr size_t kMaxEdits = 10000;

// A JSON object's member as an id.
int64_t id_field(const json& object) {
    const auto it = object.find("id");
    if (it == object.end() || !it->is_number_integer() || it->get<int64_t>() <= 0)
        throw ApiError(400, "wrong type", "id must be a positive integer", "id");
    return it->get<int64_t>();
}

std::optional<int64_t> ttl_field(const json& object) {
    const auto it = object.find("ttl");
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer())
        throw ApiError(400, "wrong type", "ttl must be an integer", "ttl");
    if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX})
        throw ApiError(400, "ttl out of range", "from 0 to 2147483647", "ttl");
    return it->get<int64_t>();
}

// One item of a PATCH: {"action": "create" | "replace" | "delete", and a
// record's fields, or an id, or a name and type (an RRset)}.
db::RecordEdit record_edit(const json& item) {
    if (!item.is_object()) throw ApiError(400, "expected a JSON object");
    const std::string action = string_field(item, "action", true).value();
    const auto allow = [&](const std::set<std::string>& allowed) {
        for (const auto& [key, _] : item.items()) {
            if (key != "action" && !allowed.count(key))
                throw ApiError(400, "unknown field", key + " (with action " + action + ")", key);
        }
    };
    const auto record = [&] {
        db::RecordInput input;
        input.name = string_field(item, "name", true).value();
        input.type = string_field(item, "type", true).value();
        input.content = string_field(item, "content", true).value();
        input.ttl = ttl_field(item);
        return input;
    };
    db::RecordEdit edit;
    const bool by_id = item.contains("id");
    if (action == "create") {
        allow({"name", "type", "content", "ttl"});
        edit.kind = db::RecordEdit::Kind::create;
        edit.record = record();
    } else if (action == "replace" && by_id) {
        allow({"id", "name", "type", "content", "ttl"});
        edit.kind = db::RecordEdit::Kind::replace_record;
        edit.id = id_field(item);
        edit.record = record();
    } else if (action == "replace") {
        allow({"name", "type", "ttl", "contents"});
        edit.kind = db::RecordEdit::Kind::replace_rrset;
        edit.name = string_field(item, "name", true).value();
        edit.type = string_field(item, "type", true).value();
        edit.ttl = ttl_field(item);
        const auto contents = item.find("contents");
        if (contents == item.end() || !contents->is_array() || contents->empty())
            throw ApiError(400, "missing field",
                           "contents: the RRset's contents, one or more (delete to remove it)",
                           "contents");
        for (const auto& content : *contents) {
            if (!content.is_string())
                throw ApiError(400, "wrong type", "contents must be strings", "contents");
            edit.contents.push_back(content.get<std::string>());
        }
    } else if (action == "delete" && by_id) {
        allow({"id"});
        edit.kind = db::RecordEdit::Kind::delete_record;
        edit.id = id_field(item);
    } else if (action == "delete") {
        allow({"name", "type"});
        edit.kind = db::RecordEdit::Kind::delete_rrset;
        edit.name = string_field(item, "name", true).value();
        edit.type = string_field(item, "type", true).value();
    } else {
        throw ApiError(400, "unknown action", action + ": create, replace or delete", "action");
    }
    return edit;
}

// A refused change as the API answers it.
int status_of(db::ChangeError::Kind kind) {
    switch (kind) {
        case db::ChangeError::Kind::invalid:
            return 400;
        case db::ChangeError::Kind::not_found:
            return 404;
        case db::ChangeError::Kind::conflict:
            return 409;
        case db::ChangeError::Kind::internal:
            break;
    }
    return 500;
}

std::vector<db::RecordEdit> record_edits(const std::string& body) {
    const json object = parse_object(body, {"changes"});
    const auto changes = object.find("changes");
    if (changes == object.end() || !changes->is_array() || changes->empty())
        throw ApiError(400, "missing field", "changes: a list of one or more changes", "changes");
    if (changes->size() > kMaxEdits)
        throw ApiError(413, "too many changes",
                       "at most " + std::to_string(kMaxEdits) + " a request", "changes");
    std::vector<db::RecordEdit> edits;
    for (size_t i = 0; i < changes->size(); ++i) {
        try {
            edits.push_back(record_edit((*changes)[i]));
        } catch (const ApiError& e) {
            const std::string at = "changes[" + std::to_string(i) + "]";
            throw ApiError(e.status(), e.error(), e.detail(),
                           e.field().empty() ? at : at + "." + e.field());
        }
    }
    return edits;
}

// Members in alphabetical order, as clients have always seen them; "error"
// only for a stored row that does not parse.
void write_record(JsonWriter& out, const db::RecordInfo& r) {
    out.begin_object().field("content", r.content);
    if (!r.error.empty()) out.field("error", r.error);
    out.field("id", r.id)
        .field("name", r.name)
        .field("ttl", r.ttl)
        .field("type", r.type)
        .end_object();
}

void write_zone(JsonWriter& out, const db::ZoneInfo& z) {
    out.begin_object()
        .field("id", z.id)
        .field("name", z.name)
        .field("records", z.records)
        .field("serial", z.serial)
        .end_object();
}

std::string record_json(const db::RecordInfo& r) {
    JsonWriter out;
    write_record(out, r);
    return std::move(out).take();
}

std::string zone_json(const db::ZoneInfo& z) {
    JsonWriter out;
    write_zone(out, z);
    return std::move(out).take();
}

int64_t record_id(const std::string& text) {
    int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || id <= 0)
        throw ApiError(404, "no such record", text, "id");
    return id;
}

// A time as the audit log writes it, "2026-11-25T20:54:06Z"; a date alone
// is its first second.
std::string audit_time(const std::string& text, const std::string& name) {
    const auto digits = [&](size_t from, size_t count) {
        for (size_t i = from; i < from + count; ++i) {
            if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
        }
        return true;
    };
    const bool date = text.size() >= 10 && digits(0, 4) && text[4] == '-' && digits(5, 2) &&
                      text[7] == '-' && digits(8, 2);
    if (date && text.size() == 10) return text + "T00:00:00Z";
    if (date && text.size() == 20 && text[10] == 'T' && digits(11, 2) && text[13] == ':' &&
        digits(14, 2) && text[16] == ':' && digits(17, 2) && text[19] == 'Z')
        return text;
    throw ApiError(400, "invalid " + name, "a UTC time, 2026-11-25T20:54:06Z, or a date", name);
}

void write_audit(JsonWriter& out, const db::AuditRecord& record) {
    const auto& e = record.entry;
    const auto serial = [&](const char* name, const std::optional<uint32_t>& value) {
        out.key(name);
        value ? out.value(int64_t{*value}) : out.null();
    };
    const auto json_value = [&](const char* name, const std::optional<std::string>& value) {
        out.key(name);
        value ? out.json_text(*value) : out.null();
    };
    out.begin_object().field("action", e.action).field("actor", e.actor).field("at", record.at);
    json_value("after", e.after);
    json_value("before", e.before);
    out.field("id", record.id);
    out.key("record_id");
    e.record_id ? out.value(*e.record_id) : out.null();
    serial("serial_after", e.serial_after);
    serial("serial_before", e.serial_before);
    out.field("zone", e.zone).end_object();
}

// `zones`: the only zones whose entries are shown (a scoped token's).
ApiResponse audit_page(db::ZoneStore& store, const Target& target,
                       const std::optional<std::string>& zone,
                       const std::optional<std::vector<std::string>>& zones) {
    for (const auto& [key, _] : target.query) {
        if (key != "limit" && key != "offset" && key != "actor" && key != "since" && key != "until")
            throw ApiError(400, "unknown query parameter", key, key);
    }
    const int64_t limit = integer_param(target, "limit", kDefaultPage, 1, kMaxPage);
    const int64_t offset = integer_param(target, "offset", 0, 0, INT64_MAX / 2);
    db::AuditFilter filter;
    filter.zones = zones;
    filter.actor = target.param("actor");
    if (const auto since = target.param("since")) filter.since = audit_time(*since, "since");
    if (const auto until = target.param("until")) filter.until = audit_time(*until, "until");
    const db::AuditPage page = store.audit(zone, filter, limit, offset);
    JsonWriter out;
    out.begin_object().key("entries").begin_array();
    for (const auto& entry : page.entries)
        write_audit(out, entry);
    out.end_array().field("limit", limit).field("offset", offset).field("total", page.total);
    out.end_object();
    return ok(200, std::move(out).take());
}

[[noreturn]] void not_allowed(const std::string& allow) {
    throw ApiError::method_not_allowed(allow);
}

// The route table: what each path and method does.

// 403 unless the token may use the zone `zone` (as a client names it).
void require_zone(const TokenScope& scope, const std::string& zone) {
    const std::string name = db::canonical_zone_name(zone);
    if (!scope.allows_zone(name))
        throw ApiError(403, "the token is not for this zone",
                       "token '" + scope.name + "' may not use " + name, "zone");
}

ApiResponse route(db::Connection& db, const ApiRequest& request, const TokenScope& scope) {
    const Target target = parse_target(request.target);
    const auto& s = target.segments;
    const std::string& method = request.method;
    const std::string& actor = scope.name;
    if (scope.read_only && method != "GET" && method != "HEAD")
        throw ApiError(403, "the token is read-only",
                       "token '" + scope.name + "' may read, and change nothing");
    if (s.size() >= 2 && s[0] == "zones") require_zone(scope, s[1]);
    db::ZoneStore store(db);
    db::ZoneCommit change;
    const auto with_change = [&](ApiResponse response) {
        response.change = change;
        return response;
    };

    if (s.size() == 1 && s[0] == "zones") {
        if (method == "GET") {
            JsonWriter out;
            out.begin_object().key("zones").begin_array();
            for (const auto& z : store.list_zones()) {
                if (scope.allows_zone(z.name)) write_zone(out, z);
            }
            out.end_array().end_object();
            return ok(200, std::move(out).take());
        }
        if (method == "POST") {
            require_json(request);
            const json object = parse_object(request.body, {"name", "zone_file"});
            const std::string name = string_field(object, "name", true).value();
            db::ZoneSpec spec;
            spec.zone_file = string_field(object, "zone_file", false);
            require_zone(scope, name);
            const db::ZoneInfo zone = store.create_zone(actor, name, spec, change);
            auto response = with_change(ok(201, zone_json(zone)));
            response.headers.emplace_back("Location", "/api/v1/zones/" + zone.name);
            return response;
        }
        not_allowed("GET, POST");
    }
    if (s.size() == 2 && s[0] == "zones") {
        if (method == "GET") return ok(200, zone_json(store.get_zone(s[1])));
        if (method == "DELETE") {
            store.delete_zone(actor, s[1], change);
            ApiResponse response;
            response.status = 204;
            response.change = change;
            return response;
        }
        not_allowed("GET, DELETE");
    }
    if (s.size() == 3 && s[0] == "zones" && s[2] == "records") {
        if (method == "GET") {
            const int64_t limit = integer_param(target, "limit", kDefaultPage, 1, kMaxPage);
            const int64_t offset = integer_param(target, "offset", 0, 0, INT64_MAX / 2);
            const auto name = target.param("name");
            const auto type = target.param("type");
            for (const auto& [key, _] : target.query) {
                if (key != "limit" && key != "offset" && key != "name" && key != "type")
                    throw ApiError(400, "unknown query parameter", key, key);
            }
            const db::RecordPage page = store.list_records(s[1], name, type, limit, offset);
            JsonWriter out;
            out.begin_object().field("limit", limit).field("offset", offset).key("records");
            out.begin_array();
            for (const auto& r : page.records)
                write_record(out, r);
            out.end_array().field("total", page.total).end_object();
            return ok(200, std::move(out).take());
        }
        if (method == "POST") {
            require_json(request);
            const db::RecordInfo record =
                store.add_record(actor, s[1], record_input(request.body), change);
            auto response = with_change(ok(201, record_json(record)));
            response.headers.emplace_back("Location", "/api/v1/zones/" +
                                                          db::canonical_zone_name(s[1]) +
                                                          "/records/" + std::to_string(record.id));
            return response;
        }
        if (method == "PATCH") {
            require_json(request);
            const auto results =
                store.edit_records(actor, s[1], record_edits(request.body), change);
            JsonWriter out;
            out.begin_object().key("changes").begin_array();
            for (const auto& result : results) {
                out.begin_object().key("records").begin_array();
                for (const auto& r : result.records)
                    write_record(out, r);
                out.end_array().end_object();
            }
            out.end_array().field("serial", change.serial).end_object();
            return with_change(ok(200, std::move(out).take()));
        }
        not_allowed("GET, POST, PATCH");
    }
    if (s.size() == 4 && s[0] == "zones" && s[2] == "records") {
        const int64_t id = record_id(s[3]);
        if (method == "GET") return ok(200, record_json(store.get_record(s[1], id)));
        if (method == "PUT") {
            require_json(request);
            const db::RecordInfo record =
                store.update_record(actor, s[1], id, record_input(request.body), change);
            return with_change(ok(200, record_json(record)));
        }
        if (method == "DELETE") {
            store.delete_record(actor, s[1], id, change);
            ApiResponse response;
            response.status = 204;
            response.change = change;
            return response;
        }
        not_allowed("GET, PUT, DELETE");
    }
    if (s.size() == 1 && s[0] == "audit") {
        if (method != "GET") not_allowed("GET");
        return audit_page(store, target, std::nullopt, scope.zones);
    }
    if (s.size() == 3 && s[0] == "zones" && s[2] == "audit") {
        if (method != "GET") not_allowed("GET");
        return audit_page(store, target, s[1], std::nullopt);
    }
    if (s.size() == 3 && s[0] == "zones" && s[2] == "export") {
        if (method != "GET") not_allowed("GET");
        ApiResponse response;
        response.content_type = "text/dns; charset=utf-8";
        response.body = store.export_zone(s[1]);
        return response;
    }
    if (s.size() == 3 && s[0] == "zones" && s[2] == "import") {
        if (method != "POST") not_allowed("POST");
        require_json(request, true);
        std::string text = request.body;
        if (media_type(request.content_type) == "application/json") {
            const json object = parse_object(request.body, {"zone_file"});
            text = string_field(object, "zone_file", true).value();
        }
        const db::ZoneInfo zone = store.import_zone(actor, s[1], text, change);
        return with_change(ok(200, zone_json(zone)));
    }
    throw ApiError(404, "no such endpoint", request.target);
}

// The one route that needs no token: what a zone's visitors may know
// anyway (its serial is in every SOA answer), for the site's home page to
// show the whole path working. nullopt when `request` is not for it.
std::optional<ApiResponse> public_route(db::Connection& db, const ApiRequest& request) {
    const Target target = parse_target(request.target);
    const auto& s = target.segments;
    if (s.empty() || s[0] != "public") return std::nullopt;
    if (s.size() != 3 || s[1] != "zones") throw ApiError(404, "no such endpoint", request.target);
    if (request.method != "GET" && request.method != "HEAD") not_allowed("GET, HEAD");
    if (!target.query.empty())
        throw ApiError(400, "unknown query parameter", target.query[0].first,
                       target.query[0].first);
    db::ZoneStore store(db);
    return ok(200, zone_json(store.get_zone(s[2])));
}

}  // namespace

std::string error_json(const std::string& error, const std::string& detail,
                       const std::string& field) {
    JsonWriter out;
    out.begin_object();
    if (!detail.empty()) out.field("detail", detail);
    out.field("error", error);
    if (!field.empty()) out.field("field", field);
    out.end_object();
    return std::move(out).take();
}

ApiResponse handle_api(db::Connection* connection, const ApiRequest& request) {
    const bool dialect = pdns::is_dialect_target(request.target);
    // A refusal in the form the caller's dialect reads.
    const auto failure = [&](int status, const std::string& error, const std::string& detail = {},
                             const std::string& field = {}) {
        ApiResponse response;
        response.status = status;
        response.body =
            dialect ? pdns::error_body(error, detail) : error_json(error, detail, field);
        return response;
    };
    for (int attempt = 1;; ++attempt) {
        try {
            if (!connection)
                throw db::Error(db::Error::Kind::unavailable, 0, "no database connection");
            if (!dialect) {
                if (auto response = public_route(*connection, request)) return *response;
            }
            // The native API takes a bearer token; the PowerDNS dialect, the
            // same token as its X-API-Key.
            constexpr std::string_view kBearer = "Bearer ";
            std::optional<std::string> token;
            if (dialect && !request.api_key.empty()) {
                token = request.api_key;
            } else if (request.authorization.rfind(kBearer, 0) == 0) {
                token = request.authorization.substr(kBearer.size());
            }
            if (request.authorization.empty() && !token) {
                ApiResponse response =
                    failure(401, "missing token",
                            dialect ? "send X-API-Key: TOKEN" : "send Authorization: Bearer TOKEN");
                response.headers.emplace_back("WWW-Authenticate", "Bearer");
                return response;
            }
            const auto scope = token ? token_scope(*connection, *token) : std::nullopt;
            if (!scope) {
                ApiResponse response =
                    failure(401, "invalid token", "the token is unknown or malformed");
                response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                return response;
            }
            if (dialect) {
                db::ZoneStore store(*connection);
                return pdns::route(store, request, *scope);
            }
            return route(*connection, request, *scope);
        } catch (const ApiError& e) {
            ApiResponse response = failure(e.status(), e.error(), e.detail(), e.field());
            if (!e.allow().empty()) response.headers.emplace_back("Allow", e.allow());
            return response;
        } catch (const db::ChangeError& e) {
            return failure(status_of(e.kind()), e.error(), e.detail(), e.field());
        } catch (const db::Error& e) {
            if (e.retry_safe() && attempt < kAttempts) {
                core::log::warn("appsrv") << "database: " << e.what() << "; trying again";
                continue;
            }
            core::log::error("appsrv") << "database: " << e.what();
            if (e.kind() == db::Error::Kind::constraint) return failure(409, "conflict", e.what());
            // Retrying could make the change twice: the client reads it back.
            ApiResponse response =
                e.kind() == db::Error::Kind::commit_unknown
                    ? failure(503, "outcome unknown",
                              std::string(e.what()) + "; read the zone to see whether it was made")
                    : failure(503, "database unavailable", e.what());
            response.headers.emplace_back("Retry-After", "1");
            return response;
        } catch (const std::exception& e) {
            core::log::error("appsrv")
                << request.method << " " << request.target << ": " << e.what();
            return failure(500, "internal error", e.what());
        }
    }
}

}  // namespace appsrv
