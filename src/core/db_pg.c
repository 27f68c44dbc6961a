/*
 * core/db_pg.c — the PostgreSQL backend of the storage interface (db.h), on libpq.
 *
 * Exports db_pg_ops and db_pg_placeholders(); everything else here is static.
 *
 * Statements: db_prepare() rewrites the SQLite-style `?` placeholders as $1, $2 …, sends a
 * named PREPARE ("s1", "s2" …) once per connection and caches the statement by its SQL text in
 * an open-addressing table that only grows. Statement structs live until db_close(): after a
 * reconnect (db_ping) the server has forgotten every prepared statement, so they are only
 * flagged and prepared again on their next db_step().
 *
 * Values travel as text both ways. A statement's whole result is fetched by its first
 * db_step() (PQexecPrepared), so another statement may run while its rows are read; a query
 * that may return very many rows must page.
 *
 * Errors map from SQLSTATE: unique, foreign-key and exclusion violations → MZ_ECONFLICT;
 * check and not-null violations → MZ_EVALIDATE; a lost connection (class 08, 57P01–57P03, or
 * libpq's status) → MZ_EUNAVAILABLE; anything else → MZ_EDB. db_errmsg() keeps
 * "SQLSTATE: primary message" only, never DETAIL, which may quote row values.
 *
 * Bulk load: COPY … FROM STDIN in text format, rows escaped into a buffer that is sent in
 * chunks of about COPY_CHUNK bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_backend.h"
#include "errors.h"

enum {
    ERRMSG_MAX = 512,
    STMT_NAME_MAX = 16,
    TABLE_MIN_SLOTS = 64,
    PARAM_NUMBER_MAX = 65535,       /* PostgreSQL's limit of parameters per statement */
    COPY_CHUNK = 64 * 1024,         /* send the COPY buffer once it holds this much */
    COPY_SQL_MAX = 4096,
};
#define COPY_BUF_MAX ((size_t)256 * 1024 * 1024)   /* one row larger than this is refused */

struct pg_param {
    char *buf;                      /* reused across executions */
    size_t cap;
};

struct pg_stmt {
    struct db_stmt base;
    struct pg_db *db;
    char *sql;                      /* as given: the cache key */
    char *pgsql;                    /* with $n placeholders */
    char name[STMT_NAME_MAX];
    bool prepared;                  /* false until PREPAREd on the current session */
    int nparams;
    struct pg_param *params;        /* nparams */
    const char **values;            /* nparams; NULL is SQL NULL (also when unbound) */
    PGresult *res;                  /* NULL until executed */
    int row;                        /* current row of res, -1 before the first */
    int err;                        /* sticky error of this execution, 0 if none */
    int64_t changes;
};

struct pg_copy {
    bool active;
    int ncolumns;
    int err;                        /* first error of the whole copy */
    char *buf;
    size_t len;
    size_t cap;
};

struct pg_db {
    struct db base;
    PGconn *conn;
    struct pg_stmt **slots;         /* open addressing, NULL = empty; nslots a power of 2 */
    size_t nslots;
    size_t nstmts;
    unsigned next_name;
    struct pg_copy copy;
    char errmsg[ERRMSG_MAX];
};

/* ---- error text and codes ------------------------------------------------------------- */

