/*
 * registry/export.c — CSV and .xlsx exports of registry searches, and the duplicate-person
 * list; see export.h.
 *
 * CSV cells that begin with = + - @ or a tab are prefixed with ' so that a spreadsheet does not
 * run them as formulas (OWASP "CSV injection"); .xlsx cells are written as strings and need no
 * such care. The .xlsx writer runs in libxlsxwriter's constant-memory mode (rows streamed to
 * its temporary files), then the finished file is read back for the reply and removed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "db.h"
#include "dict.h"
#include "errors.h"
#include "export.h"
#include "json.h"
#include "log.h"
#include "mask.h"

#define CSV_MAX_BYTES (256u << 20)

/* A value as a list shows it: masked, code labels, 是/否. buf holds a masked value. */
static const char *display(const struct field *f, const char *v, char *buf, size_t n)
{
    if (!v || !*v)
        return "";
    if (f->flags & F_MASK_ID)
        return mask_id_number(v, buf, n);
    if (f->flags & F_MASK_PHONE)
        return mask_phone(v, buf, n);
    if (f->kind == F_BOOL)
        return strcmp(v, "1") == 0 ? "是" : "否";
    if (f->kind == F_DICT) {
        const char *label = dict_label(f->dict, v);
        return label ? label : v;
    }
    return v;
}

struct sink {
    const struct entity *e;
    long max_rows, rows;
    /* CSV */
    char *buf;
    size_t len, cap;
    bool over;
    /* xlsx */
    lxw_worksheet *ws;
};

static void put(struct sink *s, const char *p, size_t n)
{
    if (s->over || s->len + n + 1 > CSV_MAX_BYTES) {
        s->over = true;
        return;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *buf = realloc(s->buf, cap);
        if (!buf) {
            s->over = true;
            return;
        }
        s->buf = buf;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static void put_cell(struct sink *s, const char *v, bool last)
{
    bool quote = strpbrk(v, ",\"\r\n") != NULL;
    if (quote)
        put(s, "\"", 1);
    if (v[0] && strchr("=+-@\t\r", v[0]))
        put(s, "'", 1);
    for (const char *p = v; *p; p++) {
        const char *q = p;
        while (*q && *q != '"')
            q++;
        put(s, p, (size_t)(q - p));
        if (!*q)
            break;
        put(s, "\"\"", 2);
        p = q;
    }
    if (quote)
        put(s, "\"", 1);
    put(s, last ? "\r\n" : ",", last ? 2 : 1);
}

static int csv_row(const char *const *values, void *ctx)
{
    struct sink *s = ctx;
    if (++s->rows > s->max_rows)
        return MZ_ERANGE;
    for (int i = 0; i < s->e->nfields; i++) {
        char buf[64];
        put_cell(s, display(&s->e->fields[i], values[i], buf, sizeof buf), i + 1 == s->e->nfields);
    }
    return s->over ? MZ_ERANGE : 0;
}

int export_csv(struct db *db, const struct entity *e, const struct scope *scope,
               const struct record_query *q, long max_rows, char **out, size_t *len,
               long *rows)
{
    struct sink s = { .e = e, .max_rows = max_rows };
    put(&s, "\xef\xbb\xbf", 3);
    for (int i = 0; i < e->nfields; i++)
        put_cell(&s, e->fields[i].label, i + 1 == e->nfields);
    int rc = record_each(db, e, scope, q, csv_row, &s);
    if (rc == 0 && s.over)
        rc = MZ_ERANGE;
    if (rc) {
        free(s.buf);
        return rc;
    }
    *out = s.buf;
    *len = s.len;
    *rows = s.rows;
    return 0;
}

static int xlsx_row(const char *const *values, void *ctx)
{
    struct sink *s = ctx;
    if (++s->rows > s->max_rows)
        return MZ_ERANGE;
    for (int i = 0; i < s->e->nfields; i++) {
        char buf[64];
        const char *v = display(&s->e->fields[i], values[i], buf, sizeof buf);
        if (*v && worksheet_write_string(s->ws, (lxw_row_t)s->rows, (lxw_col_t)i, v, NULL) !=
                      LXW_NO_ERROR)
            return MZ_EIO;
    }
    return 0;
}

/* The whole file at path into a malloc'd buffer. */
static int slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        if (f)
            fclose(f);
        return MZ_EIO;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return MZ_EIO;
    }
    *out = buf;
    *len = got;
    return 0;
}

