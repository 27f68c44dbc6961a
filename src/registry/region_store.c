/*
 * registry/region_store.c — reading the region tree, written straight out as JSON.
 *
 * Lists use keyset pagination on the code (`after`), fetching one row more than asked to know
 * whether a next page exists. Subtrees are code ranges: the descendants of a division are the
 * codes that start with its significant digits (2, 4, 6, 9 or 12), i.e. a range on the primary
 * key. Name search is a substring match with LIKE, '%' '_' and '\' escaped.
 */
#include <string.h>

#include "db.h"
#include "errors.h"
#include "json.h"
#include "region_store.h"
#include "scope.h"

static void write_path(struct jw *w, const char *codes, const char *names)
{
    jw_key(w, "path");
    jw_arr(w);
    while (codes && *codes && names) {
        const char *cend = strchr(codes, '/'), *nend = strchr(names, '/');
        size_t clen = cend ? (size_t)(cend - codes) : strlen(codes);
        size_t nlen = nend ? (size_t)(nend - names) : strlen(names);
        jw_obj(w);
        jw_kv_strn(w, "code", codes, clen);
        jw_kv_strn(w, "name", names, nlen);
        jw_obj_end(w);
        codes = cend ? cend + 1 : NULL;
        names = nend ? nend + 1 : NULL;
    }
    jw_arr_end(w);
}

int region_store_exists(struct db *db, const char *code12)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM region WHERE code = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, code12, REGION_CODE_LEN);
    rc = db_step(st);
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

int region_store_get(struct db *db, const char *code12, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT code, name, level, parent, path_codes, path_names, children "
                            "FROM region WHERE code = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, code12, REGION_CODE_LEN);
    rc = db_step(st);
    if (rc == 1) {
        size_t n;
        const char *names = db_col_text(st, 5, &n);
        jw_obj(w);
        jw_kv_str(w, "code", db_col_text(st, 0, NULL));
        jw_kv_str(w, "name", db_col_text(st, 1, NULL));
        jw_kv_int(w, "level", db_col_int64(st, 2));
        jw_kv_str(w, "parent", db_col_text(st, 3, NULL));
        jw_kv_strn(w, "full_name", names, n);
        write_path(w, db_col_text(st, 4, NULL), names);
        jw_kv_int(w, "children", db_col_int64(st, 6));
        jw_obj_end(w);
    }
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

int region_store_name(struct db *db, const char *code12, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT code, name, path_names FROM region WHERE code = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, code12, REGION_CODE_LEN);
    rc = db_step(st);
    if (rc == 1) {
        jw_obj(w);
        jw_kv_str(w, "code", db_col_text(st, 0, NULL));
        jw_kv_str(w, "name", db_col_text(st, 1, NULL));
        jw_kv_str(w, "full_name", db_col_text(st, 2, NULL));
        jw_obj_end(w);
    } else if (rc == 0) {
        jw_null(w);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Writes "items":[…],"next":… from a statement whose rows are (code, name, level, extra) and
 * which was asked for limit + 1 rows. extra_key names column 3 ("children" as an integer, or
 * "full_name" as text). */
static int write_page(struct db_stmt *st, long limit, const char *extra_key, bool extra_int,
                      struct jw *w, long *count)
{
    char last[REGION_CODE_LEN + 1] = "";
    long n = 0;
    int rc;
    jw_key(w, "items");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        if (n == limit)
            break;
        const char *code = db_col_text(st, 0, NULL);
        jw_obj(w);
        jw_kv_str(w, "code", code);
        jw_kv_str(w, "name", db_col_text(st, 1, NULL));
        jw_kv_int(w, "level", db_col_int64(st, 2));
        if (extra_int)
            jw_kv_int(w, extra_key, db_col_int64(st, 3));
        else
            jw_kv_str(w, extra_key, db_col_text(st, 3, NULL));
        jw_obj_end(w);
        snprintf(last, sizeof last, "%s", code);
        n++;
    }
    jw_arr_end(w);
    if (count)
        *count = n;
    jw_key(w, "next");
    if (rc == 1)
        jw_str(w, last);
    else
        jw_null(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int region_store_children(struct db *db, const char *code12, const char *after12, long limit,
                          struct jw *w, long *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT code, name, level, children FROM region "
                            "WHERE parent = ? AND code > ? ORDER BY code LIMIT ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, code12, REGION_CODE_LEN);
    db_bind_text(st, 2, after12, strlen(after12));
    db_bind_int64(st, 3, limit + 1);
    return write_page(st, limit, "children", true, w, count);
}

/* The LIKE pattern %q% with q's own wildcards escaped. */
static char *like_pattern(struct arena *a, const char *q)
{
    size_t n = strlen(q);
    char *p = arena_alloc(a, 2 * n + 3), *o = p;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            *o++ = '\\';
        *o++ = q[i];
    }
    *o++ = '%';
    *o = '\0';
    return p;
}

int region_store_search(struct db *db, struct arena *a, const struct region_search *s,
                        struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT code, name, level, path_names FROM region "
                            "WHERE name LIKE ? ESCAPE '\\' AND code >= ? AND code < ? "
                            "AND code > ? AND (CAST(? AS INTEGER) = 0 OR level = CAST(? AS INTEGER)) "
                            "ORDER BY code LIMIT ?", &st);
    if (rc)
        return rc;
    struct scope range; /* the subtree is a key range, like a data scope */
    scope_from_region(s->under ? s->under : SCOPE_NATIONAL, &range);
    const char *pattern = like_pattern(a, s->q);
    db_bind_text(st, 1, pattern, strlen(pattern));
    scope_bind(st, 2, &range);
    db_bind_text(st, 4, s->after, strlen(s->after));
    db_bind_int64(st, 5, s->level);
    db_bind_int64(st, 6, s->level);
    db_bind_int64(st, 7, s->limit + 1);
    return write_page(st, s->limit, "full_name", false, w, NULL);
}
