/*
 * core/csv.c — the streaming CSV reader; see csv.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "csv.h"
#include "errors.h"

int csv_open(struct csv *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->in = fopen(path, "rb");
    return c->in ? 0 : MZ_EIO;
}

void csv_close(struct csv *c)
{
    if (c->in)
        fclose(c->in);
    free(c->line);
    memset(c, 0, sizeof *c);
}

/* Splits the line in place; unquotes quoted fields. */
static int split(struct csv *c, char *s, size_t n)
{
    c->nfields = 0;
    size_t i = 0;
    for (;;) {
        if (c->nfields == CSV_MAX_FIELDS)
            return MZ_EVALIDATE;
        char *start = s + i, *w = start;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return MZ_EVALIDATE; /* unterminated quote */
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                *w++ = s[i++];
            }
            if (i < n && s[i] != ',')
                return MZ_EVALIDATE; /* text after the closing quote */
        } else {
            while (i < n && s[i] != ',')
                *w++ = s[i++];
        }
        c->field[c->nfields] = start;
        c->len[c->nfields] = (size_t)(w - start);
        c->nfields++;
        bool more = i < n && s[i] == ',';
        *w = '\0';
        if (!more)
            return 1;
        i++;
    }
}

int csv_next(struct csv *c)
{
    for (;;) {
        ssize_t got = getline(&c->line, &c->cap, c->in);
        if (got < 0)
            return ferror(c->in) ? MZ_EIO : 0;
        c->lineno++;
        c->bytes += got;
        size_t n = (size_t)got;
        while (n && (c->line[n - 1] == '\n' || c->line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        if (c->lineno == 1 && n >= 3 && memcmp(c->line, "\xef\xbb\xbf", 3) == 0) {
            memmove(c->line, c->line + 3, n - 3); /* a UTF-8 byte-order mark */
            n -= 3;
            if (n == 0)
                continue; /* nothing but the mark: a blank line */
        }
        return split(c, c->line, n);
    }
}
