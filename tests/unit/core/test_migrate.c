/*
 * tests/unit/core/test_migrate.c — the embedded schema migrations of core/migrate.c.
 *
 * Rules under test (migrate.h; STYLE.md "Schema and reference data"): an empty database gets
 * every migration; a second run applies none; the recorded version is the latest embedded one;
 * a failing migration is rolled back with nothing recorded; "the binary refuses a schema
 * version newer than it understands" (MZ_ECONFLICT).
 *
 * Each case runs on a fresh SQLite file, and again on PostgreSQL when MINZHENG_TEST_PG is a
 * database URL (skipped otherwise). That database is shared with test_db_pg and the tests run
 * in parallel, so every PostgreSQL case works in a schema of its own (mz_migrate_<pid>, set as
 * the connection's search_path) and drops it at the end.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "tmpdir.h"

static char tmpdir[64];
static char dbpath[128];
static char schema[64];

static void setup(void) { snprintf(schema, sizeof schema, "mz_migrate_%ld", (long)getpid()); }

/* Removes the SQLite test directory, if open_sqlite() made one. (A skipped test does not reach
 * .fini, hence the directory is made only when needed.) */
static void teardown(void)
{
    if (!tmpdir[0])
        return;
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

TestSuite(migrate, .init = setup, .fini = teardown);

static struct db *open_sqlite(void)
{
    if (!tmpdir[0]) {
        test_tmpdir_template(tmpdir, sizeof tmpdir, "migrate");
        cr_assert_not_null(mkdtemp(tmpdir));
        snprintf(dbpath, sizeof dbpath, "%s/test.db", tmpdir);
    }
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(dbpath, &db, err, sizeof err), 0, "db_open: %s", err);
    return db;
}

/* A connection to MINZHENG_TEST_PG working in a fresh schema of its own, or a skipped test. */
static struct db *open_pg(void)
{
    const char *url = getenv("MINZHENG_TEST_PG");
    if (!url || !*url)
        cr_skip_test("MINZHENG_TEST_PG not set");
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(url, &db, err, sizeof err), 0, "db_open: %s", err);
    cr_assert_eq(db_kind(db), DB_POSTGRES);
    char sql[512];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; "
                              "SET search_path TO %s", schema, schema, schema);
    cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    return db;
}

static void close_db(struct db *db)
{
    if (db_kind(db) == DB_POSTGRES) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    }
    db_close(db);
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s: %s", sql, db_errmsg(db));
    cr_assert_eq(db_step(st), 1, "%s: %s", sql, db_errmsg(db));
    int64_t v = db_col_int64(st, 0);
    db_reset(st);
    return v;
}

/* Distinct versions among the embedded files, and how many files are for db's engine. */
static void expected(enum db_kind kind, int *versions, int *files)
{
    *versions = 0;
    *files = 0;
    for (size_t i = 0; i < migration_file_count; i++) {
        const char *name = migration_files[i].name;
        size_t n = strlen(name);
        bool sqlite_only = n > 11 && strcmp(name + n - 11, ".sqlite.sql") == 0;
        bool pg_only = n > 7 && strcmp(name + n - 7, ".pg.sql") == 0;
        if ((kind == DB_SQLITE && !pg_only) || (kind == DB_POSTGRES && !sqlite_only))
            (*files)++;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= atoi(migration_files[j].name) == atoi(name);
        if (!seen)
            (*versions)++;
    }
}

Test(migrate, embedded_files)
{
    cr_assert_gt(migration_file_count, 0, "mig-1.1");
    int latest = 0;
    for (size_t i = 0; i < migration_file_count; i++) {
        const char *name = migration_files[i].name;
        /* NNNN_what.sql: four digits, an underscore, a version from 1 */
        cr_assert(strlen(name) > 9, "mig-1.2: %s", name);
        for (int d = 0; d < 4; d++)
            cr_assert(name[d] >= '0' && name[d] <= '9', "mig-1.2: %s", name);
        cr_assert_eq(name[4], '_', "mig-1.2: %s", name);
        cr_assert_gt(atoi(name), 0, "mig-1.2: %s", name);
        cr_assert_not_null(strstr(name, ".sql"), "mig-1.2: %s", name);
        cr_assert_gt(strlen(migration_files[i].sql), 0, "mig-1.3: %s is empty", name);
        if (atoi(name) > latest)
            latest = atoi(name);
    }
    cr_assert_eq(migrate_latest_version(), latest, "mig-1.4");
}

/* An empty database gets everything; running again applies nothing. */
static void check_fresh_then_again(struct db *db)
{
    int versions, files;
    expected(db_kind(db), &versions, &files);
    int applied = -1, version = -1;
    cr_assert_eq(migrate_run(db, &applied), 0, "mig-2.1: %s", db_errmsg(db));
    cr_assert_eq(applied, versions, "mig-2.1");
    cr_assert_eq(migrate_current_version(db, &version), 0, "mig-2.2: %s", db_errmsg(db));
    cr_assert_eq(version, migrate_latest_version(), "mig-2.2");
    /* one row per version, however many dialect files it has */
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema_migration"), versions, "mig-2.3");
    (void)files;
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema_migration WHERE name = '' OR "
                            "applied_at NOT LIKE '____-__-__T__:__:__Z'"),
                 0, "mig-2.4: every row has its file name and a UTC time");

    applied = -1;
    cr_assert_eq(migrate_run(db, &applied), 0, "mig-2.5: %s", db_errmsg(db));
    cr_assert_eq(applied, 0, "mig-2.5");
    cr_assert_eq(migrate_run(db, NULL), 0, "mig-2.6: applied may be NULL");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema_migration"), versions, "mig-2.7");
    version = -1;
    cr_assert_eq(migrate_current_version(db, &version), 0);
    cr_assert_eq(version, migrate_latest_version(), "mig-2.7");

    /* the schema is really there and enforces its rules (0001_region.sql) */
    cr_assert_eq(db_exec(db, "INSERT INTO region (code, name, level, parent, path_codes, "
                             "path_names, valid_from, source) VALUES ('510000000000', '四川省', "
                             "1, NULL, '510000000000', '四川省', '2023-01-01', 'test')"),
                 0, "mig-2.8: %s", db_errmsg(db));
    cr_assert_eq(db_exec(db, "INSERT INTO region (code, name, level, parent, path_codes, "
                             "path_names, valid_from, source) VALUES ('510100000000', 'x', "
                             "6, NULL, 'x', 'x', '2023-01-01', 'test')"),
                 MZ_EVALIDATE, "mig-2.9: level 6 fails the CHECK");
    cr_assert_eq(db_exec(db, "INSERT INTO setting (key, value) VALUES ('demo', '510104')"), 0,
                 "mig-2.10: %s", db_errmsg(db));
}

