/*
 * core/token_routes.c — API tokens for machine clients (other departments' data exchange),
 * issued by the security administrator: a name, a region (the token's data scope), business
 * permissions only, and an expiry of at most a year. The token is shown once; only its SHA-256
 * is stored. Issuing and revoking are audited.
 */
#include <string.h>

#include "auth.h"
#include "auth_cache.h"
#include "auth_routes.h"
#include "db.h"
#include "errors.h"
#include "route_args.h"
#include "users.h"

#define TOKEN_MAX_PERMS 32

static int token_list(struct request *rq);
static int token_create(struct request *rq);
static int token_revoke(struct request *rq);

const struct route token_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/tokens", .fn = token_list, .perm = "token:manage",
      .tag = "tokens", .summary = "接口令牌列表（管辖范围内）", .params = { { 0 } } },
    { .method = HTTP_POST, .path = "/api/v1/tokens", .fn = token_create, .perm = "token:manage",
      .flags = R_BODY | R_WRITE, .tag = "tokens", .summary = "签发接口令牌（令牌只显示一次）",
      .params = { { 0 } } },
    { .method = HTTP_DELETE, .path = "/api/v1/tokens/{id}", .fn = token_revoke,
      .perm = "token:manage", .flags = R_WRITE, .tag = "tokens", .summary = "吊销接口令牌",
      .params = { { "id", "path", "string", "令牌编号", true } } },
    { 0 },
};

/* True when perm belongs to some business role: tokens never carry administrator rights. */
static int business_permission(struct db *db, const char *perm, bool *ok)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM role_permission rp JOIN role r ON r.name = rp.role "
                            "WHERE r.kind = 'business' AND rp.permission = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, perm, strlen(perm));
    rc = db_step(st);
    db_reset(st);
    *ok = rc == 1;
    return rc < 0 ? rc : 0;
}

/* The permissions as one space-separated string, each checked. */
static int token_permissions(struct request *rq, const char **out)
{
    const char **perms;
    int n;
    int rc = arg_body_strings(rq, "permissions", TOKEN_MAX_PERMS, &perms, &n);
    if (rc)
        return rc;
    if (n == 0)
        return http_fail(rq, MZ_EVALIDATE, "permissions", "至少需要一项权限");
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        bool ok = false;
        rc = business_permission(rq->db, perms[i], &ok);
        if (rc)
            return rc;
        if (!ok || strchr(perms[i], ' '))
            return http_fail(rq, MZ_EVALIDATE, arena_printf(rq->arena, "permissions[%d]", i),
                             "不是可授予接口令牌的业务权限");
        for (int j = 0; j < i; j++)
            if (strcmp(perms[i], perms[j]) == 0)
                return http_fail(rq, MZ_EVALIDATE, arena_printf(rq->arena, "permissions[%d]", i),
                                 "权限重复");
        len += strlen(perms[i]) + 1;
    }
    char *list = arena_alloc(rq->arena, len + 1), *o = list;
    for (int i = 0; i < n; i++)
        o += snprintf(o, len + 1 - (size_t)(o - list), "%s%s", i ? " " : "", perms[i]);
    *out = list;
    return 0;
}

static int token_region(struct request *rq, char region[REGION_CODE_LEN + 1])
{
    const char *raw;
    int rc = arg_body_string(rq, "region", 12, 0, &raw);
    if (rc)
        return rc;
    struct scope target;
    if (ids_region_normalize(raw, strlen(raw), region) != 0 ||
        scope_from_region(region, &target) != 0)
        return http_fail(rq, MZ_EVALIDATE, "region", "行政区划代码应为 2、4、6、9 或 12 位数字");
    if (!scope_covers(&rq->who->scope, &target))
        return http_fail(rq, MZ_EVALIDATE, "region", "令牌的数据范围超出您的管辖范围");
    return 0;
}

