-- What each change did to a zone, written in the change's own transaction:
-- the records taken out and put in between two serials, so that a reader
-- (dnsd) brings the version it serves up to date without reading the zone
-- again, and answers IXFR from it. 'reload' says the change was too large
-- to list (an import): read the whole zone. Bounded: the oldest go.
CREATE TABLE zone_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    serial_before INTEGER NOT NULL,
    serial_after INTEGER NOT NULL,
    action TEXT NOT NULL,               -- 'add', 'delete' or 'reload'
    name TEXT NOT NULL,                 -- as in records; '' for 'reload'
    type TEXT NOT NULL,
    ttl INTEGER NOT NULL,
    content TEXT NOT NULL
);
-- A reader finds where its serial's changes begin, then reads on by id.
CREATE INDEX zone_changes_by_serial ON zone_changes (zone_id, serial_before);
CREATE INDEX zone_changes_by_id ON zone_changes (zone_id, id);
