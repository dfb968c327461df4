-- Every change to a key, its material, its aliases or a custom key store is announced on the
-- channel keygraph_keys, so each process can drop what it cached. A trigger rather than code:
-- no write path can forget it. The payload is the key id, or '*' when many keys may be affected.
-- NOTIFY is delivered at commit, and only if the transaction commits.

CREATE FUNCTION keygraph_notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_TABLE_NAME = 'keys' THEN
        changed := COALESCE(NEW.id, OLD.id)::text;
    ELSIF TG_TABLE_NAME = 'custom_key_stores' THEN
        changed := '*';
    ELSE
        changed := COALESCE(NEW.key_id, OLD.key_id)::text;
    END IF;
    PERFORM pg_notify('keygraph_keys', changed);
    RETURN NULL;
END;
$$;

CREATE TRIGGER keys_changed AFTER INSERT OR UPDATE OR DELETE ON keys
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();
CREATE TRIGGER key_materials_changed AFTER INSERT OR UPDATE OR DELETE ON key_materials
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();
CREATE TRIGGER aliases_changed AFTER INSERT OR UPDATE OR DELETE ON aliases
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();
CREATE TRIGGER custom_key_stores_changed AFTER INSERT OR UPDATE OR DELETE ON custom_key_stores
    FOR EACH ROW EXECUTE FUNCTION keygraph_notify_key_change();
