/*
 * core/db_sqlite.c — the SQLite backend of the storage interface (db.h).
 *
 * The embedded default: a file opened in WAL mode with synchronous=NORMAL, foreign keys on and
 * a busy timeout, so several worker threads (one connection each) can read while one writes.
 * Statements are cached per connection in a small open-addressing table keyed by SQL text.
 * Bulk loads (db_copy_*) are a prepared INSERT run inside the caller's
 * transaction, which is SQLite's fastest safe path.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_backend.h"
#include "errors.h"

#define BUSY_TIMEOUT_MS 5000

struct sl_stmt {
    struct db_stmt base;
    struct sl_db *db;
    sqlite3_stmt *stmt;
    const char *sql;   /* owned copy, the cache key */
    int last_rc;       /* SQLITE_ROW, SQLITE_DONE or 0 before the first step */
    int64_t changes;
};

struct sl_db {
    struct db base;
    sqlite3 *handle;
    struct sl_stmt **slots; /* open addressing, power-of-two size */
    size_t nslots, nused;
    struct sl_stmt *copy;   /* the INSERT of a running db_copy */
    int copy_err;
    char err[256];
};

static int map_rc(struct sl_db *db, int rc)
{
    snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(db->handle));
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
            return MZ_EVALIDATE;
        return MZ_ECONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return MZ_EUNAVAILABLE;
    case SQLITE_NOMEM:
        return MZ_ENOMEM;
    default:
        return MZ_EDB;
    }
}

/* Before the first connection: no memory statistics, whose global mutex every allocation of
 * every connection would otherwise take (each connection belongs to one thread). */
static void sl_configure(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static int sl_open(const char *url, struct db **out, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sl_configure);
    const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    struct sl_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return MZ_EUNAVAILABLE;
    }
    db->base.ops = &db_sqlite_ops;
    db->base.kind = DB_SQLITE;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db->handle, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open SQLite database %s: %s", path,
                 db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
        sqlite3_close(db->handle);
        free(db);
        return MZ_EUNAVAILABLE;
    }
    sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db->handle, 1);
    char *msg = NULL;
    if (sqlite3_exec(db->handle,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                     "PRAGMA case_sensitive_like=ON;" /* LIKE as on PostgreSQL */
                     "PRAGMA temp_store=MEMORY;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "cannot configure SQLite database %s: %s", path,
                 msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close(db->handle);
        free(db);
        return MZ_EUNAVAILABLE;
    }
    *out = &db->base;
    return 0;
}

static void sl_close(struct db *base)
{
    struct sl_db *db = (struct sl_db *)base;
    for (size_t i = 0; i < db->nslots; i++) {
        struct sl_stmt *st = db->slots[i];
        if (!st)
            continue;
        sqlite3_finalize(st->stmt);
        free((char *)st->sql);
        free(st);
    }
    free(db->slots);
    sqlite3_close(db->handle);
    free(db);
}

static const char *sl_errmsg(struct db *base) { return ((struct sl_db *)base)->err; }

static bool sl_ping(struct db *base)
{
    struct sl_db *db = (struct sl_db *)base;
    return sqlite3_exec(db->handle, "SELECT 1", NULL, NULL, NULL) == SQLITE_OK;
}

static bool sl_in_transaction(struct db *base)
{
    return !sqlite3_get_autocommit(((struct sl_db *)base)->handle);
}

static int sl_exec(struct db *base, const char *sql)
{
    struct sl_db *db = (struct sl_db *)base;
    char *msg = NULL;
    int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    int err = map_rc(db, rc);
    if (msg)
        snprintf(db->err, sizeof db->err, "%s", msg);
    sqlite3_free(msg);
    return err;
}

/* FNV-1a over the SQL text. */
static size_t hash_sql(const char *sql)
{
    size_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int grow_cache(struct sl_db *db)
{
    size_t n = db->nslots ? db->nslots * 2 : 64;
    struct sl_stmt **slots = calloc(n, sizeof *slots);
    if (!slots)
        return MZ_ENOMEM;
    for (size_t i = 0; i < db->nslots; i++) {
        struct sl_stmt *st = db->slots[i];
        if (!st)
            continue;
        size_t j = hash_sql(st->sql) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = st;
    }
    free(db->slots);
    db->slots = slots;
    db->nslots = n;
    return 0;
}

static void sl_reset(struct db_stmt *base)
{
    struct sl_stmt *st = (struct sl_stmt *)base;
    sqlite3_reset(st->stmt);
    sqlite3_clear_bindings(st->stmt);
    st->last_rc = 0;
}

static int sl_prepare(struct db *base, const char *sql, struct db_stmt **out)
{
    struct sl_db *db = (struct sl_db *)base;
    if (db->nused * 2 >= db->nslots && grow_cache(db) != 0)
        return MZ_ENOMEM;
    size_t i = hash_sql(sql) & (db->nslots - 1);
    for (; db->slots[i]; i = (i + 1) & (db->nslots - 1)) {
        if (strcmp(db->slots[i]->sql, sql) == 0) {
            sl_reset(&db->slots[i]->base);
            *out = &db->slots[i]->base;
            return 0;
        }
    }
    struct sl_stmt *st = calloc(1, sizeof *st);
    char *copy = strdup(sql);
    if (!st || !copy) {
        free(st);
        free(copy);
        return MZ_ENOMEM;
    }
    int rc = sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt, NULL);
    if (rc != SQLITE_OK) {
        int err = map_rc(db, rc);
        free(st);
        free(copy);
        return err == MZ_EUNAVAILABLE ? err : MZ_EDB;
    }
    st->base.ops = &db_sqlite_ops;
    st->db = db;
    st->sql = copy;
    db->slots[i] = st;
    db->nused++;
    *out = &st->base;
    return 0;
}

