-- Identity policies: the one policy document attached to a principal (IAM's inline policy).
-- Keyed by ARN, as key policies name principals; revoking the principal removes it.
CREATE TABLE principal_policies (
    principal_arn   text        PRIMARY KEY,
    document        text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Authorization reads tags (aws:ResourceTag/...) and identity policies from each process's cache,
-- so their changes are announced like every other key change (see migration 0003). An identity
-- policy is announced as 'principal:<arn>'; so is a revoked principal.
CREATE TRIGGER key_tags_changed AFTER INSERT OR UPDATE OR DELETE ON key_tags
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();

CREATE FUNCTION keygraph_notify_principal_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_TABLE_NAME = 'principals' THEN
        changed := COALESCE(NEW.arn, OLD.arn);
    ELSE
        changed := COALESCE(NEW.principal_arn, OLD.principal_arn);
    END IF;
    PERFORM pg_notify('keygraph_keys', 'principal:' || changed);
    RETURN NULL;
END;
$$;

CREATE TRIGGER principal_policies_changed AFTER INSERT OR UPDATE OR DELETE ON principal_policies
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_principal_change();
CREATE TRIGGER principals_changed AFTER UPDATE OR DELETE ON principals
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_principal_change();
