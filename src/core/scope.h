/*
 * core/scope.h — region data scope (数据权限): the region-code prefix a principal may see.
 *
 * A user belongs to one region of any level; its significant digits (2, 4, 6, 9 or 12) are
 * the scope: a record is visible when its 12-digit region code starts with them. Because codes
 * are fixed-width digit strings, "starts with P" is the key range [P, P+1) — e.g. 510824 ≤ code
 * < 510825 — which an index answers directly. Store functions of scoped tables take a scope and
 * bind it with scope_bind(); only the server builds scopes (from the authenticated principal),
 * so no handler can choose a wider one. A record outside the scope is reported exactly as a
 * record that does not exist.
 */
#ifndef MZ_SCOPE_H
#define MZ_SCOPE_H

#include <stdbool.h>

#include "ids.h"

struct db_stmt;

/* The region of national bodies (民政部) and of the first administrators: every code. */
#define SCOPE_NATIONAL "000000000000"

struct scope {
    char lo[REGION_CODE_LEN + 1];  /* the prefix itself */
    char hi[REGION_CODE_LEN + 1];  /* the prefix with its last digit + 1 ('9' + 1 is ':') */
};

/* The scope of a normalised 12-digit region code. Returns 0 or MZ_EINVAL. */
int scope_from_region(const char *region12, struct scope *out);
/* True when the 12-digit code lies inside the scope. */
bool scope_contains(const struct scope *s, const char *region12);
/* True when every code of inner lies inside outer (a user may only grant within its own). */
bool scope_covers(const struct scope *outer, const struct scope *inner);
/* Binds "region >= ? AND region < ?" at parameters index and index + 1. Returns 0 or MZ_E…. */
int scope_bind(struct db_stmt *st, int index, const struct scope *s);

#endif
