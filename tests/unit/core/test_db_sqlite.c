/*
 * tests/unit/core/test_db_sqlite.c — the SQLite backend of core/db (db_sqlite.c), through the
 * public interface of db.h.
 *
 * Rules under test (db.h): parameters bound 1-based, columns read 0-based; every value reads
 * as text; NULL reads as a NULL pointer; statements are cached by SQL text and come back
 * reset with their bindings cleared; a unique or foreign-key violation is MZ_ECONFLICT, NOT
 * NULL and CHECK are MZ_EVALIDATE (db_sqlite.c map_rc), anything else MZ_EDB; db_copy_* loads
 * rows inside the caller's transaction. Each test works on its own file in a fresh temporary
 * directory, removed afterwards (with the WAL and shared-memory files).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "errors.h"
#include "tmpdir.h"

static char tmpdir[64];
static char dbpath[128];

static void setup(void)
{
    test_tmpdir_template(tmpdir, sizeof tmpdir, "sqlite");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/test.db", tmpdir);
}

static void teardown(void)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

TestSuite(db_sqlite, .init = setup, .fini = teardown);

static struct db *open_db(void)
{
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(dbpath, &db, err, sizeof err), 0, "db_open: %s", err);
    cr_assert_not_null(db);
    cr_assert_eq(db_kind(db), DB_SQLITE);
    return db;
}

static int64_t count(struct db *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_step(st), 1, "%s", db_errmsg(db));
    int64_t n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

Test(db_sqlite, url_kind)
{
    static const struct {
        const char *id, *url;
        enum db_kind kind;
    } c[] = {
        { "sl-1.1", "postgresql://u@h/db", DB_POSTGRES },
        { "sl-1.2", "postgres://h/db", DB_POSTGRES },
        { "sl-1.3", "var/minzheng.db", DB_SQLITE },
        { "sl-1.4", "sqlite:var/minzheng.db", DB_SQLITE },
        { "sl-1.5", "", DB_SQLITE },
        { "sl-1.6", "postgresql:/h/db", DB_SQLITE },
        { "sl-1.7", "POSTGRESQL://h/db", DB_SQLITE },
        { "sl-1.8", "/tmp/postgresql://x", DB_SQLITE },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(db_url_kind(c[i].url), c[i].kind, "%s: %s", c[i].id, c[i].url);
}

Test(db_sqlite, open)
{
    struct db *db = open_db();
    cr_assert(db_ping(db), "sl-2.1");
    db_close(db);
    cr_assert_eq(access(dbpath, F_OK), 0, "sl-2.2: the file was created");

    /* the "sqlite:" prefix names the same file */
    char url[160];
    snprintf(url, sizeof url, "sqlite:%s", dbpath);
    char err[256] = "";
    cr_assert_eq(db_open(url, &db, err, sizeof err), 0, "sl-2.3: %s", err);
    db_close(db);

    /* a directory that does not exist: MZ_EUNAVAILABLE, a one-line reason, no handle */
    struct db *none = NULL;
    err[0] = '\0';
    cr_assert_eq(db_open("/nonexistent/dir/x.db", &none, err, sizeof err), MZ_EUNAVAILABLE,
                 "sl-2.4");
    cr_assert_null(none, "sl-2.4");
    cr_assert_neq(err[0], '\0', "sl-2.4");
    cr_assert_null(strchr(err, '\n'), "sl-2.4: %s", err);
    db_close(NULL); /* allowed */
}