/* Copies msg into dst on one line: newlines become spaces, trailing blanks go. */
static void copy_one_line(char *dst, size_t cap, const char *msg)
{
    size_t n = 0;
    if (cap == 0)
        return;
    for (; msg && *msg && n + 1 < cap; msg++)
        dst[n++] = (*msg == '\n' || *msg == '\r' || *msg == '\t') ? ' ' : *msg;
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

static void set_errmsg(struct pg_db *db, const char *msg)
{
    copy_one_line(db->errmsg, sizeof db->errmsg, msg);
}

/* Keeps "SQLSTATE: primary message" of res, or libpq's own message when res has none. */
static void set_result_errmsg(struct pg_db *db, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[ERRMSG_MAX];

    if (!primary) {
        set_errmsg(db, res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                          : PQerrorMessage(db->conn));
        return;
    }
    snprintf(line, sizeof line, "%s: %s", state ? state : "-----", primary);
    set_errmsg(db, line);
}

static int code_for_state(const char *state)
{
    static const char *const conflict[] = { "23505", "23503", "23P01", "23001" };
    static const char *const invalid[] = { "23514", "23502" };

    if (!state)
        return MZ_EDB;
    for (size_t i = 0; i < sizeof conflict / sizeof conflict[0]; i++)
        if (strcmp(state, conflict[i]) == 0)
            return MZ_ECONFLICT;
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        if (strcmp(state, invalid[i]) == 0)
            return MZ_EVALIDATE;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
        return MZ_EUNAVAILABLE;
    return MZ_EDB;
}

/* Records the error of res (NULL: libpq's connection message) and returns its MZ_E… code. */
static int fail(struct pg_db *db, const PGresult *res)
{
    set_result_errmsg(db, res);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return MZ_EUNAVAILABLE;
    return code_for_state(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

/* ---- placeholders --------------------------------------------------------------------- */

/* Length of the quoted literal or identifier starting at s (quote doubled inside). */
static size_t quoted_len(const char *s)
{
    char q = s[0];
    size_t n = 1;
    for (;;) {
        if (s[n] == '\0')
            return n;
        if (s[n] == q && s[n + 1] == q) {
            n += 2;
            continue;
        }
        if (s[n] == q)
            return n + 1;
        n++;
    }
}

/* Length of the block comment starting at s; PostgreSQL's nest. */
static size_t block_comment_len(const char *s)
{
    size_t n = 2;
    int depth = 1;
    while (s[n] != '\0' && depth > 0) {
        if (s[n] == '/' && s[n + 1] == '*') {
            depth++;
            n += 2;
        } else if (s[n] == '*' && s[n + 1] == '/') {
            depth--;
            n += 2;
        } else {
            n++;
        }
    }
    return n;
}

/* Length of the literal, quoted identifier or comment starting at s; 0 if none starts there. */
static size_t skip_len(const char *s)
{
    if (s[0] == '\'' || s[0] == '"')
        return quoted_len(s);
    if (s[0] == '-' && s[1] == '-')
        return strcspn(s, "\n");
    if (s[0] == '/' && s[1] == '*')
        return block_comment_len(s);
    return 0;
}

struct sql_out {
    char *p;
    size_t len;
    size_t cap;
    bool overflow;
};

static void out_put(struct sql_out *o, const char *s, size_t n)
{
    if (o->overflow || n >= o->cap - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

/* Parses the digits of ?NNN at s into *number; returns how many digits, 0 if none. */
static size_t param_digits(const char *s, long *number)
{
    size_t n = 0;
    long v = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        if (v <= PARAM_NUMBER_MAX)
            v = v * 10 + (s[n] - '0');
        n++;
    }
    *number = v;
    return n;
}

/*
 * Rewrites the placeholders of sql for PostgreSQL into out (always NUL-terminated when outlen
 * > 0): `?` becomes $N with N one more than the largest number used so far, `?NNN` becomes
 * $NNN, as SQLite numbers them. Text inside '…' literals, "…" identifiers, -- and / * * /
 * comments is copied unchanged; E'…' backslash escapes, $$ quoting and the jsonb `?`
 * operators are not recognised (the schema is written for SQLite too). Returns the number of
 * parameters the statement takes (the largest N), MZ_ERANGE when out is too small, MZ_EINVAL
 * for ?0 or a number above 65535.
 */
int db_pg_placeholders(const char *sql, char *out, size_t outlen)
{
    struct sql_out o = { out, 0, outlen, outlen == 0 };
    long max = 0;

    if (outlen > 0)
        out[0] = '\0';
    while (*sql != '\0') {
        size_t n = skip_len(sql);
        if (n > 0) {
            out_put(&o, sql, n);
            sql += n;
            continue;
        }
        if (*sql != '?') {
            out_put(&o, sql, 1);
            sql++;
            continue;
        }
        long number;
        size_t digits = param_digits(sql + 1, &number);
        if (digits == 0)
            number = max + 1;
        if (number < 1 || number > PARAM_NUMBER_MAX)
            return MZ_EINVAL;
        char param[16];
        int plen = snprintf(param, sizeof param, "$%ld", number);
        out_put(&o, param, (size_t)plen);
        if (number > max)
            max = number;
        sql += 1 + digits;
    }
    return o.overflow ? MZ_ERANGE : (int)max;
}

/* ---- statement cache ------------------------------------------------------------------ */

static uint64_t hash_sql(const char *s)
{
    uint64_t h = 14695981039346656037u;      /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return h;
}

/* The slot where sql is, or the empty slot where it would go. */
static struct pg_stmt **table_slot(struct pg_stmt **slots, size_t nslots, const char *sql)
{
    size_t i = (size_t)hash_sql(sql) & (nslots - 1);
    while (slots[i] && strcmp(slots[i]->sql, sql) != 0)
        i = (i + 1) & (nslots - 1);
    return &slots[i];
}

static int table_grow(struct pg_db *db)
{
    size_t nslots = db->nslots ? db->nslots * 2 : TABLE_MIN_SLOTS;
    struct pg_stmt **slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return MZ_ENOMEM;
    for (size_t i = 0; i < db->nslots; i++)
        if (db->slots[i])
            *table_slot(slots, nslots, db->slots[i]->sql) = db->slots[i];
    free(db->slots);
    db->slots = slots;
    db->nslots = nslots;
    return 0;
}

static void stmt_clear(struct pg_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->err = 0;
    for (int i = 0; i < st->nparams; i++)
        st->values[i] = NULL;
}

static void stmt_free(struct pg_stmt *st)
{
    if (!st)
        return;
    PQclear(st->res);
    for (int i = 0; i < st->nparams; i++)
        free(st->params[i].buf);
    free(st->params);
    free(st->values);
    free(st->pgsql);
    free(st->sql);
    free(st);
}

/* Sends PREPARE for st on the current session. */
static int stmt_prepare(struct pg_stmt *st)
{
    PGresult *res = PQprepare(st->db->conn, st->name, st->pgsql, 0, NULL);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail(st->db, res);
    PQclear(res);
    st->prepared = rc == 0;
    return rc;
}

/* Converts the placeholders of st->sql into st->pgsql and sizes the parameter arrays. */
static int stmt_convert(struct pg_stmt *st)
{
    size_t len = strlen(st->sql);
    size_t marks = 0;
    for (const char *p = st->sql; *p; p++)
        marks += *p == '?';
    size_t cap = len + marks * 7 + 1;        /* "?" → "$65535" at most */
    st->pgsql = malloc(cap);
    if (!st->pgsql)
        return MZ_ENOMEM;
    int n = db_pg_placeholders(st->sql, st->pgsql, cap);
    if (n < 0)
        return n;
    st->nparams = n;
    if (n == 0)
        return 0;
    st->params = calloc((size_t)n, sizeof *st->params);
    st->values = calloc((size_t)n, sizeof *st->values);
    return st->params && st->values ? 0 : MZ_ENOMEM;
}

static int stmt_new(struct pg_db *db, const char *sql, struct pg_stmt **out)
{
    struct pg_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return MZ_ENOMEM;
    st->base.ops = &db_pg_ops;
    st->db = db;
    st->row = -1;
    size_t len = strlen(sql);
    st->sql = malloc(len + 1);
    if (!st->sql) {
        free(st);
        return MZ_ENOMEM;
    }
    memcpy(st->sql, sql, len + 1);
    snprintf(st->name, sizeof st->name, "s%u", ++db->next_name);
    int rc = stmt_convert(st);
    if (rc == MZ_EINVAL)
        set_errmsg(db, "bad placeholder number in SQL");
    if (rc == 0)
        rc = stmt_prepare(st);
    if (rc < 0) {
        stmt_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

/* Flags every cached statement as unknown to the (new) server session. */
static void forget_prepared(struct pg_db *db)
{
    for (size_t i = 0; i < db->nslots; i++)
        if (db->slots[i])
            db->slots[i]->prepared = false;
}

/* ---- connection ----------------------------------------------------------------------- */

/* Server notices ("relation … already exists, skipping") are not errors: drop them rather
 * than let libpq print them on standard error. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_open(const char *url, struct db **out, char *err, size_t errlen)
{
    /* Later keywords override what the URL says; PQreset() keeps them all. */
    static const char *const keys[] = {
        "dbname", "client_encoding", "fallback_application_name", NULL,
    };
    const char *const values[] = { url, "UTF8", "minzheng", NULL };
    struct pg_db *db = calloc(1, sizeof *db);

    if (!db) {
        copy_one_line(err, errlen, "out of memory");
        return MZ_EUNAVAILABLE;
    }
    db->conn = PQconnectdbParams(keys, values, 1);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        copy_one_line(err, errlen, db->conn ? PQerrorMessage(db->conn) : "out of memory");
        PQfinish(db->conn);
        free(db);
        return MZ_EUNAVAILABLE;
    }
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    db->base.ops = &db_pg_ops;
    db->base.kind = DB_POSTGRES;
    *out = &db->base;
    return 0;
}

static void pg_close(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    for (size_t i = 0; i < db->nslots; i++)
        stmt_free(db->slots[i]);
    free(db->slots);
    free(db->copy.buf);
    PQfinish(db->conn);
    free(db);
}

static const char *pg_errmsg(struct db *base)
{
    return ((struct pg_db *)base)->errmsg;
}

static bool pg_in_transaction(struct db *base)
{
    PGTransactionStatusType t = PQtransactionStatus(((struct pg_db *)base)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static bool pg_ping(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    if (PQstatus(db->conn) == CONNECTION_OK)
        return true;
    PQreset(db->conn);
    forget_prepared(db);
    db->copy.active = false;
    if (PQstatus(db->conn) != CONNECTION_OK) {
        set_errmsg(db, PQerrorMessage(db->conn));
        return false;
    }
    return true;
}

static int pg_exec(struct db *base, const char *sql)
{
    struct pg_db *db = (struct pg_db *)base;
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = 0;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        rc = fail(db, res);
    PQclear(res);
    return rc;
}

/* ---- statements ----------------------------------------------------------------------- */

static int pg_prepare(struct db *base, const char *sql, struct db_stmt **out)
{
    struct pg_db *db = (struct pg_db *)base;
    if ((db->nstmts + 1) * 2 > db->nslots) {
        int rc = table_grow(db);
        if (rc < 0)
            return rc;
    }
    struct pg_stmt **slot = table_slot(db->slots, db->nslots, sql);
    if (!*slot) {
        struct pg_stmt *st;
        int rc = stmt_new(db, sql, &st);
        if (rc < 0)
            return rc;
        *slot = st;
        db->nstmts++;
    }
    stmt_clear(*slot);
    *out = &(*slot)->base;
    return 0;
}

/* Stores len bytes of text as parameter index, NUL-terminated. */
static int bind_bytes(struct pg_stmt *st, int index, const char *text, size_t len)
{
    if (index < 1 || index > st->nparams || memchr(text, '\0', len))
        return MZ_EINVAL;
    struct pg_param *p = &st->params[index - 1];
    if (len + 1 > p->cap) {
        char *buf = realloc(p->buf, len + 1);
        if (!buf)
            return MZ_ENOMEM;
        p->buf = buf;
        p->cap = len + 1;
    }
    memcpy(p->buf, text, len);
    p->buf[len] = '\0';
    st->values[index - 1] = p->buf;
    return 0;
}

static int pg_bind_text(struct db_stmt *base, int index, const char *text, size_t len)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    if (!text) {
        if (index < 1 || index > st->nparams)
            return MZ_EINVAL;
        st->values[index - 1] = NULL;
        return 0;
    }
    return bind_bytes(st, index, text, len);
}

static int pg_bind_int64(struct db_stmt *base, int index, int64_t value)
{
    char text[24];
    int len = snprintf(text, sizeof text, "%" PRId64, value);
    return bind_bytes((struct pg_stmt *)base, index, text, (size_t)len);
}

static int pg_bind_null(struct db_stmt *base, int index)
{
    return pg_bind_text(base, index, NULL, 0);
}

/* Rows changed according to the command tag; 0 for anything but INSERT/UPDATE/DELETE/MERGE. */
static int64_t tag_changes(PGresult *res)
{
    static const char *const verbs[] = { "INSERT", "UPDATE", "DELETE", "MERGE" };
    const char *tag = PQcmdStatus(res);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strncmp(tag, verbs[i], strlen(verbs[i])) == 0)
            return strtoll(PQcmdTuples(res), NULL, 10);
    return 0;
}

/* Runs st (preparing it again after a reconnect); its result is kept in st->res. */
static int stmt_execute(struct pg_stmt *st)
{
    if (!st->prepared) {
        int rc = stmt_prepare(st);
        if (rc < 0)
            return rc;
    }
    PGresult *res = PQexecPrepared(st->db->conn, st->name, st->nparams, st->values, NULL, NULL,
                                   0);
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        int rc = fail(st->db, res);
        PQclear(res);
        return rc;
    }
    st->res = res;
    st->changes = tag_changes(res);
    return 0;
}

static int pg_step(struct db_stmt *base)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    if (st->err)
        return st->err;
    if (!st->res) {
        int rc = stmt_execute(st);
        if (rc < 0) {
            st->err = rc;
            return rc;
        }
    }
    int nrows = PQntuples(st->res);
    if (st->row < nrows)
        st->row++;
    return st->row < nrows ? 1 : 0;
}

/* True when col of the current row exists. */
static bool on_row(const struct pg_stmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < PQntuples(st->res) && col >= 0 &&
           col < PQnfields(st->res);
}

static int pg_col_count(struct db_stmt *base)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    return st->res ? PQnfields(st->res) : 0;
}

static bool pg_col_null(struct db_stmt *base, int col)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    return !on_row(st, col) || PQgetisnull(st->res, st->row, col);
}

