/*
 * assist/payroll_cli.c — `minzheng payroll run --region CODE --month YYYY-MM`: the monthly
 * payroll of every county under a province, city or county, one batch and one transaction per
 * county (payroll_build), audited as the local operator ("cli", source "local").
 *
 * A county that already has a batch of the month that is not cancelled is skipped, so a run
 * that was interrupted is resumed by running it again. Prints a line per county and the totals;
 * draws a progress bar on a terminal.
 */
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
#include "setting.h"
#include "payroll_cli.h"
#include "progress.h"
#include "standard.h"
#include "users.h"

const char *const payroll_command_options[] = { "region", "month", NULL };

static const char *const USAGE =
    "usage: minzheng payroll run --region CODE --month YYYY-MM [--db PATH|URL]\n";

/* Builds one county's batch with its audit entry in one transaction. */
static int run_county(struct db *db, const char *county, int32_t month,
                      const struct audit_actor *actor, struct payroll_result *res)
{
    struct arena *a = arena_new();
    struct assist_settings s;
    int rc = db_begin(db);
    if (rc == 0)
        rc = assist_settings_load(db, a, county, &s);
    if (rc == 0)
        rc = payroll_build(db, a, &s, county, month, 0, (int64_t)time(NULL), res);
    if (rc == 0) {
        char id[24], detail[96];
        snprintf(id, sizeof id, "%lld", (long long)res->id);
        snprintf(detail, sizeof detail, "month=%d lines=%lld total_fen=%lld", month,
                 (long long)res->line_count, (long long)res->total_fen);
        struct audit_event ev = { "assist.payroll.create", "assist_payroll", id, county,
                                  "success", detail };
        rc = audit_append(db, actor, &ev);
    }
    rc = db_finish(db, rc);
    arena_free(a);
    return rc;
}

static int run_all(struct db *db, const char *region, int32_t month)
{
    struct arena *a = arena_new();
    char (*counties)[13] = NULL;
    size_t n = 0;
    int rc = payroll_counties(db, a, region, &counties, &n);
    char rid[32];
    snprintf(rid, sizeof rid, "cli-%ld", (long)getpid());
    struct audit_actor actor = { 0, "cli", "-", "local", rid };
    long long lines = 0, fen = 0, done = 0, skipped = 0;
    struct progress p;
    progress_begin(&p, "payroll", (long long)n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t open = 0;
        struct payroll_result res;
        rc = payroll_open_batch(db, counties[i], month, &open);
        if (rc == 0 && open) {
            printf("%.6s  batch %lld exists, skipped\n", counties[i], (long long)open);
            skipped++;
        } else if (rc == 0 && (rc = run_county(db, counties[i], month, &actor, &res)) == 0) {
            printf("%.6s  batch %lld  %lld lines  %lld.%02lld yuan\n", counties[i],
                   (long long)res.id, (long long)res.line_count,
                   (long long)(res.total_fen / 100), (long long)(res.total_fen % 100));
            lines += res.line_count;
            fen += res.total_fen;
            done++;
        } else {
            log_error(rid, "payroll %.6s %d failed: %s", counties[i], month, mz_error_code(rc));
        }
        progress_update(&p, (long long)i + 1, lines);
    }
    progress_done(&p, lines);
    printf("total: %lld counties built, %lld skipped, %lld lines, %lld.%02lld yuan\n", done,
           skipped, lines, fen / 100, fen % 100);
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
    int rc = run_all(db, region, month);
    db_close(db);
    return rc ? 1 : 0;
}
