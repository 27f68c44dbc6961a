/*
 * admin.h — the administrator's commands on a terminal: `minzheng user …`, `minzheng audit …`,
 * and what `migrate` does after the schema (first accounts, PostgreSQL grants).
 */
#ifndef MZ_ADMIN_H
#define MZ_ADMIN_H

struct config;
struct db;

/* `user add LOGIN REGION ROLE[,ROLE…] [NAME]`, `user reset|lock|unlock LOGIN`. Prints one-time
 * passwords once. Returns an exit code (0, 1 failure, 2 usage). */
int admin_user(const struct config *cfg, int nargs, char **args);
/* `audit verify` and `audit prune [DAYS]`. Returns an exit code (verify: 1 when broken). */
int admin_audit(const struct config *cfg, int nargs, char **args);
/* After migrations: on an empty database creates the three administrators of 三员分立 (admin,
 * secadmin, auditor; national scope) and prints their one-time passwords; on PostgreSQL grants
 * the application role its privileges (audit log: INSERT and SELECT only). Returns 0 or MZ_E…. */
int admin_bootstrap(struct db *db, const struct config *cfg);
/* Creates (or resets) an account with a fresh random password that need not be changed, for
 * the demo site only; prints the login line. Returns 0 or MZ_E…. */
int admin_demo_account(struct db *db, const char *login, const char *name, const char *region,
                       const char *role);

#endif