static const char *pg_col_text(struct db_stmt *base, int col, size_t *len)
{
    struct pg_stmt *st = (struct pg_stmt *)base;
    if (len)
        *len = 0;
    if (pg_col_null(base, col))
        return NULL;
    if (len)
        *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

/* Integers parse as such; a boolean reads 1 for t, 0 for f, as SQLite stores them. */
static int64_t pg_col_int64(struct db_stmt *base, int col)
{
    const char *text = pg_col_text(base, col, NULL);
    if (!text)
        return 0;
    if (text[0] == 't' && text[1] == '\0')
        return 1;
    return strtoll(text, NULL, 10);
}

static int64_t pg_changes(struct db_stmt *base)
{
    return ((struct pg_stmt *)base)->changes;
}

static void pg_reset(struct db_stmt *base)
{
    stmt_clear((struct pg_stmt *)base);
}

/* ---- COPY ----------------------------------------------------------------------------- */

/* A table or column name as code writes it: letters, digits, '_' (and '.' when dotted). */
static bool plain_name(const char *s, bool dotted)
{
    if (!s || !*s)
        return false;
    for (; *s; s++) {
        bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                  (*s >= '0' && *s <= '9') || *s == '_' || (dotted && *s == '.');
        if (!ok)
            return false;
    }
    return true;
}

/* Writes "COPY table (a, b) FROM STDIN" into sql. */
static int copy_sql(char *sql, size_t cap, const char *table, const char *const *columns,
                    int n)
{
    if (!plain_name(table, true) || n < 1)
        return MZ_EINVAL;
    size_t len = (size_t)snprintf(sql, cap, "COPY %s (", table);
    for (int i = 0; i < n && len < cap; i++) {
        if (!plain_name(columns[i], false))
            return MZ_EINVAL;
        len += (size_t)snprintf(sql + len, cap - len, "%s%s", i ? ", " : "", columns[i]);
    }
    if (len < cap)
        len += (size_t)snprintf(sql + len, cap - len, ") FROM STDIN");
    return len < cap ? 0 : MZ_EINVAL;
}

static int pg_copy_begin(struct db *base, const char *table, const char *const *columns, int n)
{
    struct pg_db *db = (struct pg_db *)base;
    char sql[COPY_SQL_MAX];
    int rc = copy_sql(sql, sizeof sql, table, columns, n);
    if (rc < 0) {
        set_errmsg(db, "bad table or column name for COPY");
        return rc;
    }
    if (!db->copy.buf) {
        db->copy.buf = malloc(2 * COPY_CHUNK);
        if (!db->copy.buf)
            return MZ_ENOMEM;
        db->copy.cap = 2 * COPY_CHUNK;
    }
    PGresult *res = PQexec(db->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = fail(db, res);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    db->copy.active = true;
    db->copy.ncolumns = n;
    db->copy.err = 0;
    db->copy.len = 0;
    return 0;
}

/* Makes room for need more bytes in the copy buffer. */
static int copy_reserve(struct pg_copy *c, size_t need)
{
    if (need <= c->cap - c->len)
        return 0;
    if (need > COPY_BUF_MAX - c->len)
        return MZ_ERANGE;
    size_t cap = c->cap;
    while (cap - c->len < need)
        cap *= 2;
    char *buf = realloc(c->buf, cap);
    if (!buf)
        return MZ_ENOMEM;
    c->buf = buf;
    c->cap = cap;
    return 0;
}

/* Appends one value in COPY text format, NULL as \N, followed by sep. */
static int copy_value(struct pg_copy *c, const char *v, size_t len, char sep)
{
    if (len > COPY_BUF_MAX / 2)
        return MZ_ERANGE;
    int rc = copy_reserve(c, v ? 2 * len + 1 : 3);
    if (rc < 0)
        return rc;
    char *p = c->buf + c->len;
    if (!v) {
        *p++ = '\\';
        *p++ = 'N';
    }
    for (size_t i = 0; v && i < len; i++) {
        char ch = v[i];
        char esc = ch == '\\' ? '\\' : ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : 0;
        if (ch == '\0')
            return MZ_EINVAL;
        if (esc) {
            *p++ = '\\';
            *p++ = esc;
        } else {
            *p++ = ch;
        }
    }
    *p++ = sep;
    c->len = (size_t)(p - c->buf);
    return 0;
}

/* Sends what the copy buffer holds. */
static int copy_flush(struct pg_db *db)
{
    struct pg_copy *c = &db->copy;
    if (c->len == 0)
        return 0;
    if (c->len > INT32_MAX || PQputCopyData(db->conn, c->buf, (int)c->len) != 1)
        return fail(db, NULL);
    c->len = 0;
    return 0;
}

static int pg_copy_row(struct db *base, const char *const *values, const size_t *lens)
{
    struct pg_db *db = (struct pg_db *)base;
    struct pg_copy *c = &db->copy;
    if (!c->active)
        return MZ_EINTERNAL;
    if (c->err)
        return c->err;
    size_t start = c->len;
    int rc = 0;
    for (int i = 0; i < c->ncolumns && rc == 0; i++) {
        size_t len = !values[i] ? 0 : lens ? lens[i] : strlen(values[i]);
        rc = copy_value(c, values[i], len, i + 1 < c->ncolumns ? '\t' : '\n');
    }
    if (rc == 0 && c->len >= COPY_CHUNK)
        rc = copy_flush(db);
    if (rc < 0) {
        c->len = start;
        c->err = rc;
        if (rc == MZ_EINVAL || rc == MZ_ERANGE)
            set_errmsg(db, "COPY value contains a NUL byte or is too large");
    }
    return rc;
}

/* Reads the outcome of the finished COPY: the first result decides (recorded only when
 * record is true), the rest is drained. */
static int copy_result(struct pg_db *db, bool record)
{
    int rc = 0;
    bool first = true;
    for (PGresult *res = PQgetResult(db->conn); res; res = PQgetResult(db->conn)) {
        if (first && record && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = fail(db, res);
        first = false;
        PQclear(res);
    }
    return rc;
}

static int pg_copy_end(struct db *base)
{
    struct pg_db *db = (struct pg_db *)base;
    struct pg_copy *c = &db->copy;
    if (!c->active)
        return MZ_EINTERNAL;
    c->active = false;
    if (c->err == 0)
        c->err = copy_flush(db);
    int sent = PQputCopyEnd(db->conn, c->err ? "minzheng: copy abandoned by the client" : NULL);
    int rc = copy_result(db, c->err == 0);
    if (c->err)
        return c->err;
    if (sent != 1 && rc == 0)
        rc = fail(db, NULL);
    return rc;
}

/* The PostgreSQL backend, chosen by db_open() for postgresql:// and postgres:// URLs. */
const struct db_ops db_pg_ops = {
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .ping = pg_ping,
    .in_transaction = pg_in_transaction,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_null = pg_col_null,
    .col_text = pg_col_text,
    .col_int64 = pg_col_int64,
    .changes = pg_changes,
    .reset = pg_reset,
    .copy_begin = pg_copy_begin,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
};
