/*
 * core/migrate.c — applying the embedded migrations; see migrate.h.
 *
 * Two processes migrating at once are serialised: SQLite by BEGIN IMMEDIATE, PostgreSQL by a
 * transaction-level advisory lock; the second one then finds the version already recorded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "errors.h"
#include "log.h"
#include "migrate.h"


static int file_version(const struct migration_file *f) { return atoi(f->name); }

/* True when file f is for the engine of db (plain .sql files are for both). */
static bool file_for(const struct migration_file *f, enum db_kind kind)
{
    size_t n = strlen(f->name);
    if (n > 11 && strcmp(f->name + n - 11, ".sqlite.sql") == 0)
        return kind == DB_SQLITE;
    if (n > 7 && strcmp(f->name + n - 7, ".pg.sql") == 0)
        return kind == DB_POSTGRES;
    return true;
}

int migrate_latest_version(void)
{
    int latest = 0;
    for (size_t i = 0; i < migration_file_count; i++)
        if (file_version(&migration_files[i]) > latest)
            latest = file_version(&migration_files[i]);
    return latest;
}

static int ensure_table(struct db *db)
{
    return db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migration ("
                       " version INTEGER PRIMARY KEY,"
                       " name TEXT NOT NULL,"
                       " applied_at TEXT NOT NULL)");
}

int migrate_current_version(struct db *db, int *version)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migration", &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == 1)
        *version = (int)db_col_int64(st, 0);
    db_reset(st);
    return rc == 1 ? 0 : (rc < 0 ? rc : MZ_EDB);
}

static int lock(struct db *db)
{
    if (db_kind(db) == DB_SQLITE)
        return db_exec(db, "BEGIN IMMEDIATE");
    int rc = db_begin(db);
    if (rc == 0)
        rc = db_exec(db, "SELECT pg_advisory_xact_lock(1836215655)" /* any fixed key */);
    return rc;
}

static int record(struct db *db, const struct migration_file *f)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO schema_migration (version, name, applied_at) "
                            "VALUES (?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, file_version(f));
    db_bind_text(st, 2, f->name, strlen(f->name));
    db_bind_text(st, 3, now, strlen(now));
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Applies version v (every file of that version for this engine, in order) in one transaction
 * and records it once, under the name of its first file. */
static int apply_version(struct db *db, int v)
{
    int rc = lock(db);
    int current = 0;
    if (rc == 0)
        rc = migrate_current_version(db, &current);
    if (rc == 0 && current >= v) {
        db_rollback(db);
        return 0; /* another process applied it meanwhile */
    }
    const struct migration_file *first = NULL;
    for (size_t i = 0; rc == 0 && i < migration_file_count; i++) {
        const struct migration_file *f = &migration_files[i];
        if (file_version(f) != v)
            continue;
        if (!first)
            first = f;
        if (!file_for(f, db_kind(db)))
            continue;
        rc = db_exec(db, f->sql);
        if (rc == 0)
            log_info("applied migration %s", f->name);
        else
            log_error(NULL, "migration %s failed: %s", f->name, db_errmsg(db));
    }
    if (rc == 0 && first)
        rc = record(db, first);
    return db_finish(db, rc);
}

int migrate_run(struct db *db, int *applied)
{
    int rc = ensure_table(db), current = 0, count = 0;
    if (rc == 0)
        rc = migrate_current_version(db, &current);
    if (rc)
        return rc;
    int latest = migrate_latest_version();
    if (current > latest) {
        log_error(NULL, "database schema version %d is newer than this program's %d: "
                        "upgrade minzheng before using this database", current, latest);
        return MZ_ECONFLICT;
    }
    for (int v = current + 1; v <= latest; v++) {
        bool exists = false;
        for (size_t i = 0; i < migration_file_count; i++)
            exists |= file_version(&migration_files[i]) == v;
        if (!exists)
            continue;
        rc = apply_version(db, v);
        if (rc)
            return rc;
        count++;
    }
    if (applied)
        *applied = count;
    return 0;
}
