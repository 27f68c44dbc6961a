/*
 * core/auth_routes.c — signing in and out, the caller's own profile and password.
 *
 * POST /auth/login answers 401 with one message for an unknown login and a wrong password;
 * a locked or disabled account is told so (403). Every attempt is audited. The session cookie
 * is HttpOnly and SameSite=Strict (Secure when cookie_secure is set); the CSRF token comes in
 * the body and must accompany every state-changing request as X-CSRF-Token.
 */
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "auth_routes.h"
#include "config.h"
#include "db.h"
#include "errors.h"
#include "password.h"
#include "route_args.h"
#include "users.h"

static int login(struct request *rq);
static int logout(struct request *rq);
static int me(struct request *rq);
static int change_password(struct request *rq);

const struct route auth_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/auth/login", .fn = login, .flags = R_BODY,
      .tag = "auth", .summary = "登录（用户名和口令）", .params = { { 0 } } },
    { .method = HTTP_POST, .path = "/api/v1/auth/logout", .fn = logout, .perm = PERM_SELF,
      .flags = R_PWCHANGE | R_UNSCOPED, .tag = "auth", .summary = "退出登录",
      .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/auth/me", .fn = me, .perm = PERM_SELF,
      .flags = R_PWCHANGE | R_UNSCOPED, .tag = "auth", .summary = "当前用户、角色、权限和数据范围",
      .params = { { 0 } } },
    { .method = HTTP_POST, .path = "/api/v1/auth/password", .fn = change_password,
      .perm = PERM_SELF, .flags = R_BODY | R_WRITE | R_PWCHANGE | R_UNSCOPED, .tag = "auth",
      .summary = "修改本人口令", .params = { { 0 } } },
    { 0 },
};

static void write_principal(struct jw *w, const struct principal *p)
{
    jw_key(w, "user");
    jw_obj(w);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)p->user_id);
    jw_kv_str(w, "id", id);
    jw_kv_str(w, "login", p->login);
    jw_kv_str(w, "display_name", p->display_name);
    jw_kv_str(w, "region", p->region);
    jw_kv_str(w, "scope", p->scope.lo);
    jw_key(w, "roles");
    jw_arr(w);
    char roles[512];
    snprintf(roles, sizeof roles, "%s", p->roles);
    for (char *save = NULL, *r = strtok_r(roles, " ", &save); r; r = strtok_r(NULL, " ", &save))
        if (strcmp(r, "-") != 0)
            jw_str(w, r);
    jw_arr_end(w);
    jw_key(w, "permissions");
    jw_arr(w);
    for (int i = 0; i < p->nperms; i++)
        jw_str(w, p->perms[i]);
    jw_arr_end(w);
    jw_obj_end(w);
    jw_kv_bool(w, "must_change_password", p->must_change_password);
    jw_kv_str(w, "csrf_token", p->csrf);
}

static const char *session_cookie(struct request *rq, const char *value, long max_age)
{
    return arena_printf(rq->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
                        AUTH_COOKIE, value, max_age,
                        http_config()->cookie_secure ? "; Secure" : "");
}

static int login_refused(struct request *rq, const struct auth_login *r, const char *name)
{
    static const char *const reasons[] = { "ok", "bad_credentials", "locked", "disabled" };
    struct principal anon = { .user_id = r->user_id, .login = name, .roles = "-" };
    rq->who = &anon;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)r->user_id);
    /* A name that cannot be a login (control characters, 2 000 bytes …) is not repeated in
     * the audit log: "-" records that an invalid name was tried. */
    const char *tried = users_login_valid(name) ? name : "-";
    int rc = http_audit(rq, "auth.login", "user", r->user_id ? id : tried,
                        r->user_region ? r->user_region : SCOPE_NATIONAL, "failure",
                        reasons[r->outcome]);
    rq->who = NULL;
    if (rc)
        return http_fail(rq, rc, NULL, NULL);
    if (r->outcome == AUTH_LOCKED)
        return http_fail(rq, MZ_ELOCKED, NULL,
                         "登录失败次数过多，账号已锁定，请稍后再试或联系系统管理员");
    if (r->outcome == AUTH_DISABLED)
        return http_fail(rq, MZ_ELOCKED, NULL, "账号已停用，请联系系统管理员");
    return http_fail(rq, MZ_EAUTH, NULL, "用户名或口令错误");
}

