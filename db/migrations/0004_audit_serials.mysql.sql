-- The zone's serial before and after each change, so that the audit log
-- says which version of the zone a change made; an index to read one
-- author's changes, newest first.
ALTER TABLE audit_log
    ADD COLUMN serial_before BIGINT NULL,
    ADD COLUMN serial_after BIGINT NULL,
    ADD INDEX audit_by_actor (actor, id);
