/*
 * core/users.c — staff accounts and roles; see users.h.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth_cache.h"
#include "db.h"
#include "errors.h"
#include "json.h"
#include "mask.h"
#include "password.h"
#include "users.h"

/* Strictly increasing within the process, so rows written in one millisecond keep their order
 * (history is read in id order); the random low bits keep processes apart. */
int64_t users_new_id(void)
{
    static _Atomic int64_t last;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t id = ms * 65536 + (int64_t)randombytes_uniform(4096);
    int64_t prev = atomic_load(&last);
    for (;;) {
        int64_t next = id > prev ? id : prev + 1;
        if (atomic_compare_exchange_weak(&last, &prev, next))
            return next;
    }
}

static int refuse(struct users_refusal *r, const char *field, const char *why)
{
    r->field = field;
    r->why = why;
    return MZ_EVALIDATE;
}

/* 1–max characters of UTF-8 text, not only spaces, no control characters. */
static bool text_valid(const char *s, size_t max)
{
    if (!s || !json_utf8_valid(s, strlen(s)) || text_chars(s) < 1 || text_chars(s) > max)
        return false;
    if (text_has_control(s))
        return false;
    return strspn(s, " ") < strlen(s); /* not only spaces */
}

bool users_login_valid(const char *login)
{
    size_t n = strlen(login);
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static bool phone_valid(const char *phone)
{
    size_t digits = 0, n = strlen(phone);
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)phone[i]))
            digits++;
        else if (phone[i] != '+' && phone[i] != '-')
            return false;
    }
    return digits >= 7 && digits <= 15 && n <= 20;
}

/* True when the region exists in the region table (or is the national pseudo-region). */
static int region_known(struct db *db, const char *region12, bool *known)
{
    if (strcmp(region12, SCOPE_NATIONAL) == 0) {
        *known = true;
        return 0;
    }
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM region WHERE code = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, region12, REGION_CODE_LEN);
    rc = db_step(st);
    db_reset(st);
    *known = rc == 1;
    return rc < 0 ? rc : 0;
}

static int check_input(struct db *db, const struct scope *scope, const struct user_input *in,
                       char *login, char *region, struct users_refusal *r)
{
    if (!in->login || strlen(in->login) > 32)
        return refuse(r, "login", "用户名须为 3–32 位小写字母、数字、点、下划线或连字符");
    size_t n = strlen(in->login);
    for (size_t i = 0; i <= n; i++)
        login[i] = (char)tolower((unsigned char)in->login[i]);
    if (!users_login_valid(login))
        return refuse(r, "login", "用户名须为 3–32 位小写字母、数字、点、下划线或连字符");
    if (!text_valid(in->display_name, 50))
        return refuse(r, "display_name", "姓名须为 1–50 个字符，不能全是空格，不能含控制字符");
    if (!in->region || ids_region_normalize(in->region, strlen(in->region), region) != 0)
        return refuse(r, "region", "行政区划代码应为 2、4、6、9 或 12 位数字");
    if (in->phone && !phone_valid(in->phone))
        return refuse(r, "phone", "电话号码格式不正确");
    struct scope target;
    if (scope_from_region(region, &target) != 0 || !scope_covers(scope, &target))
        return refuse(r, "region", "所属区划超出您的管辖范围");
    bool known = false;
    int rc = region_known(db, region, &known);
    if (rc)
        return rc;
    return known ? 0 : refuse(r, "region", "行政区划代码不存在");
}

int users_create(struct db *db, const struct scope *scope, const struct user_input *in,
                 const char *password_hash, int64_t now, int64_t *id,
                 struct users_refusal *refusal)
{
    char login[33], region[REGION_CODE_LEN + 1];
    int rc = check_input(db, scope, in, login, region, refusal);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(db, "INSERT INTO app_user (id, login, display_name, region, phone, "
                        "password_hash, password_changed_at, must_change, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (login) DO NOTHING", &st);
    if (rc)
        return rc;
    int64_t new_id = users_new_id();
    db_bind_int64(st, 1, new_id);
    db_bind_text(st, 2, login, strlen(login));
    db_bind_text(st, 3, in->display_name, strlen(in->display_name));
    db_bind_text(st, 4, region, REGION_CODE_LEN);
    if (in->phone)
        db_bind_text(st, 5, in->phone, strlen(in->phone));
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, password_hash, strlen(password_hash));
    db_bind_int64(st, 7, now);
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    int64_t changed = rc == 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    if (changed == 0)
        return MZ_ECONFLICT;
    *id = new_id;
    return 0;
}

