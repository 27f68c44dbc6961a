/*
 * core/auth.h — who is asking: login, sessions, API tokens, the principal, permissions.
 *
 * A principal is the authenticated caller of one request: a user through a session cookie, or
 * a machine client through an API token (`Authorization: Bearer mzt_…`). It carries the
 * permissions of its roles (role → permission rows, data not code), its region and the data
 * scope derived from it. Sessions expire after `session_idle` seconds without use and
 * `session_absolute` seconds after login; logging out deletes the session on the server.
 * Session ids and tokens are 256-bit random values, stored only as their SHA-256.
 * Identity and authentication follow GB/T 22239-2019 8.1.4.1 (shared/domain/security.md §1.1).
 */
#ifndef MZ_AUTH_H
#define MZ_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "scope.h"

struct arena;
struct config;
struct db;

/* Permission every authenticated principal has (its own session, profile and password). */
#define PERM_SELF "self"
#define AUTH_COOKIE "mz_session"
#define AUTH_SECRET_LEN 43      /* base64url of 32 random bytes */
#define AUTH_TOKEN_PREFIX "mzt_"

struct principal {
    int64_t user_id;            /* 0 for an API token */
    int64_t token_id;           /* 0 for a user */
    const char *login;          /* user login, or "token:<name>" */
    const char *display_name;
    char region[REGION_CODE_LEN + 1];
    struct scope scope;
    const char *roles;          /* space-separated role names ("-" for a token) */
    const char **perms;         /* sorted */
    int nperms;
    bool must_change_password;
    bool via_token;
    const char *csrf;           /* the session's CSRF token; NULL for a token */
    const char *session_hash;   /* SHA-256 hex of the session id; NULL for a token */
};

/* True when p holds perm (PERM_SELF always). */
bool principal_can(const struct principal *p, const char *perm);

/* Outcome of a login attempt; AUTH_OK also when a password change is now required. */
enum auth_outcome { AUTH_OK, AUTH_BAD_CREDENTIALS, AUTH_LOCKED, AUTH_DISABLED };

struct auth_login {
    enum auth_outcome outcome;
    struct principal who;       /* on AUTH_OK */
    char session[AUTH_SECRET_LEN + 1];   /* cookie value, on AUTH_OK */
    int64_t user_id;            /* the account tried, when it exists (for the audit entry) */
    const char *user_region;    /* its region, when it exists */
    int64_t locked_until;       /* on AUTH_LOCKED */
};

/*
 * Checks login and password. Counts failures, locks the account after lockout_attempts in a
 * row for lockout_seconds, and on success resets the count and opens a session (must_change is
 * set when the password is older than password_max_age_days). The same AUTH_BAD_CREDENTIALS
 * answers an unknown login and a wrong password. Returns 0 with *out filled, or MZ_E….
 */
int auth_login(struct db *db, const struct config *cfg, struct arena *a, const char *login,
               const char *password, const char *source, int64_t now, struct auth_login *out);

/* The principal of a session cookie value or of a bearer token. Returns 0, MZ_EAUTH when it is
 * unknown, expired or revoked, or a database error. Touches the session at most once a
 * minute. */
int auth_session(struct db *db, const struct config *cfg, struct arena *a, const char *cookie,
                 int64_t now, struct principal *out);
int auth_bearer(struct db *db, struct arena *a, const char *token, int64_t now,
                struct principal *out);

/* Ends the session (server side). */
int auth_logout(struct db *db, const char *session_hash);

/* Random secret (base64url of 32 bytes) and its SHA-256 hex, for sessions and tokens. */
void auth_new_secret(char out[AUTH_SECRET_LEN + 1]);
void auth_secret_hash(const char *secret, char hex[65]);

#endif
