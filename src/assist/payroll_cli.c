/*
 * assist/payroll_cli.c — `minzheng payroll run --region CODE --month YYYY-MM`: the monthly
 * payroll of every county under a province, city or county: one batch per county, built in one
 * pass over the region's cases and one transaction (payroll_build_many), each batch audited as
 * the local operator ("cli", source "local").
 *
 * A county that already has a batch of the month that is not cancelled is left alone, so a run
 * that was interrupted (and so left nothing) or that met new counties is completed by running
 * it again. Prints a line per county and the totals; draws a progress bar on a terminal.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "errors.h"
#include "log.h"
#include "password.h"
#include "payroll.h"
#include "payroll_cli.h"
#include "progress.h"
#include "scope.h"
#include "standard.h"
#include "users.h"

const char *const payroll_command_options[] = { "region", "month", NULL };

static const char *const USAGE =
    "usage: minzheng payroll run --region CODE --month YYYY-MM [--db PATH|URL]\n";

#define WORKERS_MAX 4

struct shared_progress;

/* One worker thread's share of the run. */
struct worker {
    const char *db_url;
    const char (*counties)[13];
    size_t n;
    struct payroll_result *res;
    const bool *existed;
    int32_t month;
    const struct audit_actor *actor;
    struct shared_progress *progress;
    int64_t reported;             /* cases this worker has reported */
    int rc;
};

/* The progress bar follows the cases read by every worker. */
struct shared_progress {
    pthread_mutex_t lock;
    struct progress bar;
    int64_t done;
};

static void on_progress(void *ctx, int64_t cases)
{
    struct worker *w = ctx;
    pthread_mutex_lock(&w->progress->lock);
    w->progress->done += cases - w->reported;
    w->reported = cases;
    progress_update(&w->progress->bar, (long long)w->progress->done,
                    (long long)w->progress->done);
    pthread_mutex_unlock(&w->progress->lock);
}

/* Cases of the region the run reads at most: the progress bar's total. */
static int count_cases(struct db *db, const char *region, long long *n)
{
    struct scope s;
    struct db_stmt *st;
    int rc = scope_from_region(region, &s);
    if (rc == 0)
        rc = db_prepare(db, "SELECT COUNT(*) FROM assist_case WHERE region >= ? AND region < ?",
                        &st);
    if (rc)
        return rc;
    scope_bind(st, 1, &s);
    rc = db_step(st);
    *n = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* An audit entry per batch built, as the local operator. */
static int audit_batches(struct db *db, const char (*counties)[13],
                         const struct payroll_result *res, const bool *existed, size_t n,
                         int32_t month, const struct audit_actor *actor)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (existed[i])
            continue;
        char id[24], detail[96];
        snprintf(id, sizeof id, "%lld", (long long)res[i].id);
        snprintf(detail, sizeof detail, "month=%d lines=%lld total_fen=%lld", month,
                 (long long)res[i].line_count, (long long)res[i].total_fen);
        struct audit_event ev = { "assist.payroll.create", "assist_payroll", id, counties[i],
                                  "success", detail };
        rc = audit_append(db, actor, &ev);
    }
    return rc;
}

/* One worker's share: a contiguous run of counties, its own connection and transaction. */
static void *work(void *arg)
{
    struct worker *w = arg;
    struct arena *a = arena_new();
    struct db *db = db_connect(w->db_url);
    w->rc = db ? db_begin(db) : MZ_EUNAVAILABLE;
    if (w->rc == 0)
        w->rc = payroll_build_many(db, a, w->counties, w->n, w->month, 0, (int64_t)time(NULL),
                                   w->res, on_progress, w);
    if (w->rc == 0)
        w->rc = audit_batches(db, w->counties, w->res, w->existed, w->n, w->month, w->actor);
    if (db) {
        w->rc = db_finish(db, w->rc);
        db_close(db);
    }
    arena_free(a);
    return NULL;
}

/* Workers: on PostgreSQL one per core (at most WORKERS_MAX), each a backend of its own; on
 * SQLite one, as it has a single writer. Never more than the counties. */
