-- What an operation noted about a call, beside the decision and outcome: the warnings of a policy
-- stored although keygraph's checker found something in it (KEYGRAPH_POLICY_CHECK=warn), one per
-- line. NULL when there is nothing to note, and in every event written before this migration:
-- those stay exactly as written, and the chain still verifies them, because keygraph hashes an
-- event without a detail exactly as before the column existed (api/audit/chain.py).
-- A nullable column without a default rewrites no row, and DDL fires no trigger: the append-only
-- trigger of 0005 refuses UPDATE, DELETE and TRUNCATE of this column as of every other.
ALTER TABLE audit_events ADD COLUMN detail text;
