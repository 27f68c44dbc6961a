-- 0011_calendar_admin.sql — the holiday calendar (0006) is kept by the system administrator
-- (issue #10: "shipped as data and editable by an administrator"); the routes further require a
-- province or national account, since the calendar is the State Council's.
INSERT INTO role_permission (role, permission) VALUES ('sysadmin', 'calendar:write');
