/*
 * core/progress.c — terminal progress bar; see progress.h.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *label, long long total)
{
    p->label = label;
    p->total = total;
    p->done = p->rows = 0;
    p->started = now_s();
    p->drawn = 0;
    p->tty = isatty(STDERR_FILENO);
}

void progress_update(struct progress *p, long long done, long long rows)
{
    p->done = done;
    p->rows = rows;
    if (!p->tty)
        return;
    double t = now_s();
    if (t - p->drawn < 0.1)
        return;
    p->drawn = t;
    int pct = p->total > 0 ? (int)(100 * done / p->total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[31];
    for (int i = 0; i < 30; i++)
        bar[i] = i < pct * 30 / 100 ? '#' : ' ';
    bar[30] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%%  %lld rows  %.1f s ", p->label, bar, pct, rows,
            t - p->started);
    fflush(stderr);
}

double progress_done(struct progress *p, long long rows)
{
    double elapsed = now_s() - p->started;
    if (p->tty)
        fprintf(stderr, "\r%*s\r", 79, "");
    fprintf(stderr, "%s: %lld rows in %.2f s (%.0f rows/s)\n", p->label, rows, elapsed,
            elapsed > 0 ? (double)rows / elapsed : 0.0);
    return elapsed;
}
