/*
 * core/auth.c — login, sessions, API tokens and the principal; see auth.h.
 *
 * Failure counting and locking are single UPDATE … RETURNING statements, so two attempts at the
 * same moment cannot both slip under the limit. An unknown login costs the same password check
 * as a known one (against a fixed dummy hash), so timing does not reveal which logins exist.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "auth.h"
#include "auth_cache.h"
#include "config.h"
#include "db.h"
#include "errors.h"
#include "password.h"

#define TOUCH_EVERY 60 /* seconds between updates of a session's last_seen_at, at most */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool principal_can(const struct principal *p, const char *perm)
{
    if (strcmp(perm, PERM_SELF) == 0)
        return true;
    return bsearch(&perm, p->perms, (size_t)p->nperms, sizeof *p->perms, cmp_str) != NULL;
}

void auth_new_secret(char out[AUTH_SECRET_LEN + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, AUTH_SECRET_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void auth_secret_hash(const char *secret, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
    size_t n;
    const char *s = db_col_text(st, col, &n);
    return s ? arena_strndup(a, s, n) : NULL;
}

/* Roles (space-separated) and sorted permissions of a user. */
static int load_grants(struct db *db, struct arena *a, struct principal *p)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT role FROM user_role WHERE user_id = ? ORDER BY role", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, p->user_id);
    char roles[512] = "";
    size_t used = 0;
    while ((rc = db_step(st)) == 1 && used < sizeof roles)
        used += (size_t)snprintf(roles + used, sizeof roles - used, "%s%s", used ? " " : "",
                                 db_col_text(st, 0, NULL));
    db_reset(st);
    if (rc < 0)
        return rc;
    p->roles = arena_strdup(a, used ? roles : "-");

    rc = db_prepare(db, "SELECT DISTINCT rp.permission FROM user_role ur "
                        "JOIN role_permission rp ON rp.role = ur.role WHERE ur.user_id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, p->user_id);
    int cap = 16;
    p->perms = arena_alloc(a, (size_t)cap * sizeof *p->perms);
    p->nperms = 0;
    while ((rc = db_step(st)) == 1) {
        if (p->nperms == cap) {
            const char **more = arena_alloc(a, (size_t)cap * 2 * sizeof *more);
            memcpy(more, p->perms, (size_t)cap * sizeof *more);
            p->perms = more;
            cap *= 2;
        }
        p->perms[p->nperms++] = col_dup(a, st, 0);
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    qsort(p->perms, (size_t)p->nperms, sizeof *p->perms, cmp_str);
    return 0;
}

static int set_region(struct principal *p, const char *region)
{
    snprintf(p->region, sizeof p->region, "%s", region ? region : "");
    return scope_from_region(p->region, &p->scope);
}

/* ---------------------------------------------------------------- login */

struct account {
    int64_t id, locked_until, password_changed_at;
    bool disabled, must_change;
    const char *hash, *region, *display_name;
};

static int find_account(struct db *db, struct arena *a, const char *login, struct account *acc,
                        bool *found)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id, password_hash, locked_until, disabled, must_change, "
                            "password_changed_at, region, display_name FROM app_user WHERE login = ?",
                        &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, login, strlen(login));
    rc = db_step(st);
    *found = rc == 1;
    if (rc == 1) {
        acc->id = db_col_int64(st, 0);
        acc->hash = col_dup(a, st, 1);
        acc->locked_until = db_col_int64(st, 2);
        acc->disabled = db_col_int64(st, 3) != 0;
        acc->must_change = db_col_int64(st, 4) != 0;
        acc->password_changed_at = db_col_int64(st, 5);
        acc->region = col_dup(a, st, 6);
        acc->display_name = col_dup(a, st, 7);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Counts one failure; locks the account when it reaches the limit. *locked_until receives the
 * lock's end (0 when not locked by this failure). */
static int count_failure(struct db *db, const struct config *cfg, int64_t id, int64_t now,
                         int64_t *locked_until)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
        "UPDATE app_user SET "
        "locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END, "
        "failed_logins = CASE WHEN failed_logins + 1 >= ? THEN 0 ELSE failed_logins + 1 END "
        "WHERE id = ? RETURNING locked_until", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, cfg->lockout_attempts);
    db_bind_int64(st, 2, now + cfg->lockout_seconds);
    db_bind_int64(st, 3, cfg->lockout_attempts);
    db_bind_int64(st, 4, id);
    rc = db_step(st);
    int64_t until = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    *locked_until = until > now ? until : 0;
    if (*locked_until)
        auth_cache_invalidate(); /* a lock also ends the account's sessions */
    return rc < 0 ? rc : 0;
}

static int open_session(struct db *db, struct arena *a, int64_t user_id, const char *source,
                        int64_t now, struct auth_login *out)
{
    char hash[65], csrf[AUTH_SECRET_LEN + 1];
    auth_new_secret(out->session);
    auth_new_secret(csrf);
    auth_secret_hash(out->session, hash);
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO user_session (token_hash, user_id, csrf_token, created_at, "
                            "last_seen_at, source) VALUES (?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, hash, 64);
    db_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, csrf, strlen(csrf));
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, source, strlen(source));
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    out->who.csrf = arena_strdup(a, csrf);
    out->who.session_hash = arena_strdup(a, hash);
    return 0;
}

