/*
 * core/db.h — the storage interface: one API, two backends (SQLite and PostgreSQL).
 *
 * A `struct db` is one connection; it is not thread-safe, so each worker thread holds its
 * own (see http.c). SQL is written once with `?` placeholders; the PostgreSQL backend turns
 * them into $1, $2 … at prepare time. No SQL text is ever built from user input: values go
 * through db_bind_*.
 *
 * Statements are prepared once per connection and cached by SQL text: db_prepare() returns
 * the cached statement, reset and with its bindings cleared, owned by the connection (never
 * finalised by the caller). Use one statement at a time per SQL text.
 *
 * Columns are read 0-based, parameters bound 1-based (as SQLite does). Every value can be
 * read as text; db_col_int64() parses integers. Text is valid until the next db_step() or
 * db_reset() on that statement.
 *
 * Bulk loading goes through db_copy_*: COPY FROM STDIN on PostgreSQL, a prepared INSERT
 * inside the caller's transaction on SQLite.
 */
#ifndef MZ_DB_H
#define MZ_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_kind { DB_SQLITE, DB_POSTGRES };

struct db;
struct db_stmt;
struct arena;

/* The backend a URL names: "postgresql://…" or "postgres://…" is PostgreSQL, anything
 * else a SQLite file path. */
enum db_kind db_url_kind(const char *url);

/* Opens a connection. On failure returns MZ_EUNAVAILABLE and writes a one-line reason
 * (for the log, never for a client) into err. The caller frees with db_close(). */
int db_open(const char *url, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
/* db_open for commands: logs the reason on failure and returns NULL. */
struct db *db_connect(const char *url);
enum db_kind db_kind(const struct db *db);
/* Last error text of the connection, for logs. */
const char *db_errmsg(struct db *db);
/* True when the connection is usable (PostgreSQL: status OK, reconnects once if not). */
bool db_ping(struct db *db);

/* Runs SQL without parameters or results; several statements separated by ';' allowed. */
int db_exec(struct db *db, const char *sql);
/* Runs one statement (through the statement cache) with n integer parameters, rows ignored.
 * 0 or the statement's error (MZ_ECONFLICT for a unique key …). */
int db_run(struct db *db, const char *sql, const int64_t *params, int n);

int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
int db_bind_text(struct db_stmt *st, int index, const char *text, size_t len);
int db_bind_int64(struct db_stmt *st, int index, int64_t value);
int db_bind_null(struct db_stmt *st, int index);
/* Executes on the first call; returns 1 when a row is available, 0 when done, or a negative
 * MZ_E… (MZ_ECONFLICT for a unique or foreign-key violation, MZ_EUNAVAILABLE when the
 * connection is lost, MZ_EDB otherwise). */
int db_step(struct db_stmt *st);
int db_col_count(struct db_stmt *st);
bool db_col_null(struct db_stmt *st, int col);
/* NULL for SQL NULL; len (may be NULL) receives the byte length. */
const char *db_col_text(struct db_stmt *st, int col, size_t *len);
/* A copy of the column's text in the arena; NULL for SQL NULL. */
const char *db_col_dup(struct db_stmt *st, struct arena *a, int col);
int64_t db_col_int64(struct db_stmt *st, int col);
/* Number of rows changed by the last INSERT/UPDATE/DELETE run through st. */
int64_t db_changes(struct db_stmt *st);
/* Clears bindings and results so the statement can run again. Always safe to call. */
void db_reset(struct db_stmt *st);

/* BEGIN (on SQLite BEGIN IMMEDIATE: a writer takes the write lock up front, so concurrent
 * writers wait for each other instead of failing on a stale snapshot). */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
/* Ends the open transaction: COMMIT when rc is 0, else ROLLBACK. Returns rc, or the commit's
 * error. Lets a sequence read `rc = db_begin(db); if (rc == 0) rc = …; return db_finish(db, rc);`. */
int db_finish(struct db *db, int rc);
/* True while a transaction is open on the connection. */
bool db_in_transaction(struct db *db);

/* Bulk load into table(columns…); values[i] NULL means SQL NULL. Must run inside a
 * transaction (db_begin). db_copy_end() returns the first error of the whole copy. */
int db_copy_begin(struct db *db, const char *table, const char *const *columns, int ncolumns);
int db_copy_row(struct db *db, const char *const *values, const size_t *lens);
int db_copy_end(struct db *db);

#endif