static int insert_token(struct request *rq, int64_t id, const char *hash, const char *name,
                        const char *region, const char *perms, int64_t expires)
{
    struct db_stmt *st;
    int rc = db_prepare(rq->db, "INSERT INTO api_token (id, token_hash, name, region, "
                                "permissions, expires_at, created_by, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, hash, 64);
    db_bind_text(st, 3, name, strlen(name));
    db_bind_text(st, 4, region, REGION_CODE_LEN);
    db_bind_text(st, 5, perms, strlen(perms));
    db_bind_int64(st, 6, expires);
    db_bind_int64(st, 7, rq->who->user_id);
    db_bind_int64(st, 8, rq->now);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int token_create(struct request *rq)
{
    const char *name = NULL, *perms = NULL;
    char region[REGION_CODE_LEN + 1];
    json_t *days = json_object_get(rq->body, "days");
    int rc = arg_body_string(rq, "name", 64, 0, &name);
    if (rc == 0)
        rc = token_region(rq, region);
    if (rc == 0)
        rc = token_permissions(rq, &perms);
    if (rc == 0 && (!json_is_integer(days) || json_integer_value(days) < 1 ||
                    json_integer_value(days) > 365))
        rc = http_fail(rq, MZ_EVALIDATE, "days", "有效期须为 1–365 天");
    if (rc)
        return rc;
    char secret[AUTH_SECRET_LEN + 1], hash[65];
    auth_new_secret(secret);
    const char *token = arena_printf(rq->arena, AUTH_TOKEN_PREFIX "%s", secret);
    auth_secret_hash(token, hash);
    int64_t id = users_new_id(), expires = rq->now + json_integer_value(days) * 86400;
    const char *id_text = arena_printf(rq->arena, "%lld", (long long)id);
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = insert_token(rq, id, hash, name, region, perms, expires);
    if (rc == 0)
        rc = http_audit(rq, "token.create", "api_token", id_text, region, "success",
                        arena_printf(rq->arena, "permissions=%s", perms));
    rc = db_finish(rq->db, rc);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 4096);
    jw_obj(&w);
    jw_kv_str(&w, "id", id_text);
    jw_kv_str(&w, "name", name);
    jw_kv_str(&w, "region", region);
    jw_kv_str(&w, "permissions", perms);
    jw_kv_int(&w, "expires_at", expires);
    jw_kv_str(&w, "token", token);
    jw_obj_end(&w);
    return http_reply_json(rq, 201, &w);
}

static int token_list(struct request *rq)
{
    struct db_stmt *st;
    int rc = db_prepare(rq->db, "SELECT CAST(id AS TEXT), name, region, permissions, expires_at, "
                                "revoked_at FROM api_token WHERE region >= ? AND region < ? "
                                "ORDER BY id DESC LIMIT 500", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, &rq->who->scope);
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    while ((rc = db_step(st)) == 1) {
        jw_obj(&w);
        jw_kv_str(&w, "id", db_col_text(st, 0, NULL));
        jw_kv_str(&w, "name", db_col_text(st, 1, NULL));
        jw_kv_str(&w, "region", db_col_text(st, 2, NULL));
        jw_kv_str(&w, "permissions", db_col_text(st, 3, NULL));
        jw_kv_int(&w, "expires_at", db_col_int64(st, 4));
        jw_kv_bool(&w, "revoked", !db_col_null(st, 5));
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    db_reset(st);
    if (rc < 0) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int revoke(struct request *rq, int64_t id, char region[REGION_CODE_LEN + 1])
{
    auth_cache_invalidate();
    struct db_stmt *st;
    int rc = db_prepare(rq->db, "UPDATE api_token SET revoked_at = ? WHERE id = ? "
                                "AND region >= ? AND region < ? AND revoked_at IS NULL "
                                "RETURNING region", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, rq->now);
    db_bind_int64(st, 2, id);
    scope_bind(st, 3, &rq->who->scope);
    rc = db_step(st);
    if (rc == 1)
        snprintf(region, REGION_CODE_LEN + 1, "%s", db_col_text(st, 0, NULL));
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

static int token_revoke(struct request *rq)
{
    int64_t id;
    char region[REGION_CODE_LEN + 1];
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = revoke(rq, id, region);
    if (rc == 0)
        rc = http_audit(rq, "token.revoke", "api_token", arena_printf(rq->arena, "%lld",
                        (long long)id), region, "success", "");
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "令牌不存在或已吊销");
    return rc ? rc : reply_ok(rq);
}
