/*
 * registry/import_routes.c — the HTTP surface of bulk data: CSV imports with their
 * rejected-rows reports, exports of searches (CSV, .xlsx), and the likely-duplicate persons.
 *
 * Imports run inside the request (the body is at most --body-limit, 1 MiB by default: about
 * 8 000 persons; bigger files go through `minzheng import` on the server) with the caller's
 * scope, and keep their report in import_report for GET …/report. Exports are capped at
 * EXPORT_MAX_ROWS rows because the server builds a reply in memory. Every import, report
 * download, export and duplicate list is audited; exports with the row count, fail-closed.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "auth.h"
#include "calendar.h"
#include "db.h"
#include "errors.h"
#include "export.h"
#include "import.h"
#include "org.h"
#include "person.h"
#include "record_routes.h"
#include "route_args.h"
#include "users.h"

#define EXPORT_MAX_ROWS 200000
#define REPLY_MAX (1u << 20)
#define CSV_TYPE "text/csv; charset=utf-8"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static struct audit_actor auditor_of(const struct request *rq)
{
    const struct principal *p = rq->who;
    return (struct audit_actor){ p->user_id, p->login, p->roles, rq->source, rq->id };
}

/* ---------------------------------------------------------------- imports */

/* The declared encoding: ?encoding=, else the charset of the Content-Type, else auto. */
static int declared_encoding(struct request *rq, enum import_encoding *out)
{
    const char *q = http_query(rq, "encoding");
    *out = IMPORT_ENC_AUTO;
    if (q)
        return import_encoding_parse(q, out) == 0
                   ? 0 : http_fail(rq, MZ_EINVAL, "encoding", "encoding 须为 auto、utf-8 或 gb18030");
    const char *type = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Type");
    const char *cs = type ? strcasestr(type, "charset=") : NULL;
    if (cs) {
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(cs + 8, " ;\""), cs + 8);
        if (import_encoding_parse(name, out) != 0)
            return http_fail(rq, MZ_EINVAL, "encoding",
                             "Content-Type 的 charset 须为 utf-8 或 gb18030");
    }
    return 0;
}

static const struct entity *entity_param(struct request *rq)
{
    const char *name = http_query(rq, "entity");
    if (name && strcmp(name, "persons") == 0)
        return &person_entity;
    if (name && (strcmp(name, "organisations") == 0 || strcmp(name, "orgs") == 0))
        return &org_entity;
    http_fail(rq, MZ_EINVAL, "entity", "entity 须为 persons、organisations 或 households");
    return NULL;
}

