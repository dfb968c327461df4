-- Grants (AWS's CreateGrant): a key lets a grantee principal perform some operations, beside what
-- its policy allows. A grant id is AWS's form, 64 hexadecimal characters. The name is not unique:
-- AWS treats a CreateGrant with the name and every other parameter of an existing grant as a
-- retry (same grant, new token), and the same name with other parameters as a new grant; that
-- comparison runs under the key's row lock, which every grant change takes.
CREATE TABLE grants (
    grant_id            text        PRIMARY KEY CHECK (grant_id ~ '^[0-9a-f]{64}$'),
    key_id              uuid        NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
    name                text,
    grantee_principal   text        NOT NULL,
    retiring_principal  text,
    -- AWS's operation names ("Encrypt", "ReEncryptFrom"...), sorted, without repeats.
    operations          text[]      NOT NULL,
    -- {"EncryptionContextEquals": {...}, "EncryptionContextSubset": {...}}, either or both.
    constraints         jsonb,
    -- The root ARN of the account whose principal created the grant.
    issuing_account     text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- ListGrants pages a key's grants in grant id order; CreateGrant looks for a retry by name.
CREATE INDEX grants_by_key ON grants (key_id, grant_id);
CREATE INDEX grants_by_name ON grants (key_id, name) WHERE name IS NOT NULL;
-- ListRetirableGrants pages one retiring principal's grants in grant id order.
CREATE INDEX grants_by_retiring_principal ON grants (retiring_principal, grant_id)
    WHERE retiring_principal IS NOT NULL;

-- Grant tokens: every CreateGrant hands out a new one, also for a retry. A token is
-- kgt1.<token id>.<secret>; only SHA-256 of the secret is stored, as for principals' tokens.
CREATE TABLE grant_tokens (
    token_id     text        PRIMARY KEY,
    grant_id     text        NOT NULL REFERENCES grants (grant_id) ON DELETE CASCADE,
    secret_hash  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX grant_tokens_by_grant ON grant_tokens (grant_id);

-- Every process caches each key's grants for authorization; a created, retired or revoked grant
-- announces its key like every other key change (migration 0003), so a revoked grant stops
-- working at once in every process. Tokens are not cached: they need no announcement.
CREATE TRIGGER grants_changed AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();
