#!/bin/sh
# scripts/holidays-sql.sh — writes sql/0006_calendar.sql from data/holidays.tsv.
#
# data/holidays.tsv is the reviewed source; the migration is generated from it and never edited
# by hand:   scripts/holidays-sql.sh > sql/0006_calendar.sql
# and        scripts/holidays-sql.sh | cmp - sql/0006_calendar.sql   checks the two agree.
# (tests/unit/core/test_calendar.c also checks both against reference.md §1.6.) Once 0006 is
# merged it is frozen: a later year's notice goes into a new migration of its own.
set -eu
tsv=${1:-"$(dirname "$0")/../data/holidays.tsv"}
cat <<'HEAD'
-- 0006_calendar.sql — the official holiday calendar, 2024–2026 (issue #10: "Deadlines in working
-- days … computed on the official calendar with its make-up working days (reference.md,
-- 2024–2026, shipped as data and editable by an administrator)").
--
-- One row per date the 国务院办公厅 notices declare: OFF = 放假 (a day off, even on a weekday),
-- WORK = 调休上班 (a weekend day that is a working day). Any other date is a working day when it
-- falls Monday to Friday (src/core/calendar.h). Source: 国办发明电〔2023〕7号, 〔2024〕12号,
-- 〔2025〕7号 (shared/domain/reference.md §1.2–1.6). Generated from data/holidays.tsv by
-- scripts/holidays-sql.sh; never edit here: write a new migration.
CREATE TABLE holiday (
    day     CHAR(10)    PRIMARY KEY,
    kind    TEXT        NOT NULL CHECK (kind IN ('OFF', 'WORK')),
    name    TEXT        NOT NULL,
    source  TEXT        NOT NULL
);
HEAD
awk -F '\t' '
    /^#/ || $1 == "date" || NF == 0 { next }
    NF != 4 || $1 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ ||
    ($2 != "OFF" && $2 != "WORK") {
        printf "holidays.tsv:%d: bad line\n", NR > "/dev/stderr"; bad = 1; exit 1
    }
    { gsub(/\047/, "\047\047", $3); gsub(/\047/, "\047\047", $4)
      rows[++n] = sprintf("    (\047%s\047, \047%s\047, \047%s\047, \047%s\047)", $1, $2, $3, $4) }
    END {
        if (bad || n == 0) exit 1
        print "INSERT INTO holiday (day, kind, name, source) VALUES"
        for (i = 1; i <= n; i++) printf "%s%s\n", rows[i], i < n ? "," : ";"
    }' "$tsv"