int export_xlsx(struct db *db, const struct entity *e, const struct scope *scope,
                const struct record_query *q, long max_rows, char **out, size_t *len,
                long *rows)
{
    const char *tmp = getenv("TMPDIR");
    char path[512];
    int n = snprintf(path, sizeof path, "%s/minzheng-export-", tmp && *tmp ? tmp : "/tmp");
    if (n < 0 || (size_t)n + 7 > sizeof path)
        return MZ_EIO;
    memset(path + n, 'X', 6); /* the part mkstemp() replaces */
    path[n + 6] = '\0';
    int fd = mkstemp(path);
    if (fd < 0) {
        log_error(NULL, "export: cannot create a temporary file in %s", tmp ? tmp : "/tmp");
        return MZ_EIO;
    }
    close(fd);
    lxw_workbook_options options = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
    lxw_workbook *wb = workbook_new_opt(path, &options);
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, e->title) : NULL;
    int rc = ws ? 0 : MZ_EIO;
    struct sink s = { .e = e, .max_rows = max_rows, .ws = ws };
    if (rc == 0) {
        lxw_format *bold = workbook_add_format(wb);
        format_set_bold(bold);
        worksheet_set_column(ws, 0, (lxw_col_t)(e->nfields - 1), 16, NULL);
        for (int i = 0; i < e->nfields && rc == 0; i++)
            if (worksheet_write_string(ws, 0, (lxw_col_t)i, e->fields[i].label, bold) !=
                LXW_NO_ERROR)
                rc = MZ_EIO;
    }
    if (rc == 0)
        rc = record_each(db, e, scope, q, xlsx_row, &s);
    if (wb && workbook_close(wb) != LXW_NO_ERROR && rc == 0)
        rc = MZ_EIO;
    if (rc == 0)
        rc = slurp(path, out, len);
    unlink(path);
    if (rc == MZ_EIO)
        log_error(NULL, "export: the workbook could not be written");
    if (rc == 0)
        *rows = s.rows;
    return rc;
}

int export_duplicates(struct db *db, const struct scope *scope, const char *under, long limit,
                      struct jw *w, long *groups)
{
    struct scope within = *scope;
    if (under && scope_from_region(under, &within) != 0)
        return MZ_EINVAL;
    struct db_stmt *st;
    int rc = db_prepare(db,
        "SELECT p.id, p.id_number, p.name, p.birth_date, p.region, p.sex, p.alive "
        "FROM person p JOIN (SELECT name, birth_date, region FROM person "
        "  WHERE region >= ? AND region < ? AND region >= ? AND region < ? "
        "  GROUP BY name, birth_date, region HAVING COUNT(*) > 1 "
        "  ORDER BY region, name, birth_date LIMIT ?) d "
        "ON p.name = d.name AND p.birth_date = d.birth_date AND p.region = d.region "
        "ORDER BY p.region, p.name, p.birth_date, p.id", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, scope);
    scope_bind(st, 3, &within);
    db_bind_int64(st, 5, limit + 1);
    char last[256] = "";
    long n = 0;
    bool more = false;
    jw_key(w, "groups");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        const char *name = db_col_text(st, 2, NULL), *birth = db_col_text(st, 3, NULL);
        const char *region = db_col_text(st, 4, NULL);
        char group[256];
        snprintf(group, sizeof group, "%s\x1f%s\x1f%s", region, name, birth);
        if (strcmp(group, last) != 0) {
            if (n == limit) {
                more = true;
                break;
            }
            if (n) {
                jw_arr_end(w);
                jw_obj_end(w);
            }
            n++;
            snprintf(last, sizeof last, "%s", group);
            jw_obj(w);
            jw_kv_str(w, "name", name);
            jw_kv_str(w, "birth_date", birth);
            jw_kv_str(w, "region", region);
            jw_key(w, "persons");
            jw_arr(w);
        }
        char masked[32];
        jw_obj(w);
        jw_kv_str(w, "id", db_col_text(st, 0, NULL));
        jw_kv_str(w, "id_number", mask_id_number(db_col_text(st, 1, NULL), masked, sizeof masked));
        jw_kv_str(w, "sex", db_col_text(st, 5, NULL));
        jw_kv_bool(w, "alive", db_col_int64(st, 6) == 1);
        jw_obj_end(w);
    }
    db_reset(st);
    if (n) {
        jw_arr_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_kv_bool(w, "more", more);
    if (rc < 0)
        return rc;
    *groups = n;
    return 0;
}
