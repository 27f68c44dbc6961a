-- 0002_auth.sqlite.sql — the audit log's append-only rules on SQLite (issue #4): triggers abort
-- UPDATE and DELETE, except DELETE of entries already covered by a pruning anchor; an anchor
-- may only cover entries older than 180 days (the legal minimum retention, 网络安全法 §21).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT COALESCE(MAX(upto_seq), 0) FROM audit_anchor)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_anchor
BEGIN
    SELECT RAISE(ABORT, 'audit_anchor is append-only');
END;

CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
BEGIN
    SELECT RAISE(ABORT, 'audit_anchor is append-only');
END;

CREATE TRIGGER audit_anchor_retention BEFORE INSERT ON audit_anchor
WHEN COALESCE((SELECT at FROM audit_log WHERE seq = NEW.upto_seq), '9999')
     > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-180 days')
BEGIN
    SELECT RAISE(ABORT, 'audit entries younger than 180 days cannot be pruned');
END;
