-- 0009_assist_case.pg.sql — a case's action log is append-only on PostgreSQL (issue #10), for
-- every role including the owner (audit_refuse() comes from 0002_auth.pg.sql).
CREATE TRIGGER assist_case_action_no_change BEFORE UPDATE OR DELETE ON assist_case_action
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER assist_case_action_no_truncate BEFORE TRUNCATE ON assist_case_action
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