static int login(struct request *rq)
{
    const char *name, *password;
    int rc = arg_body_string(rq, "login", 64, 0, &name);
    if (rc == 0)
        rc = arg_body_string(rq, "password", PASSWORD_MAX_LEN * 4, 0, &password);
    if (rc)
        return rc;
    char folded[65];
    size_t n = strlen(name);
    for (size_t i = 0; i <= n; i++)
        folded[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    struct auth_login r;
    rc = auth_login(rq->db, http_config(), rq->arena, folded, password, rq->source, rq->now, &r);
    if (rc)
        return rc;
    if (r.outcome != AUTH_OK)
        return login_refused(rq, &r, folded);
    rq->who = &r.who;
    rc = http_audit(rq, "auth.login", "user", arena_printf(rq->arena, "%lld", (long long)r.user_id),
                    NULL, "success", r.who.must_change_password ? "must_change_password" : "");
    if (rc) {
        auth_logout(rq->db, r.who.session_hash);
        return rc;
    }
    rq->set_cookie = session_cookie(rq, r.session, http_config()->session_absolute);
    struct jw w;
    jw_init(&w, 64 * 1024);
    jw_obj(&w);
    write_principal(&w, &r.who);
    jw_obj_end(&w);
    struct principal *kept = arena_alloc(rq->arena, sizeof *kept);
    *kept = r.who;
    rq->who = kept;
    return http_reply_json(rq, 200, &w);
}

static int logout(struct request *rq)
{
    int rc = 0;
    if (rq->who->session_hash) {
        rc = auth_logout(rq->db, rq->who->session_hash);
        if (rc == 0)
            rc = http_audit(rq, "auth.logout", "session", "-", NULL, "success", "");
    }
    if (rc)
        return rc;
    rq->set_cookie = session_cookie(rq, "", 0);
    return reply_ok(rq);
}

static int me(struct request *rq)
{
    struct jw w;
    jw_init(&w, 64 * 1024);
    jw_obj(&w);
    write_principal(&w, rq->who);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}

static const char *self_id(struct request *rq)
{
    return arena_printf(rq->arena, "%lld", (long long)rq->who->user_id);
}

/* Old-password, policy and reuse checks, then the new hash; the caller's other sessions end. */
static int change_password(struct request *rq)
{
    const struct principal *p = rq->who;
    if (p->via_token)
        return http_fail(rq, MZ_EPERM, NULL, "接口令牌不能修改口令");
    const char *old_pw, *new_pw, *why = NULL;
    int rc = arg_body_string(rq, "old_password", PASSWORD_MAX_LEN * 4, 0, &old_pw);
    if (rc == 0)
        rc = arg_body_string(rq, "new_password", PASSWORD_MAX_LEN * 4, 0, &new_pw);
    if (rc)
        return rc;
    bool matches = false;
    rc = users_password_reused(rq->db, p->user_id, old_pw, 1, &matches); /* the current one */
    if (rc)
        return rc;
    if (!matches) {
        rc = http_audit(rq, "auth.password", "user", self_id(rq), NULL, "failure",
                        "old_password");
        return http_fail(rq, rc ? rc : MZ_EVALIDATE, "old_password", "原口令不正确");
    }
    if (password_check_policy(new_pw, p->login, &why) != 0)
        return http_fail(rq, MZ_EVALIDATE, "new_password", why);
    bool reused = false;
    rc = users_password_reused(rq->db, p->user_id, new_pw, http_config()->password_history,
                               &reused);
    if (rc)
        return rc;
    if (reused)
        return http_fail(rq, MZ_EVALIDATE, "new_password",
                         arena_printf(rq->arena, "不能使用最近 %ld 次用过的口令",
                                      http_config()->password_history));
    char hash[PASSWORD_HASH_MAX];
    rc = password_hash(new_pw, hash);
    if (rc)
        return rc;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = users_set_password(rq->db, p->user_id, hash, false, rq->now);
    if (rc == 0)
        rc = users_end_sessions(rq->db, p->user_id, p->session_hash);
    if (rc == 0)
        rc = http_audit(rq, "auth.password", "user", self_id(rq), NULL, "success", "");
    rc = db_finish(rq->db, rc);
    return rc ? rc : reply_ok(rq);
}
