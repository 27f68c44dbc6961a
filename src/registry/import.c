/*
 * registry/import.c — the CSV import engine of persons and organisations; see import.h (what
 * an import guarantees) and import_text.c (report, encodings, header: the pure parts).
 *
 * Two threads. The reader (reader_main) decodes the file — valid UTF-8 as it is, else GB18030
 * through iconv, unless declared; bytes the encoding cannot read become 0xFF, which no UTF-8
 * check passes, so the row is rejected with its column named — splits it with csv.c, puts
 * each row through record_check (the caller's scope), refuses a key seen on an earlier line
 * (a set of every key of the file) and hands batches of valid rows, with the rejections among
 * their lines, to the writer (at most QUEUE_MAX ahead). The writer (the caller's thread)
 * writes each batch:
 *   SQLite      one prepared INSERT … ON CONFLICT DO NOTHING per row in the transaction; a row
 *               that inserts nothing is an existing key (compared, and updated as an edit) or,
 *               rarely, an id another writer took (a new id, again).
 *   PostgreSQL  the table locked against other writers (SHARE ROW EXCLUSIVE: readers go on);
 *               one query finds the batch's keys that exist (merged as above), one checks the
 *               new ids are free, and COPY loads the rest straight into the table.
 * Mode valid commits each batch with its audit entry; mode all keeps one transaction to the
 * end and commits only when nothing was rejected; a first load into an empty table is one
 * transaction with the non-unique indexes built after it. Validation thus runs beside the
 * database's work: bench/import measured a first load of 1 M persons at 1.04 × the database's
 * own bulk load (sqlite3 .import, COPY) on both backends, and an import into a table that is
 * not empty — every index maintained row by row, a commit per batch — at 0.56–0.63 ×.
 *
 * Ids: users_new_id() for the first row of a batch, then consecutive; each is checked free
 * under the batch's lock before use. The report lists each batch's rejections in line order.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "arena.h"
#include "audit.h"
#include "csv.h"
#include "db.h"
#include "errors.h"
#include "import.h"
#include "json.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "users.h"

#define DETECT_MAX (1u << 20)  /* bytes looked at to tell UTF-8 from GB18030 */
#define DECODE_CHUNK 65536
#define MAX_INSERT_TRIES 5
#define MAX_REBUILT 16         /* secondary indexes of a table, dropped for a first load */

/* ---------------------------------------------------------------- decoding */

/*
 * The input as UTF-8: a stdio cookie stream over the source that first hands out the bytes
 * read for detection, then the rest, converted from GB18030 when cd is set. raw counts source
 * bytes consumed (the progress bar's unit).
 */
struct decoder {
    FILE *src;
    iconv_t cd;                  /* (iconv_t)-1: pass through */
    unsigned char *prefix;       /* detection bytes not yet handed out (malloc'd) */
    size_t prefix_len, prefix_pos;
    char in[DECODE_CHUNK];       /* GB18030 bytes: in[in_pos, in_len) not yet converted */
    size_t in_pos, in_len;
    bool eof;
    long long raw;
};

/* Up to cap source bytes into dst: the prefix first, then the file. */
static size_t source_read(struct decoder *d, char *dst, size_t cap)
{
    size_t got = 0;
    if (d->prefix_pos < d->prefix_len) {
        got = d->prefix_len - d->prefix_pos < cap ? d->prefix_len - d->prefix_pos : cap;
        memcpy(dst, d->prefix + d->prefix_pos, got);
        d->prefix_pos += got;
        return got;
    }
    got = fread(dst, 1, cap, d->src);
    if (got == 0)
        d->eof = true;
    return got;
}

static ssize_t decoder_read(void *cookie, char *buf, size_t size)
{
    struct decoder *d = cookie;
    if (d->cd == (iconv_t)-1) {
        size_t got = source_read(d, buf, size);
        d->raw += (long long)got;
        return got == 0 && ferror(d->src) ? -1 : (ssize_t)got;
    }
    size_t produced = 0;
    while (produced < size) {
        if (d->in_len - d->in_pos < 8 && !d->eof) { /* a GB18030 sequence is at most 4 bytes */
            memmove(d->in, d->in + d->in_pos, d->in_len - d->in_pos);
            d->in_len -= d->in_pos;
            d->in_pos = 0;
            d->in_len += source_read(d, d->in + d->in_len, sizeof d->in - d->in_len);
        }
        if (d->in_pos == d->in_len)
            break;
        char *ip = d->in + d->in_pos, *op = buf + produced;
        size_t il = d->in_len - d->in_pos, ol = size - produced;
        size_t r = iconv(d->cd, &ip, &il, &op, &ol);
        int err = r == (size_t)-1 ? errno : 0;
        d->raw += (long long)(ip - (d->in + d->in_pos));
        d->in_pos = (size_t)(ip - d->in);
        produced = (size_t)(op - buf);
        if (err == 0 || (err == EINVAL && !d->eof))
            continue; /* all converted, or a sequence cut by the chunk: read on */
        if (err == E2BIG || produced == size)
            break;
        buf[produced++] = (char)0xFF; /* not GB18030: a byte no UTF-8 check accepts */
        d->in_pos++;
        d->raw++;
    }
    if (produced == 0 && ferror(d->src))
        return -1;
    return (ssize_t)produced;
}

static int decoder_close(void *cookie)
{
    struct decoder *d = cookie;
    if (d->cd != (iconv_t)-1)
        iconv_close(d->cd);
    free(d->prefix);
    free(d);
    return 0;
}

/* Opens in as a UTF-8 stream per want (AUTO: detected from the first bytes); *used receives
 * the encoding read with. Returns the stream (fclose() frees the decoder; in stays open) or
 * NULL with errno set. */
