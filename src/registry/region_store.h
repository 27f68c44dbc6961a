/*
 * registry/region_store.h — queries on the region tree (internal to registry/).
 *
 * Each function writes its result as JSON into w and returns 0, MZ_ENOTFOUND (get only) or a
 * database error. Codes are 12-digit normalised codes.
 */
#ifndef MZ_REGION_STORE_H
#define MZ_REGION_STORE_H

#include "arena.h"
#include "json.h"
#include "region.h"

struct region_search {
    const char *q;        /* substring of the name, matched literally */
    const char *under;    /* subtree root, or NULL */
    const char *after;    /* keyset cursor, "" for the first page */
    long level;           /* 1–5, 0 for any */
    long limit;
};

/* {"code","name","level","parent","full_name","path":[{code,name}…],"children"} */
int region_store_get(struct db *db, const char *code12, struct jw *w);
/* {"code","name","full_name"}, or null when the code is unknown. */
int region_store_name(struct db *db, const char *code12, struct jw *w);
/* 0 when the code exists, MZ_ENOTFOUND when not, or a database error. */
int region_store_exists(struct db *db, const char *code12);
/* "items":[{code,name,level,children}…],"next":… (inside an open object); *count receives
 * the number of items written. */
int region_store_children(struct db *db, const char *code12, const char *after12, long limit,
                          struct jw *w, long *count);
/* "items":[{code,name,level,full_name}…],"next":… (inside an open object). */
int region_store_search(struct db *db, struct arena *a, const struct region_search *s,
                        struct jw *w);

#endif