Test(db_sqlite, types_and_nulls)
{
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "n INTEGER); CREATE TABLE q (x INTEGER)"),
                 0, "sl-3.1: two statements: %s", db_errmsg(db));

    static const struct {
        const char *id;
        int64_t key;
        const char *name;
        size_t name_len;
        bool null_n;
        int64_t n;
        const char *n_text;
    } c[] = {
        /* name_len 0: strlen(name); the NUL case gives its length */
        { "sl-3.2", 1, "", 0, false, 0, "0" },
        { "sl-3.3", 2, "张三 'quoted' ?", 0, false, INT64_MIN, "-9223372036854775808" },
        { "sl-3.4", 3, "tab\there\n", 0, false, INT64_MAX, "9223372036854775807" },
        { "sl-3.5", 4, "a\0b", 3, true, 0, NULL },
        { "sl-3.6", 5, "x", 0, false, -1, "-1" },
    };
    struct db_stmt *ins;
    cr_assert_eq(db_prepare(db, "INSERT INTO p (id, name, n) VALUES (?, ?, ?)", &ins), 0);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(db_prepare(db, "INSERT INTO p (id, name, n) VALUES (?, ?, ?)", &ins), 0);
        cr_assert_eq(db_bind_int64(ins, 1, c[i].key), 0, "%s", c[i].id);
        size_t name_len = c[i].name_len ? c[i].name_len : strlen(c[i].name);
        cr_assert_eq(db_bind_text(ins, 2, c[i].name, name_len), 0, "%s", c[i].id);
        cr_assert_eq(c[i].null_n ? db_bind_null(ins, 3) : db_bind_int64(ins, 3, c[i].n), 0,
                     "%s", c[i].id);
        cr_assert_eq(db_step(ins), 0, "%s: %s", c[i].id, db_errmsg(db));
        cr_assert_eq(db_changes(ins), 1, "%s", c[i].id);
    }

    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "SELECT id, name, n FROM p ORDER BY id", &st), 0);
    cr_assert_eq(db_col_count(st), 3, "sl-3.7");
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(db_step(st), 1, "%s: %s", c[i].id, db_errmsg(db));
        cr_assert_eq(db_col_int64(st, 0), c[i].key, "%s", c[i].id);
        size_t len = 999;
        const char *name = db_col_text(st, 1, &len);
        cr_assert_not_null(name, "%s", c[i].id);
        cr_assert_eq(len, c[i].name_len ? c[i].name_len : strlen(c[i].name), "%s", c[i].id);
        cr_assert_eq(memcmp(name, c[i].name, len), 0, "%s", c[i].id);
        cr_assert_not(db_col_null(st, 1), "%s", c[i].id);
        if (c[i].null_n) {
            cr_assert(db_col_null(st, 2), "%s", c[i].id);
            len = 999;
            cr_assert_null(db_col_text(st, 2, &len), "%s: NULL reads as NULL", c[i].id);
            cr_assert_eq(len, 0, "%s", c[i].id);
            cr_assert_eq(db_col_int64(st, 2), 0, "%s", c[i].id);
        } else {
            cr_assert_not(db_col_null(st, 2), "%s", c[i].id);
            cr_assert_eq(db_col_int64(st, 2), c[i].n, "%s", c[i].id);
            /* an integer reads as its decimal text too; len may be NULL */
            cr_assert_str_eq(db_col_text(st, 2, NULL), c[i].n_text, "%s", c[i].id);
        }
    }
    cr_assert_eq(db_step(st), 0, "sl-3.8: done");
    cr_assert_eq(db_step(st), 0, "sl-3.8: stays done until reset");
    db_reset(st);
    cr_assert_eq(db_step(st), 1, "sl-3.9: runs again after reset");
    db_reset(NULL); /* allowed */

    /* UPDATE counts its rows; a statement with no parameters binds nothing */
    struct db_stmt *up;
    cr_assert_eq(db_prepare(db, "UPDATE p SET n = ? WHERE id > ?", &up), 0);
    cr_assert_eq(db_bind_null(up, 1), 0);
    cr_assert_eq(db_bind_int64(up, 2, 2), 0);
    cr_assert_eq(db_step(up), 0, "sl-3.10: %s", db_errmsg(db));
    cr_assert_eq(db_changes(up), 3, "sl-3.10");
    cr_assert_eq(db_prepare(db, "DELETE FROM p WHERE id = 999", &up), 0);
    cr_assert_eq(db_step(up), 0, "sl-3.11");
    cr_assert_eq(db_changes(up), 0, "sl-3.11");

    /* binding outside 1…count is refused */
    cr_assert_eq(db_prepare(db, "SELECT ?", &st), 0);
    cr_assert_lt(db_bind_int64(st, 0, 1), 0, "sl-3.12");
    cr_assert_lt(db_bind_int64(st, 2, 1), 0, "sl-3.13");
    cr_assert_lt(db_bind_text(st, 2, "x", 1), 0, "sl-3.13");
    cr_assert_lt(db_bind_null(st, 2), 0, "sl-3.13");
    cr_assert_eq(db_bind_int64(st, 1, 5), 0, "sl-3.14");
    cr_assert_eq(db_step(st), 1, "sl-3.14");
    cr_assert_eq(db_col_int64(st, 0), 5, "sl-3.14");
    db_close(db);
}

