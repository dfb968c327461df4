-- Access keys: what AWS SDKs sign requests with (SigV4). Verifying a signature takes the secret
-- itself, so unlike a bearer token's it cannot be kept as a hash: it is kept sealed under the
-- HSM's domain key (api/sealing.py), its access key id bound in as additional data.
CREATE TABLE access_keys (
    access_key_id   text        PRIMARY KEY CHECK (access_key_id ~ '^KGAK[A-Z2-7]{16}$'),
    principal_id    bigint      NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    sealed_secret   bytea       NOT NULL,
    status          text        NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Inactive')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX access_keys_principal ON access_keys (principal_id);

-- Each process caches unsealed secrets (api/access_keys.py); a key deactivated or deleted is
-- announced as 'access-key:<id>' on the key change channel (see migrations 0003 and 0006), so
-- every process drops it. A revoked principal is announced as 'principal:<arn>' already, and
-- takes its access keys along. A new key needs no announcement: nothing caches its absence.
CREATE FUNCTION keygraph_notify_access_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('keygraph_keys', 'access-key:' || COALESCE(NEW.access_key_id, OLD.access_key_id));
    RETURN NULL;
END;
$$;

CREATE TRIGGER access_keys_changed AFTER UPDATE OR DELETE ON access_keys
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_access_key_change();
