/*
 * admin.c — administrator commands run on the server itself; see admin.h.
 *
 * These act with national scope as the local operator ("cli" in the audit log, source
 * "local"), and every change they make is audited like one made through the API.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "core/audit.h"
#include "core/config.h"
#include "core/db.h"
#include "core/errors.h"
#include "core/log.h"
#include "core/password.h"
#include "core/users.h"

#define MAX_ROLES 8

static struct scope national(void)
{
    struct scope s;
    scope_from_region(SCOPE_NATIONAL, &s);
    return s;
}

static int audit_cli(struct db *db, const char *action, int64_t id, const char *region,
                     const char *detail)
{
    char rid[32], object[24];
    snprintf(rid, sizeof rid, "cli-%ld", (long)getpid());
    snprintf(object, sizeof object, "%lld", (long long)id);
    struct audit_actor actor = { 0, "cli", "-", "local", rid };
    struct audit_event ev = { action, "user", object, region, "success", detail };
    return audit_append(db, &actor, &ev);
}

/* "a,b" → roles[]; returns the count or -1. */
static int split_roles(char *list, const char **roles)
{
    int n = 0;
    for (char *save = NULL, *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        if (n == MAX_ROLES)
            return -1;
        roles[n++] = r;
    }
    return n;
}

/* Creates login with roles and a random one-time password, in one transaction. */
static int add_user(struct db *db, const char *login, const char *region, char *roles_list,
                    const char *name, bool must_change, char password[PASSWORD_GEN_LEN + 1])
{
    const char *roles[MAX_ROLES];
    int nroles = split_roles(roles_list, roles);
    if (nroles < 0) {
        fprintf(stderr, "too many roles\n");
        return MZ_EINVAL;
    }
    char hash[PASSWORD_HASH_MAX];
    int rc = password_generate(login, password);
    if (rc == 0)
        rc = password_hash(password, hash);
    if (rc)
        return rc;
    struct scope all = national();
    struct user_input in = { login, name, region, NULL };
    struct users_refusal why = { 0 };
    int64_t id = 0, now = (int64_t)time(NULL);
    rc = db_begin(db);
    if (rc == 0)
        rc = users_create(db, &all, &in, hash, now, &id, &why);
    if (rc == 0)
        rc = users_set_roles(db, &all, id, roles, nroles, &why);
    if (rc == 0 && !must_change)
        rc = users_set_password(db, id, hash, false, now);
    char normal[REGION_CODE_LEN + 1];
    if (rc == 0)
        rc = users_region(db, &all, id, normal);
    if (rc == 0)
        rc = audit_cli(db, "user.create", id, normal, roles_list);
    rc = db_finish(db, rc);
    if (rc == MZ_EVALIDATE)
        fprintf(stderr, "%s: %s\n", why.field, why.why);
    else if (rc == MZ_ECONFLICT)
        fprintf(stderr, "login %s already exists\n", login);
    return rc;
}

/* reset, lock or unlock the account `login`. */
static int change_user(struct db *db, const char *what, const char *login)
{
    struct scope all = national();
    char region[REGION_CODE_LEN + 1], password[PASSWORD_GEN_LEN + 1] = "", hash[PASSWORD_HASH_MAX];
    int64_t id = 0, now = (int64_t)time(NULL);
    int rc = users_find_login(db, &all, login, &id, region);
    if (rc == MZ_ENOTFOUND) {
        fprintf(stderr, "no account %s\n", login);
        return rc;
    }
    if (rc == 0 && strcmp(what, "reset") == 0) {
        rc = password_generate(login, password);
        if (rc == 0)
            rc = password_hash(password, hash);
    }
    if (rc == 0)
        rc = db_begin(db);
    if (rc)
        return rc;
    if (strcmp(what, "reset") == 0)
        rc = users_set_password(db, id, hash, true, now);
    else
        rc = users_set_lock(db, &all, id, strcmp(what, "lock") == 0 ? INT64_MAX / 2 : 0);
    if (rc == 0 && strcmp(what, "unlock") != 0)
        rc = users_end_sessions(db, id, NULL);
    char action[32];
    snprintf(action, sizeof action, "user.%s", what);
    if (rc == 0)
        rc = audit_cli(db, action, id, region, "");
    rc = db_finish(db, rc);
    if (rc == 0 && password[0])
        printf("%s: one-time password %s (must be changed at first login)\n", login, password);
    else if (rc == 0)
        printf("%s: %sed\n", login, what);
    return rc;
}

int admin_user(const struct config *cfg, int nargs, char **args)
{
    bool add = nargs >= 4 && nargs <= 5 && strcmp(args[0], "add") == 0;
    bool change = nargs == 2 && (strcmp(args[0], "reset") == 0 || strcmp(args[0], "lock") == 0 ||
                                 strcmp(args[0], "unlock") == 0);
    if (!add && !change) {
        fprintf(stderr, "usage: minzheng user add LOGIN REGION ROLE[,ROLE…] [NAME]\n"
                        "       minzheng user reset|lock|unlock LOGIN\n");
        return 2;
    }
    if (password_init() != 0 || audit_key_load(cfg->audit_key_file, 0) != 0)
        return 1;
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int rc;
    if (add) {
        char password[PASSWORD_GEN_LEN + 1];
        rc = add_user(db, args[1], args[2], args[3], nargs == 5 ? args[4] : args[1], true,
                      password);
        if (rc == 0)
            printf("%s: one-time password %s (must be changed at first login)\n", args[1],
                   password);
    } else {
        rc = change_user(db, args[0], args[1]);
    }
    db_close(db);
    return rc == 0 ? 0 : 1;
}

