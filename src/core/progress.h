/*
 * core/progress.h — progress of long batch work on a terminal.
 *
 * Draws "label  [#####     ]  45%  123456 rows  2.1 s" on standard error, redrawn at most ten
 * times a second, only when standard error is a terminal; otherwise silent (CI logs stay
 * clean). progress_done() prints the final line with the rate.
 */
#ifndef MZ_PROGRESS_H
#define MZ_PROGRESS_H

#include <stdbool.h>

struct progress {
    const char *label;
    long long total;  /* work units (bytes, rows); 0 when unknown */
    long long done;
    long long rows;
    double started, drawn;
    bool tty;
};

void progress_begin(struct progress *p, const char *label, long long total);
void progress_update(struct progress *p, long long done, long long rows);
/* Final line (always printed): label, rows, seconds, rows/s. Returns the elapsed seconds. */
double progress_done(struct progress *p, long long rows);

#endif