Test(migrate, fresh_then_again_sqlite)
{
    struct db *db = open_sqlite();
    check_fresh_then_again(db);
    close_db(db);
    /* and from a new connection: the version is stored, not remembered */
    db = open_sqlite();
    int applied = -1;
    cr_assert_eq(migrate_run(db, &applied), 0, "mig-2.11");
    cr_assert_eq(applied, 0, "mig-2.11");
    close_db(db);
}

Test(migrate, fresh_then_again_pg)
{
    struct db *db = open_pg();
    check_fresh_then_again(db);
    close_db(db);
}

/* A database whose schema is newer than this binary is refused, and left alone. */
static void check_newer(struct db *db)
{
    cr_assert_eq(migrate_run(db, NULL), 0, "%s", db_errmsg(db));
    char sql[256];
    int newer = migrate_latest_version() + 1;
    snprintf(sql, sizeof sql, "INSERT INTO schema_migration (version, name, applied_at) "
                              "VALUES (%d, '%04d_future.sql', '2099-01-01T00:00:00Z')",
             newer, newer);
    cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    int applied = -1, version = -1;
    cr_assert_eq(migrate_run(db, &applied), MZ_ECONFLICT, "mig-3.1");
    cr_assert_eq(applied, -1, "mig-3.2: applied written only on success");
    cr_assert_eq(migrate_current_version(db, &version), 0);
    cr_assert_eq(version, newer, "mig-3.3: nothing removed");
    int versions, files;
    expected(db_kind(db), &versions, &files);
    cr_assert_eq(scalar(db, "SELECT count(*) FROM schema_migration"), versions + 1, "mig-3.4");
    (void)files;
}

Test(migrate, newer_schema_sqlite)
{
    struct db *db = open_sqlite();
    check_newer(db);
    close_db(db);
}

Test(migrate, newer_schema_pg)
{
    struct db *db = open_pg();
    check_newer(db);
    close_db(db);
}

/* A database that already has schema_migration but no rows is at version 0. */
static void check_empty_table(struct db *db)
{
    cr_assert_eq(db_exec(db, "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at TEXT NOT NULL)"),
                 0, "%s", db_errmsg(db));
    int version = -1;
    cr_assert_eq(migrate_current_version(db, &version), 0, "mig-4.1: %s", db_errmsg(db));
    cr_assert_eq(version, 0, "mig-4.1");
    int applied = -1, versions, files;
    expected(db_kind(db), &versions, &files);
    cr_assert_eq(migrate_run(db, &applied), 0, "mig-4.2: %s", db_errmsg(db));
    cr_assert_eq(applied, versions, "mig-4.2");
}

Test(migrate, empty_table_sqlite)
{
    struct db *db = open_sqlite();
    check_empty_table(db);
    close_db(db);
}

Test(migrate, empty_table_pg)
{
    struct db *db = open_pg();
    check_empty_table(db);
    close_db(db);
}

/* A migration that fails (here: its table already exists) is rolled back whole: nothing of it
 * is kept or recorded, the error comes back, and the next run can still succeed. */
static void check_failure_rolls_back(struct db *db)
{
    cr_assert_eq(db_exec(db, "CREATE TABLE region (code TEXT)"), 0, "%s", db_errmsg(db));
    int applied = -1;
    int rc = migrate_run(db, &applied);
    cr_assert_lt(rc, 0, "mig-5.1");
    cr_assert_neq(rc, MZ_ECONFLICT, "mig-5.1: not the newer-schema refusal");
    cr_assert_eq(applied, -1, "mig-5.1");
    int version = -1;
    cr_assert_eq(migrate_current_version(db, &version), 0, "mig-5.2: %s", db_errmsg(db));
    cr_assert_eq(version, 0, "mig-5.2: nothing recorded");
    cr_assert_neq(db_exec(db, "SELECT 1 FROM setting"), 0,
                  "mig-5.3: the migration's other table was rolled back");
    /* not inside a dangling transaction: a BEGIN works */
    cr_assert_eq(db_begin(db), 0, "mig-5.4: %s", db_errmsg(db));
    cr_assert_eq(db_rollback(db), 0);

    cr_assert_eq(db_exec(db, "DROP TABLE region"), 0);
    int versions, files;
    expected(db_kind(db), &versions, &files);
    cr_assert_eq(migrate_run(db, &applied), 0, "mig-5.5: %s", db_errmsg(db));
    cr_assert_eq(applied, versions, "mig-5.5");
}

Test(migrate, failure_rolls_back_sqlite)
{
    struct db *db = open_sqlite();
    check_failure_rolls_back(db);
    close_db(db);
}

Test(migrate, failure_rolls_back_pg)
{
    struct db *db = open_pg();
    check_failure_rolls_back(db);
    close_db(db);
}