int admin_audit(const struct config *cfg, int nargs, char **args)
{
    bool verify = nargs == 1 && strcmp(args[0], "verify") == 0;
    bool prune = (nargs == 1 || nargs == 2) && strcmp(args[0], "prune") == 0;
    if (!verify && !prune) {
        fprintf(stderr, "usage: minzheng audit verify | minzheng audit prune [DAYS]\n");
        return 2;
    }
    if (audit_key_load(cfg->audit_key_file, 0) != 0)
        return 1;
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int rc, code = 1;
    if (verify) {
        struct audit_verify_result r;
        rc = audit_verify(db, &r);
        if (rc == 0 && r.first_bad_seq == 0) {
            printf("audit log intact: %lld entries verified\n", (long long)r.checked);
            code = 0;
        } else if (rc == 0) {
            printf("audit log BROKEN at entry %lld: %s (%lld entries verified before it)\n",
                   (long long)r.first_bad_seq, r.reason, (long long)r.checked);
        }
    } else {
        char *end = NULL;
        long days = nargs == 2 ? strtol(args[1], &end, 10) : AUDIT_MIN_RETENTION_DAYS;
        if (nargs == 2 && (*end || days < 1 || days > 36500)) {
            fprintf(stderr, "DAYS must be a whole number of days\n");
            db_close(db);
            return 2;
        }
        int64_t pruned = 0;
        rc = audit_prune(db, (int)days, &pruned);
        if (rc == 0) {
            printf("pruned %lld audit entries older than %ld days\n", (long long)pruned,
                   days > AUDIT_MIN_RETENTION_DAYS ? days : AUDIT_MIN_RETENTION_DAYS);
            code = 0;
        }
    }
    db_close(db);
    return code;
}

/* On PostgreSQL: the application role may read and write the business tables, but only
 * INSERT and SELECT the audit log (GB/T 22239-2019 8.1.4.3 c). Skipped when the role does not
 * exist (a single-role installation; the triggers still refuse changes). */
static int grant_app_role(struct db *db, const char *role)
{
    for (const char *c = role; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'))
            return MZ_EINVAL;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM pg_roles WHERE rolname = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, role, strlen(role));
    rc = db_step(st);
    db_reset(st);
    if (rc <= 0)
        return rc;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"%s\";"
             "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_anchor, assist_case_action "
             "FROM \"%s\";"
             "REVOKE INSERT ON audit_anchor FROM \"%s\"", role, role, role);
    return db_exec(db, sql);
}

int admin_bootstrap(struct db *db, const struct config *cfg)
{
    int rc = password_init();
    if (rc == 0)
        rc = audit_key_load(cfg->audit_key_file, 1);
    if (rc == 0 && db_kind(db) == DB_POSTGRES)
        rc = grant_app_role(db, cfg->app_role);
    int64_t count = 0;
    if (rc == 0)
        rc = users_count(db, &count);
    if (rc || count)
        return rc;
    static const struct { const char *login, *role, *name; } first[] = {
        { "admin", "sysadmin", "系统管理员" },
        { "secadmin", "secadmin", "安全管理员" },
        { "auditor", "auditor", "审计员" },
    };
    printf("first administrators (三员分立); note these one-time passwords now, they are not "
           "shown again:\n");
    for (size_t i = 0; rc == 0 && i < sizeof first / sizeof first[0]; i++) {
        char role[16], password[PASSWORD_GEN_LEN + 1];
        snprintf(role, sizeof role, "%s", first[i].role);
        rc = add_user(db, first[i].login, SCOPE_NATIONAL, role, first[i].name, true, password);
        if (rc == 0)
            printf("  %-9s %-8s one-time password %s\n", first[i].login, first[i].role, password);
    }
    return rc;
}

int admin_demo_account(struct db *db, const char *login, const char *name, const char *region,
                       const char *role)
{
    struct scope all = national();
    char found_region[REGION_CODE_LEN + 1], password[PASSWORD_GEN_LEN + 1], roles[32];
    int64_t id = 0;
    snprintf(roles, sizeof roles, "%s", role);
    int rc = users_find_login(db, &all, login, &id, found_region);
    if (rc == MZ_ENOTFOUND) {
        rc = add_user(db, login, region, roles, name, false, password);
    } else if (rc == 0) {
        char hash[PASSWORD_HASH_MAX];
        rc = password_generate(login, password);
        if (rc == 0)
            rc = password_hash(password, hash);
        if (rc == 0)
            rc = users_set_password(db, id, hash, false, (int64_t)time(NULL));
    }
    if (rc == 0)
        printf("  login %-17s password %s  (%s, %s)\n", login, password, name, role);
    return rc;
}
