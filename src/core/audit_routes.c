/*
 * core/audit_routes.c — the audit log for auditors (审计管理员): query within scope; the query
 * itself is audited, so the security administrator can see what auditors looked at.
 */
#include <string.h>

#include "auth.h"
#include "auth_routes.h"
#include "db.h"
#include "errors.h"
#include "route_args.h"

static int audit_list(struct request *rq);

const struct route audit_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/audit", .fn = audit_list, .perm = "audit:read",
      .tag = "audit", .summary = "查询审计日志（管辖范围内，按时间倒序）",
      .params = { { "from", "query", "string", "起始时间（含），如 2026-11-01T00:00:00Z", false },
                  { "to", "query", "string", "截止时间（不含）", false },
                  { "actor", "query", "string", "操作人用户名", false },
                  { "action", "query", "string", "操作，如 auth.login", false },
                  { "object_type", "query", "string", "对象类型，如 user", false },
                  { "object_id", "query", "string", "对象编号", false },
                  { "limit", "query", "integer", "每页条数（1–500，默认 100）", false },
                  { "before", "query", "string", "上一页 next 的值（序号）", false } } },
    { 0 },
};

/* An optional time bound: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), compared with the
 * entries' ISO-8601 times. */
static int time_filter(struct request *rq, const char *name, const char **out)
{
    *out = http_query(rq, name);
    if (!*out)
        return 0;
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t n = strlen(*out);
    bool ok = n == 10 || n == 20;
    for (size_t i = 0; ok && i < n; i++)
        ok = pattern[i] == 'd' ? (*out)[i] >= '0' && (*out)[i] <= '9' : (*out)[i] == pattern[i];
    if (!ok)
        return http_fail(rq, MZ_EINVAL, name,
                         arena_printf(rq->arena, "参数 %s 须为 YYYY-MM-DD 或 "
                                      "YYYY-MM-DDTHH:MM:SSZ 格式的时间（UTC）", name));
    return 0;
}

/* An optional text filter of at most 64 bytes. */
static int filter(struct request *rq, const char *name, const char **out)
{
    *out = http_query(rq, name);
    if (*out && (!**out || strlen(*out) > 64))
        return http_fail(rq, MZ_EINVAL, name,
                         arena_printf(rq->arena, "参数 %s 须为 1–64 字节的文本", name));
    return 0;
}

static void bind_filter(struct db_stmt *st, int index, const char *v)
{
    if (v) {
        db_bind_text(st, index, v, strlen(v));
        db_bind_text(st, index + 1, v, strlen(v));
    } else {
        db_bind_null(st, index);
        db_bind_null(st, index + 1);
    }
}

static void write_entry(struct db_stmt *st, struct jw *w)
{
    static const char *const cols[] = { "seq", "at", "actor_id", "actor_login", "actor_role",
                                        "source", "action", "object_type", "object_id", "region",
                                        "outcome", "detail", "request_id", "hash" };
    jw_obj(w);
    jw_kv_int(w, "seq", db_col_int64(st, 0));
    for (int i = 1; i < 14; i++)
        jw_kv_str(w, cols[i], db_col_text(st, i, NULL));
    jw_obj_end(w);
}

static int audit_list(struct request *rq)
{
    const char *from, *to, *actor, *action, *type, *object;
    long limit;
    int64_t before;
    int rc = time_filter(rq, "from", &from);
    if (rc == 0) rc = time_filter(rq, "to", &to);
    if (rc == 0) rc = filter(rq, "actor", &actor);
    if (rc == 0) rc = filter(rq, "action", &action);
    if (rc == 0) rc = filter(rq, "object_type", &type);
    if (rc == 0) rc = filter(rq, "object_id", &object);
    if (rc == 0) rc = http_query_long(rq, "limit", 100, 1, 500, &limit);
    if (rc == 0) rc = arg_query_id(rq, "before", &before);
    if (rc == 0)
        rc = http_audit(rq, "audit.read", "audit_log", "-", NULL, "success", "");
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(rq->db,
        "SELECT seq, at, CAST(actor_id AS TEXT), actor_login, actor_role, source, action, "
        "object_type, object_id, region, outcome, detail, request_id, hash FROM audit_log "
        "WHERE region >= ? AND region < ? AND seq < ? "
        "AND (CAST(? AS TEXT) IS NULL OR at >= ?) AND (CAST(? AS TEXT) IS NULL OR at < ?) "
        "AND (CAST(? AS TEXT) IS NULL OR actor_login = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR action = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR object_type = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR object_id = ?) "
        "ORDER BY seq DESC LIMIT ?", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, &rq->who->scope);
    db_bind_int64(st, 3, before ? before : INT64_MAX);
    bind_filter(st, 4, from);
    bind_filter(st, 6, to);
    bind_filter(st, 8, actor);
    bind_filter(st, 10, action);
    bind_filter(st, 12, type);
    bind_filter(st, 14, object);
    db_bind_int64(st, 16, limit + 1);
    struct jw w;
    jw_init(&w, 16u << 20);
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    long n = 0;
    int64_t last = 0;
    while ((rc = db_step(st)) == 1 && n < limit) {
        write_entry(st, &w);
        last = db_col_int64(st, 0);
        n++;
    }
    jw_arr_end(&w);
    jw_key(&w, "next");
    if (rc == 1)
        jw_str(&w, arena_printf(rq->arena, "%lld", (long long)last));
    else
        jw_null(&w);
    jw_obj_end(&w);
    db_reset(st);
    if (rc < 0) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}
