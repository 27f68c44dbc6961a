/*
 * tests/unit/core/test_db_pg.c — the PostgreSQL backend of core/db (db_pg.c).
 *
 * Placeholder rewriting is tested everywhere. The live cases need a server: set
 * MINZHENG_TEST_PG to a database URL (scripts/pg-cluster.sh start prints one); without it they
 * are skipped. They only create temporary tables, so any scratch database will do.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_backend.h"
#include "errors.h"

Test(db_pg, placeholders)
{
    static const struct {
        const char *id, *sql, *want;
        int n;
    } c[] = {
        { "ph-1.1", "SELECT 1", "SELECT 1", 0 },
        { "ph-1.2", "SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id = $1", 1 },
        { "ph-1.3", "INSERT INTO t (a, b, c) VALUES (?, ?,?)",
          "INSERT INTO t (a, b, c) VALUES ($1, $2,$3)", 3 },
        { "ph-2.1", "SELECT 'it''s ?' || ?, ?", "SELECT 'it''s ?' || $1, $2", 2 },
        { "ph-2.2", "SELECT \"col?\" FROM t WHERE \"a\"\"?\" = ?",
          "SELECT \"col?\" FROM t WHERE \"a\"\"?\" = $1", 1 },
        { "ph-2.3", "SELECT ? -- why? because\n, ?", "SELECT $1 -- why? because\n, $2", 2 },
        { "ph-2.4", "SELECT ? /* a /* nested? */ ? */, ?", "SELECT $1 /* a /* nested? */ ? */, $2",
          2 },
        { "ph-2.5", "SELECT 'open ?", "SELECT 'open ?", 0 },
        { "ph-3.1", "SELECT ?2, ?1, ?", "SELECT $2, $1, $3", 3 },
        { "ph-3.2", "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
          "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11", 11 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[256];
        memset(out, 'x', sizeof out);
        cr_assert_eq(db_pg_placeholders(c[i].sql, out, sizeof out), c[i].n, "%s", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
    }
}

Test(db_pg, placeholders_bad)
{
    char out[64];
    char small[8];
    /* "WHERE a=$1" needs 11 bytes with its NUL; 10 and 0 are too small, 11 is enough. */
    cr_assert_eq(db_pg_placeholders("WHERE a=?", small, sizeof small), MZ_ERANGE, "ph-4.1");
    cr_assert_eq(db_pg_placeholders("WHERE a=?", out, 10), MZ_ERANGE, "ph-4.2");
    cr_assert_eq(db_pg_placeholders("WHERE a=?", out, 0), MZ_ERANGE, "ph-4.3");
    cr_assert_eq(db_pg_placeholders("WHERE a=?", out, 11), 1, "ph-4.4");
    cr_assert_str_eq(out, "WHERE a=$1", "ph-4.4");
    cr_assert_eq(db_pg_placeholders("SELECT ?0", out, sizeof out), MZ_EINVAL, "ph-4.5");
    cr_assert_eq(db_pg_placeholders("SELECT ?65536", out, sizeof out), MZ_EINVAL, "ph-4.6");
    cr_assert_eq(db_pg_placeholders("SELECT ?65535", out, sizeof out), 65535, "ph-4.7");
}

/* Opens MINZHENG_TEST_PG, or skips the test when it is not set. */
static struct db *live_open(void)
{
    const char *url = getenv("MINZHENG_TEST_PG");
    if (!url || !*url)
        cr_skip_test("MINZHENG_TEST_PG not set");
    struct db *db = NULL;
    char err[256];
    int rc = db_open(url, &db, err, sizeof err);
    cr_assert_eq(rc, 0, "db_open: %s", err);
    cr_assert_eq(db_kind(db), DB_POSTGRES);
    return db;
}

Test(db_pg, open_unreachable)
{
    struct db *db = NULL;
    char err[256] = "";
    /* Port 1 on localhost: nothing listens there. */
    int rc = db_open("postgresql://postgres:secret-pw@127.0.0.1:1/x?connect_timeout=2", &db,
                     err, sizeof err);
    cr_assert_eq(rc, MZ_EUNAVAILABLE);
    cr_assert_null(db);
    cr_assert_neq(err[0], '\0');
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
    cr_assert_null(strstr(err, "secret-pw"), "no password: %s", err);
}

