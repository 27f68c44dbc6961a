/*
 * registry/record.c — validation, storage, history and JSON of registry records, driven by an
 * entity's field table; see record.h.
 *
 * Callers own the transaction: record_insert and record_update write the record and its
 * history rows and expect to be inside db_begin … db_finish together with the audit entry.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "calendar.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "json.h"
#include "mask.h"
#include "record.h"
#include "users.h"

#define COMMON_COLUMNS 4 /* id, version, created_at, updated_at */

int record_field(const struct entity *e, const char *name)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return i;
    return -1;
}

static int refuse(struct refusal *r, const char *field, const char *why)
{
    r->field = field;
    r->why = why;
    return MZ_EVALIDATE;
}

/* ---------------------------------------------------------------- validation */

static bool date_valid(const char *s, int today)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
        return false;
    return y * 10000 + m * 100 + d <= today;
}

static bool phone_valid(const char *s)
{
    size_t digits = 0, n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            digits++;
        else if (s[i] != '+' && s[i] != '-')
            return false;
    }
    return digits >= 7 && digits <= 15 && n <= 20;
}

/* Trims surrounding ASCII spaces into the arena. */
static const char *trimmed(struct arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return arena_strndup(a, s, n);
}

/* One field on its own; *value may be rewritten (normalised). */
static int check_field(const struct field *f, struct arena *a, const char **value, int today,
                       struct refusal *r)
{
    const char *v = *value;
    if (!json_utf8_valid(v, strlen(v)) || text_has_control(v))
        return refuse(r, f->name, arena_printf(a, "%s含有非法字符", f->label));
    switch (f->kind) {
    case F_TEXT:
    case F_KEY:
        if (f->max && text_chars(v) > (size_t)f->max)
            return refuse(r, f->name, arena_printf(a, "%s不能超过 %d 个字符", f->label, f->max));
        return 0;
    case F_DICT:
        return dict_has(f->dict, v) ? 0
               : refuse(r, f->name, arena_printf(a, "%s的代码“%s”不在代码表中", f->label, v));
    case F_DATE:
        return date_valid(v, today) ? 0
               : refuse(r, f->name, arena_printf(a, "%s须为不晚于今天的日期（YYYY-MM-DD）",
                                                 f->label));
    case F_REGION: {
        char *code = arena_alloc(a, REGION_CODE_LEN + 1);
        if (ids_region_normalize(v, strlen(v), code) != 0)
            return refuse(r, f->name, arena_printf(a, "%s应为 2、4、6、9 或 12 位数字的区划代码",
                                                   f->label));
        *value = code;
        return 0;
    }
    case F_BOOL:
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
            *value = "1";
        else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
            *value = "0";
        else
            return refuse(r, f->name, arena_printf(a, "%s须为是或否", f->label));
        return 0;
    case F_PHONE:
        return phone_valid(v) ? 0 : refuse(r, f->name, arena_printf(a, "%s格式不正确", f->label));
    case F_ID: {
        char *end;
        long long id = strtoll(v, &end, 10);
        return *end == '\0' && id > 0 ? 0
               : refuse(r, f->name, arena_printf(a, "%s须为记录编号", f->label));
    }
    }
    return 0;
}

int record_check(const struct entity *e, struct arena *a, const struct scope *scope,
                 struct record_values *v, bool creating, int today, struct refusal *r)
{
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        if (!v->v[i])
            continue;
        v->v[i] = trimmed(a, v->v[i]);
        if (!*v->v[i]) {
            if (!creating && ((f->flags & F_REQUIRED) || f->def))
                return refuse(r, f->name, arena_printf(a, "%s不能为空", f->label));
            if (creating)
                v->v[i] = NULL; /* absent; required ones are caught below */
            continue;           /* "" on update clears an optional field */
        }
        if (!creating && (f->flags & (F_FIXED | F_DERIVED)))
            return refuse(r, f->name, arena_printf(a, "%s创建后不能修改", f->label));
        int rc = check_field(f, a, &v->v[i], today, r);
        if (rc)
            return rc;
    }
    int rc = creating && e->hook ? e->hook(a, v, v, today, r) : 0; /* updates: record_update */
    if (rc)
        return rc;
    for (int i = 0; creating && i < e->nfields; i++)
        if (!v->v[i] && e->fields[i].def)
            v->v[i] = e->fields[i].def;
    for (int i = 0; creating && i < e->nfields; i++)
        if ((e->fields[i].flags & F_REQUIRED) && !v->v[i])
            return refuse(r, e->fields[i].name, arena_printf(a, "请填写%s", e->fields[i].label));
    int region = record_field(e, "region");
    struct scope target;
    if (region >= 0 && v->v[region] && *v->v[region] &&
        (scope_from_region(v->v[region], &target) != 0 || !scope_covers(scope, &target)))
        return refuse(r, "region", "所属区划超出您的管辖范围");
    return 0;
}