static FILE *decoder_open(FILE *in, enum import_encoding want, enum import_encoding *used,
                          struct decoder **out)
{
    struct decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->src = in;
    d->cd = (iconv_t)-1;
    if (want == IMPORT_ENC_AUTO) {
        d->prefix = malloc(DETECT_MAX);
        if (!d->prefix) {
            free(d);
            return NULL;
        }
        while (want == IMPORT_ENC_AUTO && d->prefix_len < DETECT_MAX && !d->eof) {
            size_t got = fread(d->prefix + d->prefix_len, 1, DETECT_MAX - d->prefix_len, in);
            d->eof = got == 0;
            d->prefix_len += got;
            want = import_detect_encoding(d->prefix, d->prefix_len, d->eof);
        }
        d->eof = false;
        if (want == IMPORT_ENC_AUTO)
            want = IMPORT_ENC_UTF8; /* all ASCII as far as we looked */
    }
    if (want == IMPORT_ENC_GB18030) {
        d->cd = iconv_open("UTF-8", "GB18030");
        if (d->cd == (iconv_t)-1) {
            decoder_close(d);
            return NULL;
        }
    }
    cookie_io_functions_t io = { .read = decoder_read, .close = decoder_close };
    FILE *f = fopencookie(d, "r", io);
    if (!f) {
        decoder_close(d);
        return NULL;
    }
    *used = want;
    *out = d;
    return f;
}

/* ---------------------------------------------------------------- keys seen in the file */

/* An 18-character key of digits and capitals packs exactly into two words (base 37, 0 for
 * "no character"); anything else is hashed twice (the top bit then tells the two apart). */
struct key128 {
    uint64_t a, b;
};

static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static struct key128 key_pack(const char *k)
{
    struct key128 out = { 0, 0 };
    size_t n = strlen(k);
    bool packable = n <= 18;
    for (size_t i = 0; packable && i < n; i++)
        packable = (k[i] >= '0' && k[i] <= '9') || (k[i] >= 'A' && k[i] <= 'Z');
    if (!packable) {
        out.a = fnv1a(k, 0xcbf29ce484222325ULL) | (1ULL << 63);
        out.b = fnv1a(k, 0x84222325cbf29ce4ULL);
        return out;
    }
    for (size_t i = 0; i < 18; i++) {
        uint64_t d = i >= n      ? 0
                     : k[i] <= '9' ? (uint64_t)(k[i] - '0') + 1
                                   : (uint64_t)(k[i] - 'A') + 11;
        if (i < 9)
            out.a = out.a * 37 + d;
        else
            out.b = out.b * 37 + d;
    }
    return out;
}

struct key_slot {
    struct key128 k;
    long line;      /* 0: empty */
};

struct keyset {
    struct key_slot *slots;
    size_t cap, n;  /* cap a power of two */
};

static size_t key_hash(struct key128 k)
{
    uint64_t x = k.a * 0x9E3779B97F4A7C15ULL ^ k.b;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return (size_t)x;
}

static void keyset_grow(struct keyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1u << 14;
    struct key_slot *slots = calloc(cap, sizeof *slots);
    if (!slots) {
        log_error(NULL, "out of memory for the keys of an import");
        abort();
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i].line)
            continue;
        size_t j = key_hash(s->slots[i].k) & (cap - 1);
        while (slots[j].line)
            j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

/* The line that first had key k; 0 when none (then line is recorded for it). */
static long keyset_put(struct keyset *s, struct key128 k, long line)
{
    if ((s->n + 1) * 10 > s->cap * 7)
        keyset_grow(s);
    size_t j = key_hash(k) & (s->cap - 1);
    for (; s->slots[j].line; j = (j + 1) & (s->cap - 1))
        if (s->slots[j].k.a == k.a && s->slots[j].k.b == k.b)
            return s->slots[j].line;
    s->slots[j].k = k;
    s->slots[j].line = line;
    s->n++;
    return 0;
}

/* ---------------------------------------------------------------- batches */

struct row {
    long line;
    int64_t id;
    const char *v[RECORD_MAX_FIELDS];
    uint32_t given;          /* fields with a non-empty cell: what an update may change */
    bool done;               /* rejected, or found existing: not to be inserted */
};

/* A rejected row, kept with its batch until the batch is written, so that the report lists
 * the lines in order. */
struct rejection {
    long line;
    const char *column, *why;
};

struct rejections {
    struct rejection *items; /* malloc'd */
    long n, cap;
};

/* Rows read and checked by the reader thread, then written by the caller's thread. */
struct batch {
    struct arena *arena;     /* the rows' values and the rejections' texts */
    struct row *rows;        /* malloc'd */
    long nrows, cap;
    struct rejections rejected;
    long first_line, last_line;
    long long read;          /* data rows read up to the batch's last line */
    struct batch *next;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        log_error(NULL, "out of memory in an import");
        abort();
    }
    return q;
}

static struct batch *batch_new(void)
{
    struct batch *b = xrealloc(NULL, sizeof *b);
    memset(b, 0, sizeof *b);
    b->arena = arena_new();
    return b;
}

static void batch_free(struct batch *b)
{
    arena_free(b->arena);
    free(b->rows);
    free(b->rejected.items);
    free(b);
}

/* Records a rejection; column and why are copied into a. */
static void add_rejection(struct rejections *r, struct arena *a, long line, const char *column,
                          const char *why)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = xrealloc(r->items, (size_t)r->cap * sizeof *r->items);
    }
    r->items[r->n++] = (struct rejection){ line, arena_strdup(a, column ? column : ""),
                                           arena_strdup(a, why) };
}

static int by_line(const void *x, const void *y)
{
    long a = ((const struct rejection *)x)->line, b = ((const struct rejection *)y)->line;
    return (a > b) - (a < b);
}

/* ---------------------------------------------------------------- the engine */

