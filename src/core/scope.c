/*
 * core/scope.c — region data scope as a key range; see scope.h.
 */
#include <string.h>

#include "db.h"
#include "errors.h"
#include "scope.h"

int scope_from_region(const char *region12, struct scope *out)
{
    char code[REGION_CODE_LEN + 1];
    if (!region12 || ids_region_normalize(region12, strlen(region12), code) != 0)
        return MZ_EINVAL;
    if (strcmp(code, SCOPE_NATIONAL) == 0) {
        out->lo[0] = '\0';      /* every code is ≥ "" … */
        memcpy(out->hi, ":", 2); /* … and < ":", which sorts after every digit */
        return 0;
    }
    size_t n = (size_t)ids_region_prefix_len(ids_region_level(code));
    memcpy(out->lo, code, n);
    out->lo[n] = '\0';
    memcpy(out->hi, code, n);
    out->hi[n - 1]++;
    out->hi[n] = '\0';
    return 0;
}

bool scope_contains(const struct scope *s, const char *region12)
{
    return strcmp(region12, s->lo) >= 0 && strcmp(region12, s->hi) < 0;
}

bool scope_covers(const struct scope *outer, const struct scope *inner)
{
    return strcmp(inner->lo, outer->lo) >= 0 && strcmp(inner->hi, outer->hi) <= 0;
}

int scope_bind(struct db_stmt *st, int index, const struct scope *s)
{
    int rc = db_bind_text(st, index, s->lo, strlen(s->lo));
    if (rc == 0)
        rc = db_bind_text(st, index + 1, s->hi, strlen(s->hi));
    return rc;
}