int users_find_login(struct db *db, const struct scope *scope, const char *login, int64_t *id,
                     char region[REGION_CODE_LEN + 1])
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id, region FROM app_user WHERE login = ? "
                            "AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, login, strlen(login));
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1) {
        *id = db_col_int64(st, 0);
        snprintf(region, REGION_CODE_LEN + 1, "%s", db_col_text(st, 1, NULL));
    }
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

int users_region(struct db *db, const struct scope *scope, int64_t id,
                 char region[REGION_CODE_LEN + 1])
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT region FROM app_user WHERE id = ? "
                            "AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1)
        snprintf(region, REGION_CODE_LEN + 1, "%s", db_col_text(st, 0, NULL));
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

static int write_roles(struct db *db, int64_t id, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT role FROM user_role WHERE user_id = ? ORDER BY role", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    jw_key(w, "roles");
    jw_arr(w);
    while ((rc = db_step(st)) == 1)
        jw_str(w, db_col_text(st, 0, NULL));
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Columns of USER_COLUMNS in order, written as one JSON object (roles added by the caller). */
#define USER_COLUMNS "id, login, display_name, region, phone, must_change, locked_until, " \
                     "disabled, created_at, last_login_at"

static void write_user(struct db_stmt *st, bool reveal, int64_t now, struct jw *w)
{
    char masked[32];
    const char *phone = db_col_text(st, 4, NULL);
    jw_kv_str(w, "id", db_col_text(st, 0, NULL)); /* a string: ids exceed JavaScript's 2^53 */
    jw_kv_str(w, "login", db_col_text(st, 1, NULL));
    jw_kv_str(w, "display_name", db_col_text(st, 2, NULL));
    jw_kv_str(w, "region", db_col_text(st, 3, NULL));
    jw_key(w, "phone");
    jw_str(w, phone && !reveal ? mask_phone(phone, masked, sizeof masked) : phone);
    jw_kv_bool(w, "must_change_password", db_col_int64(st, 5) != 0);
    jw_kv_bool(w, "locked", db_col_int64(st, 6) > now);
    jw_kv_bool(w, "disabled", db_col_int64(st, 7) != 0);
    jw_kv_int(w, "created_at", db_col_int64(st, 8));
    jw_key(w, "last_login_at");
    if (db_col_null(st, 9))
        jw_null(w);
    else
        jw_int(w, db_col_int64(st, 9));
}

int users_get(struct db *db, const struct scope *scope, int64_t id, bool reveal, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM app_user WHERE id = ? "
                            "AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1) {
        jw_obj(w);
        write_user(st, reveal, (int64_t)time(NULL), w);
    }
    db_reset(st);
    if (rc != 1)
        return rc == 0 ? MZ_ENOTFOUND : rc;
    rc = write_roles(db, id, w);
    jw_obj_end(w);
    return rc;
}

