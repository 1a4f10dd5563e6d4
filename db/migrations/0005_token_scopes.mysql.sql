-- A token may be kept to some zones (their names, separated by spaces;
-- NULL for every zone) and to reading.
ALTER TABLE api_tokens
    ADD COLUMN zones MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN read_only TINYINT NOT NULL DEFAULT 0;
