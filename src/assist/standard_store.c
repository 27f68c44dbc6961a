/*
 * assist/standard_store.c — the SQL of table assist_standard (sql/0007_assist_standard.sql):
 * the rows of a region and its ancestors, and the insert. There is no update: a new dated row
 * supersedes (standard.h).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "standard.h"

#define STANDARD_LOAD_MAX 500  /* rows of one kind for a region and its ancestors */

int standard_load(struct db *db, struct arena *a, const char *kind, const char *region12,
                  size_t max, struct standard_row **rows, size_t *n)
{
    char anc[3][REGION_CODE_LEN + 1];
    int na = ids_region_ancestors(region12, 3, anc);
    *rows = NULL;
    *n = 0;
    if (na == 0 || max == 0)
        return 0;
    struct db_stmt *st;
    int rc = db_prepare(db, kind
        ? "SELECT id, region, kind, amount_fen, period, effective_from, source, override_reason, "
          "created_at FROM assist_standard WHERE region IN (?, ?, ?) AND kind = ? "
          "ORDER BY effective_from DESC, id DESC"
        : "SELECT id, region, kind, amount_fen, period, effective_from, source, override_reason, "
          "created_at FROM assist_standard WHERE region IN (?, ?, ?) "
          "ORDER BY effective_from DESC, id DESC", &st);
    if (rc)
        return rc;
    for (int i = 0; i < 3; i++)
        db_bind_text(st, i + 1, anc[i < na ? i : na - 1], REGION_CODE_LEN);
    if (kind)
        db_bind_text(st, 4, kind, strlen(kind));
    size_t cap = 16;
    struct standard_row *r = arena_alloc(a, cap * sizeof *r);
    while ((rc = db_step(st)) == 1 && *n < max) {
        if (*n == cap) {
            struct standard_row *bigger = arena_alloc(a, 2 * cap * sizeof *r);
            memcpy(bigger, r, cap * sizeof *r);
            r = bigger;
            cap *= 2;
        }
        struct standard_row *row = &r[*n];
        memset(row, 0, sizeof *row);
        row->id = db_col_int64(st, 0);
        snprintf(row->region, sizeof row->region, "%s", db_col_text(st, 1, NULL));
        snprintf(row->kind, sizeof row->kind, "%s", db_col_text(st, 2, NULL));
        row->amount_fen = db_col_int64(st, 3);
        row->yearly = strcmp(db_col_text(st, 4, NULL), "year") == 0;
        const char *from = db_col_text(st, 5, NULL);
        if (standard_month_parse(from, strlen(from), &row->effective_from) != 0) {
            rc = MZ_EINTERNAL;
            break;
        }
        row->source = db_col_dup(st, a, 6);
        row->override_reason = db_col_dup(st, a, 7);
        row->created_at = db_col_int64(st, 8);
        (*n)++;
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    *rows = r;
    return 0;
}

int standard_insert(struct db *db, const struct standard_row *row, int64_t created_by)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_standard (id, region, kind, amount_fen, period, "
                            "effective_from, override_reason, source, created_by, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    char from[16];
    snprintf(from, sizeof from, "%04d-%02d", (int)(row->effective_from / 100),
             (int)(row->effective_from % 100));
    const char *period = row->yearly ? "year" : "month";
    db_bind_int64(st, 1, row->id);
    db_bind_text(st, 2, row->region, REGION_CODE_LEN);
    db_bind_text(st, 3, row->kind, strlen(row->kind));
    db_bind_int64(st, 4, row->amount_fen);
    db_bind_text(st, 5, period, strlen(period));
    db_bind_text(st, 6, from, 7);
    if (row->override_reason)
        db_bind_text(st, 7, row->override_reason, strlen(row->override_reason));
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, row->source, strlen(row->source));
    db_bind_int64(st, 9, created_by);
    db_bind_int64(st, 10, row->created_at);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int standard_in_force(struct db *db, struct arena *a, const struct assist_settings *s,
                      const char *kind, const char *region12, int32_t yyyymm,
                      int64_t *monthly_fen)
{
    struct standard_row *rows;
    size_t n;
    int rc = standard_load(db, a, kind, region12, STANDARD_LOAD_MAX, &rows, &n);
    if (rc)
        return rc;
    int at = standard_resolve(rows, n, region12, yyyymm);
    return at < 0 ? MZ_ENOTFOUND : standard_monthly(s, &rows[at], monthly_fen);
}
