/*
 * core/calendar_routes.c — the official holiday calendar as an administrator keeps it: read a
 * year's listed dates with their notices; list or unlist a date (放假 OFF / 调休上班 WORK) when
 * the State Council publishes next year's notice. Every deadline counted in working days uses
 * the calendar the server has loaded (calendar_current), which an edit replaces at once.
 * Requirements: issue #10 ("the official calendar … shipped as data and editable by an
 * administrator"); shared/domain/reference.md §1.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "calendar.h"
#include "core_routes.h"
#include "db.h"
#include "errors.h"
#include "http.h"
#include "ids.h"
#include "json.h"
#include "route_args.h"

static int calendar_year(struct request *rq);
static int calendar_put(struct request *rq);
static int calendar_delete(struct request *rq);

const struct route calendar_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/calendar", .fn = calendar_year, .perm = PERM_SELF,
      .flags = R_UNSCOPED, .tag = "platform",
      .summary = "某年的法定节假日与调休上班日（国务院办公厅通知）",
      .params = { { "year", "query", "integer", "年份（默认今年）", false } } },
    { .method = HTTP_PUT, .path = "/api/v1/calendar/{day}", .fn = calendar_put,
      .perm = "calendar:write", .flags = R_BODY | R_WRITE, .tag = "platform",
      .summary = "登记一天为放假（OFF）或调休上班（WORK），立即用于计算工作日期限",
      .params = { { "day", "path", "string", "日期 YYYY-MM-DD", true } } },
    { .method = HTTP_DELETE, .path = "/api/v1/calendar/{day}", .fn = calendar_delete,
      .perm = "calendar:write", .flags = R_WRITE, .tag = "platform",
      .summary = "撤销一天的登记（恢复按星期计算）",
      .params = { { "day", "path", "string", "日期 YYYY-MM-DD", true } } },
    { 0 },
};

/* The calendar is national (国务院办公厅): kept by a province's or the national administrator. */
static int may_edit(struct request *rq)
{
    if (ids_region_level(rq->who->region) > 1)
        return http_fail(rq, MZ_EPERM, NULL, "节假日安排由省级或全国的系统管理员维护");
    return 0;
}

static int path_day(struct request *rq, int *day)
{
    const char *text = http_path_param(rq, "day");
    if (!text || calendar_date_parse(text, strlen(text), day) != 0)
        return http_fail(rq, MZ_EINVAL, "day", "日期应为 YYYY-MM-DD");
    return 0;
}

/* Reloads the table into the server's calendar (after the caller's commit). */
static int reload(struct request *rq)
{
    struct calendar *c;
    int rc = calendar_load(rq->db, &c);
    if (rc == 0)
        calendar_set_current(c);
    return rc;
}

static int calendar_year(struct request *rq)
{
    long year;
    int rc = http_query_long(rq, "year", calendar_day(rq->now) / 10000, 1900, 9999, &year);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(rq->db, "SELECT day, kind, name, source FROM holiday WHERE day >= ? "
                            "AND day < ? ORDER BY day", &st);
    if (rc)
        return rc;
    char from[32], to[32];
    snprintf(from, sizeof from, "%04ld-01-01", year);
    snprintf(to, sizeof to, "%04ld-01-01", year + 1);
    db_bind_text(st, 1, from, strlen(from));
    db_bind_text(st, 2, to, strlen(to));
    struct jw w;
    jw_init(&w, 1u << 16);
    jw_obj(&w);
    jw_kv_int(&w, "year", year);
    jw_kv_bool(&w, "covered", calendar_covers(calendar_current(), (int)year * 10000 + 101));
    jw_key(&w, "days");
    jw_arr(&w);
    while ((rc = db_step(st)) == 1) {
        jw_obj(&w);
        jw_kv_str(&w, "day", db_col_text(st, 0, NULL));
        jw_kv_str(&w, "kind", db_col_text(st, 1, NULL));
        jw_kv_str(&w, "name", db_col_text(st, 2, NULL));
        jw_kv_str(&w, "source", db_col_text(st, 3, NULL));
        jw_obj_end(&w);
    }
    db_reset(st);
    jw_arr_end(&w);
    jw_obj_end(&w);
    if (rc < 0) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int calendar_put(struct request *rq)
{
    int day;
    const char *kind, *name, *source;
    int rc = may_edit(rq);
    if (rc == 0)
        rc = path_day(rq, &day);
    if (rc == 0)
        rc = arg_body_string(rq, "kind", 8, 0, &kind);
    if (rc == 0 && strcmp(kind, "OFF") != 0 && strcmp(kind, "WORK") != 0)
        rc = http_fail(rq, MZ_EVALIDATE, "kind", "kind 应为 OFF（放假）或 WORK（调休上班）");
    if (rc == 0)
        rc = arg_body_string(rq, "name", 40, 0, &name);
    if (rc == 0)
        rc = arg_body_string(rq, "source", 200, 0, &source);
    if (rc)
        return rc;
    const char *iso = http_path_param(rq, "day");
    struct db_stmt *st;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = db_prepare(rq->db, "INSERT INTO holiday (day, kind, name, source) VALUES (?, ?, ?, ?) "
                                "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, "
                                "name = excluded.name, source = excluded.source", &st);
    if (rc == 0) {
        db_bind_text(st, 1, iso, 10);
        db_bind_text(st, 2, kind, strlen(kind));
        db_bind_text(st, 3, name, strlen(name));
        db_bind_text(st, 4, source, strlen(source));
        rc = db_step(st);
        db_reset(st);
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0)
        rc = http_audit(rq, "calendar.put", "holiday", iso, NULL, "success",
                        arena_printf(rq->arena, "kind=%s", kind));
    rc = db_finish(rq->db, rc);
    if (rc == 0)
        rc = reload(rq);
    return rc ? rc : reply_ok(rq);
}

static int calendar_delete(struct request *rq)
{
    int day;
    int rc = may_edit(rq);
    if (rc == 0)
        rc = path_day(rq, &day);
    if (rc)
        return rc;
    const char *iso = http_path_param(rq, "day");
    struct db_stmt *st;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = db_prepare(rq->db, "DELETE FROM holiday WHERE day = ?", &st);
    int64_t changed = 0;
    if (rc == 0) {
        db_bind_text(st, 1, iso, 10);
        rc = db_step(st);
        changed = db_changes(st);
        db_reset(st);
        rc = rc < 0 ? rc : changed ? 0 : http_fail(rq, MZ_ENOTFOUND, "day", "该日期未登记");
    }
    if (rc == 0)
        rc = http_audit(rq, "calendar.delete", "holiday", iso, NULL, "success", NULL);
    rc = db_finish(rq->db, rc);
    if (rc == 0)
        rc = reload(rq);
    return rc ? rc : reply_ok(rq);
}
