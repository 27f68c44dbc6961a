-- 0002_auth.pg.sql — the audit log's append-only rules on PostgreSQL (issue #4): the same
-- triggers as on SQLite, for every role including the owner; the privilege side (the
-- application's role may only INSERT and SELECT) is granted by `minzheng migrate`, which knows
-- the configured application role.
CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION audit_refuse_unanchored_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq > (SELECT COALESCE(MAX(upto_seq), 0) FROM audit_anchor) THEN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;

CREATE FUNCTION audit_anchor_retention() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF COALESCE((SELECT at FROM audit_log WHERE seq = NEW.upto_seq), '9999')
       > to_char(now() AT TIME ZONE 'UTC' - interval '180 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') THEN
        RAISE EXCEPTION 'audit entries younger than 180 days cannot be pruned'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_unanchored_delete();
CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_anchor_retention BEFORE INSERT ON audit_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_anchor_retention();