/* ---------------------------------------------------------------- SQL from the field table */

/* Appends to a buffer of known size (sized by the caller from the field table). */
struct text {
    char *s;
    size_t len, cap;
};

static void append(struct text *t, const char *a, const char *b)
{
    int n = snprintf(t->s + t->len, t->cap - t->len, "%s%s", a, b);
    if (n > 0 && (size_t)n < t->cap - t->len)
        t->len += (size_t)n;
}

static struct text text_new(struct arena *a, size_t cap)
{
    struct text t = { arena_alloc(a, cap), 0, cap };
    t.s[0] = '\0';
    return t;
}

/* "c1, c2, …" of the entity's fields. */
static char *column_list(struct arena *a, const struct entity *e)
{
    struct text t = text_new(a, 40 * (size_t)e->nfields + 1);
    for (int i = 0; i < e->nfields; i++)
        append(&t, i ? ", " : "", e->fields[i].name);
    return t.s;
}

static void bind_value(struct db_stmt *st, int index, const char *v)
{
    if (v && *v)
        db_bind_text(st, index, v, strlen(v));
    else
        db_bind_null(st, index);
}

int record_history_add(struct db *db, const char *type, int64_t id, const char *region,
                       const struct record_actor *actor, int64_t now, const char *field,
                       const char *old_value, const char *new_value)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO record_change (id, record_type, record_id, region, at, "
                            "actor_id, actor_login, field, old_value, new_value, request_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, users_new_id());
    db_bind_text(st, 2, type, strlen(type));
    db_bind_int64(st, 3, id);
    db_bind_text(st, 4, region, strlen(region));
    db_bind_int64(st, 5, now);
    if (actor->id)
        db_bind_int64(st, 6, actor->id);
    else
        db_bind_null(st, 6);
    db_bind_text(st, 7, actor->login, strlen(actor->login));
    db_bind_text(st, 8, field, strlen(field));
    bind_value(st, 9, old_value);
    bind_value(st, 10, new_value);
    db_bind_text(st, 11, actor->request_id, strlen(actor->request_id));
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* True (1) when the 12-digit code is in the region tree, 0 when not, or a database error.
 * Codes are never deleted, so a per-thread memory of codes seen to exist saves the lookup on
 * the next record of the same village (imports touch a few hundred villages a million times). */
static int region_exists(struct db *db, const char *code)
{
    static _Thread_local char seen[256][REGION_CODE_LEN + 1];
    unsigned h = 0;
    for (const char *c = code; *c; c++)
        h = h * 31 + (unsigned char)*c;
    char *slot = seen[h % 256];
    if (strcmp(slot, code) == 0)
        return 1;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM region WHERE code = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, code, strlen(code));
    rc = db_step(st);
    db_reset(st);
    if (rc == 1)
        snprintf(slot, REGION_CODE_LEN + 1, "%s", code);
    return rc;
}

int record_check_refs(struct db *db, const struct entity *e, const struct scope *scope,
                      const struct record_values *v, struct refusal *r)
{
    for (int i = 0; i < e->nfields; i++) {
        if (e->fields[i].kind != F_REGION || !v->v[i] || !*v->v[i])
            continue;
        int rc = region_exists(db, v->v[i]);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            r->field = e->fields[i].name;
            r->why = "行政区划代码不存在";
            return MZ_EVALIDATE;
        }
    }
    return e->check_refs ? e->check_refs(db, scope, v, r) : 0;
}

int record_find_key(struct db *db, const struct entity *e, const struct scope *scope,
                    const char *key, int64_t *id)
{
    struct arena *a = arena_new();
    const char *sql = arena_printf(a, "SELECT id FROM %s WHERE %s = ? AND region >= ? AND "
                                      "region < ?", e->table, e->fields[e->key].name);
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    arena_free(a);
    if (rc)
        return rc;
    db_bind_text(st, 1, key, strlen(key));
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1)
        *id = db_col_int64(st, 0);
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