int users_list(struct db *db, const struct scope *scope, const char *q, int64_t after, long limit,
               struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " USER_COLUMNS " FROM app_user "
                            "WHERE region >= ? AND region < ? AND id > ? "
                            "AND (CAST(? AS TEXT) IS NULL OR login LIKE ? ESCAPE '\\' "
                            "     OR display_name LIKE ? ESCAPE '\\') "
                            "ORDER BY id LIMIT ?", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, scope);
    db_bind_int64(st, 3, after);
    char pattern[160];
    if (q) {
        size_t o = 0;
        pattern[o++] = '%';
        for (const char *c = q; *c && o + 3 < sizeof pattern; c++) {
            if (*c == '%' || *c == '_' || *c == '\\')
                pattern[o++] = '\\';
            pattern[o++] = *c;
        }
        pattern[o++] = '%';
        pattern[o] = '\0';
        db_bind_text(st, 4, pattern, o);
        db_bind_text(st, 5, pattern, o);
        db_bind_text(st, 6, pattern, o);
    }
    db_bind_int64(st, 7, limit + 1);
    int64_t now = (int64_t)time(NULL), last = 0;
    long n = 0;
    jw_key(w, "items");
    jw_arr(w);
    while ((rc = db_step(st)) == 1 && n < limit) {
        jw_obj(w);
        write_user(st, false, now, w);
        jw_obj_end(w);
        last = db_col_int64(st, 0);
        n++;
    }
    jw_arr_end(w);
    jw_key(w, "next");
    if (rc == 1) {
        char next[24];
        snprintf(next, sizeof next, "%lld", (long long)last);
        jw_str(w, next);
    } else {
        jw_null(w);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int users_set_password(struct db *db, int64_t id, const char *hash, bool must_change, int64_t now)
{
    auth_cache_invalidate();
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO password_history (id, user_id, password_hash, "
                            "changed_at) SELECT ?, id, password_hash, password_changed_at "
                            "FROM app_user WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, users_new_id());
    db_bind_int64(st, 2, id);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, "UPDATE app_user SET password_hash = ?, password_changed_at = ?, "
                        "must_change = ?, failed_logins = 0, locked_until = 0 WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, hash, strlen(hash));
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, must_change ? 1 : 0);
    db_bind_int64(st, 4, id);
    rc = db_step(st);
    int64_t changed = rc == 0 ? db_changes(st) : 0;
    db_reset(st);
    return rc < 0 ? rc : changed ? 0 : MZ_ENOTFOUND;
}

int users_password_reused(struct db *db, int64_t id, const char *password, long history,
                          bool *reused)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT password_hash FROM app_user WHERE id = ? UNION ALL "
                            "SELECT password_hash FROM (SELECT password_hash FROM password_history "
                            "WHERE user_id = ? ORDER BY id DESC LIMIT ?) h", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, history > 0 ? history - 1 : 0); /* the current one counts as one */
    *reused = false;
    while (!*reused && (rc = db_step(st)) == 1)
        *reused = password_verify(password, db_col_text(st, 0, NULL));
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int users_set_lock(struct db *db, const struct scope *scope, int64_t id, int64_t until)
{
    auth_cache_invalidate();
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE app_user SET locked_until = ?, failed_logins = 0 "
                            "WHERE id = ? AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, until);
    db_bind_int64(st, 2, id);
    scope_bind(st, 3, scope);
    rc = db_step(st);
    int64_t changed = rc == 0 ? db_changes(st) : 0;
    db_reset(st);
    return rc < 0 ? rc : changed ? 0 : MZ_ENOTFOUND;
}

int users_end_sessions(struct db *db, int64_t id, const char *keep_hash)
{
    auth_cache_invalidate();
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM user_session WHERE user_id = ? AND token_hash <> ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, keep_hash ? keep_hash : "", keep_hash ? strlen(keep_hash) : 0);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Kind of a role ("admin" or "business"), or MZ_ENOTFOUND. */
static int role_kind(struct db *db, const char *role, bool *admin)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT kind FROM role WHERE name = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, role, strlen(role));
    rc = db_step(st);
    if (rc == 1)
        *admin = strcmp(db_col_text(st, 0, NULL), "admin") == 0;
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

/* 三员分立: at most one administrator role, never together with a business role. */
static int check_roles(struct db *db, const char *const *roles, int n, struct users_refusal *r)
{
    int admins = 0, business = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(roles[i], roles[j]) == 0)
                return refuse(r, "roles", "角色重复");
        bool admin = false;
        int rc = role_kind(db, roles[i], &admin);
        if (rc == MZ_ENOTFOUND)
            return refuse(r, "roles", "角色不存在");
        if (rc)
            return rc;
        admins += admin;
        business += !admin;
    }
    if (admins > 1 || (admins && business))
        return refuse(r, "roles", "三员分立：一个账号最多一个管理员角色，且不能兼任业务角色");
    return 0;
}

int users_set_roles(struct db *db, const struct scope *scope, int64_t id,
                    const char *const *roles, int nroles, struct users_refusal *refusal)
{
    auth_cache_invalidate();
    char region[REGION_CODE_LEN + 1];
    int rc = users_region(db, scope, id, region);
    if (rc == 0)
        rc = check_roles(db, roles, nroles, refusal);
    if (rc)
        return rc;
    struct db_stmt *st;
    rc = db_prepare(db, "DELETE FROM user_role WHERE user_id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_reset(st);
    for (int i = 0; rc >= 0 && i < nroles; i++) {
        rc = db_prepare(db, "INSERT INTO user_role (user_id, role) VALUES (?, ?)", &st);
        if (rc)
            return rc;
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, roles[i], strlen(roles[i]));
        rc = db_step(st);
        db_reset(st);
    }
    return rc < 0 ? rc : 0;
}

int users_is_admin(struct db *db, int64_t id, bool *admin)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM user_role ur JOIN role r ON r.name = ur.role "
                            "WHERE ur.user_id = ? AND r.kind = 'admin'", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_reset(st);
    *admin = rc == 1;
    return rc < 0 ? rc : 0;
}

int users_count(struct db *db, int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM app_user", &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == 1)
        *count = db_col_int64(st, 0);
    db_reset(st);
    return rc == 1 ? 0 : rc < 0 ? rc : MZ_EDB;
}