struct counts {
    long long inserted, updated, unchanged;
};

struct importer {
    /* set before the reader starts, read-only after */
    struct db *db;
    struct arena *a;                    /* the caller's: messages, statements, header */
    const struct import_options *o;
    const struct entity *e;
    struct import_report *report;
    struct import_result *res;
    long batch_rows;
    int ncols;
    int map[CSV_MAX_FIELDS];            /* column → field */
    const char *header[CSV_MAX_FIELDS]; /* column names as written */
    int col_of[RECORD_MAX_FIELDS];      /* field → column, -1 */
    int region;                         /* index of the region field, -1 */
    const char *sql_insert;             /* SQLite: INSERT … ON CONFLICT DO NOTHING */
    const char *sql_by_key;             /* the stored record of a key */
    const char *sql_keys;               /* PostgreSQL: the stored records of a key array */
    const char *sql_ids;                /* PostgreSQL: which of an id array are taken */
    const char *sql_lock;
    /* the reader thread's */
    struct csv *csv;
    struct decoder *dec;
    struct progress *bar;
    struct keyset keys;                 /* every key of the file, with its first line */
    struct arena *row_arena;            /* one row's checking; reset per row */
    struct batch *filling;
    long long read;
    int reader_rc;
    /* between the two */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *head, *tail;
    int queued;
    bool reader_done, stop;
    /* the writer's (the caller's thread) */
    struct batch *b;                    /* being written */
    struct rejections late;             /* rejected while writing b */
    struct counts batch;                /* of b */
    struct counts pending;              /* one transaction: written, not yet committed */
    bool single_tx;                     /* a first load: the whole import is one transaction */
    int nrebuild;                       /* indexes dropped for a first load, to build after */
    const char *rebuild[MAX_REBUILT];
};

#define QUEUE_MAX 2 /* batches read ahead of the one being written */

/* ---- the reader */

/* The column name for field name f (as the file writes it), else its label. */
static const char *column_name(const struct importer *im, const char *f)
{
    int i = f ? record_field(im->e, f) : -1;
    if (i < 0)
        return f ? f : "";
    return im->col_of[i] >= 0 ? im->header[im->col_of[i]] : im->e->fields[i].label;
}

static void reject_read(struct importer *im, long line, const char *column, const char *why)
{
    add_rejection(&im->filling->rejected, im->filling->arena, line, column, why);
}

/* True when the cell's text is not empty once spaces around it are removed. */
static bool non_empty(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return true;
    return false;
}

/* One data row: checked and, when valid, added to the batch being filled. parsed: what
 * csv_next() answered. */
static void take_row(struct importer *im, int parsed)
{
    const struct entity *e = im->e;
    struct csv *c = im->csv;
    struct batch *b = im->filling;
    long line = c->lineno;
    arena_free(im->row_arena); /* the previous row's checking */
    im->row_arena = arena_new();
    struct arena *ra = im->row_arena;
    b->read = ++im->read;
    if (!b->first_line)
        b->first_line = line;
    b->last_line = line;
    if (parsed != 1) {
        reject_read(im, line, "", "本行格式不正确：引号不成对、引号后有多余字符，或超过 64 列");
        return;
    }
    if (c->nfields != im->ncols) {
        reject_read(im, line, "", arena_printf(ra, "本行有 %d 列，表头有 %d 列", c->nfields,
                                               im->ncols));
        return;
    }
    struct record_values v = { { 0 } };
    uint32_t given = 0;
    for (int col = 0; col < im->ncols; col++) {
        const char *s = c->field[col];
        size_t n = c->len[col];
        if (memchr(s, '\0', n)) {
            reject_read(im, line, im->header[col], "含有 NUL 字符");
            return;
        }
        if (!json_utf8_valid(s, n)) {
            const char *enc = im->res->encoding == IMPORT_ENC_GB18030 ? "GB18030" : "UTF-8";
            reject_read(im, line, im->header[col],
                        arena_printf(ra, "%s不是合法的 %s 文本（请检查文件的编码，或指定 encoding）",
                                     e->fields[im->map[col]].label, enc));
            return;
        }
        v.v[im->map[col]] = s;
        if (non_empty(s, n))
            given |= 1u << im->map[col];
    }
    struct refusal why = { 0 };
    if (record_check(e, ra, im->o->scope, &v, true, im->o->today, &why) != 0) {
        reject_read(im, line, column_name(im, why.field), why.why);
        return;
    }
    long first = keyset_put(&im->keys, key_pack(v.v[e->key]), line);
    if (first) {
        reject_read(im, line, im->header[im->col_of[e->key]],
                    arena_printf(ra, "与第 %ld 行的%s重复（同一文件中每个%s只能出现一次）", first,
                                 e->fields[e->key].label, e->fields[e->key].label));
        return;
    }
    if (b->nrows == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->rows = xrealloc(b->rows, (size_t)b->cap * sizeof *b->rows);
    }
    struct row *r = &b->rows[b->nrows];
    r->line = line;
    r->id = b->nrows ? b->rows[b->nrows - 1].id + 1 : users_new_id();
    for (int i = 0; i < RECORD_MAX_FIELDS; i++)
        r->v[i] = i < e->nfields && v.v[i] ? arena_strdup(b->arena, v.v[i]) : NULL;
    r->given = given;
    r->done = false;
    b->nrows++;
}

/* Hands the filled batch to the writer (waiting while QUEUE_MAX are queued); false once the
 * writer has stopped (the batch is then dropped). */
