/*
 * core/user_routes.c — account administration (系统管理员) and role assignment (安全管理员).
 *
 * Accounts are read and changed within the caller's scope only (users.c takes the scope); an
 * account outside it is a 404 like one that does not exist. No one locks, unlocks or resets
 * their own account or an administrator's through the API (三员分立: the system administrator
 * must not be able to take over the security administrator's or the auditor's account); those
 * go through `minzheng user` on the server, which is audited too. New accounts and resets get a
 * random one-time password, shown once in the reply and never stored or logged in clear; the
 * account must change it at first login. Every change is audited in the same transaction.
 */
#include <string.h>

#include "auth.h"
#include "auth_routes.h"
#include "config.h"
#include "db.h"
#include "errors.h"
#include "password.h"
#include "route_args.h"
#include "users.h"

static int user_list(struct request *rq);
static int user_get(struct request *rq);
static int user_create(struct request *rq);
static int user_lock(struct request *rq);
static int user_unlock(struct request *rq);
static int user_reset(struct request *rq);
static int user_roles(struct request *rq);
static int user_phone(struct request *rq);

#define ID_PARAM { "id", "path", "string", "账号编号", true }

const struct route user_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/users", .fn = user_list, .perm = "user:read",
      .tag = "users", .summary = "账号列表（管辖范围内）",
      .params = { { "q", "query", "string", "用户名或姓名包含的文字", false },
                  { "limit", "query", "integer", "每页条数（1–200，默认 50）", false },
                  { "after", "query", "string", "上一页 next 的值", false } } },
    { .method = HTTP_POST, .path = "/api/v1/users", .fn = user_create, .perm = "user:create",
      .flags = R_BODY | R_WRITE, .tag = "users", .summary = "创建账号（返回一次性口令）",
      .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/users/{id}", .fn = user_get, .perm = "user:read",
      .tag = "users", .summary = "账号详情", .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/users/{id}/lock", .fn = user_lock,
      .perm = "user:lock", .flags = R_WRITE, .tag = "users", .summary = "锁定账号",
      .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/users/{id}/unlock", .fn = user_unlock,
      .perm = "user:lock", .flags = R_WRITE, .tag = "users", .summary = "解锁账号",
      .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/users/{id}/reset-password", .fn = user_reset,
      .perm = "user:reset", .flags = R_WRITE, .tag = "users",
      .summary = "重置口令（返回一次性口令）", .params = { ID_PARAM } },
    { .method = HTTP_PUT, .path = "/api/v1/users/{id}/roles", .fn = user_roles,
      .perm = "user:assign", .flags = R_BODY | R_WRITE, .tag = "users",
      .summary = "设置账号角色（三员分立）", .params = { ID_PARAM } },
    { .method = HTTP_GET, .path = "/api/v1/users/{id}/phone", .fn = user_phone,
      .perm = "user:reveal", .tag = "users", .summary = "查看完整电话号码（记入审计）",
      .params = { ID_PARAM } },
    { 0 },
};

static const char *id_text(struct request *rq, int64_t id)
{
    return arena_printf(rq->arena, "%lld", (long long)id);
}

static int user_list(struct request *rq)
{
    long limit;
    int64_t after;
    int rc = http_query_long(rq, "limit", 50, 1, 200, &limit);
    if (rc == 0)
        rc = arg_query_id(rq, "after", &after);
    const char *q = http_query(rq, "q");
    if (rc == 0 && q && strlen(q) > 64)
        rc = http_fail(rq, MZ_EINVAL, "q", "搜索文字不能超过 64 字节");
    if (rc == 0)
        rc = http_audit(rq, "user.list", "user", "-", NULL, "success",
                        q && *q ? "q" : ""); /* which filter was used, never its value */
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 8u << 20);
    jw_obj(&w);
    rc = users_list(rq->db, &rq->who->scope, q && *q ? q : NULL, after, limit, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* Replies with the account (as the caller may see it), plus extra members when given. */
static int reply_user(struct request *rq, int status, int64_t id, bool reveal,
                      const char *password)
{
    struct jw w;
    jw_init(&w, 64 * 1024);
    jw_obj(&w);
    jw_key(&w, "user");
    int rc = users_get(rq->db, &rq->who->scope, id, reveal, &w);
    if (password)
        jw_kv_str(&w, "one_time_password", password);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "id", "账号不存在") : rc;
    }
    return http_reply_json(rq, status, &w);
}

/* Reading an account is reading a person's data: audited like any personal record. */
static int user_get(struct request *rq)
{
    int64_t id;
    char region[REGION_CODE_LEN + 1];
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = users_region(rq->db, &rq->who->scope, id, region);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "账号不存在");
    if (rc == 0)
        rc = http_audit(rq, "user.read", "user", id_text(rq, id), region, "success", "");
    return rc ? rc : reply_user(rq, 200, id, false, NULL);
}

