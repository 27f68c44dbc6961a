/*
 * core/db_backend.h — what a storage backend provides to db.c (internal to core).
 *
 * db.c holds the dispatch; db_sqlite.c and db_pg.c each export one `const struct db_ops`.
 * Every backend object starts with the common header below so db.c can find its ops.
 */
#ifndef MZ_DB_BACKEND_H
#define MZ_DB_BACKEND_H

#include "db.h"

struct db_ops {
    int (*open)(const char *url, struct db **out, char *err, size_t errlen);
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    bool (*ping)(struct db *db);
    bool (*in_transaction)(struct db *db);
    int (*exec)(struct db *db, const char *sql);
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    int (*bind_text)(struct db_stmt *st, int index, const char *text, size_t len);
    int (*bind_int64)(struct db_stmt *st, int index, int64_t value);
    int (*bind_null)(struct db_stmt *st, int index);
    int (*step)(struct db_stmt *st);
    int (*col_count)(struct db_stmt *st);
    bool (*col_null)(struct db_stmt *st, int col);
    const char *(*col_text)(struct db_stmt *st, int col, size_t *len);
    int64_t (*col_int64)(struct db_stmt *st, int col);
    int64_t (*changes)(struct db_stmt *st);
    void (*reset)(struct db_stmt *st);
    int (*copy_begin)(struct db *db, const char *table, const char *const *columns, int n);
    int (*copy_row)(struct db *db, const char *const *values, const size_t *lens);
    int (*copy_end)(struct db *db);
};

/* First member of every backend's connection and statement struct. */
struct db {
    const struct db_ops *ops;
    enum db_kind kind;
};
struct db_stmt {
    const struct db_ops *ops;
};

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;

/* (db_pg.c) Rewrites the `?`/`?NNN` placeholders of sql as $1, $2 … into out, leaving quoted
 * text and comments alone. Returns the number of parameters, MZ_ERANGE when out is too small,
 * MZ_EINVAL for ?0 or a number above 65535. */
int db_pg_placeholders(const char *sql, char *out, size_t outlen);

#endif