static int succeed(struct db *db, const struct config *cfg, struct arena *a, const char *login,
                   const struct account *acc, const char *source, int64_t now,
                   struct auth_login *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE app_user SET failed_logins = 0, last_login_at = ? "
                            "WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, acc->id);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    struct principal *p = &out->who;
    p->user_id = acc->id;
    p->login = arena_strdup(a, login);
    p->display_name = acc->display_name;
    p->must_change_password =
        acc->must_change || now - acc->password_changed_at > cfg->password_max_age_days * 86400;
    rc = set_region(p, acc->region);
    if (rc == 0)
        rc = load_grants(db, a, p);
    if (rc == 0)
        rc = open_session(db, a, acc->id, source, now, out);
    if (rc == 0)
        out->outcome = AUTH_OK;
    return rc;
}

int auth_login(struct db *db, const struct config *cfg, struct arena *a, const char *login,
               const char *password, const char *source, int64_t now, struct auth_login *out)
{
    static char dummy[PASSWORD_HASH_MAX];
    memset(out, 0, sizeof *out);
    out->outcome = AUTH_BAD_CREDENTIALS;
    struct account acc;
    bool found = false;
    int rc = find_account(db, a, login, &acc, &found);
    if (rc)
        return rc;
    if (!found) {
        if (!dummy[0] && password_hash("minzheng-dummy-Pw1!", dummy) != 0)
            return MZ_ENOMEM;
        password_verify(password, dummy); /* same cost as a real check */
        return 0;
    }
    out->user_id = acc.id;
    out->user_region = acc.region;
    if (acc.disabled) {
        out->outcome = AUTH_DISABLED;
        return 0;
    }
    if (acc.locked_until > now) {
        out->outcome = AUTH_LOCKED;
        out->locked_until = acc.locked_until;
        return 0;
    }
    if (password_verify(password, acc.hash))
        return succeed(db, cfg, a, login, &acc, source, now, out);
    rc = count_failure(db, cfg, acc.id, now, &out->locked_until);
    if (rc == 0 && out->locked_until)
        out->outcome = AUTH_LOCKED;
    return rc;
}

/* ---------------------------------------------------------------- sessions and tokens */

