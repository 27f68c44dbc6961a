/*
 * registry/import_cli.c — `minzheng import persons|orgs|households FILE`: the bulk load on the server
 * itself, for files beyond the API's body limit; see import.h for what an import guarantees.
 *
 * Acts with national scope as the local operator ("cli" in the audit log, source "local"), as
 * admin.c's commands do. Prints the counts and the time; the rejected rows go to --report FILE
 * (all of them) or, without it, the first ones to standard error. Into an empty table it is a
 * first load (import.h: one transaction, indexes built after). Exit codes: 0 the import ran
 * to the end and its valid rows are committed (rejected rows listed), 1 nothing or not
 * everything could be written (mode all with rejected rows, an unusable file, a database
 * error), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "audit.h"
#include "calendar.h"
#include "config.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "import.h"
#include "log.h"
#include "org.h"
#include "password.h"
#include "person.h"
#include "users.h"

#define SHOWN_REJECTIONS 20

const char *const import_command_options[] = { "mode", "encoding", "report", "batch", NULL };

static int usage(void)
{
    fprintf(stderr, "usage: minzheng import persons|orgs|households FILE [--mode=all|valid] "
                    "[--encoding=auto|utf-8|gb18030] [--report=FILE] [--batch=ROWS]\n");
    return 2;
}

/* Prints the first rejected rows of a memory report (its header line skipped). */
static void show_rejections(const struct import_report *r)
{
    const char *p = r->buf ? strchr(r->buf, '\n') : NULL;
    int shown = 0;
    for (; p && p[1] && shown < SHOWN_REJECTIONS; shown++) {
        const char *end = strchr(p + 1, '\n');
        fprintf(stderr, "  %.*s\n", (int)(end ? end - p - 1 : (long)strlen(p + 1)), p + 1);
        p = end;
    }
    if (r->rows > shown)
        fprintf(stderr, "  … %lld more; --report FILE writes every rejected row\n",
                r->rows - shown);
}

struct cli_args {
    const struct entity *entity;          /* NULL: households */
    const char *table;
    const char *file, *report;
    enum import_mode mode;
    enum import_encoding encoding;
    long batch;
};

static int parse_args(int nargs, char **args, struct cli_args *out)
{
    char *pos[64];
    if (nargs > 64 || config_positionals(nargs, args, pos) != 2)
        return usage();
    memset(out, 0, sizeof *out);
    if (strcmp(pos[0], "persons") == 0)
        out->entity = &person_entity;
    else if (strcmp(pos[0], "orgs") == 0 || strcmp(pos[0], "organisations") == 0)
        out->entity = &org_entity;
    else if (strcmp(pos[0], "households") != 0)
        return usage();
    out->table = out->entity ? out->entity->table : "household";
    out->file = pos[1];
    const char *mode = config_option(nargs, args, "mode");
    const char *encoding = config_option(nargs, args, "encoding");
    const char *batch = config_option(nargs, args, "batch");
    out->report = config_option(nargs, args, "report");
    out->mode = IMPORT_MODE_VALID;
    if (mode && strcmp(mode, "all") == 0)
        out->mode = IMPORT_MODE_ALL;
    else if (mode && strcmp(mode, "valid") != 0)
        return usage();
    if (encoding && import_encoding_parse(encoding, &out->encoding) != 0)
        return usage();
    if (batch) {
        char *end;
        out->batch = strtol(batch, &end, 10);
        if (*end || out->batch < 1 || out->batch > 1000000)
            return usage();
    }
    return 0;
}

