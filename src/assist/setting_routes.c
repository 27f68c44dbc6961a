/*
 * assist/setting_routes.c — the HTTP surface of 救助参数 (setting.h): every configurable number
 * in force for a region with where it came from, setting one key for a region, and the history
 * of a region and its ancestors.
 *
 * Setting is audited (assist.setting.create) in the transaction that inserts the row; only a
 * province, city or county inside the caller's scope sets a value (a township cannot, so
 * township_confirm.* — delegation to townships — is always decided by a county or higher).
 * The value is checked by the catalogue and stored in its canonical text. Reading needs the
 * region inside the caller's scope; values set by its ancestors are shown with it.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "errors.h"
#include "route_args.h"
#include "scope.h"
#include "setting.h"
#include "standard.h"
#include "users.h"

#define SETTING_HISTORY_MAX 500

static int setting_create(struct request *rq);
static int setting_current(struct request *rq);
static int setting_history(struct request *rq);

const struct route setting_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/assist/settings", .fn = setting_create,
      .perm = "assist:setting:write", .flags = R_BODY | R_WRITE, .tag = "assist",
      .summary = "设定救助参数（县级以上；新的一行取代本区划原有的值）", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/settings", .fn = setting_current,
      .perm = "assist:setting:read", .tag = "assist",
      .summary = "某地施行的救助参数、默认值及其来源",
      .params = { { "region", "query", "string", "行政区划代码（默认本人所在区划）", false },
                  { "key", "query", "string", "参数名（默认全部）", false } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/settings/history", .fn = setting_history,
      .perm = "assist:setting:read", .tag = "assist",
      .summary = "某地及其上级区划设定救助参数的全部记录（新的在前）",
      .params = { { "region", "query", "string", "行政区划代码（默认本人所在区划）", false },
                  { "key", "query", "string", "参数名（默认全部）", false } } },
    { 0 },
};

static void write_row(struct request *rq, struct jw *w, const struct setting_row *r)
{
    jw_kv_str(w, "id", arena_printf(rq->arena, "%lld", (long long)r->id));
    jw_kv_str(w, "region", r->region);
    jw_kv_str(w, "key", r->key);
    jw_kv_str(w, "value", r->value);
    jw_kv_str(w, "source", r->source);
    jw_kv_int(w, "created_at", r->created_at);
}

/* ---------------------------------------------------------------- create */

static int body_row(struct request *rq, struct setting_row *r)
{
    const char *region, *key, *value, *source;
    int rc = arg_body_string(rq, "region", 12, 0, &region);
    if (rc)
        return rc;
    if (ids_region_normalize(region, strlen(region), r->region) != 0 ||
        !standard_region_ok(r->region))
        return http_fail(rq, MZ_EVALIDATE, "region",
                         "救助参数由县级以上设定：行政区划代码应为 2、4 或 6 位有效数字");
    if (!scope_contains(&rq->who->scope, r->region))
        return http_fail(rq, MZ_EVALIDATE, "region", "所设区划超出您的管辖范围");
    rc = arg_body_string(rq, "key", SETTING_KEY_MAX, 0, &key);
    if (rc)
        return rc;
    const struct setting_def *d = setting_find(key);
    if (!d)
        return http_fail(rq, MZ_EVALIDATE, "key", "没有这个救助参数；可设定的参数见 "
                                                  "GET /api/v1/assist/settings");
    rc = arg_body_string(rq, "value", SETTING_VALUE_MAX, 0, &value);
    if (rc)
        return rc;
    struct assist_settings s;
    assist_settings_default(&s);
    char err[SETTING_ERROR_MAX], canonical[SETTING_VALUE_MAX + 1];
    if (setting_parse(d, value, &s, err, sizeof err) != 0)
        return http_fail(rq, MZ_EVALIDATE, "value", arena_printf(rq->arena, "%s", err));
    rc = setting_format(d, &s, canonical, sizeof canonical);
    if (rc)
        return rc;
    rc = arg_body_string(rq, "source", SETTING_SOURCE_MAX, 0, &source);
    if (rc)
        return rc;
    r->key = d->key;
    r->value = arena_printf(rq->arena, "%s", canonical);
    r->source = source;
    return 0;
}