/* The cache hands back the same statement for the same SQL text, reset and unbound. */
Test(db_sqlite, statement_cache)
{
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY);"
                             "INSERT INTO t VALUES (1), (2), (3)"),
                 0);
    const char *sql = "SELECT id FROM t WHERE id >= ? ORDER BY id";
    struct db_stmt *st, *again, *other;
    cr_assert_eq(db_prepare(db, sql, &st), 0);
    cr_assert_eq(db_bind_int64(st, 1, 2), 0);
    cr_assert_eq(db_step(st), 1, "sl-4.1");
    cr_assert_eq(db_col_int64(st, 0), 2, "sl-4.1");

    /* the same text (a different buffer) is the same statement, back at the start */
    char copy[128];
    snprintf(copy, sizeof copy, "%s", sql);
    cr_assert_eq(db_prepare(db, copy, &again), 0);
    cr_assert_eq(again, st, "sl-4.2: cached by SQL text");
    cr_assert_eq(db_step(again), 0, "sl-4.3: bindings cleared: id >= NULL matches nothing");
    cr_assert_eq(db_prepare(db, sql, &again), 0);
    cr_assert_eq(db_bind_int64(again, 1, 1), 0);
    cr_assert_eq(db_step(again), 1, "sl-4.4: from the first row again");
    cr_assert_eq(db_col_int64(again, 0), 1, "sl-4.4");

    /* a different text is a different statement, even if it differs only by a space */
    cr_assert_eq(db_prepare(db, "SELECT id FROM t WHERE id >= ?  ORDER BY id", &other), 0);
    cr_assert_neq(other, st, "sl-4.5");

    /* many statements: the cache grows and still finds the first one */
    for (int i = 0; i < 300; i++) {
        char text[64];
        struct db_stmt *s;
        snprintf(text, sizeof text, "SELECT ? + %d", i);
        cr_assert_eq(db_prepare(db, text, &s), 0, "sl-4.6: %d", i);
        cr_assert_eq(db_bind_int64(s, 1, 1000), 0);
        cr_assert_eq(db_step(s), 1, "sl-4.6: %d", i);
        cr_assert_eq(db_col_int64(s, 0), 1000 + i, "sl-4.6: %d", i);
    }
    cr_assert_eq(db_prepare(db, sql, &again), 0);
    cr_assert_eq(again, st, "sl-4.7: still cached after the table grew");
    struct db_stmt *s0;
    cr_assert_eq(db_prepare(db, "SELECT ? + 0", &s0), 0);
    cr_assert_eq(db_step(s0), 1, "sl-4.8");
    cr_assert(db_col_null(s0, 0), "sl-4.8: unbound parameter is NULL");
    db_close(db);
}

