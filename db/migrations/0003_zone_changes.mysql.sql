-- What each change did to a zone, written in the change's own transaction:
-- the records taken out and put in between two serials, so that a reader
-- (dnsd) brings the version it serves up to date without reading the zone
-- again, and answers IXFR from it. 'reload' says the change was too large
-- to list (an import): read the whole zone. Bounded: the oldest go.
CREATE TABLE zone_changes (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    zone_id BIGINT NOT NULL,
    serial_before BIGINT NOT NULL,
    serial_after BIGINT NOT NULL,
    action VARCHAR(8) NOT NULL,
    name VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    type VARCHAR(16) NOT NULL,
    ttl BIGINT NOT NULL,
    content MEDIUMTEXT NOT NULL,
    -- A reader finds where its serial's changes begin, then reads on by id.
    INDEX zone_changes_by_serial (zone_id, serial_before),
    INDEX zone_changes_by_id (zone_id, id),
    CONSTRAINT zone_changes_zone FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
