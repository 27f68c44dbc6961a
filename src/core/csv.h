/*
 * core/csv.h — a streaming CSV reader (RFC 4180: quoted fields, "" inside quotes).
 *
 * Reads one record at a time into a buffer it owns; fields point into that buffer and stay
 * valid until the next csv_next(). Quoted fields may not span lines here (none of our inputs
 * need it yet); such a record is reported as malformed with its line number.
 */
#ifndef MZ_CSV_H
#define MZ_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 64

struct csv {
    FILE *in;
    char *line;
    size_t cap;
    long lineno;
    long long bytes;             /* bytes read so far, for progress */
    int nfields;
    char *field[CSV_MAX_FIELDS];
    size_t len[CSV_MAX_FIELDS];
};

/* Opens path for reading. Returns 0 or MZ_EIO. Free with csv_close(). */
int csv_open(struct csv *c, const char *path);
void csv_close(struct csv *c);
/* Reads the next record: 1 when read, 0 at end of file, MZ_EVALIDATE for a malformed record
 * (unterminated quote, too many fields), MZ_EIO on a read error. Empty lines are skipped. */
int csv_next(struct csv *c);

#endif