static int bind_rc(struct sl_stmt *st, int rc)
{
    return rc == SQLITE_OK ? 0 : map_rc(st->db, rc);
}

static int sl_bind_text(struct db_stmt *base, int index, const char *text, size_t len)
{
    struct sl_stmt *st = (struct sl_stmt *)base;
    return bind_rc(st, sqlite3_bind_text64(st->stmt, index, text, len, SQLITE_TRANSIENT,
                                           SQLITE_UTF8));
}

static int sl_bind_int64(struct db_stmt *base, int index, int64_t value)
{
    struct sl_stmt *st = (struct sl_stmt *)base;
    return bind_rc(st, sqlite3_bind_int64(st->stmt, index, value));
}

static int sl_bind_null(struct db_stmt *base, int index)
{
    struct sl_stmt *st = (struct sl_stmt *)base;
    return bind_rc(st, sqlite3_bind_null(st->stmt, index));
}

static int sl_step(struct db_stmt *base)
{
    struct sl_stmt *st = (struct sl_stmt *)base;
    if (st->last_rc == SQLITE_DONE)
        return 0;
    int rc = sqlite3_step(st->stmt);
    st->last_rc = rc;
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE) {
        st->changes = sqlite3_changes64(st->db->handle);
        return 0;
    }
    int err = map_rc(st->db, rc);
    sqlite3_reset(st->stmt);
    st->last_rc = 0;
    return err;
}

static int sl_col_count(struct db_stmt *base)
{
    return sqlite3_column_count(((struct sl_stmt *)base)->stmt);
}

static bool sl_col_null(struct db_stmt *base, int col)
{
    return sqlite3_column_type(((struct sl_stmt *)base)->stmt, col) == SQLITE_NULL;
}

static const char *sl_col_text(struct db_stmt *base, int col, size_t *len)
{
    sqlite3_stmt *stmt = ((struct sl_stmt *)base)->stmt;
    const char *text = (const char *)sqlite3_column_text(stmt, col);
    if (len)
        *len = text ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
    return text;
}

static int64_t sl_col_int64(struct db_stmt *base, int col)
{
    return sqlite3_column_int64(((struct sl_stmt *)base)->stmt, col);
}

static int64_t sl_changes(struct db_stmt *base) { return ((struct sl_stmt *)base)->changes; }

static int sl_copy_begin(struct db *base, const char *table, const char *const *columns, int n)
{
    struct sl_db *db = (struct sl_db *)base;
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s (", table);
    for (int i = 0; i < n && used < sizeof sql; i++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, "%s%s", i ? "," : "", columns[i]);
    for (int i = 0; i < n && used < sizeof sql; i++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, "%s", i ? ",?" : ") VALUES (?");
    if (used + 2 >= sizeof sql)
        return MZ_EINVAL;
    memcpy(sql + used, ")", 2);
    struct db_stmt *st;
    int err = sl_prepare(base, sql, &st);
    if (err)
        return err;
    db->copy = (struct sl_stmt *)st;
    db->copy_err = 0;
    return 0;
}

static int sl_copy_row(struct db *base, const char *const *values, const size_t *lens)
{
    struct sl_db *db = (struct sl_db *)base;
    if (db->copy_err)
        return db->copy_err;
    struct sl_stmt *st = db->copy;
    int n = sqlite3_bind_parameter_count(st->stmt);
    for (int i = 0; i < n; i++) {
        size_t len = !values[i] ? 0 : lens ? lens[i] : strlen(values[i]);
        int rc = values[i] ? sqlite3_bind_text64(st->stmt, i + 1, values[i], len, SQLITE_STATIC,
                                                 SQLITE_UTF8)
                           : sqlite3_bind_null(st->stmt, i + 1);
        if (rc != SQLITE_OK)
            return db->copy_err = map_rc(db, rc);
    }
    int rc = sqlite3_step(st->stmt);
    sqlite3_reset(st->stmt);
    if (rc != SQLITE_DONE)
        return db->copy_err = map_rc(db, rc);
    return 0;
}

static int sl_copy_end(struct db *base)
{
    struct sl_db *db = (struct sl_db *)base;
    if (db->copy)
        sl_reset(&db->copy->base);
    db->copy = NULL;
    return db->copy_err;
}

const struct db_ops db_sqlite_ops = {
    .open = sl_open,
    .close = sl_close,
    .errmsg = sl_errmsg,
    .ping = sl_ping,
    .in_transaction = sl_in_transaction,
    .exec = sl_exec,
    .prepare = sl_prepare,
    .bind_text = sl_bind_text,
    .bind_int64 = sl_bind_int64,
    .bind_null = sl_bind_null,
    .step = sl_step,
    .col_count = sl_col_count,
    .col_null = sl_col_null,
    .col_text = sl_col_text,
    .col_int64 = sl_col_int64,
    .changes = sl_changes,
    .reset = sl_reset,
    .copy_begin = sl_copy_begin,
    .copy_row = sl_copy_row,
    .copy_end = sl_copy_end,
};