static void insert_person(struct db *db, int64_t id, const char *name, const int64_t *n, int want)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "INSERT INTO p (id, name, n) VALUES (?, ?, ?)", &st), 0, "%s",
                 db_errmsg(db));
    cr_assert_eq(db_bind_int64(st, 1, id), 0);
    cr_assert_eq(db_bind_text(st, 2, name, strlen(name)), 0);
    cr_assert_eq(n ? db_bind_int64(st, 3, *n) : db_bind_null(st, 3), 0);
    cr_assert_eq(db_step(st), want, "%s", db_errmsg(db));
    if (want == 0)
        cr_assert_eq(db_changes(st), 1);
}

Test(db_pg, live_statements)
{
    struct db *db = live_open();
    cr_assert_eq(db_exec(db, "CREATE TEMP TABLE p (id bigint PRIMARY KEY, name text NOT NULL, "
                             "n bigint, ok boolean DEFAULT true)"),
                 0, "%s", db_errmsg(db));
    int64_t big = INT64_MIN, small = -7;
    insert_person(db, 1, "张三 'quoted' ?", &big, 0);
    insert_person(db, 2, "", NULL, 0);
    insert_person(db, 3, "tab\there", &small, 0);
    insert_person(db, 1, "again", NULL, MZ_ECONFLICT);
    cr_assert_not_null(strstr(db_errmsg(db), "23505"), "%s", db_errmsg(db));

    struct db_stmt *st, *again;
    const char *sql = "SELECT id, name, n, ok FROM p WHERE id >= ? ORDER BY id";
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_bind_int64(st, 1, 1), 0);
    cr_assert_eq(db_bind_int64(st, 2, 1), MZ_EINVAL, "only one parameter");
    cr_assert_eq(db_step(st), 1, "%s", db_errmsg(db));
    cr_assert_eq(db_col_count(st), 4);
    size_t len;
    cr_assert_str_eq(db_col_text(st, 1, &len), "张三 'quoted' ?");
    cr_assert_eq(len, strlen("张三 'quoted' ?"));
    cr_assert_eq(db_col_int64(st, 2), INT64_MIN);
    cr_assert_eq(db_col_int64(st, 3), 1, "boolean true reads 1");
    cr_assert_eq(db_step(st), 1);
    cr_assert_eq(db_col_int64(st, 0), 2);
    cr_assert_str_eq(db_col_text(st, 1, &len), "");
    cr_assert(db_col_null(st, 2));
    cr_assert_null(db_col_text(st, 2, &len));
    cr_assert_eq(len, 0);
    cr_assert_eq(db_step(st), 1);
    cr_assert_str_eq(db_col_text(st, 1, NULL), "tab\there");
    cr_assert_eq(db_col_int64(st, 2), -7);
    cr_assert_eq(db_step(st), 0);
    cr_assert_eq(db_step(st), 0, "stays done until reset");

    cr_assert_eq(db_prepare(db, sql, &again), 0);
    cr_assert_eq(again, st, "cached by SQL text");
    cr_assert_eq(db_step(st), 0, "reset cleared the binding: id >= NULL matches nothing");

    cr_assert_eq(db_prepare(db, "UPDATE p SET n = ? WHERE id > ?", &st), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_bind_null(st, 1), 0);
    cr_assert_eq(db_bind_int64(st, 2, 1), 0);
    cr_assert_eq(db_step(st), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_changes(st), 2);

    cr_assert_eq(db_prepare(db, "INSERT INTO p (id, name) VALUES (?, ?)", &st), 0);
    cr_assert_eq(db_bind_int64(st, 1, 9), 0);
    cr_assert_eq(db_step(st), MZ_EVALIDATE, "not null: %s", db_errmsg(db));
    cr_assert_neq(db_prepare(db, "SELEC nonsense", &st), 0);
    db_close(db);
}

/* Value i of column col for the copy test: tabs, newlines, CR, backslashes, \N look-alikes,
 * Chinese text and, every 7th row of column 1, NULL. */
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

