/*
 * assist/standard.h — 救助标准 (assistance standards): dated, region-scoped amounts (issue #10,
 * "Programmes and standards"; shared/domain/rules.md §2.4, §2.5, §8).
 *
 * A county or higher region (2, 4 or 6 significant digits) sets a standard of one kind, per
 * month or per year, from a month on (effective_from). The standard in force for a region and a
 * month is resolved by standard_resolve(): among the rows set by the region itself or one of its
 * ancestors, the most specific region that has a row not later than the month wins, and of its
 * rows the latest effective_from (the later row, by id, when two share a month). Rows are never
 * changed — a new dated row supersedes — so a past payment keeps the standard it was made with.
 *
 * standard.c is pure (resolution, kinds, the monthly figure); standard_store.c holds the SQL of
 * table assist_standard (sql/0007_assist_standard.sql); standard_routes.c the HTTP surface:
 *   POST /api/v1/assist/standards           (assist:standard:write) set a standard
 *   GET  /api/v1/assist/standards           (assist:standard:read)  the one in force, and where
 *                                                                   it came from
 *   GET  /api/v1/assist/standards/history   (assist:standard:read)  all rows of the region and
 *                                                                   its ancestors, newest first
 * A 特困基本生活标准 below tekun_basic_min_ratio × the 低保标准 in force on the same urban/rural
 * side is refused unless an override reason is recorded (§2.5, assist_rule_tekun_floor).
 * Tests: tests/unit/assist/test_standard.c, tests/api/cases/assist_standards.json.
 */
#ifndef MZ_ASSIST_STANDARD_H
#define MZ_ASSIST_STANDARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist_rules.h"
#include "http.h"
#include "ids.h"

struct db;
struct arena;

#define STANDARD_KIND_LEN 20

/* One row of assist_standard. */
struct standard_row {
    int64_t id;
    char region[REGION_CODE_LEN + 1];  /* 12 digits, a county or higher */
    char kind[STANDARD_KIND_LEN];      /* see standard_kind_valid */
    int64_t amount_fen;
    bool yearly;                       /* period 'year' (else 'month') */
    int32_t effective_from;            /* yyyymm */
    const char *source;
    const char *override_reason;       /* NULL when none */
    int64_t created_at;
};

/* True for dibao_urban, dibao_rural, tekun_basic_urban, tekun_basic_rural, tekun_care_1..3. */
bool standard_kind_valid(const char *kind);
/* For tekun_basic_urban / _rural: the 低保 kind of the same side it is checked against; else
 * NULL. */
const char *standard_dibao_kind_of(const char *kind);
/* True when region12 may set a standard: a real region of level 1–3 (2, 4 or 6 digits). */
bool standard_region_ok(const char *region12);
/* "YYYY-MM" (exactly 7 bytes, month 01–12, year 1900–9999) → yyyymm. 0 or MZ_EINVAL. */
int standard_month_parse(const char *text, size_t len, int32_t *yyyymm);

/*
 * The row in force for region12 (any level) in month yyyymm among rows (any order, one kind):
 * its index, or -1 when none applies. A row applies when its region's significant digits are a
 * prefix of region12 and its effective_from ≤ yyyymm; the most specific region wins, then the
 * latest effective_from, then the highest id. Pure.
 */
int standard_resolve(const struct standard_row *rows, size_t n, const char *region12,
                     int32_t yyyymm);

/* The monthly amount of a row: itself, or yearly / 12 per s's rounding
 * (assist_rule_monthly_from_yearly, §8). 0 or MZ_E…. */
int standard_monthly(const struct assist_settings *s, const struct standard_row *row,
                     int64_t *monthly_fen);

/* ---- store (standard_store.c): SQL only, no scope test (the routes check the region) ---- */

/* The rows of `kind` (NULL: every kind) set by region12 or one of its ancestors (levels 1–3),
 * newest effective_from first (then id), at most `max`; *rows in the arena. 0 or MZ_E…. */
int standard_load(struct db *db, struct arena *a, const char *kind, const char *region12,
                  size_t max, struct standard_row **rows, size_t *n);
/* Inserts row (its id, created_at set by the caller) by user created_by. 0 or MZ_E…. */
int standard_insert(struct db *db, const struct standard_row *row, int64_t created_by);
/* The monthly amount of `kind` in force at region12 (any level) in month yyyymm: 0 with
 * *monthly_fen set, MZ_ENOTFOUND when no row applies, or a database error. */
int standard_in_force(struct db *db, struct arena *a, const struct assist_settings *s,
                      const char *kind, const char *region12, int32_t yyyymm,
                      int64_t *monthly_fen);

extern const struct route standard_routes[];

#endif
