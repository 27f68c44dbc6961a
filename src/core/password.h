/*
 * core/password.h — password policy and hashing (身份鉴别, GB/T 22239-2019 8.1.4.1 a).
 *
 * Policy (issue #4, shared/domain/security.md §1.1): 8 to 128 characters, three of the four
 * classes (upper case, lower case, digit, other), not containing the login name (case-
 * insensitive), not in a built-in list of common passwords. The history rule (not one of the
 * last 5) needs the stored hashes and lives with the account code. Hashes are argon2id via
 * libsodium crypto_pwhash_str at the interactive limits.
 */
#ifndef MZ_PASSWORD_H
#define MZ_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 128  /* crypto_pwhash_STRBYTES */
#define PASSWORD_MIN_LEN 8     /* characters (UTF-8 code points), not bytes */
#define PASSWORD_MAX_LEN 128
#define PASSWORD_GEN_LEN 16    /* length of password_generate()'s passwords */

/* Checks password (UTF-8) against the policy for login (NULL or "" for none). Returns 0, or
 * MZ_EVALIDATE with *why (when why is not NULL) set to a zh-CN sentence saying what is wrong
 * (static storage). */
int password_check_policy(const char *password, const char *login, const char **why);
/* argon2id hash of password into out (PASSWORD_HASH_MAX bytes, NUL-terminated). Returns 0,
 * MZ_EINVAL for a NULL password, MZ_ENOMEM or MZ_EINTERNAL; out is written only on success. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);
/* True when password matches hash; false for a NULL or empty hash or password. Constant-time in
 * the password. */
bool password_verify(const char *password, const char *hash);
/* A random password of PASSWORD_GEN_LEN characters without look-alikes that passes
 * password_check_policy() for login (NULL for none), for first administrators and resets.
 * Returns 0 or MZ_EINTERNAL; out is written only on success. */
int password_generate(const char *login, char out[PASSWORD_GEN_LEN + 1]);
/* Must be called once before hashing (libsodium's sodium_init). Returns 0 or MZ_EINTERNAL. */
int password_init(void);

#endif