int record_insert(struct db *db, const struct entity *e, const struct scope *scope,
                  const struct record_values *v, const struct record_actor *actor, int64_t now,
                  int64_t *id, int64_t *existing_id)
{
    struct arena *a = arena_new();
    struct text marks = text_new(a, (size_t)e->nfields * 3 + 1);
    for (int i = 0; i < e->nfields; i++)
        append(&marks, ", ?", "");
    const char *sql = arena_printf(a, "INSERT INTO %s (id, %s, version, created_at, updated_at) "
                                      "VALUES (?%s, 1, ?, ?) ON CONFLICT (%s) DO NOTHING",
                                   e->table, column_list(a, e), marks.s, e->fields[e->key].name);
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    arena_free(a);
    if (rc)
        return rc;
    int64_t new_id = users_new_id();
    db_bind_int64(st, 1, new_id);
    for (int i = 0; i < e->nfields; i++)
        bind_value(st, i + 2, v->v[i]);
    db_bind_int64(st, e->nfields + 2, now);
    db_bind_int64(st, e->nfields + 3, now);
    rc = db_step(st);
    int64_t inserted = rc == 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    if (!inserted) {
        *existing_id = 0;
        record_find_key(db, e, scope, v->v[e->key], existing_id);
        return MZ_ECONFLICT;
    }
    *id = new_id;
    int region = record_field(e, "region");
    return record_history_add(db, e->type, new_id, region >= 0 ? v->v[region] : SCOPE_NATIONAL, actor, now,
                       "(created)", NULL, NULL);
}

/* ---------------------------------------------------------------- reading */

/* Copies the current row (fields, then version, region) of id within scope into cur. */
static int load_current(struct db *db, struct arena *a, const struct entity *e,
                        const struct scope *scope, int64_t id, const char **cur,
                        int64_t *version)
{
    const char *sql = arena_printf(a, "SELECT %s, version FROM %s WHERE id = ? AND region >= ? "
                                      "AND region < ?", column_list(a, e), e->table);
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1) {
        for (int i = 0; i < e->nfields; i++) {
            size_t n;
            const char *t = db_col_text(st, i, &n);
            cur[i] = t ? arena_strndup(a, t, n) : NULL;
        }
        *version = db_col_int64(st, e->nfields);
    }
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

static bool same(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && strcmp(a, b) == 0;
}

/* The record as it would be after the change: stored values overlaid with v ("" clears). */
static void merge(const struct entity *e, const char **cur, const struct record_values *v,
                  struct record_values *merged)
{
    for (int i = 0; i < e->nfields; i++)
        merged->v[i] = !v->v[i] ? cur[i] : *v->v[i] ? v->v[i] : NULL;
}

int record_update(struct db *db, const struct entity *e, const struct scope *scope, int64_t id,
                  int64_t version, struct record_values *v, const struct record_actor *actor,
                  int64_t now, int *changed, struct refusal *r)
{
    struct arena *a = arena_new();
    const char *cur[RECORD_MAX_FIELDS];
    int64_t current_version = 0;
    int rc = load_current(db, a, e, scope, id, cur, &current_version);
    if (rc == 0 && version && version != current_version)
        rc = MZ_ECONFLICT;
    struct record_values merged;
    if (rc == 0 && e->hook) {
        merge(e, cur, v, &merged);
        rc = e->hook(a, &merged, v, calendar_day(now), r);
    }
    struct text sets = text_new(a, 48 * (size_t)e->nfields + 1);
    int n = 0;
    for (int i = 0; rc == 0 && i < e->nfields; i++) {
        if (!v->v[i] || same(v->v[i], cur[i])) {
            v->v[i] = NULL;
            continue;
        }
        append(&sets, e->fields[i].name, " = ?, ");
        n++;
    }
    *changed = n;
    if (rc || n == 0) {
        arena_free(a);
        return rc;
    }
    const char *sql = arena_printf(a, "UPDATE %s SET %sversion = version + 1, updated_at = ? "
                                      "WHERE id = ? AND version = ?", e->table, sets.s);
    struct db_stmt *st;
    rc = db_prepare(db, sql, &st);
    int k = 1;
    for (int i = 0; rc == 0 && i < e->nfields; i++)
        if (v->v[i])
            bind_value(st, k++, v->v[i]);
    if (rc == 0) {
        db_bind_int64(st, k, now);
        db_bind_int64(st, k + 1, id);
        db_bind_int64(st, k + 2, current_version);
        rc = db_step(st);
        if (rc == 0 && db_changes(st) == 0)
            rc = MZ_ECONFLICT; /* changed by someone else since we read it */
        db_reset(st);
    }
    int region = record_field(e, "region");
    const char *where = region >= 0 ? (v->v[region] ? v->v[region] : cur[region]) : SCOPE_NATIONAL;
    for (int i = 0; rc == 0 && i < e->nfields; i++)
        if (v->v[i])
            rc = record_history_add(db, e->type, id, where, actor, now, e->fields[i].name, cur[i], v->v[i]);
    arena_free(a);
    return rc < 0 ? rc : 0;
}

