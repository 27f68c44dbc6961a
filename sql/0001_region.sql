-- 0001_region.sql — 行政区划 (administrative and statistical divisions), issue #3.
--
-- One row per division code, normalised to 12 digits (province 2, city 4, county 6,
-- township 9, village 12 digits, right-padded with zeros; shared/domain/reference.md §4.3).
-- Codes are never edited or reused ("废码不用", 民政部令第79号 第六条): a retired division keeps
-- its row with valid_to set, and a re-division is a dated mapping (a later migration), so a
-- record keeps the code that was valid when it was made.
-- path_codes / path_names hold the ancestors (root first, '/'-separated, this row included) so
-- that a breadcrumb or a full name is one primary-key lookup.
CREATE TABLE region (
    code        CHAR(12)    NOT NULL PRIMARY KEY,
    name        TEXT        NOT NULL,
    level       SMALLINT    NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent      CHAR(12),
    path_codes  TEXT        NOT NULL,
    path_names  TEXT        NOT NULL,
    children    INTEGER     NOT NULL DEFAULT 0,
    valid_from  DATE        NOT NULL,
    valid_to    DATE,
    source      TEXT        NOT NULL
);
CREATE INDEX region_parent ON region (parent, code);

-- Site settings an administrator may change (the demo county, …): key → value, with who set
-- it and why.
CREATE TABLE setting (
    key         TEXT        NOT NULL PRIMARY KEY,
    value       TEXT        NOT NULL,
    note        TEXT        NOT NULL DEFAULT ''
);