/* Constraint violations and other failures map to the MZ_E… codes of db.h. */
Test(db_sqlite, errors)
{
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE h (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
                             " amount_fen INTEGER CHECK (amount_fen >= 0));"
                             "CREATE TABLE m (id INTEGER PRIMARY KEY,"
                             " h INTEGER NOT NULL REFERENCES h (id))"),
                 0, "%s", db_errmsg(db));
    cr_assert_eq(db_exec(db, "INSERT INTO h VALUES (1, 'a', 0)"), 0, "sl-5.1: %s",
                 db_errmsg(db));

    static const struct {
        const char *id, *sql;
        int rc;
        const char *msg; /* part of db_errmsg */
    } c[] = {
        { "sl-5.2", "INSERT INTO h VALUES (1, 'b', 0)", MZ_ECONFLICT, "UNIQUE" },  /* pkey */
        { "sl-5.3", "INSERT INTO h VALUES (2, 'a', 0)", MZ_ECONFLICT, "UNIQUE" },
        { "sl-5.4", "INSERT INTO m VALUES (1, 99)", MZ_ECONFLICT, "FOREIGN KEY" },
        { "sl-5.5", "INSERT INTO h VALUES (3, NULL, 0)", MZ_EVALIDATE, "NOT NULL" },
        { "sl-5.6", "INSERT INTO h VALUES (4, 'c', -1)", MZ_EVALIDATE, "CHECK" },
        { "sl-5.7", "INSERT INTO nowhere VALUES (1)", MZ_EDB, "nowhere" },
        { "sl-5.8", "SELEC 1", MZ_EDB, "syntax" },
    };
    /* through db_exec … */
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(db_exec(db, c[i].sql), c[i].rc, "%s: %s", c[i].id, db_errmsg(db));
        cr_assert_not_null(strstr(db_errmsg(db), c[i].msg), "%s: %s", c[i].id, db_errmsg(db));
    }
    /* … and through prepare + step, where prepare fails only for the last two */
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, c[i].sql, &st);
        if (c[i].rc == MZ_EDB) {
            cr_assert_eq(rc, MZ_EDB, "%s", c[i].id);
            cr_assert_null(st, "%s: out written on failure", c[i].id);
            continue;
        }
        cr_assert_eq(rc, 0, "%s: %s", c[i].id, db_errmsg(db));
        cr_assert_eq(db_step(st), c[i].rc, "%s: %s", c[i].id, db_errmsg(db));
        cr_assert_not_null(strstr(db_errmsg(db), c[i].msg), "%s: %s", c[i].id, db_errmsg(db));
    }
    cr_assert_eq(count(db, "h"), 1, "sl-5.9: nothing was written");

    /* a statement that failed can run again with good values */
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "INSERT INTO h VALUES (?, ?, 5)", &st), 0);
    cr_assert_eq(db_bind_int64(st, 1, 7), 0);
    cr_assert_eq(db_bind_text(st, 2, "a", 1), 0);
    cr_assert_eq(db_step(st), MZ_ECONFLICT, "sl-5.10");
    cr_assert_eq(db_bind_text(st, 2, "z", 1), 0);
    cr_assert_eq(db_step(st), 0, "sl-5.11: %s", db_errmsg(db));
    cr_assert_eq(count(db, "h"), 2, "sl-5.11");
    db_close(db);
}

Test(db_sqlite, transactions)
{
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)"), 0);
    cr_assert_eq(db_begin(db), 0, "sl-6.1");
    cr_assert_eq(db_exec(db, "INSERT INTO t VALUES (1), (2)"), 0);
    cr_assert_eq(count(db, "t"), 2, "sl-6.1: visible inside");
    cr_assert_eq(db_rollback(db), 0, "sl-6.1");
    cr_assert_eq(count(db, "t"), 0, "sl-6.2: rollback discards");

    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_exec(db, "INSERT INTO t VALUES (3)"), 0);
    cr_assert_eq(db_commit(db), 0, "sl-6.3");
    cr_assert_eq(count(db, "t"), 1, "sl-6.3");

    /* nested BEGIN and COMMIT/ROLLBACK without a transaction are errors, not crashes */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_begin(db), MZ_EDB, "sl-6.4");
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(db_commit(db), MZ_EDB, "sl-6.5");
    cr_assert_eq(db_rollback(db), MZ_EDB, "sl-6.6");

    /* committed data is seen by a second connection to the same file */
    struct db *other = open_db();
    cr_assert_eq(count(other, "t"), 1, "sl-6.7");
    db_close(other);
    db_close(db);
}

/* Value i of column col for the copy test, as in test_db_pg.c: tabs, newlines, CR,
 * backslashes, \N look-alikes, Chinese text and, every 7th row of column 1, NULL. */
static const char *copy_value(int i, int col, char *buf, size_t cap)
{
    if (col == 1 && i % 7 == 0)
        return NULL;
    if (col == 1)
        snprintf(buf, cap, "r%d\tcol\\one\nline2\r\\N end", i);
    else
        snprintf(buf, cap, "%s\\%d\\", i % 2 ? "民政" : "\\.", i);
    return buf;
}

static const char *const cols[] = { "id", "a", "b" };

