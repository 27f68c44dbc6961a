/*
 * core/db.c — dispatch of the storage interface (db.h) to its backend.
 *
 * Nothing here knows SQL dialects beyond how a write transaction begins.
 */
#include <string.h>

#include "arena.h"
#include "db_backend.h"
#include "errors.h"
#include "log.h"

enum db_kind db_url_kind(const char *url)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return DB_POSTGRES;
    return DB_SQLITE;
}

int db_open(const char *url, struct db **out, char *err, size_t errlen)
{
    const struct db_ops *ops = db_url_kind(url) == DB_POSTGRES ? &db_pg_ops : &db_sqlite_ops;
    return ops->open(url, out, err, errlen);
}

struct db *db_connect(const char *url)
{
    char err[512];
    struct db *db;
    if (db_open(url, &db, err, sizeof err) != 0) {
        log_error(NULL, "%s", err);
        return NULL;
    }
    return db;
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

enum db_kind db_kind(const struct db *db) { return db->kind; }
const char *db_errmsg(struct db *db) { return db->ops->errmsg(db); }
bool db_ping(struct db *db) { return db->ops->ping(db); }
int db_exec(struct db *db, const char *sql) { return db->ops->exec(db, sql); }

int db_run(struct db *db, const char *sql, const int64_t *params, int n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        db_bind_int64(st, i + 1, params[i]);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    return db->ops->prepare(db, sql, out);
}

int db_bind_text(struct db_stmt *st, int index, const char *text, size_t len)
{
    return st->ops->bind_text(st, index, text, len);
}

int db_bind_int64(struct db_stmt *st, int index, int64_t value)
{
    return st->ops->bind_int64(st, index, value);
}

int db_bind_null(struct db_stmt *st, int index) { return st->ops->bind_null(st, index); }
int db_step(struct db_stmt *st) { return st->ops->step(st); }
int db_col_count(struct db_stmt *st) { return st->ops->col_count(st); }
bool db_col_null(struct db_stmt *st, int col) { return st->ops->col_null(st, col); }

const char *db_col_text(struct db_stmt *st, int col, size_t *len)
{
    return st->ops->col_text(st, col, len);
}

const char *db_col_dup(struct db_stmt *st, struct arena *a, int col)
{
    if (db_col_null(st, col))
        return NULL;
    size_t len = 0;
    const char *t = db_col_text(st, col, &len);
    return arena_strndup(a, t ? t : "", len);
}

int64_t db_col_int64(struct db_stmt *st, int col) { return st->ops->col_int64(st, col); }
int64_t db_changes(struct db_stmt *st) { return st->ops->changes(st); }

void db_reset(struct db_stmt *st)
{
    if (st)
        st->ops->reset(st);
}

int db_begin(struct db *db)
{
    return db->ops->exec(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
}

int db_finish(struct db *db, int rc)
{
    if (rc == 0)
        rc = db_commit(db);
    if (rc)
        db->ops->exec(db, "ROLLBACK");
    return rc;
}

bool db_in_transaction(struct db *db) { return db->ops->in_transaction(db); }
int db_commit(struct db *db) { return db->ops->exec(db, "COMMIT"); }
int db_rollback(struct db *db) { return db->ops->exec(db, "ROLLBACK"); }

int db_copy_begin(struct db *db, const char *table, const char *const *columns, int ncolumns)
{
    return db->ops->copy_begin(db, table, columns, ncolumns);
}

int db_copy_row(struct db *db, const char *const *values, const size_t *lens)
{
    return db->ops->copy_row(db, values, lens);
}

int db_copy_end(struct db *db) { return db->ops->copy_end(db); }