static bool push(struct importer *im, struct batch *b)
{
    pthread_mutex_lock(&im->mu);
    while (im->queued >= QUEUE_MAX && !im->stop)
        pthread_cond_wait(&im->cv, &im->mu);
    bool stopped = im->stop;
    if (!stopped) {
        if (im->tail)
            im->tail->next = b;
        else
            im->head = b;
        im->tail = b;
        im->queued++;
        pthread_cond_broadcast(&im->cv);
    }
    pthread_mutex_unlock(&im->mu);
    if (stopped)
        batch_free(b);
    return !stopped;
}

/* The reader thread: the rows after the header, in batches. */
static void *reader_main(void *arg)
{
    struct importer *im = arg;
    im->filling = batch_new();
    bool go = true;
    while (go) {
        int got = csv_next(im->csv);
        if (got == 0)
            break;
        if (got == MZ_EIO) {
            im->reader_rc = MZ_EIO;
            break;
        }
        take_row(im, got);
        if (im->filling->nrows + im->filling->rejected.n >= im->batch_rows) {
            go = push(im, im->filling);
            im->filling = batch_new();
        }
        if (im->bar && (im->read & 1023) == 0)
            progress_update(im->bar, im->dec->raw, im->read);
    }
    if (go && (im->filling->nrows || im->filling->rejected.n))
        push(im, im->filling);
    else
        batch_free(im->filling);
    im->filling = NULL;
    pthread_mutex_lock(&im->mu);
    im->reader_done = true;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
    return NULL;
}

/* The next batch to write, or NULL when the reader has finished. */
static struct batch *pop(struct importer *im)
{
    pthread_mutex_lock(&im->mu);
    while (!im->head && !im->reader_done)
        pthread_cond_wait(&im->cv, &im->mu);
    struct batch *b = im->head;
    if (b) {
        im->head = b->next;
        if (!im->head)
            im->tail = NULL;
        im->queued--;
        pthread_cond_broadcast(&im->cv);
    }
    pthread_mutex_unlock(&im->mu);
    return b;
}

/* Tells the reader to stop (after a failure) and drops what it queued. */
static void stop_reader(struct importer *im)
{
    pthread_mutex_lock(&im->mu);
    im->stop = true;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
}

/* ---- the writer */

static void reject(struct importer *im, long line, const char *column, const char *why)
{
    add_rejection(&im->late, im->b->arena, line, column, why);
}

static const char *key_of(const struct importer *im, const struct row *r)
{
    return r->v[im->e->key];
}

static bool same_value(const char *a, const char *b)
{
    if (!a || !*a)
        return !b || !*b;
    return b && strcmp(a, b) == 0;
}

/* A row whose key is registered (record id, stored values cur): rejected when the record lies
 * outside the scope, else its differing non-empty cells are written as an edit. */
static int merge_existing(struct importer *im, struct row *r, int64_t id, const char *const *cur)
{
    const struct entity *e = im->e;
    r->done = true;
    if (im->region >= 0 && (!cur[im->region] || !scope_contains(im->o->scope, cur[im->region]))) {
        reject(im, r->line, im->header[im->col_of[e->key]],
               arena_printf(im->b->arena, "该%s已在您管辖范围以外的区划登记，不能由本次导入修改",
                            e->fields[e->key].label));
        return 0;
    }
    struct record_values u = { { 0 } };
    int n = 0;
    for (int i = 0; i < e->nfields; i++) {
        if (!(r->given & (1u << i)) || i == e->key || (e->fields[i].flags & (F_FIXED | F_DERIVED)))
            continue;
        if (!same_value(r->v[i], cur[i])) {
            u.v[i] = r->v[i];
            n++;
        }
    }
    if (n == 0) {
        im->batch.unchanged++;
        return 0;
    }
    int changed = 0;
    struct refusal why = { 0 };
    int rc = record_update(im->db, e, im->o->scope, id, 0, &u, im->o->actor, im->o->now, &changed,
                           &why);
    if (rc == MZ_EVALIDATE) { /* the change breaks a rule spanning fields of the stored record */
        reject(im, r->line, column_name(im, why.field), why.why);
        return 0;
    }
    if (rc)
        return rc;
    if (changed)
        im->batch.updated++;
    else
        im->batch.unchanged++;
    return 0;
}

/* The statements of the entity, built once from its field table. */
static void build_sql(struct importer *im)
{
    const struct entity *e = im->e;
    size_t cap = 40 * (size_t)e->nfields + 1, used = 0;
    char *cols = arena_alloc(im->a, cap), *marks = arena_alloc(im->a, 3 * (size_t)e->nfields + 1);
    cols[0] = '\0';
    for (int i = 0; i < e->nfields; i++) {
        used += (size_t)snprintf(cols + used, cap - used, "%s%s", i ? ", " : "", e->fields[i].name);
        memcpy(marks + 3 * i, ", ?", 4);
    }
    const char *key = e->fields[e->key].name;
    im->sql_insert = arena_printf(im->a, "INSERT INTO %s (id, %s, version, created_at, "
                                         "updated_at) VALUES (?%s, 1, ?, ?) ON CONFLICT DO NOTHING",
                                  e->table, cols, marks);
    im->sql_by_key = arena_printf(im->a, "SELECT id, %s FROM %s WHERE %s = ?", cols, e->table, key);
    im->sql_keys = arena_printf(im->a, "SELECT id, %s FROM %s WHERE %s = ANY(CAST(? AS bpchar[]))",
                                cols, e->table, key);
    im->sql_ids = arena_printf(im->a, "SELECT id FROM %s WHERE id = ANY(CAST(? AS BIGINT[]))",
                               e->table);
    im->sql_lock = arena_printf(im->a, "LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE", e->table);
}

/* Stored values of the record with key k into cur (copies in the batch's arena); *id. Returns
 * 1 found, 0 not, or an error. */
