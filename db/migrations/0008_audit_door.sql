-- The door each call came in by (api.calls.Door: 'graphql' or 'aws'), recorded in every event
-- from now on. The events written before this migration keep NULL: they stay exactly as they
-- were written, and the chain still verifies them, because keygraph hashes an event without a
-- door exactly as it hashed every event before the column existed (api/audit/chain.py).
-- A nullable column without a default rewrites no row, and DDL fires no trigger: the append-only
-- trigger of 0005 refuses UPDATE, DELETE and TRUNCATE of this column as of every other.
ALTER TABLE audit_events ADD COLUMN door text CHECK (door IN ('graphql', 'aws'));

-- auditEvents pages in seq order within each filter; no event written before has a door.
CREATE INDEX audit_events_door ON audit_events (door, seq) WHERE door IS NOT NULL;
