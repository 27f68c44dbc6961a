/*
 * core/config.h — settings of the `minzheng` command, from flags, environment and file.
 *
 * One table (config.c) names every setting once: its flag `--name`, its environment variable
 * MINZHENG_NAME (upper case, '-' → '_'), its key `name = value` in the config file, its
 * default and its help line. Precedence: flag, then environment, then the file given by
 * --config or MINZHENG_CONFIG (else /etc/minzheng/minzheng.conf when it exists), then the
 * default.
 */
#ifndef MZ_CONFIG_H
#define MZ_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_STR_MAX 1024

struct config {
    char listen[CONFIG_STR_MAX];     /* ADDR:PORT */
    char db[CONFIG_STR_MAX];         /* SQLite path or postgresql:// URL */
    char access_log[CONFIG_STR_MAX]; /* file, "-" for stdout, "off" */
    char regions_dir[CONFIG_STR_MAX];
    long threads;
    long body_limit;                 /* bytes */
    long header_limit;               /* bytes */
    long max_connections;
    long per_ip_connections;
    long timeout;                    /* seconds idle before a connection is closed */
    long shutdown_grace;             /* seconds to finish requests in flight on SIGTERM */
    char audit_key_file[CONFIG_STR_MAX];
    char data_key_file[CONFIG_STR_MAX]; /* key sealing stored secrets (seal.h) */
    char app_role[CONFIG_STR_MAX];   /* PostgreSQL role the server connects as (grants) */
    long session_idle;               /* seconds */
    long session_absolute;           /* seconds */
    long lockout_attempts;
    long lockout_seconds;
    long password_max_age_days;
    long password_history;
    long cookie_secure;              /* 1: cookies only over HTTPS (behind the TLS gateway) */
};

/*
 * Fills cfg from the sources above. argv[0] is the subcommand; flags follow. Leftover
 * positional arguments are moved to the front of argv[1…] and counted in *nargs.
 * Returns 0, or MZ_EINVAL with a one-line message in err (unknown flag, bad number, …).
 */
int config_load(struct config *cfg, int argc, char **argv, int *nargs, char *err, size_t errlen);
/* Like config_load, and a command's own options (names without "--", NULL-terminated list)
 * are kept with the positional arguments for config_option() to read. */
int config_load_options(struct config *cfg, int argc, char **argv, const char *const *options,
                        int *nargs, char *err, size_t errlen);
/* The value of the command option --name (as --name=value or --name value), or NULL. */
const char *config_option(int nargs, char **args, const char *name);
/* The positional arguments without the command's options, into out (nargs entries at most);
 * returns their number. */
int config_positionals(int nargs, char **args, char **out);
/* Prints the settings table (flag, environment variable, default, help) for --help. */
void config_print_help(FILE *out);

#endif