static int load_by_key(struct importer *im, const char *k, int64_t *id, const char **cur)
{
    const struct entity *e = im->e;
    struct db_stmt *st;
    int rc = db_prepare(im->db, im->sql_by_key, &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, k, strlen(k));
    rc = db_step(st);
    if (rc == 1) {
        *id = db_col_int64(st, 0);
        for (int i = 0; i < e->nfields; i++) {
            size_t n;
            const char *t = db_col_text(st, i + 1, &n);
            cur[i] = t ? arena_strndup(im->b->arena, t, n) : NULL;
        }
    }
    db_reset(st);
    return rc;
}

static void bind_opt(struct db_stmt *st, int index, const char *v)
{
    if (v && *v)
        db_bind_text(st, index, v, strlen(v));
    else
        db_bind_null(st, index);
}

/* SQLite: each row inserted unless its key exists (then merged). */
static int write_sqlite(struct importer *im)
{
    const struct entity *e = im->e;
    struct db_stmt *st;
    int rc = db_prepare(im->db, im->sql_insert, &st);
    if (rc)
        return rc;
    for (long k = 0; k < im->b->nrows; k++) {
        struct row *r = &im->b->rows[k];
        for (int tries = 0; !r->done; tries++) {
            db_bind_int64(st, 1, r->id);
            for (int i = 0; i < e->nfields; i++)
                bind_opt(st, i + 2, r->v[i]);
            db_bind_int64(st, e->nfields + 2, im->o->now);
            db_bind_int64(st, e->nfields + 3, im->o->now);
            rc = db_step(st);
            int64_t inserted = rc == 0 ? db_changes(st) : 0;
            db_reset(st); /* bindings cleared: the statement serves the next row */
            if (rc == MZ_EVALIDATE) { /* a CHECK of the table: record_check should have caught it */
                r->done = true;
                reject(im, r->line, "", "数据库拒绝了本行（取值不符合表的约束）");
                break;
            }
            if (rc < 0)
                return rc;
            if (inserted) {
                r->done = true;
                im->batch.inserted++;
                break;
            }
            const char *cur[RECORD_MAX_FIELDS];
            int64_t id = 0;
            rc = load_by_key(im, key_of(im, r), &id, cur);
            if (rc < 0)
                return rc;
            if (rc == 1)
                rc = merge_existing(im, r, id, cur);
            else if (tries < MAX_INSERT_TRIES)
                r->id = users_new_id(); /* the id was taken: another writer's */
            else
                rc = MZ_ECONFLICT;
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* "{a,b,…}" of the batch's rows still to insert: their keys, or their ids. */
static char *pg_array(struct importer *im, bool ids)
{
    struct batch *b = im->b;
    size_t cap = 3, used = 1;
    for (long k = 0; k < b->nrows; k++)
        if (!b->rows[k].done)
            cap += ids ? 21 : strlen(key_of(im, &b->rows[k])) + 1;
    char *s = arena_alloc(b->arena, cap);
    s[0] = '{';
    for (long k = 0; k < b->nrows; k++) {
        struct row *r = &b->rows[k];
        if (r->done)
            continue;
        if (used > 1)
            s[used++] = ',';
        used += ids ? (size_t)snprintf(s + used, cap - used, "%lld", (long long)r->id)
                    : (size_t)snprintf(s + used, cap - used, "%s", key_of(im, r));
    }
    s[used++] = '}';
    s[used] = '\0';
    return s;
}

struct keyed_row {
    const char *key;
    struct row *row;
};

static int by_key(const void *x, const void *y)
{
    return strcmp(((const struct keyed_row *)x)->key, ((const struct keyed_row *)y)->key);
}

struct found {
    int64_t id;
    const char **cur;
};

/* PostgreSQL: the rows whose key exists are merged. Keys hold only [0-9A-Z] (normalised by the
 * entity's hook), so they go into the array literal as they are. */
static int pg_merge_existing(struct importer *im)
{
    const struct entity *e = im->e;
    struct batch *b = im->b;
    struct db_stmt *st;
    int rc = db_prepare(im->db, im->sql_keys, &st);
    if (rc)
        return rc;
    char *keys = pg_array(im, false);
    db_bind_text(st, 1, keys, strlen(keys));
    struct found *found = NULL;
    long nfound = 0, cap = 0;
    while ((rc = db_step(st)) == 1) {
        if (nfound == cap) {
            cap = cap ? cap * 2 : 64;
            found = xrealloc(found, (size_t)cap * sizeof *found);
        }
        struct found *f = &found[nfound++];
        f->id = db_col_int64(st, 0);
        f->cur = arena_alloc(b->arena, (size_t)e->nfields * sizeof *f->cur);
        for (int i = 0; i < e->nfields; i++) {
            size_t n;
            const char *t = db_col_text(st, i + 1, &n);
            f->cur[i] = t ? arena_strndup(b->arena, t, n) : NULL;
        }
    }
    db_reset(st);
    if (rc == 0 && nfound) {
        struct keyed_row *index = xrealloc(NULL, (size_t)b->nrows * sizeof *index);
        long n = 0;
        for (long k = 0; k < b->nrows; k++)
            if (!b->rows[k].done)
                index[n++] = (struct keyed_row){ key_of(im, &b->rows[k]), &b->rows[k] };
        qsort(index, (size_t)n, sizeof *index, by_key);
        for (long k = 0; k < nfound && rc == 0; k++) {
            struct keyed_row want = { found[k].cur[e->key], NULL };
            struct keyed_row *hit = want.key ? bsearch(&want, index, (size_t)n, sizeof *index,
                                                       by_key) : NULL;
            if (hit && !hit->row->done)
                rc = merge_existing(im, hit->row, found[k].id, found[k].cur);
        }
        free(index);
    }
    free(found);
    return rc;
}

/* PostgreSQL: gives new ids to rows whose id another writer has taken. */
static int pg_free_ids(struct importer *im)
{
    struct batch *b = im->b;
    for (int round = 0; round < MAX_INSERT_TRIES; round++) {
        struct db_stmt *st;
        int rc = db_prepare(im->db, im->sql_ids, &st);
        if (rc)
            return rc;
        char *ids = pg_array(im, true);
        db_bind_text(st, 1, ids, strlen(ids));
        int taken = 0;
        while ((rc = db_step(st)) == 1) {
            int64_t id = db_col_int64(st, 0);
            for (long k = 0; k < b->nrows; k++)
                if (!b->rows[k].done && b->rows[k].id == id) {
                    b->rows[k].id = users_new_id();
                    taken++;
                }
        }
        db_reset(st);
        if (rc < 0 || taken == 0)
            return rc < 0 ? rc : 0;
    }
    return MZ_ECONFLICT;
}

/* PostgreSQL: existing keys merged, then COPY of the rest straight into the table. */
static int write_pg(struct importer *im)
{
    const struct entity *e = im->e;
    struct batch *b = im->b;
    int rc = pg_merge_existing(im);
    if (rc == 0)
        rc = pg_free_ids(im);
    if (rc)
        return rc;
    long todo = 0;
    for (long k = 0; k < b->nrows; k++)
        todo += !b->rows[k].done;
    if (todo == 0)
        return 0;
    const char *names[RECORD_MAX_FIELDS + 4];
    const char *values[RECORD_MAX_FIELDS + 4];
    int n = 0;
    names[n++] = "id";
    for (int i = 0; i < e->nfields; i++)
        names[n++] = e->fields[i].name;
    names[n++] = "version";
    names[n++] = "created_at";
    names[n++] = "updated_at";
    rc = db_copy_begin(im->db, e->table, names, n);
    if (rc)
        return rc;
    char idt[24], now[24];
    snprintf(now, sizeof now, "%lld", (long long)im->o->now);
    for (long k = 0; k < b->nrows && rc == 0; k++) {
        struct row *r = &b->rows[k];
        if (r->done)
            continue;
        snprintf(idt, sizeof idt, "%lld", (long long)r->id);
        values[0] = idt;
        for (int i = 0; i < e->nfields; i++)
            values[i + 1] = r->v[i] && *r->v[i] ? r->v[i] : NULL;
        values[e->nfields + 1] = "1";
        values[e->nfields + 2] = now;
        values[e->nfields + 3] = now;
        rc = db_copy_row(im->db, values, NULL);
        im->batch.inserted++;
    }
    int end = db_copy_end(im->db);
    return rc ? rc : end;
}

static int audit(struct importer *im, const char *outcome, const char *detail)
{
    char object[24];
    snprintf(object, sizeof object, "%lld", (long long)im->o->import_id);
    struct audit_event ev = {
        .action = arena_printf(im->a, "%s.import", im->e->type),
        .object_type = "import",
        .object_id = object,
        .region = im->o->region,
        .outcome = outcome,
        .detail = detail,
    };
    return audit_append(im->db, im->o->auditor, &ev);
}

static void add_counts(struct counts *to, const struct counts *c)
{
    to->inserted += c->inserted;
    to->updated += c->updated;
    to->unchanged += c->unchanged;
}

/* Opens the transaction (PostgreSQL: and locks the table) unless one is open. */
static int open_transaction(struct importer *im)
{
    if (db_in_transaction(im->db))
        return 0;
    int rc = db_begin(im->db);
    if (rc == 0 && db_kind(im->db) == DB_POSTGRES)
        rc = db_exec(im->db, im->sql_lock);
    if (rc && db_in_transaction(im->db))
        db_rollback(im->db);
    return rc;
}

/* The batch's rejections, those found while reading and those found while writing, in line
 * order into the report. */
static void report_batch(struct importer *im)
{
    struct rejections *early = &im->b->rejected, *late = &im->late;
    if (late->n > 1)
        qsort(late->items, (size_t)late->n, sizeof *late->items, by_line);
    long i = 0, j = 0;
    while (i < early->n || j < late->n) {
        bool first = j == late->n || (i < early->n && early->items[i].line <= late->items[j].line);
        struct rejection *r = first ? &early->items[i++] : &late->items[j++];
        import_report_add(im->report, r->line, r->column, r->why);
    }
    im->res->rejected += early->n + late->n;
    late->n = 0;
}

/* Writes batch b; in mode valid commits it with its audit entry. */
static int flush(struct importer *im, struct batch *b)
{
    im->b = b;
    memset(&im->batch, 0, sizeof im->batch);
    int rc = b->nrows ? open_transaction(im) : 0;
    struct refusal why;
    for (long k = 0; rc == 0 && k < b->nrows; k++) {
        struct record_values v;
        memcpy(v.v, b->rows[k].v, sizeof v.v);
        rc = record_check_refs(im->db, im->e, im->o->scope, &v, &why);
        if (rc == MZ_EVALIDATE) {
            b->rows[k].done = true;
            reject(im, b->rows[k].line, column_name(im, why.field), why.why);
            rc = 0;
        }
    }
    if (rc == 0 && b->nrows)
        rc = db_kind(im->db) == DB_POSTGRES ? write_pg(im) : write_sqlite(im);
    if (rc == 0 && b->nrows && im->o->mode == IMPORT_MODE_VALID && !im->single_tx) {
        rc = audit(im, "success", arena_printf(b->arena,
            "import=%lld lines=%ld-%ld inserted=%lld updated=%lld unchanged=%lld rejected=%ld",
            (long long)im->o->import_id, b->first_line, b->last_line, im->batch.inserted,
            im->batch.updated, im->batch.unchanged, b->rejected.n + im->late.n));
        rc = db_finish(im->db, rc);
        if (rc == 0) {
            struct counts done = { im->res->inserted, im->res->updated, im->res->unchanged };
            add_counts(&done, &im->batch);
            im->res->inserted = done.inserted;
            im->res->updated = done.updated;
            im->res->unchanged = done.unchanged;
        }
    } else if (rc == 0) {
        add_counts(&im->pending, &im->batch);
    } else if (db_in_transaction(im->db)) {
        db_rollback(im->db);
    }
    if (rc == 0 && im->o->mode == IMPORT_MODE_VALID && !im->single_tx)
        im->res->committed = b->read;
    report_batch(im);
    if (rc) {
        im->res->error = arena_printf(im->a, "第 %ld 行起的一批数据写入数据库失败，该批及其后各行均未"
                                             "导入%s", b->first_line,
                                      im->o->mode == IMPORT_MODE_VALID
                                          ? "；此前各批已提交，重新导入本文件即可补齐" : "");
        import_report_add(im->report, b->first_line, "", im->res->error);
        log_error(im->o->auditor->request_id, "import %lld: batch from line %ld failed: %s",
                  (long long)im->o->import_id, b->first_line, db_errmsg(im->db));
    }
    im->b = NULL;
    return rc;
}

/* Reads the header; MZ_EVALIDATE with res->error when there is none usable. */
static int take_header(struct importer *im)
{
    struct csv *c = im->csv;
    int rc = csv_next(c);
    if (rc == 0) {
        im->res->error = "文件为空（没有表头行）";
        return MZ_EVALIDATE;
    }
    if (rc == MZ_EIO) {
        im->res->error = "读取文件失败";
        return MZ_EIO;
    }
    if (rc < 0) {
        im->res->error = "第 1 行（表头）格式不正确：引号不成对，或超过 64 列";
        return MZ_EVALIDATE;
    }
    const char *why = NULL;
    im->ncols = c->nfields;
    for (int col = 0; col < c->nfields; col++) {
        const char *f = c->field[col];
        if (memchr(f, '\0', c->len[col]) || !json_utf8_valid(f, c->len[col])) {
            im->res->error = arena_printf(im->a, "第 %ld 行（表头）第 %d 列不是文本：%s", c->lineno,
                col + 1, im->res->encoding == IMPORT_ENC_GB18030
                             ? "文件既不是 UTF-8 也不是 GB18030 编码的 CSV 文本"
                             : "文件可能是 GB18030/GBK 编码，请将编码设为 auto 或 gb18030");
            return MZ_EVALIDATE;
        }
    }
    if (import_header_map(im->e, im->a, c->field, c->len, c->nfields, im->map, &why) != 0) {
        im->res->error = arena_printf(im->a, "第 %ld 行（表头）：%s", c->lineno, why);
        return MZ_EVALIDATE;
    }
    for (int i = 0; i < RECORD_MAX_FIELDS; i++)
        im->col_of[i] = -1;
    for (int col = 0; col < c->nfields; col++) {
        im->header[col] = arena_strndup(im->a, c->field[col], c->len[col]);
        im->col_of[im->map[col]] = col;
    }
    return 0;
}

/* True for a name as our migrations write them (letters, digits, '_'). */
static bool plain_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/*
 * A first load (o->rebuild_indexes, the table empty and, on PostgreSQL, ours to alter): opens
 * the import's only transaction and drops the table's non-unique indexes, keeping their
 * definitions to build them again after the load — a sort instead of a million random index
 * inserts (shared/PERFORMANCE.md: "building indexes after the load where the table is new").
 * Unique indexes stay: they decide the upsert. A crash then leaves the table as it was: empty.
 * Returns 0, also when it does not apply (nothing then changes), or a database error.
 */
static int begin_first_load(struct importer *im)
{
    const char *table = im->e->table;
    bool pg = db_kind(im->db) == DB_POSTGRES;
    int rc = open_transaction(im);
    struct db_stmt *st;
    if (rc == 0)
        rc = db_prepare(im->db, arena_printf(im->a, "SELECT 1 FROM %s LIMIT 1", table), &st);
    bool empty = false;
    if (rc == 0) {
        rc = db_step(st);
        empty = rc == 0;
        db_reset(st);
    }
    if (rc >= 0 && empty && pg) {
        rc = db_prepare(im->db, "SELECT 1 FROM pg_class WHERE oid = to_regclass(?) "
                                "AND pg_has_role(relowner, 'USAGE')", &st);
        if (rc == 0) {
            db_bind_text(st, 1, table, strlen(table));
            rc = db_step(st);
            empty = rc == 1;
            db_reset(st);
        }
    }
    if (rc >= 0 && empty)
        rc = db_prepare(im->db,
                        pg ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                             "current_schema() AND tablename = ? AND indexdef NOT LIKE "
                             "'CREATE UNIQUE%'"
                           : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
                        &st);
    if (rc >= 0 && empty) {
        db_bind_text(st, 1, table, strlen(table));
        const char *names[MAX_REBUILT];
        while ((rc = db_step(st)) == 1 && im->nrebuild < MAX_REBUILT) {
            const char *name = db_col_text(st, 0, NULL);
            if (!plain_name(name))
                continue;
            names[im->nrebuild] = arena_strdup(im->a, name);
            im->rebuild[im->nrebuild++] = arena_strdup(im->a, db_col_text(st, 1, NULL));
        }
        db_reset(st);
        for (int i = 0; rc >= 0 && i < im->nrebuild; i++)
            rc = db_exec(im->db, arena_printf(im->a, "DROP INDEX %s", names[i]));
    }
    if (rc >= 0 && empty) {
        im->single_tx = true;
        im->res->first_load = true;
        return 0;
    }
    im->nrebuild = 0;
    if (db_in_transaction(im->db))
        db_rollback(im->db);
    return rc < 0 ? rc : 0;
}

/* A first load that went well: its indexes built again. */
static int rebuild_indexes(struct importer *im)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < im->nrebuild; i++)
        rc = db_exec(im->db, im->rebuild[i]);
    if (rc)
        im->res->error = "导入后重建索引失败，未导入任何数据";
    return rc;
}

/* Mode valid of a first load at the end: the one transaction committed, or rolled back. */
static int finish_single(struct importer *im, int rc)
{
    struct import_result *res = im->res;
    const char *counts = arena_printf(im->a, "import=%lld mode=valid first_load read=%lld "
                                             "inserted=%lld updated=%lld unchanged=%lld "
                                             "rejected=%lld", (long long)im->o->import_id,
                                      res->read, im->pending.inserted, im->pending.updated,
                                      im->pending.unchanged, res->rejected);
    if (rc == 0)
        rc = audit(im, "success", counts);
    if (rc == 0)
        rc = db_finish(im->db, 0);
    if (rc == 0) {
        res->inserted = im->pending.inserted;
        res->updated = im->pending.updated;
        res->unchanged = im->pending.unchanged;
        res->committed = res->read;
        return 0;
    }
    if (!res->error)
        res->error = "提交失败，未导入任何数据";
    if (db_in_transaction(im->db))
        db_rollback(im->db);
    res->rolled_back = true;
    audit(im, "failure", arena_printf(im->a, "%s rolled_back", counts));
    return rc;
}

/* Mode all at the end: commit when nothing was rejected, else roll back. */
static int finish_all(struct importer *im, int rc)
{
    struct import_result *res = im->res;
    const char *counts = arena_printf(im->a, "import=%lld mode=all read=%lld inserted=%lld "
                                             "updated=%lld unchanged=%lld rejected=%lld",
                                      (long long)im->o->import_id, res->read,
                                      im->pending.inserted, im->pending.updated,
                                      im->pending.unchanged, res->rejected);
    if (rc == 0 && res->rejected == 0) {
        rc = open_transaction(im);
        if (rc == 0)
            rc = audit(im, "success", counts);
        if (rc == 0)
            rc = db_finish(im->db, rc);
        if (rc == 0) {
            res->inserted = im->pending.inserted;
            res->updated = im->pending.updated;
            res->unchanged = im->pending.unchanged;
            res->committed = res->read;
            return 0;
        }
        res->error = "提交失败，未导入任何数据";
    }
    if (db_in_transaction(im->db))
        db_rollback(im->db);
    res->rolled_back = true;
    audit(im, "failure", arena_printf(im->a, "%s rolled_back", counts));
    return rc;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads (in a thread of its own) and writes (here) every batch; returns the first error. */
static int run_batches(struct importer *im)
{
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, im) != 0) {
        im->res->error = "无法启动读取线程";
        return MZ_ENOMEM;
    }
    int rc = 0;
    for (struct batch *b; (b = pop(im)) != NULL; batch_free(b)) {
        if (rc == 0)
            rc = flush(im, b);
        if (rc)
            stop_reader(im);
    }
    pthread_join(reader, NULL);
    im->res->read = im->read;
    if (rc == 0 && im->reader_rc) {
        im->res->error = "读取文件失败";
        rc = im->reader_rc;
    }
    return rc;
}

