-- 0009_assist_case.sqlite.sql — a case's action log is append-only on SQLite (issue #10: "a case
-- is its append-only list of actions"): triggers abort UPDATE and DELETE.
CREATE TRIGGER assist_case_action_no_update BEFORE UPDATE ON assist_case_action
BEGIN
    SELECT RAISE(ABORT, 'assist_case_action is append-only');
END;

CREATE TRIGGER assist_case_action_no_delete BEFORE DELETE ON assist_case_action
BEGIN
    SELECT RAISE(ABORT, 'assist_case_action is append-only');
END;