/* Keeps the report for GET /api/v1/imports/{id}/report (its own transaction). */
static int store_report(struct request *rq, int64_t id, const char *type,
                        const char *summary, const struct import_report *report)
{
    struct db_stmt *st;
    int rc = db_prepare(rq->db, "INSERT INTO import_report (id, region, created_by, created_login, "
                                "created_at, entity, summary, csv) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, rq->who->region, strlen(rq->who->region));
    if (rq->who->user_id)
        db_bind_int64(st, 3, rq->who->user_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, rq->who->login, strlen(rq->who->login));
    db_bind_int64(st, 5, rq->now);
    db_bind_text(st, 6, type, strlen(type));
    db_bind_text(st, 7, summary, strlen(summary));
    db_bind_text(st, 8, report->buf, report->len);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int import_create(struct request *rq)
{
    const char *name = http_query(rq, "entity");
    bool households = name && strcmp(name, "households") == 0;
    const struct entity *e = households ? NULL : entity_param(rq);
    if (!e && !households)
        return MZ_EINVAL;
    const char *type = households ? "household" : e->type;
    const char *mode = http_query(rq, "mode");
    if (mode && strcmp(mode, "all") != 0 && strcmp(mode, "valid") != 0)
        return http_fail(rq, MZ_EINVAL, "mode",
                         "mode 须为 all（全部通过才导入）或 valid（导入有效行）");
    enum import_encoding encoding;
    int rc = declared_encoding(rq, &encoding);
    if (rc)
        return rc;
    if (rq->raw_len == 0)
        return http_fail(rq, MZ_EVALIDATE, "file", "文件为空（没有表头行）");
    FILE *in = fmemopen(rq->raw, rq->raw_len, "rb");
    if (!in)
        return MZ_ENOMEM;
    struct record_actor actor = { rq->who->user_id, rq->who->login, rq->id };
    struct audit_actor auditor = auditor_of(rq);
    struct import_options o = {
        .entity = e, .scope = &rq->who->scope, .region = rq->who->region, .actor = &actor,
        .auditor = &auditor, .mode = mode && strcmp(mode, "all") == 0 ? IMPORT_MODE_ALL
                                                                        : IMPORT_MODE_VALID,
        .encoding = encoding, .today = calendar_day(rq->now), .now = rq->now, .import_id = users_new_id(),
    };
    struct import_report report;
    import_report_to_memory(&report, IMPORT_REPORT_MEMORY_MAX);
    struct import_result res;
    rc = households ? import_households_run(rq->db, rq->arena, &o, in, (long long)rq->raw_len,
                                            &report, &res)
                    : import_run(rq->db, rq->arena, &o, in, (long long)rq->raw_len, &report, &res);
    fclose(in);
    if (rc == MZ_EVALIDATE && res.read == 0) {
        import_report_free(&report);
        return http_fail(rq, rc, "file", res.error);
    }
    const char *status = res.rolled_back ? "rolled_back" : rc ? "stopped" : "committed";
    const char *summary = arena_printf(rq->arena,
        "{\"status\":\"%s\",\"mode\":\"%s\",\"encoding\":\"%s\",\"read\":%lld,\"inserted\":%lld,"
        "\"updated\":%lld,\"unchanged\":%lld,\"rejected\":%lld,\"committed\":%lld}", status,
        o.mode == IMPORT_MODE_ALL ? "all" : "valid", import_encoding_name(res.encoding), res.read,
        res.inserted, res.updated, res.unchanged, res.rejected, res.committed);
    int stored = store_report(rq, o.import_id, type, summary, &report);
    import_report_free(&report);
    if (rc)
        return http_fail(rq, rc, "file", res.error);
    if (stored)
        return stored;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    jw_obj(&w);
    const char *id = arena_printf(rq->arena, "%lld", (long long)o.import_id);
    jw_kv_str(&w, "report_id", id);
    jw_kv_str(&w, "report", arena_printf(rq->arena, "/api/v1/imports/%s/report", id));
    jw_kv_str(&w, "entity", type);
    jw_kv_str(&w, "status", status);
    jw_kv_str(&w, "mode", o.mode == IMPORT_MODE_ALL ? "all" : "valid");
    jw_kv_str(&w, "encoding", import_encoding_name(res.encoding));
    jw_kv_int(&w, "read", res.read);
    jw_kv_int(&w, "inserted", res.inserted);
    jw_kv_int(&w, "updated", res.updated);
    jw_kv_int(&w, "unchanged", res.unchanged);
    jw_kv_int(&w, "rejected", res.rejected);
    jw_kv_int(&w, "committed", res.committed);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}

static int import_report_get(struct request *rq)
{
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(rq->db, "SELECT csv, region FROM import_report WHERE id = ? AND region >= ? "
                            "AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, &rq->who->scope);
    rc = db_step(st);
    char *csv = NULL;
    size_t len = 0;
    const char *region = NULL;
    if (rc == 1) {
        const char *t = db_col_text(st, 0, &len);
        csv = malloc(len + 1);
        if (csv)
            memcpy(csv, t, len);
        region = arena_strdup(rq->arena, db_col_text(st, 1, NULL));
    }
    db_reset(st);
    if (rc == 0)
        return http_fail(rq, MZ_ENOTFOUND, "id", "导入报告不存在");
    if (rc < 0 || !csv) {
        free(csv);
        return rc < 0 ? rc : MZ_ENOMEM;
    }
    rc = http_audit(rq, "import.report", "import", arena_printf(rq->arena, "%lld", (long long)id),
                    region, "success", "");
    if (rc) {
        free(csv);
        return rc;
    }
    return http_reply_bytes(rq, 200, CSV_TYPE,
                            arena_printf(rq->arena, "import-%lld-rejected.csv", (long long)id),
                            csv, len);
}

/* ---------------------------------------------------------------- exports */

/* The criteria of GET /api/v1/persons (key, name, under, field, value); at least one of
 * key, name, under. *used lists the names of those given (for the audit entry). */
/* The search criteria of GET /persons, plus one rule of exports: a file leaves the system, so
 * the area it covers must be named inside the caller's own scope (a search merely intersects). */
static int criteria(struct request *rq, const struct entity *e, struct record_query *q,
                    const char **used)
{
    int rc = record_route_query(rq, e, q, used);
    struct scope area;
    if (rc == 0 && q->under &&
        (scope_from_region(q->under, &area) != 0 || !scope_covers(&rq->who->scope, &area)))
        rc = http_fail(rq, MZ_EINVAL, "under", "所查区划超出您的管辖范围");
    return rc;
}

static int export(struct request *rq, bool xlsx)
{
    const struct entity *e = rq->route->data;
    struct record_query q;
    const char *used = "";
    int rc = criteria(rq, e, &q, &used);
    if (rc)
        return rc;
    char *data = NULL;
    size_t len = 0;
    long rows = 0;
    rc = xlsx ? export_xlsx(rq->db, e, &rq->who->scope, &q, EXPORT_MAX_ROWS, &data, &len, &rows)
              : export_csv(rq->db, e, &rq->who->scope, &q, EXPORT_MAX_ROWS, &data, &len, &rows);
    if (rc == MZ_ERANGE)
        return http_fail(rq, rc, "under", arena_printf(rq->arena, "导出结果超过 %d 行，请缩小范围"
                                                                  "（例如按下级区划分批导出）",
                                                       EXPORT_MAX_ROWS));
    if (rc == MZ_EINVAL)
        return http_fail(rq, rc, "under", "所查区划超出您的管辖范围");
    if (rc == 0)
        rc = http_audit(rq, arena_printf(rq->arena, "%s.export", e->type), e->type, "-", NULL,
                        "success", arena_printf(rq->arena, "format=%s rows=%ld %s",
                                                xlsx ? "xlsx" : "csv", rows, used));
    if (rc) {
        free(data);
        return rc;
    }
    char date[16];
    snprintf(date, sizeof date, "%d", calendar_day(rq->now));
    return http_reply_bytes(rq, 200, xlsx ? XLSX_TYPE : CSV_TYPE,
                            arena_printf(rq->arena, "%s-%s.%s", e->table, date,
                                         xlsx ? "xlsx" : "csv"), data, len);
}

static int export_csv_route(struct request *rq) { return export(rq, false); }
static int export_xlsx_route(struct request *rq) { return export(rq, true); }

/* ---------------------------------------------------------------- duplicates */

static int duplicates(struct request *rq)
{
    long limit;
    int rc = http_query_long(rq, "limit", 50, 1, 500, &limit);
    if (rc)
        return rc;
    const char *under = http_query(rq, "under");
    char code[REGION_CODE_LEN + 1];
    if (under) {
        struct scope s;
        if (ids_region_normalize(under, strlen(under), code) != 0)
            return http_fail(rq, MZ_EINVAL, "under", "行政区划代码应为 2、4、6、9 或 12 位数字");
        if (scope_from_region(code, &s) != 0 || !scope_covers(&rq->who->scope, &s))
            return http_fail(rq, MZ_EINVAL, "under", "所查区划超出您的管辖范围");
    }
    struct jw w;
    jw_init(&w, REPLY_MAX * 4);
    jw_obj(&w);
    long groups = 0;
    rc = export_duplicates(rq->db, &rq->who->scope, under ? code : NULL, limit, &w, &groups);
    jw_obj_end(&w);
    if (rc == 0)
        rc = http_audit(rq, "person.duplicates", "person", "-", under ? code : NULL, "success",
                        arena_printf(rq->arena, "groups=%ld", groups));
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* ---------------------------------------------------------------- the table */

#define EXPORT_PARAMS                                                                           \
    { { "key", "query", "string", "证件号码（精确）", false },                                  \
      { "name", "query", "string", "名称或姓名前缀", false },                                    \
      { "under", "query", "string", "区划代码：只导出此区划之下", false },                         \
      { "field", "query", "string", "再按此字段筛选（代码字段）", false },                       \
      { "value", "query", "string", "筛选字段的值", false } }

#define EXPORT_ROUTES(PLURAL, ENTITY, TITLE)                                                    \
    { .method = HTTP_GET, .path = "/api/v1/exports/" PLURAL ".csv", .fn = export_csv_route,    \
      .perm = "registry:export", .tag = "exports", .data = &(ENTITY),                         \
      .summary = "导出" TITLE "为 CSV（脱敏，至多 200000 行，记入审计）",                       \
      .params = EXPORT_PARAMS },                                                                \
    { .method = HTTP_GET, .path = "/api/v1/exports/" PLURAL ".xlsx", .fn = export_xlsx_route,  \
      .perm = "registry:export", .tag = "exports", .data = &(ENTITY),                         \
      .summary = "导出" TITLE "为 Excel（脱敏，至多 200000 行，记入审计）",                     \
      .params = EXPORT_PARAMS }

const struct route import_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/imports", .fn = import_create,
      .perm = "registry:import", .flags = R_RAW_BODY | R_WRITE, .tag = "imports",
      .summary = "导入 CSV 文件（请求体为 text/csv；大文件请在服务器上用 minzheng import）",
      .params = { { "entity", "query", "string", "persons、organisations 或 households（家庭，只新建）",
                    true },
                  { "mode", "query", "string", "all：全部通过才导入；valid（默认）：导入有效行",
                    false },
                  { "encoding", "query", "string", "auto（默认）、utf-8 或 gb18030", false } } },
    { .method = HTTP_GET, .path = "/api/v1/imports/{id}/report", .fn = import_report_get,
      .perm = "registry:import", .tag = "imports", .summary = "下载导入的拒绝行报告（CSV）",
      .params = { { "id", "path", "string", "导入编号（report_id）", true } } },
    EXPORT_ROUTES("persons", person_entity, "自然人"),
    EXPORT_ROUTES("organisations", org_entity, "法人"),
    { .method = HTTP_GET, .path = "/api/v1/persons/duplicates", .fn = duplicates,
      .perm = "person:read", .tag = "persons",
      .summary = "疑似重复登记的自然人（姓名、出生日期、居住地区划相同）",
      .params = { { "under", "query", "string", "区划代码：只查此区划之下", false },
                  { "limit", "query", "integer", "至多返回的组数（1–500，默认 50）", false } } },
    { 0 },
};
