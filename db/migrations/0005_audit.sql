-- The audit trail: one row per authorization decision of a call (or one per call that failed
-- before any), never a plaintext or a secret. Rows are hash-chained: each holds the hash of the
-- row before it (prev_hash) and its own hash = SHA-256(prev_hash || canonical encoding of the row),
-- computed by keygraph (api/audit/chain.py). Writers serialise appends with a transaction-scoped
-- advisory lock and read the newest hash under it, so every replica extends the one chain and seq
-- order is chain order. The triggers below refuse changes through SQL; the chain is what catches
-- anyone able to get past them (the table's owner can disable triggers).

CREATE TABLE audit_events (
    seq               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_time        timestamptz NOT NULL,
    request_id        text        NOT NULL,
    principal_arn     text        NOT NULL,
    source_ip         text,
    action            text        NOT NULL,
    key_arn           text,
    -- NULL when the call failed before it was authorized.
    decision          text        CHECK (decision IN ('Allowed', 'ExplicitDeny', 'ImplicitDeny')),
    decided_by        text,
    -- 'ok', or the AWS error code the call failed with.
    outcome           text        NOT NULL,
    -- Two rows naming the same predecessor would fork the chain; the database refuses the second
    -- even from a writer that forgot the lock.
    prev_hash         bytea       NOT NULL UNIQUE CHECK (octet_length(prev_hash) = 32),
    hash              bytea       NOT NULL CHECK (octet_length(hash) = 32),
    -- The accounts of the two ARNs (their fifth field): an account's root reads the events whose
    -- principal or key is its own. Derived, so not part of the hash.
    principal_account text        GENERATED ALWAYS AS (split_part(principal_arn, ':', 5)) STORED,
    key_account       text        GENERATED ALWAYS AS (split_part(key_arn, ':', 5)) STORED
);

-- auditEvents pages in seq order within each filter.
CREATE INDEX audit_events_key ON audit_events (key_arn, seq) WHERE key_arn IS NOT NULL;
CREATE INDEX audit_events_principal ON audit_events (principal_arn, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_decision ON audit_events (decision, seq);
CREATE INDEX audit_events_time ON audit_events (event_time);

CREATE FUNCTION keygraph_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION keygraph_audit_append_only();
