/*
 * core/migrate.h — schema migrations: numbered SQL files in sql/, embedded at build time.
 *
 * A file is `NNNN_what.sql` (both engines) or a pair `NNNN_what.sqlite.sql` /
 * `NNNN_what.pg.sql` where the dialects differ. Each version is applied in its own
 * transaction and recorded in schema_migration; running migrate again applies nothing. The
 * binary refuses a database whose schema is newer than the files it carries.
 */
#ifndef MZ_MIGRATE_H
#define MZ_MIGRATE_H

#include <stddef.h>

struct db;

struct migration_file {
    const char *name; /* "0001_region.sql" */
    const char *sql;
};

extern const struct migration_file migration_files[];
extern const size_t migration_file_count;

/* Highest version among the embedded files. */
int migrate_latest_version(void);
/* Version recorded in the database (0 when none) into *version; 0 or MZ_E…. */
int migrate_current_version(struct db *db, int *version);
/* Applies every pending migration; *applied (may be NULL) receives how many. Returns 0, or
 * MZ_ECONFLICT when the database is newer than this binary, or the failing migration's error
 * (that migration rolled back, earlier ones kept). */
int migrate_run(struct db *db, int *applied);

#endif