/* A stored value as shown: masked unless revealed. */
static const char *shown(const struct field *f, const char *v, bool reveal, char *buf, size_t n)
{
    if (!v || reveal)
        return v;
    if (f->flags & F_MASK_ID)
        return mask_id_number(v, buf, n);
    if (f->flags & F_MASK_PHONE)
        return mask_phone(v, buf, n);
    return v;
}

static void write_value(struct jw *w, const struct field *f, const char *v, bool reveal)
{
    char buf[64];
    jw_key(w, f->name);
    if (f->kind == F_BOOL && v)
        jw_bool(w, strcmp(v, "1") == 0);
    else
        jw_str(w, shown(f, v, reveal, buf, sizeof buf));
}

static int write_history(struct db *db, const struct entity *e, int64_t id, bool reveal,
                         struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT at, actor_login, field, old_value, new_value, request_id "
                            "FROM record_change WHERE record_type = ? AND record_id = ? "
                            "ORDER BY id", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, e->type, strlen(e->type));
    db_bind_int64(st, 2, id);
    jw_key(w, "history");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        const char *name = db_col_text(st, 2, NULL);
        int i = record_field(e, name);
        char b1[64], b2[64];
        const char *old_v = db_col_text(st, 3, NULL), *new_v = db_col_text(st, 4, NULL);
        jw_obj(w);
        jw_kv_int(w, "at", db_col_int64(st, 0));
        jw_kv_str(w, "by", db_col_text(st, 1, NULL));
        jw_kv_str(w, "field", name);
        jw_kv_str(w, "label", i >= 0 ? e->fields[i].label : "创建");
        jw_key(w, "from");
        jw_str(w, i >= 0 ? shown(&e->fields[i], old_v, reveal, b1, sizeof b1) : old_v);
        jw_key(w, "to");
        jw_str(w, i >= 0 ? shown(&e->fields[i], new_v, reveal, b2, sizeof b2) : new_v);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int record_get(struct db *db, const struct entity *e, const struct scope *scope, int64_t id,
               bool reveal, bool with_history, struct jw *w, char *region_out)
{
    struct arena *a = arena_new();
    const char *cur[RECORD_MAX_FIELDS];
    int64_t version = 0;
    int rc = load_current(db, a, e, scope, id, cur, &version);
    if (rc == 0) {
        jw_obj(w);
        char idt[24];
        snprintf(idt, sizeof idt, "%lld", (long long)id);
        jw_kv_str(w, "id", idt);
        for (int i = 0; i < e->nfields; i++)
            write_value(w, &e->fields[i], cur[i], reveal);
        jw_kv_int(w, "version", version);
        int region = record_field(e, "region");
        if (region_out && region >= 0)
            snprintf(region_out, REGION_CODE_LEN + 1, "%s", cur[region]);
        if (with_history)
            rc = write_history(db, e, id, reveal, w);
        jw_obj_end(w);
    }
    arena_free(a);
    return rc;
}

/* ---------------------------------------------------------------- search */

/* WHERE clause shared by search, count and export (parameters bound by bind_where). */
static const char *search_where(struct arena *a, const struct entity *e,
                                const struct record_query *q)
{
    int f = q->filter_field ? record_field(e, q->filter_field) : -1;
    return arena_printf(a,
        "WHERE region >= ? AND region < ? AND region >= ? AND region < ? "
        "AND (CAST(? AS TEXT) IS NULL OR %s = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR %s LIKE ? ESCAPE '\\') %s%s%s",
        e->fields[e->key].name, e->fields[e->name].name,
        f >= 0 ? "AND " : "", f >= 0 ? e->fields[f].name : "", f >= 0 ? " = ? " : "");
}