static int user_create(struct request *rq)
{
    struct user_input in;
    int rc = arg_body_string(rq, "login", 64, 0, &in.login);
    if (rc == 0)
        rc = arg_body_string(rq, "display_name", 200, 0, &in.display_name);
    if (rc == 0)
        rc = arg_body_string(rq, "region", 12, 0, &in.region);
    if (rc == 0)
        rc = arg_body_string(rq, "phone", 20, 1, &in.phone);
    if (rc)
        return rc;
    char password[PASSWORD_GEN_LEN + 1], hash[PASSWORD_HASH_MAX];
    rc = password_generate(in.login, password);
    if (rc == 0)
        rc = password_hash(password, hash);
    if (rc)
        return rc;
    int64_t id = 0;
    struct users_refusal why = { 0 };
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = users_create(rq->db, &rq->who->scope, &in, hash, rq->now, &id, &why);
    if (rc == 0)
        rc = http_audit(rq, "user.create", "user", id_text(rq, id), NULL, "success", "");
    rc = db_finish(rq->db, rc);
    if (rc == MZ_EVALIDATE)
        return http_fail(rq, rc, why.field, why.why);
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "login", "用户名已存在");
    return rc ? rc : reply_user(rq, 201, id, false, password);
}

/* Runs change(rq, id) and its audit entry in one transaction; 404 outside the scope. */
static int change_user(struct request *rq, const char *action,
                       int (*change)(struct request *rq, int64_t id, char *password))
{
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    if (id == rq->who->user_id)
        return http_fail(rq, MZ_EPERM, "id", "不能锁定、解锁或重置本人的账号");
    char region[REGION_CODE_LEN + 1], password[PASSWORD_GEN_LEN + 1] = "";
    bool admin = false;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = users_region(rq->db, &rq->who->scope, id, region);
    if (rc == 0)
        rc = users_is_admin(rq->db, id, &admin);
    if (rc == 0 && admin)
        rc = MZ_EPERM; /* 三员: one administrator cannot take over another's account */
    if (rc == 0)
        rc = change(rq, id, password);
    if (rc == 0)
        rc = http_audit(rq, action, "user", id_text(rq, id), region, "success", "");
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "账号不存在");
    if (rc == MZ_EPERM)
        return http_fail(rq, rc, "id", "管理员账号只能由运维人员在服务器上用 minzheng user 命令管理");
    return rc ? rc : reply_user(rq, 200, id, false, password[0] ? password : NULL);
}

static int lock_change(struct request *rq, int64_t id, char *password)
{
    (void)password;
    int rc = users_set_lock(rq->db, &rq->who->scope, id, INT64_MAX / 2);
    return rc ? rc : users_end_sessions(rq->db, id, NULL);
}

static int unlock_change(struct request *rq, int64_t id, char *password)
{
    (void)password;
    return users_set_lock(rq->db, &rq->who->scope, id, 0);
}

static int reset_change(struct request *rq, int64_t id, char *password)
{
    char hash[PASSWORD_HASH_MAX];
    int rc = password_generate(NULL, password);
    if (rc == 0)
        rc = password_hash(password, hash);
    if (rc == 0)
        rc = users_set_password(rq->db, id, hash, true, rq->now);
    return rc ? rc : users_end_sessions(rq->db, id, NULL);
}

static int user_lock(struct request *rq) { return change_user(rq, "user.lock", lock_change); }
static int user_unlock(struct request *rq) { return change_user(rq, "user.unlock", unlock_change); }
static int user_reset(struct request *rq) { return change_user(rq, "user.reset", reset_change); }

static int user_roles(struct request *rq)
{
    int64_t id;
    const char **roles;
    int n;
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = arg_body_strings(rq, "roles", USERS_MAX_ROLES, &roles, &n);
    if (rc)
        return rc;
    if (id == rq->who->user_id)
        return http_fail(rq, MZ_EPERM, "id", "不能修改本人的角色");
    char region[REGION_CODE_LEN + 1], detail[600] = "";
    size_t used = 0;
    for (int i = 0; i < n && used < sizeof detail; i++)
        used += (size_t)snprintf(detail + used, sizeof detail - used, "%s%s", i ? " " : "roles=",
                                 roles[i]);
    struct users_refusal why = { 0 };
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = users_region(rq->db, &rq->who->scope, id, region);
    if (rc == 0)
        rc = users_set_roles(rq->db, &rq->who->scope, id, roles, n, &why);
    if (rc == 0)
        rc = users_end_sessions(rq->db, id, NULL);
    if (rc == 0)
        rc = http_audit(rq, "user.roles", "user", id_text(rq, id), region, "success", detail);
    rc = db_finish(rq->db, rc);
    if (rc == MZ_EVALIDATE)
        return http_fail(rq, rc, why.field, why.why);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "账号不存在");
    return rc ? rc : reply_user(rq, 200, id, false, NULL);
}

/* The full phone number: the explicit, audited reveal. */
static int user_phone(struct request *rq)
{
    int64_t id;
    char region[REGION_CODE_LEN + 1];
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = users_region(rq->db, &rq->who->scope, id, region);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "账号不存在");
    if (rc == 0)
        rc = http_audit(rq, "user.reveal", "user", id_text(rq, id), region, "success",
                        "field=phone");
    return rc ? rc : reply_user(rq, 200, id, true, NULL);
}
