-- Each process caches bearer tokens by id (api/authentication.py). A token revoked on its own
-- (`keygraph principal revoke-token`, rotating the root token) is announced as its holder's
-- change, 'principal:<arn>', as a revoked principal is (migration 0006): every process drops that
-- principal's cached tokens and reads the live ones again. A trigger, so no write path can forget
-- it; Postgres delivers one notification per distinct payload per transaction, so revoking a
-- principal with many tokens still announces it once. A new token needs no announcement: nothing
-- caches a token's absence.
CREATE FUNCTION keygraph_notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('keygraph_keys', 'principal:' || p.arn)
    FROM principals p
    WHERE p.id = COALESCE(NEW.principal_id, OLD.principal_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER access_tokens_changed AFTER UPDATE OR DELETE ON access_tokens
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_token_change();
