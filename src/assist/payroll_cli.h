/*
 * assist/payroll_cli.h — the `minzheng payroll` command (payroll_cli.c).
 */
#ifndef MZ_ASSIST_PAYROLL_CLI_H
#define MZ_ASSIST_PAYROLL_CLI_H

struct config;

/* `payroll run --region CODE --month YYYY-MM`: exit code 0, 1 or 2 (usage). */
int payroll_command(const struct config *cfg, int nargs, char **args);
extern const char *const payroll_command_options[];

#endif