static int setting_create(struct request *rq)
{
    struct setting_row r;
    memset(&r, 0, sizeof r);
    int rc = body_row(rq, &r);
    if (rc)
        return rc;
    r.id = users_new_id();
    r.created_at = rq->now;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = setting_insert(rq->db, &r, rq->who->user_id);
    if (rc == 0)
        rc = http_audit(rq, "assist.setting.create", "assist_setting",
                        arena_printf(rq->arena, "%lld", (long long)r.id), r.region, "success",
                        arena_printf(rq->arena, "key=%s value=%s", r.key, r.value));
    rc = db_finish(rq->db, rc);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 8192);
    jw_obj(&w);
    write_row(rq, &w, &r);
    jw_obj_end(&w);
    return http_reply_json(rq, 201, &w);
}

/* ---------------------------------------------------------------- reading */

/* region of the query (default: the caller's); outside the caller's scope it is not found. */
static int query_region(struct request *rq, char region[REGION_CODE_LEN + 1])
{
    const char *raw = http_query(rq, "region");
    if (!raw) {
        snprintf(region, REGION_CODE_LEN + 1, "%s", rq->who->region);
        return 0;
    }
    if (ids_region_normalize(raw, strlen(raw), region) != 0)
        return http_fail(rq, MZ_EINVAL, "region", "行政区划代码应为 2、4、6、9 或 12 位数字");
    if (!scope_contains(&rq->who->scope, region))
        return http_fail(rq, MZ_ENOTFOUND, "region", "所查区划不存在或超出您的管辖范围");
    return 0;
}

static void write_null(struct jw *w, const char *key)
{
    jw_key(w, key);
    jw_null(w);
}

/* One catalogue key: the value in force (row, or the default when row is NULL). */
static void write_key(struct request *rq, struct jw *w, const struct setting_def *d,
                      const struct setting_row *row)
{
    struct assist_settings def;
    assist_settings_default(&def);
    char text[SETTING_VALUE_MAX + 1];
    if (setting_format(d, &def, text, sizeof text) != 0)
        text[0] = '\0';
    jw_obj(w);
    jw_kv_str(w, "key", d->key);
    jw_kv_str(w, "label", d->label);
    jw_kv_str(w, "type", setting_type_name(d->type));
    jw_kv_str(w, "value", row ? row->value : text);
    jw_kv_str(w, "default", text);
    jw_kv_str(w, "source", row ? row->source : d->source);
    if (row) {
        jw_kv_str(w, "set_at", row->region);
        jw_kv_str(w, "id", arena_printf(rq->arena, "%lld", (long long)row->id));
        jw_kv_int(w, "created_at", row->created_at);
    } else {
        write_null(w, "set_at");
        write_null(w, "id");
        write_null(w, "created_at");
    }
    if (d->words) {
        jw_key(w, "allowed");
        jw_arr(w);
        for (const struct setting_word *word = d->words; word->word; word++)
            jw_str(w, word->word);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

/* key of the query: NULL when absent, else a catalogue key (400 otherwise). */
static int query_key(struct request *rq, const char **key)
{
    *key = http_query(rq, "key");
    if (*key && !setting_find(*key))
        return http_fail(rq, MZ_EINVAL, "key", "没有这个救助参数");
    return 0;
}

static int setting_current(struct request *rq)
{
    char region[REGION_CODE_LEN + 1];
    const char *key;
    int rc = query_region(rq, region);
    if (rc == 0)
        rc = query_key(rq, &key);
    if (rc)
        return rc;
    struct setting_row *rows;
    size_t n;
    rc = setting_load(rq->db, rq->arena, region, NULL, SETTING_ROWS_MAX, &rows, &n);
    if (rc)
        return rc;
    /* the rows that no longer parse are marked and not shown as in force (setting_apply) */
    bool *bad = arena_calloc(rq->arena, n + 1, sizeof *bad);
    struct assist_settings in_force;
    assist_settings_default(&in_force);
    setting_apply(&in_force, rows, n, region, bad);
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    jw_kv_str(&w, "for_region", region);
    jw_key(&w, "items");
    jw_arr(&w);
    for (size_t i = 0; i < setting_count(); i++) {
        const struct setting_def *d = setting_at(i);
        if (key && strcmp(key, d->key) != 0)
            continue;
        int at = setting_resolve(rows, n, d->key, region, bad);
        write_key(rq, &w, d, at >= 0 ? &rows[at] : NULL);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}

static int setting_history(struct request *rq)
{
    char region[REGION_CODE_LEN + 1];
    const char *key;
    int rc = query_region(rq, region);
    if (rc == 0)
        rc = query_key(rq, &key);
    if (rc)
        return rc;
    struct setting_row *rows;
    size_t n;
    rc = setting_load(rq->db, rq->arena, region, key, SETTING_HISTORY_MAX, &rows, &n);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    jw_kv_str(&w, "for_region", region);
    jw_key(&w, "items");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w);
        write_row(rq, &w, &rows[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}
