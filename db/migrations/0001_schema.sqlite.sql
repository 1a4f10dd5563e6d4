-- The domain's zones, their records, the API's tokens and the audit log.
CREATE TABLE zones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,          -- absolute, lower case: "foobar.com."
    serial INTEGER NOT NULL,            -- the SOA serial, raised by every change
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    name TEXT NOT NULL,                 -- absolute, lower case: "www.foobar.com."
    type TEXT NOT NULL,                 -- "A", "MX", "SOA"...
    ttl INTEGER NOT NULL,
    content TEXT NOT NULL               -- the rdata in presentation format
);
CREATE INDEX records_by_zone_name_type ON records (zone_id, name, type);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL UNIQUE,  -- hex; the token itself is never stored
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                -- the token's name
    action TEXT NOT NULL,               -- "zone.create", "record.update"...
    zone TEXT NOT NULL,
    record_id INTEGER,
    before_value TEXT,                  -- JSON, or NULL
    after_value TEXT                    -- JSON, or NULL
);
CREATE INDEX audit_by_zone ON audit_log (zone, id);