/* Binds the WHERE clause's parameters from 1; returns the next free index, or MZ_EINVAL. */
static int bind_where(struct arena *a, struct db_stmt *st, const struct entity *e,
                      const struct scope *scope, const struct record_query *q, int filter)
{
    scope_bind(st, 1, scope);
    struct scope under = *scope;
    if (q->under && scope_from_region(q->under, &under) != 0)
        return MZ_EINVAL;
    scope_bind(st, 3, &under);
    bind_value(st, 5, q->key);
    bind_value(st, 6, q->key);
    char *like = NULL;
    if (q->name_prefix) {
        size_t n = strlen(q->name_prefix);
        like = arena_alloc(a, 2 * n + 2);
        char *o = like;
        for (size_t i = 0; i < n; i++) {
            if (strchr("%_\\", q->name_prefix[i]))
                *o++ = '\\';
            *o++ = q->name_prefix[i];
        }
        *o++ = '%';
        *o = '\0';
    }
    bind_value(st, 7, like);
    bind_value(st, 8, like);
    if (filter >= 0) {
        const char *value = q->filter_value;
        if (e->fields[filter].kind == F_BOOL && value) /* stored as 1/0 */
            value = strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ? "1" : "0";
        bind_value(st, 9, value);
    }
    return filter >= 0 ? 10 : 9;
}

int record_search(struct db *db, const struct entity *e, const struct scope *scope,
                  const struct record_query *q, struct jw *w)
{
    struct arena *a = arena_new();
    int filter = q->filter_field ? record_field(e, q->filter_field) : -1;
    const char *where = search_where(a, e, q);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, arena_printf(a, "SELECT COUNT(*) FROM %s %s", e->table, where), &st);
    int64_t total = 0;
    if (rc == 0) {
        rc = bind_where(a, st, e, scope, q, filter) > 0 ? db_step(st) : MZ_EINVAL;
        if (rc == 1)
            total = db_col_int64(st, 0);
        db_reset(st);
    }
    if (rc < 0) {
        arena_free(a);
        return rc;
    }
    rc = db_prepare(db, arena_printf(a, "SELECT id, %s FROM %s %s AND id > ? ORDER BY id LIMIT ?",
                                     column_list(a, e), e->table, where), &st);
    if (rc == 0) {
        int k = bind_where(a, st, e, scope, q, filter);
        db_bind_int64(st, k, q->after);
        db_bind_int64(st, k + 1, q->limit + 1);
    }
    long n = 0;
    int64_t last = 0;
    jw_key(w, "items");
    jw_arr(w);
    while (rc >= 0 && n <= q->limit && (rc = db_step(st)) == 1 && n < q->limit) {
        jw_obj(w);
        last = db_col_int64(st, 0);
        jw_kv_str(w, "id", db_col_text(st, 0, NULL));
        for (int i = 0; i < e->nfields; i++)
            write_value(w, &e->fields[i], db_col_text(st, i + 1, NULL), false);
        jw_obj_end(w);
        n++;
    }
    jw_arr_end(w);
    jw_key(w, "next");
    if (rc == 1)
        jw_str(w, arena_printf(a, "%lld", (long long)last));
    else
        jw_null(w);
    jw_kv_int(w, "total", total);
    if (st)
        db_reset(st);
    arena_free(a);
    return rc < 0 ? rc : 0;
}

int record_each(struct db *db, const struct entity *e, const struct scope *scope,
                const struct record_query *q,
                int (*row)(const char *const *values, void *ctx), void *ctx)
{
    struct arena *a = arena_new();
    int filter = q->filter_field ? record_field(e, q->filter_field) : -1;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, arena_printf(a, "SELECT %s FROM %s %s ORDER BY id", column_list(a, e),
                                         e->table, search_where(a, e, q)), &st);
    if (rc == 0 && bind_where(a, st, e, scope, q, filter) < 0)
        rc = MZ_EINVAL;
    const char *values[RECORD_MAX_FIELDS];
    int stepped = rc;
    while (rc == 0 && (stepped = db_step(st)) == 1) {
        for (int i = 0; i < e->nfields; i++)
            values[i] = db_col_text(st, i, NULL);
        rc = row(values, ctx);
    }
    if (rc == 0 && stepped < 0)
        rc = stepped;
    if (st)
        db_reset(st);
    arena_free(a);
    return rc < 0 ? rc : 0;
}