static size_t worker_count(const struct config *cfg, size_t counties)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = db_url_kind(cfg->db) == DB_POSTGRES && cores > 1 ? (size_t)cores : 1;
    if (n > WORKERS_MAX)
        n = WORKERS_MAX;
    return n < counties ? n : (counties ? counties : 1);
}

static void report(const char (*counties)[13], const struct payroll_result *res,
                   const bool *existed, size_t n)
{
    long long lines = 0, fen = 0, built = 0;
    for (size_t i = 0; i < n; i++) {
        if (existed[i]) {
            printf("%.6s  batch %lld exists, skipped\n", counties[i], (long long)res[i].id);
            continue;
        }
        printf("%.6s  batch %lld  %lld lines  %lld.%02lld yuan\n", counties[i],
               (long long)res[i].id, (long long)res[i].line_count,
               (long long)(res[i].total_fen / 100), (long long)(res[i].total_fen % 100));
        lines += res[i].line_count;
        fen += res[i].total_fen;
        built++;
    }
    printf("total: %lld counties built, %lld skipped, %lld lines, %lld.%02lld yuan\n", built,
           (long long)n - built, lines, fen / 100, fen % 100);
}

/* Every county's batch, the counties split into contiguous runs among the workers; each run
 * is one pass over its cases and one transaction. Interrupted, a run leaves nothing of its
 * counties behind; run again, it builds what is missing. */
static int run_all(const struct config *cfg, struct db *db, const char *region, int32_t month)
{
    struct arena *a = arena_new();
    char (*counties)[13] = NULL;
    size_t n = 0;
    long long total = 0;
    int rc = payroll_counties(db, a, region, &counties, &n);
    if (rc == 0)
        rc = count_cases(db, region, &total);
    struct payroll_result *res = arena_calloc(a, n ? n : 1, sizeof *res);
    bool *existed = arena_calloc(a, n ? n : 1, sizeof *existed);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = payroll_open_batch(db, counties[i], month, &res[i].id);
        existed[i] = res[i].id != 0;
    }
    char rid[32];
    snprintf(rid, sizeof rid, "cli-%ld", (long)getpid());
    struct audit_actor actor = { 0, "cli", "-", "local", rid };
    struct shared_progress progress = { .lock = PTHREAD_MUTEX_INITIALIZER };
    size_t nw = worker_count(cfg, n);
    struct worker w[WORKERS_MAX];
    pthread_t threads[WORKERS_MAX];
    progress_begin(&progress.bar, "payroll", total);
    for (size_t i = 0, from = 0; rc == 0 && n && i < nw; i++) {
        size_t to = n * (i + 1) / nw;
        w[i] = (struct worker){ .db_url = cfg->db, .counties = (const char (*)[13])counties + from,
                                .n = to - from, .res = res + from, .existed = existed + from,
                                .month = month, .actor = &actor, .progress = &progress };
        from = to;
    }
    size_t started = 0;
    for (; rc == 0 && n && started < nw; started++)
        if (pthread_create(&threads[started], NULL, work, &w[started]) != 0)
            rc = MZ_ENOMEM;
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        if (rc == 0)
            rc = w[i].rc;
    }
    progress_done(&progress.bar, progress.done);
    if (rc == 0)
        report((const char (*)[13])counties, res, existed, n);
    else
        log_error(rid, "payroll %s %d failed: %s", region, month, mz_error_code(rc));
    arena_free(a);
    return rc;
}

int payroll_command(const struct config *cfg, int nargs, char **args)
{
    char *positional[4];
    const char *region_text = config_option(nargs, args, "region");
    const char *month_text = config_option(nargs, args, "month");
    char region[REGION_CODE_LEN + 1];
    int32_t month;
    if (nargs > 5 || config_positionals(nargs, args, positional) != 1 ||
        strcmp(positional[0], "run") != 0 || !region_text || !month_text ||
        ids_region_normalize(region_text, strlen(region_text), region) != 0 ||
        ids_region_level(region) < 1 || ids_region_level(region) > 3 ||
        standard_month_parse(month_text, strlen(month_text), &month) != 0) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (password_init() != 0 || audit_key_load(cfg->audit_key_file, 0) != 0)
        return 1;
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int rc = run_all(cfg, db, region, month);
    db_close(db);
    return rc ? 1 : 0;
}
