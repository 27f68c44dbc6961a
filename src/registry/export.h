/*
 * registry/export.h — search results as files (CSV, .xlsx) and the list of likely duplicate
 * persons, for import_routes.c.
 *
 * Exports hold what a list shows: every field of the entity under its zh-CN label, ID numbers
 * and phone numbers masked (mask.h), code-list values as their labels, yes/no as 是/否. They are
 * built in memory (the HTTP server replies from memory), so the number of rows is capped by
 * the caller; a larger result is MZ_ERANGE and the client narrows its criteria.
 */
#ifndef MZ_EXPORT_H
#define MZ_EXPORT_H

#include <stddef.h>

#include "record.h"

struct db;
struct jw;

/* The records within scope matching q as CSV (UTF-8 with a byte-order mark, CRLF line ends:
 * what Excel opens directly). Returns 0 with *out (malloc'd, the caller frees), *len and *rows;
 * MZ_ERANGE when more than max_rows match; or a database error. */
int export_csv(struct db *db, const struct entity *e, const struct scope *scope,
               const struct record_query *q, long max_rows, char **out, size_t *len,
               long *rows);
/* The same as one .xlsx worksheet (libxlsxwriter through a temporary file). Returns as
 * export_csv, or MZ_EIO when the workbook could not be written. */
int export_xlsx(struct db *db, const struct entity *e, const struct scope *scope,
                const struct record_query *q, long max_rows, char **out, size_t *len,
                long *rows);
/*
 * Writes "groups":[{"name","birth_date","region","persons":[{"id","id_number" (masked),
 * "sex","alive"}]}],"more":bool for groups of at least two persons within both scope and under
 * (12-digit, may be NULL) sharing name, birth date and residence region — the same person
 * possibly registered under two numbers, for a caseworker to resolve. At most limit groups, in
 * region, name, birth date order; *groups receives their number.
 */
int export_duplicates(struct db *db, const struct scope *scope, const char *under, long limit,
                      struct jw *w, long *groups);

#endif
