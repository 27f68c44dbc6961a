/*
 * core/auth_cache.h — a per-thread cache of signed-in sessions, so that an authenticated
 * request costs no database round trip in the common case.
 *
 * An entry is trusted for at most AUTH_CACHE_TTL seconds and only while the process's auth
 * epoch is unchanged: every change that can end or narrow a session in this process (logout,
 * expiry, lock, password change or reset, role change, token revocation) calls
 * auth_cache_invalidate(), so it takes effect on the next request. Other processes sharing a
 * PostgreSQL database see such changes within AUTH_CACHE_TTL seconds.
 */
#ifndef MZ_AUTH_CACHE_H
#define MZ_AUTH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"

#define AUTH_CACHE_TTL 5

/* What the expiry and password-age checks need, besides the principal. */
struct session_facts {
    int64_t created_at, last_seen_at, password_changed_at;
    bool must_change;
};

/* The cached principal of session hash (strings point into the cache, valid until this thread
 * authenticates another request). False when absent, stale or invalidated. */
bool auth_cache_get(const char *hash, int64_t now, struct principal *out, struct session_facts *f);
/* Remembers a freshly loaded session (skipped when it does not fit an entry). */
void auth_cache_put(const char *hash, int64_t now, const struct principal *p,
                    const struct session_facts *f);
/* Records that the session was touched at now. */
void auth_cache_seen(const char *hash, int64_t now);
/* Makes every cached entry of every thread stale. */
void auth_cache_invalidate(void);

#endif
