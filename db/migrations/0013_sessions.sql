-- Browser sessions (api/sessions.py): a signed-in browser holds an opaque session id in an
-- HttpOnly cookie. Only SHA-256 of the id is stored, so whoever reads this table (a backup, a
-- replica's disk) cannot present a session. The id has 256 bits of entropy: a fast hash is enough.
-- A session belongs to a principal's row, not its ARN: a name revoked and issued again is another
-- principal and inherits nothing. It also names the credential it was signed in with (a bearer
-- token or an access key: exactly one), and lasts no longer than that credential: revoking a
-- leaked token, or deactivating or deleting an access key, ends the sessions made with it.
CREATE TABLE browser_sessions (
    id_hash          bytea       PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    principal_id     bigint      NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    token_id         text        REFERENCES access_tokens (token_id) ON DELETE CASCADE,
    access_key_id    text        REFERENCES access_keys (access_key_id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    -- Written at most once a minute (api/sessions.py), not on every request.
    last_seen_at     timestamptz NOT NULL,
    -- Moved forward when last_seen_at is, never past expires_at.
    idle_expires_at  timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    revoked_at       timestamptz,
    CHECK (idle_expires_at <= expires_at),
    CHECK ((token_id IS NULL) <> (access_key_id IS NULL))
);

CREATE INDEX browser_sessions_principal ON browser_sessions (principal_id);
CREATE INDEX browser_sessions_token ON browser_sessions (token_id) WHERE token_id IS NOT NULL;
CREATE INDEX browser_sessions_access_key ON browser_sessions (access_key_id)
    WHERE access_key_id IS NOT NULL;

-- Revoking a principal revokes its sessions, in the same transaction: a trigger, so that no
-- path that revokes a principal can forget them. Each request reads its session here (nothing
-- caches one), so every replica refuses it from the next request on.
CREATE FUNCTION keygraph_revoke_principal_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE browser_sessions SET revoked_at = NEW.revoked_at
    WHERE principal_id = NEW.id AND revoked_at IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER principals_revoke_sessions AFTER UPDATE OF revoked_at ON principals
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION keygraph_revoke_principal_sessions();
