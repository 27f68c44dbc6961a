/*
 * core/auth_cache.c — per-thread session cache; see auth_cache.h.
 *
 * Direct-mapped by the first bytes of the session hash (itself a SHA-256, so uniformly spread).
 * An entry holds a copy of the principal with its strings packed into the entry's own buffer.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "auth_cache.h"

#define SLOTS 32
#define MAX_PERMS 48
#define BUF 1536

struct entry {
    char hash[65];
    uint64_t epoch;
    int64_t loaded_at;
    struct session_facts facts;
    struct principal p;
    const char *perms[MAX_PERMS];
    char buf[BUF];
};

static atomic_uint_fast64_t epoch = 1;
static _Thread_local struct entry cache[SLOTS];

static struct entry *slot(const char *hash)
{
    return &cache[strtoul((char[3]){ hash[0], hash[1], 0 }, NULL, 16) % SLOTS];
}

bool auth_cache_get(const char *hash, int64_t now, struct principal *out, struct session_facts *f)
{
    struct entry *e = slot(hash);
    if (e->epoch != atomic_load(&epoch) || now - e->loaded_at >= AUTH_CACHE_TTL ||
        now < e->loaded_at || strcmp(e->hash, hash) != 0)
        return false;
    *out = e->p;
    *f = e->facts;
    return true;
}

/* Copies s into the entry's buffer at *used; NULL when it does not fit. */
static const char *pack(struct entry *e, size_t *used, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    if (n > BUF - *used)
        return NULL;
    char *dst = e->buf + *used;
    memcpy(dst, s, n);
    *used += n;
    return dst;
}

void auth_cache_put(const char *hash, int64_t now, const struct principal *p,
                    const struct session_facts *f)
{
    struct entry *e = slot(hash);
    e->epoch = 0; /* invalid until complete */
    if (p->nperms > MAX_PERMS)
        return;
    size_t used = 0;
    e->p = *p;
    e->p.login = pack(e, &used, p->login);
    e->p.display_name = pack(e, &used, p->display_name);
    e->p.roles = pack(e, &used, p->roles);
    e->p.csrf = pack(e, &used, p->csrf);
    e->p.session_hash = pack(e, &used, p->session_hash);
    bool fits = e->p.login && e->p.display_name && e->p.roles && e->p.csrf && e->p.session_hash;
    for (int i = 0; fits && i < p->nperms; i++) {
        e->perms[i] = pack(e, &used, p->perms[i]);
        fits = e->perms[i] != NULL;
    }
    if (!fits)
        return;
    e->p.perms = e->perms;
    e->facts = *f;
    e->loaded_at = now;
    memcpy(e->hash, hash, sizeof e->hash);
    e->epoch = atomic_load(&epoch);
}

void auth_cache_seen(const char *hash, int64_t now)
{
    struct entry *e = slot(hash);
    if (strcmp(e->hash, hash) == 0)
        e->facts.last_seen_at = now;
}

void auth_cache_invalidate(void) { atomic_fetch_add(&epoch, 1); }
