/*
 * core/users.h — staff accounts (app_user) and their roles, always within a data scope.
 *
 * Every function that reads or changes an account takes the caller's scope: an account whose
 * region lies outside it is reported as MZ_ENOTFOUND, exactly like one that does not exist.
 * Roles follow 三员分立 (shared/domain/security.md §1.12): an account holds at most one of the
 * administrator roles (sysadmin, secadmin, auditor) and never an administrator role together
 * with a business role.
 */
#ifndef MZ_USERS_H
#define MZ_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "scope.h"

struct db;
struct jw;

#define USERS_MAX_ROLES 8

struct user_input {
    const char *login;          /* 3–32 of a-z 0-9 . _ - (upper case is folded) */
    const char *display_name;   /* 1–50 characters */
    const char *region;         /* 2–12 digit code inside the creator's scope, or national */
    const char *phone;          /* optional: 7–15 digits, '+' and '-' allowed */
};

/* Why a value was refused: the JSON field and a zh-CN sentence (static storage). */
struct users_refusal {
    const char *field;
    const char *why;
};

/* Creates an account (must change its password at first login). Returns 0 with *id, MZ_EVALIDATE
 * with *refusal, MZ_ECONFLICT when the login exists, or a database error. */
int users_create(struct db *db, const struct scope *scope, const struct user_input *in,
                 const char *password_hash, int64_t now, int64_t *id,
                 struct users_refusal *refusal);
/* Id and region of the account with this login, within scope. 0 or MZ_ENOTFOUND. */
int users_find_login(struct db *db, const struct scope *scope, const char *login, int64_t *id,
                     char region[REGION_CODE_LEN + 1]);
/* Region of account id within scope (for audit entries). 0 or MZ_ENOTFOUND. */
int users_region(struct db *db, const struct scope *scope, int64_t id,
                 char region[REGION_CODE_LEN + 1]);
/* The account as JSON (phone masked unless reveal). 0 or MZ_ENOTFOUND. */
int users_get(struct db *db, const struct scope *scope, int64_t id, bool reveal, struct jw *w);
/* "items":[…],"next":… of accounts within scope whose login or name contains q (may be NULL),
 * ordered by id after `after`. */
int users_list(struct db *db, const struct scope *scope, const char *q, int64_t after, long limit,
               struct jw *w);
/* Sets a new password hash; must_change marks it one-time (resets). Keeps the old hash in the
 * history. Also clears any lock. */
int users_set_password(struct db *db, int64_t id, const char *hash, bool must_change, int64_t now);
/* True in *reused when password matches the current or one of the last `history` hashes. */
int users_password_reused(struct db *db, int64_t id, const char *password, long history,
                          bool *reused);
/* Locks until `until` (Unix seconds), or unlocks with 0 (also clearing the failure count). */
int users_set_lock(struct db *db, const struct scope *scope, int64_t id, int64_t until);
/* Ends every session of the account except `keep_hash` (may be NULL). */
int users_end_sessions(struct db *db, int64_t id, const char *keep_hash);
/* Replaces the account's roles. MZ_EVALIDATE with *refusal for an unknown role or a mix that
 * 三员分立 forbids. */
int users_set_roles(struct db *db, const struct scope *scope, int64_t id,
                    const char *const *roles, int nroles, struct users_refusal *refusal);
/* True in *admin when the account holds an administrator role (三员). */
int users_is_admin(struct db *db, int64_t id, bool *admin);
/* True for a well-formed (already lower-cased) login name. */
bool users_login_valid(const char *login);
/* Number of accounts (all scopes), for the first start. */
int users_count(struct db *db, int64_t *count);
/* A new time-ordered 63-bit id: milliseconds × 65536 + random low bits, strictly increasing
 * within the process. */
int64_t users_new_id(void);

#endif