static int drop_session(struct db *db, const char *hash)
{
    auth_cache_invalidate();
    struct db_stmt *st;
    int rc = db_prepare(db, "DELETE FROM user_session WHERE token_hash = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, hash, strlen(hash));
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int auth_logout(struct db *db, const char *session_hash) { return drop_session(db, session_hash); }

static int touch(struct db *db, const char *hash, int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE user_session SET last_seen_at = ? WHERE token_hash = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, now);
    db_bind_text(st, 2, hash, strlen(hash));
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Loads the session and its user from the database. MZ_EAUTH (after deleting the session) when
 * the account is disabled or locked. */
static int load_session(struct db *db, struct arena *a, const char *hash, int64_t now,
                        struct principal *out, struct session_facts *f)
{
    struct db_stmt *st;
    int rc = db_prepare(db,
        "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at, u.login, u.display_name, "
        "u.region, u.must_change, u.disabled, u.locked_until, u.password_changed_at "
        "FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, hash, 64);
    rc = db_step(st);
    if (rc != 1) {
        db_reset(st);
        return rc < 0 ? rc : MZ_EAUTH;
    }
    bool blocked = db_col_int64(st, 8) != 0 || db_col_int64(st, 9) > now;
    out->user_id = db_col_int64(st, 0);
    out->csrf = col_dup(a, st, 1);
    f->created_at = db_col_int64(st, 2);
    f->last_seen_at = db_col_int64(st, 3);
    out->login = col_dup(a, st, 4);
    out->display_name = col_dup(a, st, 5);
    const char *region = col_dup(a, st, 6);
    f->must_change = db_col_int64(st, 7) != 0;
    f->password_changed_at = db_col_int64(st, 10);
    db_reset(st);
    if (blocked) {
        rc = drop_session(db, hash);
        return rc ? rc : MZ_EAUTH;
    }
    out->session_hash = arena_strdup(a, hash);
    rc = set_region(out, region);
    return rc ? rc : load_grants(db, a, out);
}

int auth_session(struct db *db, const struct config *cfg, struct arena *a, const char *cookie,
                 int64_t now, struct principal *out)
{
    memset(out, 0, sizeof *out);
    if (!cookie || strlen(cookie) != AUTH_SECRET_LEN)
        return MZ_EAUTH;
    char hash[65];
    auth_secret_hash(cookie, hash);
    struct session_facts f;
    if (!auth_cache_get(hash, now, out, &f)) {
        int rc = load_session(db, a, hash, now, out, &f);
        if (rc)
            return rc;
        auth_cache_put(hash, now, out, &f);
    }
    if (now - f.last_seen_at > cfg->session_idle || now - f.created_at > cfg->session_absolute) {
        int rc = drop_session(db, hash);
        return rc ? rc : MZ_EAUTH;
    }
    out->must_change_password =
        f.must_change || now - f.password_changed_at > cfg->password_max_age_days * 86400;
    /* Touch often enough that a session in use never looks idle: at most once a minute, and
     * at least twice per idle period when that is shorter. */
    long every = cfg->session_idle / 2 < TOUCH_EVERY ? cfg->session_idle / 2 : TOUCH_EVERY;
    if (now - f.last_seen_at >= every) {
        int rc = touch(db, hash, now);
        if (rc)
            return rc;
        auth_cache_seen(hash, now);
    }
    return 0;
}

/* Splits "a b c" into the sorted permission array of p. */
static void split_perms(struct arena *a, const char *list, struct principal *p)
{
    char *copy = arena_strdup(a, list);
    int n = 1;
    for (const char *c = copy; *c; c++)
        n += *c == ' ';
    p->perms = arena_alloc(a, (size_t)n * sizeof *p->perms);
    p->nperms = 0;
    for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        p->perms[p->nperms++] = tok;
    qsort(p->perms, (size_t)p->nperms, sizeof *p->perms, cmp_str);
}

int auth_bearer(struct db *db, struct arena *a, const char *token, int64_t now,
                struct principal *out)
{
    memset(out, 0, sizeof *out);
    size_t plen = strlen(AUTH_TOKEN_PREFIX);
    if (!token || strncmp(token, AUTH_TOKEN_PREFIX, plen) != 0 ||
        strlen(token) != plen + AUTH_SECRET_LEN)
        return MZ_EAUTH;
    char hash[65];
    auth_secret_hash(token, hash);
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id, name, region, permissions, expires_at, revoked_at "
                            "FROM api_token WHERE token_hash = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, hash, 64);
    rc = db_step(st);
    if (rc != 1) {
        db_reset(st);
        return rc < 0 ? rc : MZ_EAUTH;
    }
    bool valid = db_col_int64(st, 4) > now && db_col_null(st, 5);
    out->token_id = db_col_int64(st, 0);
    out->login = arena_printf(a, "token:%s", db_col_text(st, 1, NULL));
    out->display_name = col_dup(a, st, 1);
    const char *region = col_dup(a, st, 2);
    const char *perms = col_dup(a, st, 3);
    db_reset(st);
    if (!valid)
        return MZ_EAUTH;
    out->via_token = true;
    out->roles = "-";
    split_perms(a, perms, out);
    return set_region(out, region);
}
