-- Names are kept as core::dns writes them: printable ASCII with RFC 1035
-- escapes, up to about four characters for each of a name's 255 octets
-- ("\200"), which VARCHAR(255) cut or refused. ASCII keeps the indexes
-- within InnoDB's 3072 bytes. A TXT or CAA content of 65535 octets takes
-- up to four times that as text: more than TEXT holds.
ALTER TABLE zones MODIFY name VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE records
    MODIFY name VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    MODIFY content MEDIUMTEXT NOT NULL;
ALTER TABLE audit_log
    MODIFY zone VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    MODIFY before_value MEDIUMTEXT NULL,
    MODIFY after_value MEDIUMTEXT NULL;