Test(db_pg, live_copy)
{
    enum { ROWS = 10000 };
    struct db *db = live_open();
    cr_assert_eq(db_exec(db, "CREATE TEMP TABLE c (id bigint PRIMARY KEY, a text, b text)"), 0);
    static const char *const cols[] = { "id", "a", "b" };
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0, "%s", db_errmsg(db));
    for (int i = 0; i < ROWS; i++) {
        char id[16], a[64], b[64];
        snprintf(id, sizeof id, "%d", i);
        const char *v[3] = { id, copy_value(i, 1, a, sizeof a), copy_value(i, 2, b, sizeof b) };
        cr_assert_eq(db_copy_row(db, v, NULL), 0, "row %d: %s", i, db_errmsg(db));
    }
    cr_assert_eq(db_copy_end(db), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_commit(db), 0);

    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "SELECT id, a, b FROM c ORDER BY id", &st), 0);
    int n = 0;
    for (int rc = db_step(st); rc == 1; rc = db_step(st), n++) {
        char a[64], b[64];
        const char *wa = copy_value(n, 1, a, sizeof a);
        cr_assert_eq(db_col_int64(st, 0), n);
        if (wa)
            cr_assert_str_eq(db_col_text(st, 1, NULL), wa, "row %d", n);
        else
            cr_assert(db_col_null(st, 1), "row %d", n);
        cr_assert_str_eq(db_col_text(st, 2, NULL), copy_value(n, 2, b, sizeof b), "row %d", n);
    }
    cr_assert_eq(n, ROWS);

    /* A duplicate key fails the whole copy at the end, as a conflict. */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    const char *dup[3] = { "5", "x", "y" };
    cr_assert_eq(db_copy_row(db, dup, NULL), 0);
    cr_assert_eq(db_copy_end(db), MZ_ECONFLICT, "%s", db_errmsg(db));
    cr_assert_eq(db_rollback(db), 0);

    /* A NUL byte cannot be sent: the row fails, and so does the copy. */
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(db_copy_begin(db, "c", cols, 3), 0);
    const char *nul[3] = { "20000", "a\0b", "y" };
    const size_t lens[3] = { 5, 3, 1 };
    cr_assert_eq(db_copy_row(db, nul, lens), MZ_EINVAL);
    cr_assert_eq(db_copy_row(db, dup, NULL), MZ_EINVAL, "first error sticks");
    cr_assert_eq(db_copy_end(db), MZ_EINVAL);
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(db_copy_begin(db, "c; DROP TABLE c", cols, 3), MZ_EINVAL);
    db_close(db);
}

Test(db_pg, live_many_statements)
{
    enum { N = 300 };
    struct db *db = live_open();
    struct db_stmt *first = NULL;
    for (int i = 0; i < N; i++) {
        char sql[64];
        struct db_stmt *st;
        snprintf(sql, sizeof sql, "SELECT ? + %d", i);
        cr_assert_eq(db_prepare(db, sql, &st), 0, "%s", db_errmsg(db));
        cr_assert_eq(db_bind_int64(st, 1, 1000), 0);
        cr_assert_eq(db_step(st), 1, "%s", db_errmsg(db));
        cr_assert_eq(db_col_int64(st, 0), 1000 + i);
        if (i == 0)
            first = st;
    }
    struct db_stmt *again;
    cr_assert_eq(db_prepare(db, "SELECT ? + 0", &again), 0);
    cr_assert_eq(again, first, "still cached after the table grew");
    cr_assert_eq(db_step(again), 1);
    cr_assert(db_col_null(again, 0), "unbound parameter is NULL");
    db_close(db);
}

Test(db_pg, live_reconnect)
{
    struct db *db = live_open();
    struct db_stmt *st, *again;
    const char *sql = "SELECT ? + 1";
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s", db_errmsg(db));
    cr_assert_eq(db_bind_int64(st, 1, 41), 0);
    cr_assert_eq(db_step(st), 1, "%s", db_errmsg(db));
    cr_assert_eq(db_col_int64(st, 0), 42);

    cr_assert_eq(db_exec(db, "SELECT pg_terminate_backend(pg_backend_pid())"), MZ_EUNAVAILABLE,
                 "%s", db_errmsg(db));
    cr_assert_eq(db_prepare(db, sql, &again), 0);
    cr_assert_eq(again, st);
    cr_assert_eq(db_bind_int64(st, 1, 1), 0);
    cr_assert_eq(db_step(st), MZ_EUNAVAILABLE, "still down before ping");

    cr_assert(db_ping(db), "%s", db_errmsg(db));
    cr_assert_eq(db_prepare(db, sql, &again), 0);
    cr_assert_eq(again, st, "same pointer after the reconnect");
    cr_assert_eq(db_bind_int64(st, 1, 99), 0);
    cr_assert_eq(db_step(st), 1, "prepared again lazily: %s", db_errmsg(db));
    cr_assert_eq(db_col_int64(st, 0), 100);
    db_close(db);
}