int import_run(struct db *db, struct arena *a, const struct import_options *o, FILE *in,
               long long size, struct import_report *report, struct import_result *res)
{
    double started = seconds_now();
    memset(res, 0, sizeof *res);
    struct importer im = {
        .db = db, .a = a, .o = o, .e = o->entity, .report = report, .res = res,
        .region = record_field(o->entity, "region"),
        .batch_rows = o->batch_rows > 0 ? o->batch_rows : IMPORT_BATCH_ROWS,
        .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
    };
    struct csv c;
    memset(&c, 0, sizeof c);
    c.in = decoder_open(in, o->encoding, &res->encoding, &im.dec);
    if (!c.in) {
        res->error = "无法读取文件（编码转换不可用）";
        res->rolled_back = true;
        return MZ_EIO;
    }
    im.csv = &c;
    struct progress bar;
    if (o->progress) {
        progress_begin(&bar, arena_printf(a, "import %s", o->entity->table), size);
        im.bar = &bar;
    }
    build_sql(&im);
    im.row_arena = arena_new();
    int rc = take_header(&im);
    bool started_rows = rc == 0;
    if (started_rows)
        rc = begin_first_load(&im);
    if (started_rows && rc == 0)
        rc = run_batches(&im);
    if (started_rows && db_in_transaction(db) && (rc || (o->mode == IMPORT_MODE_VALID &&
                                                         !im.single_tx)))
        db_rollback(db);
    if (started_rows && rc == 0 && im.single_tx &&
        (o->mode == IMPORT_MODE_VALID || res->rejected == 0))
        rc = rebuild_indexes(&im);
    if (started_rows && o->mode == IMPORT_MODE_ALL)
        rc = finish_all(&im, rc);
    else if (started_rows && im.single_tx)
        rc = finish_single(&im, rc);
    else if (started_rows)
        audit(&im, rc ? "failure" : "success", arena_printf(a,
              "import=%lld mode=valid read=%lld inserted=%lld updated=%lld unchanged=%lld "
              "rejected=%lld committed=%lld", (long long)o->import_id, res->read, res->inserted,
              res->updated, res->unchanged, res->rejected, res->committed));
    else
        res->rolled_back = true;
    if (o->progress)
        progress_done(&bar, res->read);
    res->seconds = seconds_now() - started;
    arena_free(im.row_arena);
    free(im.late.items);
    free(im.keys.slots);
    csv_close(&c);
    if (import_report_finish(report) != 0 && rc == 0) {
        res->error = "写入报告失败";
        rc = MZ_EIO;
    }
    return rc;
}
