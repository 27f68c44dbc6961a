-- 0005_import.sql — the rejected-rows reports of CSV imports through the API (issue #5:
-- "both modes produce a rejected-rows report (line, field, reason) downloadable as CSV").
--
-- One row per POST /api/v1/imports: the import's id (also named in its audit entries), the
-- 12-digit region of the caller who ran it (reports are read within scope, like records), who
-- and when, the entity, a JSON summary of the counts, and the report itself: CSV
-- "line,field,reason", ID numbers masked, capped at 8 MiB (src/registry/import.h). Imports on
-- the command line write their report to a file instead.
CREATE TABLE import_report (
    id              BIGINT      NOT NULL PRIMARY KEY,
    region          CHAR(12)    NOT NULL,
    created_by      BIGINT,
    created_login   TEXT        NOT NULL,
    created_at      BIGINT      NOT NULL,
    entity          TEXT        NOT NULL,
    summary         TEXT        NOT NULL,
    csv             TEXT        NOT NULL
);
CREATE INDEX import_report_region ON import_report (region, id);
