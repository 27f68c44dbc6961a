/*
 * assist/setting_store.c — the SQL of table assist_setting (sql/0008_assist_case.sql): the rows
 * of a region and its ancestors, the settings in force there, and the insert. There is no
 * update: a newer row supersedes (setting.h).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "log.h"
#include "setting.h"

#define ANCESTOR_MAX 5

int setting_load(struct db *db, struct arena *a, const char *region12, const char *key,
                 size_t max, struct setting_row **rows, size_t *n)
{
    char anc[ANCESTOR_MAX][REGION_CODE_LEN + 1];
    int na = ids_region_ancestors(region12, ANCESTOR_MAX, anc);
    *rows = NULL;
    *n = 0;
    if (na == 0 || max == 0)
        return 0;
    struct db_stmt *st;
    int rc = db_prepare(db, key
        ? "SELECT id, region, key, value, source, created_at FROM assist_setting "
          "WHERE region IN (?, ?, ?, ?, ?) AND key = ? ORDER BY id DESC"
        : "SELECT id, region, key, value, source, created_at FROM assist_setting "
          "WHERE region IN (?, ?, ?, ?, ?) ORDER BY id DESC", &st);
    if (rc)
        return rc;
    for (int i = 0; i < ANCESTOR_MAX; i++)
        db_bind_text(st, i + 1, anc[i < na ? i : na - 1], REGION_CODE_LEN);
    if (key)
        db_bind_text(st, 6, key, strlen(key));
    size_t cap = 16;
    struct setting_row *r = arena_alloc(a, cap * sizeof *r);
    while (*n < max && (rc = db_step(st)) == 1) {
        if (*n == cap) {
            struct setting_row *bigger = arena_alloc(a, 2 * cap * sizeof *r);
            memcpy(bigger, r, cap * sizeof *r);
            r = bigger;
            cap *= 2;
        }
        struct setting_row *row = &r[*n];
        memset(row, 0, sizeof *row);
        row->id = db_col_int64(st, 0);
        snprintf(row->region, sizeof row->region, "%s", db_col_text(st, 1, NULL));
        row->key = db_col_dup(st, a, 2);
        row->value = db_col_dup(st, a, 3);
        row->source = db_col_dup(st, a, 4);
        row->created_at = db_col_int64(st, 5);
        (*n)++;
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    *rows = r;
    return 0;
}

int assist_settings_load(struct db *db, struct arena *a, const char *region12,
                         struct assist_settings *out)
{
    struct setting_row *rows;
    size_t n;
    int rc = setting_load(db, a, region12, NULL, SETTING_ROWS_MAX, &rows, &n);
    if (rc)
        return rc;
    assist_settings_default(out);
    bool *bad = arena_calloc(a, n + 1, sizeof *bad);
    if (setting_apply(out, rows, n, region12, bad) == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (bad[i])
            log_error(NULL, "assist_setting %lld (%s, %s): stored value \"%s\" no longer "
                      "parses; skipped", (long long)rows[i].id,
                      rows[i].region, rows[i].key, rows[i].value);
    return 0;
}

int setting_insert(struct db *db, const struct setting_row *row, int64_t created_by)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_setting (id, region, key, value, source, "
                            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, row->id);
    db_bind_text(st, 2, row->region, REGION_CODE_LEN);
    db_bind_text(st, 3, row->key, strlen(row->key));
    db_bind_text(st, 4, row->value, strlen(row->value));
    db_bind_text(st, 5, row->source, strlen(row->source));
    db_bind_int64(st, 6, created_by);
    db_bind_int64(st, 7, row->created_at);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}