Test(db_sqlite, copy)
{
    enum { ROWS = 10000 };
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE c (id INTEGER PRIMARY KEY, a TEXT, b TEXT)"), 0);
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0, "sl-7.1: %s", db_errmsg(db));
    for (int i = 0; i < ROWS; i++) {
        char id[16], a[64], b[64];
        snprintf(id, sizeof id, "%d", i);
        const char *v[3] = { id, copy_value(i, 1, a, sizeof a), copy_value(i, 2, b, sizeof b) };
        const size_t lens[3] = { strlen(id), v[1] ? strlen(v[1]) : 0, strlen(v[2]) };
        cr_assert_eq(db_copy_row(db, v, lens), 0, "sl-7.1: row %d: %s", i, db_errmsg(db));
    }
    cr_assert_eq(db_copy_end(db), 0, "sl-7.1: %s", db_errmsg(db));
    cr_assert_eq(db_commit(db), 0);
    cr_assert_eq(count(db, "c"), ROWS, "sl-7.2");

    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "SELECT id, a, b FROM c ORDER BY id", &st), 0);
    int n = 0;
    for (int rc = db_step(st); rc == 1; rc = db_step(st), n++) {
        char a[64], b[64];
        const char *wa = copy_value(n, 1, a, sizeof a);
        cr_assert_eq(db_col_int64(st, 0), n, "sl-7.3");
        if (wa)
            cr_assert_str_eq(db_col_text(st, 1, NULL), wa, "sl-7.3: row %d", n);
        else
            cr_assert(db_col_null(st, 1), "sl-7.3: row %d", n);
        cr_assert_str_eq(db_col_text(st, 2, NULL), copy_value(n, 2, b, sizeof b),
                         "sl-7.3: row %d", n);
    }
    cr_assert_eq(n, ROWS, "sl-7.3");

    /* lens may be NULL: the values are NUL-terminated (as db_pg.c reads it) */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    const char *row[3] = { "20000", "甲", NULL };
    cr_assert_eq(db_copy_row(db, row, NULL), 0, "sl-7.4: %s", db_errmsg(db));
    cr_assert_eq(db_copy_end(db), 0, "sl-7.4");
    cr_assert_eq(db_commit(db), 0);
    cr_assert_eq(db_prepare(db, "SELECT a, b FROM c WHERE id = 20000", &st), 0);
    cr_assert_eq(db_step(st), 1, "sl-7.4");
    cr_assert_str_eq(db_col_text(st, 0, NULL), "甲", "sl-7.4");
    cr_assert(db_col_null(st, 1), "sl-7.4");
    db_reset(st);
    db_close(db);
}

/* A failing row fails the whole copy (the first error sticks and db_copy_end returns it);
 * the caller's rollback leaves nothing of it. */
Test(db_sqlite, copy_errors)
{
    struct db *db = open_db();
    cr_assert_eq(db_exec(db, "CREATE TABLE c (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT)"),
                 0);
    cr_assert_eq(db_exec(db, "INSERT INTO c VALUES (5, 'x', 'y')"), 0);

    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    const char *ok[3] = { "6", "a", "b" }, *dup[3] = { "5", "x", "y" }, *nul[3] = { "7", 0, 0 };
    const size_t ok_len[3] = { 1, 1, 1 }, dup_len[3] = { 1, 1, 1 }, nul_len[3] = { 1, 0, 0 };
    cr_assert_eq(db_copy_row(db, ok, ok_len), 0, "sl-8.1");
    int rc = db_copy_row(db, dup, dup_len);
    cr_assert(rc == 0 || rc == MZ_ECONFLICT, "sl-8.2: %d", rc);
    rc = db_copy_row(db, ok, ok_len);
    cr_assert(rc == 0 || rc == MZ_ECONFLICT, "sl-8.3: the first error sticks: %d", rc);
    cr_assert_eq(db_copy_end(db), MZ_ECONFLICT, "sl-8.4: %s", db_errmsg(db));
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(count(db, "c"), 1, "sl-8.5: row 6 rolled back with the copy");

    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    rc = db_copy_row(db, nul, nul_len);
    cr_assert(rc == 0 || rc == MZ_EVALIDATE, "sl-8.6: %d", rc);
    cr_assert_eq(db_copy_end(db), MZ_EVALIDATE, "sl-8.6: NOT NULL");
    cr_assert_eq(db_rollback(db), 0);

    /* a new copy starts without the old error */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    cr_assert_eq(db_copy_row(db, ok, ok_len), 0, "sl-8.7");
    cr_assert_eq(db_copy_end(db), 0, "sl-8.7");
    cr_assert_eq(db_commit(db), 0);
    cr_assert_eq(count(db, "c"), 2, "sl-8.7");

    /* a table name that is not a plain name is refused, and runs nothing */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_neq(db_copy_begin(db, "c; DROP TABLE c", cols, 3), 0, "sl-8.8");
    cr_assert_neq(db_copy_begin(db, "nowhere", cols, 3), 0, "sl-8.9: unknown table");
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(count(db, "c"), 2, "sl-8.10");
    db_close(db);
}
