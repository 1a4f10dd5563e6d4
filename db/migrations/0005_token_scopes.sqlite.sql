-- A token may be kept to some zones (their names, separated by spaces;
-- NULL for every zone) and to reading.
ALTER TABLE api_tokens ADD COLUMN zones TEXT;
ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;
