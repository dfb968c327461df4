-- Every append to the audit trail is announced on the channel keygraph_audit, so that each
-- process's subscribers to new events (the GraphQL subscription auditEvents) wake and read what
-- is new. One notification per statement, not per row: a batch of 500 events is one COPY and
-- one NOTIFY, and subscribers read the events themselves by seq (the payload is empty; what an
-- event says never travels outside the table). NOTIFY is delivered at commit, and only if the
-- transaction commits, to every process listening: every replica's subscribers see every event.
CREATE FUNCTION keygraph_notify_audit_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('keygraph_audit', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_events_appended AFTER INSERT ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION keygraph_notify_audit_append();