static void print_result(const struct cli_args *ca, const struct import_result *res,
                         const struct import_options *o)
{
    printf("%s: read %lld, inserted %lld, updated %lld, unchanged %lld, rejected %lld "
           "in %.2f s (%.0f rows/s; %s, mode %s, import %lld)\n",
           ca->table, res->read, res->inserted, res->updated, res->unchanged,
           res->rejected, res->seconds, res->seconds > 0 ? (double)res->read / res->seconds : 0.0,
           import_encoding_name(res->encoding), ca->mode == IMPORT_MODE_ALL ? "all" : "valid",
           (long long)o->import_id);
    if (res->first_load && !res->rolled_back)
        printf("first load into an empty table: one transaction, indexes built after the load\n");
    if (res->rolled_back && res->read)
        printf("nothing written: %s\n",
               res->error ? res->error : "mode all and rows were rejected (see the report)");
    else if (res->error)
        printf("stopped: %s; %lld rows committed before\n", res->error, res->committed);
}

int import_command(const struct config *cfg, int nargs, char **args)
{
    struct cli_args ca;
    int rc = parse_args(nargs, args, &ca);
    if (rc)
        return rc;
    if (password_init() != 0 || audit_key_load(cfg->audit_key_file, 0) != 0)
        return 1;
    FILE *in = strcmp(ca.file, "-") == 0 ? stdin : fopen(ca.file, "rb");
    if (!in) {
        fprintf(stderr, "cannot open %s\n", ca.file);
        return 1;
    }
    struct stat stt;
    long long size = fstat(fileno(in), &stt) == 0 && S_ISREG(stt.st_mode) ? stt.st_size : 0;
    FILE *report_file = ca.report ? fopen(ca.report, "w") : NULL;
    if (ca.report && !report_file) {
        fprintf(stderr, "cannot write the report %s\n", ca.report);
        if (in != stdin)
            fclose(in);
        return 1;
    }
    char err[512];
    struct db *db = NULL;
    if (db_open(cfg->db, &db, err, sizeof err) != 0) {
        log_error(NULL, "%s", err);
    } else if (dict_load(db) != 0) {
        log_error(NULL, "cannot read the code lists: run `minzheng migrate` first");
        db_close(db);
        db = NULL;
    }
    if (!db) {
        if (in != stdin)
            fclose(in);
        if (report_file)
            fclose(report_file);
        return 1;
    }
    if (db_kind(db) == DB_SQLITE)
        db_exec(db, "PRAGMA cache_size=-262144"); /* 256 MiB: the index pages of a big load */
    struct scope national;
    scope_from_region(SCOPE_NATIONAL, &national);
    char rid[32];
    snprintf(rid, sizeof rid, "cli-%ld", (long)getpid());
    struct record_actor actor = { 0, "cli", rid };
    struct audit_actor auditor = { 0, "cli", "-", "local", rid };
    time_t now = time(NULL);
    struct import_options o = {
        .entity = ca.entity, .scope = &national, .region = SCOPE_NATIONAL, .actor = &actor,
        .auditor = &auditor, .mode = ca.mode, .encoding = ca.encoding, .batch_rows = ca.batch,
        .today = calendar_day((int64_t)now), .now = (int64_t)now, .import_id = users_new_id(),
        .progress = isatty(STDERR_FILENO), .rebuild_indexes = true,
    };
    struct import_report report;
    if (report_file)
        import_report_to_file(&report, report_file);
    else
        import_report_to_memory(&report, 64 * 1024);
    struct arena *a = arena_new();
    struct import_result res;
    rc = ca.entity ? import_run(db, a, &o, in, size, &report, &res)
                   : import_households_run(db, a, &o, in, size, &report, &res);
    if (rc == MZ_EVALIDATE && res.read == 0 && res.error) {
        fprintf(stderr, "%s: %s\n", ca.file, res.error);
    } else {
        print_result(&ca, &res, &o);
        if (!report_file && report.rows)
            show_rejections(&report);
        else if (report_file && report.rows)
            printf("rejected rows: %s\n", ca.report);
    }
    import_report_free(&report);
    arena_free(a);
    db_close(db);
    if (in != stdin)
        fclose(in);
    if (report_file && fclose(report_file) != 0 && rc == 0)
        rc = MZ_EIO;
    return rc == 0 && !res.rolled_back ? 0 : 1;
}
