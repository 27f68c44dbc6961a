/*
 * core/audit.c — the security audit log (安全审计, GB/T 22239-2019 8.1.4.3 c): the key file, the
 * HMAC-SM3 hash chain, appending, verifying and pruning. See audit.h for what is recorded.
 *
 * Entry hash. The format is fixed: audit_verify() and any outside verifier depend on it.
 *
 *   hash = lower-case hex of HMAC-SM3(key, seq US at US actor_id US actor_login US actor_role
 *          US source US action US object_type US object_id US region US outcome US detail
 *          US request_id US prev_hash)
 *
 * US is the byte 0x1f (unit separator); there is none before the first field or after the last.
 * seq and actor_id are decimal, no sign, no leading zeros (actor_id is 0 when the column is
 * NULL); every other field is the column's UTF-8 text as stored; at is UTC with milliseconds,
 * "2026-11-26T03:50:00.123Z". prev_hash is the previous entry's hash: 64 '0' for entry 1, the
 * anchor's hash for the first entry after pruning. No field contains a byte below 0x20 or 0x7f
 * (audit_append() refuses them), so the serialisation is unambiguous. The key is 32 bytes from
 * the key file, outside the database.
 *
 * Chain. seq is the previous seq + 1. Appends are serialised — SQLite: the write lock of
 * BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock (AUDIT_PG_LOCK below) taken
 * before the head is read — so two appends never chain onto the same head. Joined to a caller's
 * transaction, the PostgreSQL lock is held until that transaction ends: record the event late.
 *
 * Pruning writes an anchor (the last pruned entry's seq and hash), deletes entries up to it and
 * appends an "audit.prune" entry whose object_id is the anchor's seq and whose detail starts
 * with "anchor_hash=<hash>". audit_verify() starts from the newest anchor and requires that
 * entry, so an anchor forged directly in the database (to hide deleted entries) is reported.
 *
 * Not detected by the chain alone: removal of the newest entries (the tail). That needs the
 * head kept elsewhere (the signed daily checkpoint of shared/domain/security.md §1.3 c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "audit.h"
#include "db.h"
#include "errors.h"
#include "keyfile.h"
#include "ids.h"
#include "json.h"
#include "log.h"

enum {
    HASH_HEX_LEN = 64,              /* SM3: 32 bytes */
    TIME_TEXT_MAX = 32,             /* "2026-11-26T03:50:00.123Z" and room */
    FIELD_COUNT = 14,               /* hashed fields, seq … prev_hash */
    DETAIL_MAX = 1000,              /* bytes */
    TEXT_MAX = 200,                 /* bytes, every other text field */
    VERIFY_PAGE = 10000,            /* rows per query while verifying */
    MAX_RETENTION_DAYS = 36500,
};

/* pg_advisory_xact_lock key: the bytes "mz-audit" as a big-endian integer. */
#define AUDIT_PG_LOCK_SQL "SELECT pg_advisory_xact_lock(7888667593897437556)"

static const char ZERO_HASH[HASH_HEX_LEN + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static const char PRUNE_ACTION[] = "audit.prune";
static const char PRUNE_OBJECT_TYPE[] = "audit_log";
static const char PRUNE_DETAIL_PREFIX[] = "anchor_hash=";
static const char SYSTEM_REGION[] = "000000000000";

#define HEAD_SQL "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
#define ANCHOR_SQL "SELECT upto_seq, hash FROM audit_anchor ORDER BY upto_seq DESC LIMIT 1"
#define INSERT_SQL                                                                              \
    "INSERT INTO audit_log (seq, at, actor_id, actor_login, actor_role, source, action, "      \
    "object_type, object_id, region, outcome, detail, request_id, prev_hash, hash) "           \
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
/* Columns in hashed order, then the stored hash. */
#define VERIFY_SQL                                                                              \
    "SELECT seq, at, actor_id, actor_login, actor_role, source, action, object_type, "         \
    "object_id, region, outcome, detail, request_id, prev_hash, hash FROM audit_log "          \
    "WHERE seq > ? ORDER BY seq LIMIT 10000"

/* Set once by audit_key_load() before worker threads start; read-only afterwards. */
static unsigned char audit_key[AUDIT_KEY_LEN];
static bool audit_key_loaded;
static EVP_MAC *audit_mac;

struct field {
    const char *s;
    size_t len;
};

/* Makes sure HMAC with SM3 is available, so a server without it refuses to start. */
static int mac_fetch(void)
{
    if (!audit_mac)
        audit_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = audit_mac ? EVP_MAC_CTX_new(audit_mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx && EVP_MAC_init(ctx, audit_key, AUDIT_KEY_LEN, params) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        log_error(NULL, "audit: this OpenSSL has no HMAC-SM3");
        return MZ_EIO;
    }
    return 0;
}

int audit_key_load(const char *path, int create)
{
    unsigned char key[AUDIT_KEY_LEN];
    if (keyfile_load(path, create, key, AUDIT_KEY_LEN, "audit") != 0)
        return MZ_EIO;
    memcpy(audit_key, key, AUDIT_KEY_LEN);
    OPENSSL_cleanse(key, sizeof key);
    int rc = mac_fetch();
    if (rc != 0) {
        audit_key_forget();
        return rc;
    }
    audit_key_loaded = true;
    return 0;
}

void audit_key_forget(void)
{
    OPENSSL_cleanse(audit_key, sizeof audit_key);
    audit_key_loaded = false;
    EVP_MAC_free(audit_mac);
    audit_mac = NULL;
}

/* ---- hashing ------------------------------------------------------------------------------ */

/* A MAC context for a run of entries; NULL when the key is not loaded or memory ran out. */
static EVP_MAC_CTX *mac_new(void)
{
    if (!audit_key_loaded || !audit_mac) {
        log_error(NULL, "audit: the audit key is not loaded");
        return NULL;
    }
    return EVP_MAC_CTX_new(audit_mac);
}

/* HMAC-SM3 of the serialised fields as lower-case hex into hex (65 bytes). 0 or MZ_EINTERNAL. */
static int entry_hash(EVP_MAC_CTX *ctx, const struct field f[FIELD_COUNT],
                      char hex[HASH_HEX_LEN + 1])
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
        OSSL_PARAM_construct_end(),
    };
    static const unsigned char us = 0x1f;
    if (EVP_MAC_init(ctx, audit_key, AUDIT_KEY_LEN, params) != 1)
        return MZ_EINTERNAL;
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (i > 0 && EVP_MAC_update(ctx, &us, 1) != 1)
            return MZ_EINTERNAL;
        if (f[i].len > 0 && EVP_MAC_update(ctx, (const unsigned char *)f[i].s, f[i].len) != 1)
            return MZ_EINTERNAL;
    }
    unsigned char mac[HASH_HEX_LEN / 2];
    size_t maclen = 0;
    if (EVP_MAC_final(ctx, mac, &maclen, sizeof mac) != 1 || maclen != sizeof mac)
        return MZ_EINTERNAL;
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof mac; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[HASH_HEX_LEN] = '\0';
    return 0;
}

/* ---- time --------------------------------------------------------------------------------- */

/* Formats t (UTC) with milliseconds: "2026-11-26T03:50:00.123Z". */
static void time_format(time_t sec, long msec, char out[TIME_TEXT_MAX])
{
    struct tm tm;
    if (!gmtime_r(&sec, &tm)) {
        snprintf(out, TIME_TEXT_MAX, "0000-00-00T00:00:00.000Z");
        return;
    }
    size_t n = strftime(out, TIME_TEXT_MAX - 6, "%Y-%m-%dT%H:%M:%S", &tm);
    unsigned ms = (unsigned)msec % 1000;
    out[n] = '.';
    out[n + 1] = (char)('0' + ms / 100);
    out[n + 2] = (char)('0' + ms / 10 % 10);
    out[n + 3] = (char)('0' + ms % 10);
    out[n + 4] = 'Z';
    out[n + 5] = '\0';
}

/* Now minus days, as time_format() text. */
static void time_now(int days_back, char out[TIME_TEXT_MAX])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    time_format(ts.tv_sec - (time_t)days_back * 86400, ts.tv_nsec / 1000000, out);
}

/* ---- transactions ------------------------------------------------------------------------- */

/* Opens a write transaction unless one is open (*own tells which), and on PostgreSQL takes the
 * audit lock. On failure nothing is left open that was not open before. */
static int write_begin(struct db *db, bool *own)
{
    *own = !db_in_transaction(db);
    if (*own) {
        int rc = db_begin(db);
        if (rc != 0)
            return rc;
    }
    if (db_kind(db) == DB_POSTGRES) {
        struct db_stmt *st;
        int rc = db_prepare(db, AUDIT_PG_LOCK_SQL, &st);
        if (rc == 0) {
            rc = db_step(st);
            db_reset(st);
        }
        if (rc < 0) {
            if (*own)
                db_rollback(db);
            return rc;
        }
    }
    return 0;
}

/* Ends what write_begin() opened: commits when rc is 0, else rolls back. Returns rc, or the
 * commit's error. A joined transaction is left to its owner. */
static int write_end(struct db *db, bool own, int rc)
{
    if (!own)
        return rc;
    if (rc == 0) {
        rc = db_commit(db);
        if (rc == 0)
            return 0;
    }
    if (db_in_transaction(db))
        db_rollback(db);
    return rc;
}

/* ---- append ------------------------------------------------------------------------------- */

/* True when s[0..len) is UTF-8 without control characters. */
static bool text_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return json_utf8_valid(s, len);
}

/* Checks s (NULL → dflt) and stores it in *f. */
static int text_field(struct field *f, const char *s, const char *dflt, size_t max, bool required)
{
    if (!s)
        s = dflt;
    size_t len = strlen(s);
    if (len > max || (required && len == 0) || !text_ok(s, len))
        return MZ_EINVAL;
    f->s = s;
    f->len = len;
    return 0;
}

/* The validated content of a new entry; the fields point into the caller's strings. */
struct entry {
    int64_t actor_id;
    char region[REGION_CODE_LEN + 1];
    struct field login, role, source, request_id;
    struct field action, object_type, object_id, outcome, detail;
};

static int entry_check(const struct audit_actor *actor, const struct audit_event *ev,
                       struct entry *e)
{
    static const struct audit_actor nobody = { 0 };
    if (!ev || !ev->region)
        return MZ_EINVAL;
    if (!actor)
        actor = &nobody;
    if (actor->id < 0)
        return MZ_EINVAL;
    e->actor_id = actor->id;
    int rc = 0;
    rc |= text_field(&e->login, actor->login, "-", TEXT_MAX, true);
    rc |= text_field(&e->role, actor->role, "-", TEXT_MAX, true);
    rc |= text_field(&e->source, actor->source, "-", TEXT_MAX, true);
    rc |= text_field(&e->request_id, actor->request_id, "-", TEXT_MAX, true);
    rc |= text_field(&e->action, ev->action, "", TEXT_MAX, true);
    rc |= text_field(&e->object_type, ev->object_type, "", TEXT_MAX, true);
    rc |= text_field(&e->object_id, ev->object_id, "-", TEXT_MAX, true);
    rc |= text_field(&e->outcome, ev->outcome, "", TEXT_MAX, true);
    rc |= text_field(&e->detail, ev->detail, "", DETAIL_MAX, false);
    if (rc != 0)
        return MZ_EINVAL;
    if (strcmp(e->outcome.s, "success") != 0 && strcmp(e->outcome.s, "failure") != 0 &&
        strcmp(e->outcome.s, "denied") != 0)
        return MZ_EINVAL;
    if (ids_region_normalize(ev->region, strlen(ev->region), e->region) != 0)
        return MZ_EINVAL;
    return 0;
}

/* The last entry's seq and hash, or the newest anchor's when the log is empty, or 0 and the
 * zero hash. */
static int head_read(struct db *db, int64_t *seq, char hash[HASH_HEX_LEN + 1])
{
    static const char *const sql[] = { HEAD_SQL, ANCHOR_SQL };
    for (size_t i = 0; i < 2; i++) {
        struct db_stmt *st;
        int rc = db_prepare(db, sql[i], &st);
        if (rc != 0)
            return rc;
        rc = db_step(st);
        if (rc == 1) {
            size_t len = 0;
            const char *h = db_col_text(st, 1, &len);
            *seq = db_col_int64(st, 0);
            /* a damaged hash is chained as it is (truncated): audit_verify() reports it */
            len = h ? (len < HASH_HEX_LEN ? len : HASH_HEX_LEN) : 0;
            memcpy(hash, h ? h : "", len);
            hash[len] = '\0';
        }
        db_reset(st);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    *seq = 0;
    memcpy(hash, ZERO_HASH, sizeof ZERO_HASH);
    return 0;
}

/* Appends e at time at; the caller holds the transaction and the lock. */
static int append_locked(struct db *db, const struct entry *e, const char *at)
{
    int64_t seq = 0;
    char prev[HASH_HEX_LEN + 1];
    int rc = head_read(db, &seq, prev);
    if (rc != 0)
        return rc;
    seq++;
    char seq_text[24], actor_text[24];
    snprintf(seq_text, sizeof seq_text, "%" PRId64, seq);
    snprintf(actor_text, sizeof actor_text, "%" PRId64, e->actor_id);
    const struct field f[FIELD_COUNT] = {
        { seq_text, strlen(seq_text) }, { at, strlen(at) },
        { actor_text, strlen(actor_text) }, e->login, e->role, e->source,
        e->action, e->object_type, e->object_id, { e->region, REGION_CODE_LEN },
        e->outcome, e->detail, e->request_id, { prev, strlen(prev) },
    };
    char hash[HASH_HEX_LEN + 1];
    EVP_MAC_CTX *ctx = mac_new();
    if (!ctx)
        return MZ_EINTERNAL;
    rc = entry_hash(ctx, f, hash);
    EVP_MAC_CTX_free(ctx);
    if (rc != 0)
        return rc;

    struct db_stmt *st;
    rc = db_prepare(db, INSERT_SQL, &st);
    if (rc != 0)
        return rc;
    rc = db_bind_int64(st, 1, seq);
    for (int i = 1; i < FIELD_COUNT && rc == 0; i++) {
        if (i == 2 && e->actor_id == 0)
            rc = db_bind_null(st, 3);
        else if (i == 2)
            rc = db_bind_int64(st, 3, e->actor_id);
        else
            rc = db_bind_text(st, i + 1, f[i].s, f[i].len);
    }
    if (rc == 0)
        rc = db_bind_text(st, FIELD_COUNT + 1, hash, HASH_HEX_LEN);
    if (rc == 0)
        rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int audit_append(struct db *db, const struct audit_actor *actor, const struct audit_event *ev)
{
    struct entry e;
    if (entry_check(actor, ev, &e) != 0)
        return MZ_EINVAL;
    if (!audit_key_loaded) {
        log_error(actor ? actor->request_id : NULL, "audit: the audit key is not loaded");
        return MZ_EINTERNAL;
    }
    char at[TIME_TEXT_MAX];
    time_now(0, at);
    bool own;
    int rc = write_begin(db, &own);
    if (rc != 0)
        return rc;
    rc = append_locked(db, &e, at);
    return write_end(db, own, rc);
}

/* ---- verify ------------------------------------------------------------------------------- */

struct walk {
    EVP_MAC_CTX *ctx;
    int64_t expect_seq;
    char expect_prev[HASH_HEX_LEN + 1];
    bool anchored;                  /* an anchor exists: the walk began after it */
    int64_t anchor_upto;
    char anchor_seq[24];            /* its upto_seq as text */
    char anchor_hash[HASH_HEX_LEN + 1];
    bool attested;                  /* the audit.prune entry for that anchor was seen */
    struct audit_verify_result res;
};

static bool field_is(const struct field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

/* Checks the current row of st. Returns 0 to go on, 1 when a problem was recorded in w->res,
 * or MZ_E…. */
static int walk_row(struct walk *w, struct db_stmt *st)
{
    int64_t seq = db_col_int64(st, 0);
    if (seq != w->expect_seq) {
        w->res.first_bad_seq = seq;
        if (seq == w->expect_seq + 1)
            snprintf(w->res.reason, sizeof w->res.reason, "entry %" PRId64 " deleted",
                     w->expect_seq);
        else
            snprintf(w->res.reason, sizeof w->res.reason,
                     "entries %" PRId64 " to %" PRId64 " deleted", w->expect_seq, seq - 1);
        return 1;
    }
    char seq_text[24], actor_text[24];
    snprintf(seq_text, sizeof seq_text, "%" PRId64, seq);
    snprintf(actor_text, sizeof actor_text, "%" PRId64,
             db_col_null(st, 2) ? (int64_t)0 : db_col_int64(st, 2));
    struct field f[FIELD_COUNT + 1];
    for (int i = 0; i <= FIELD_COUNT; i++) {
        f[i].s = db_col_text(st, i, &f[i].len);
        if (!f[i].s) {
            f[i].s = "";
            f[i].len = 0;
        }
    }
    f[0] = (struct field){ seq_text, strlen(seq_text) };
    f[2] = (struct field){ actor_text, strlen(actor_text) };

    if (!field_is(&f[13], w->expect_prev)) {
        w->res.first_bad_seq = seq;
        snprintf(w->res.reason, sizeof w->res.reason, "inserted or reordered");
        return 1;
    }
    char hash[HASH_HEX_LEN + 1];
    int rc = entry_hash(w->ctx, f, hash);
    if (rc != 0)
        return rc;
    if (f[14].len != HASH_HEX_LEN || CRYPTO_memcmp(f[14].s, hash, HASH_HEX_LEN) != 0) {
        w->res.first_bad_seq = seq;
        snprintf(w->res.reason, sizeof w->res.reason, "%s",
                 w->res.checked == 0 ? "altered, or not written with this audit key"
                                     : "altered");
        return 1;
    }
    if (w->anchored && !w->attested && field_is(&f[6], PRUNE_ACTION) &&
        field_is(&f[7], PRUNE_OBJECT_TYPE) && field_is(&f[8], w->anchor_seq)) {
        size_t p = sizeof PRUNE_DETAIL_PREFIX - 1;
        const char *d = f[11].s;
        w->attested = f[11].len >= p + HASH_HEX_LEN && memcmp(d, PRUNE_DETAIL_PREFIX, p) == 0 &&
                      memcmp(d + p, w->anchor_hash, HASH_HEX_LEN) == 0 &&
                      (f[11].len == p + HASH_HEX_LEN || d[p + HASH_HEX_LEN] == ' ');
    }
    memcpy(w->expect_prev, hash, sizeof hash);
    w->expect_seq = seq + 1;
    w->res.checked++;
    return 0;
}

/* Reads the newest anchor into w (none: start at seq 1 after the zero hash). */
static int walk_start(struct db *db, struct walk *w)
{
    w->expect_seq = 1;
    memcpy(w->expect_prev, ZERO_HASH, sizeof ZERO_HASH);
    struct db_stmt *st;
    int rc = db_prepare(db, ANCHOR_SQL, &st);
    if (rc != 0)
        return rc;
    rc = db_step(st);
    if (rc == 1) {
        int64_t upto = db_col_int64(st, 0);
        size_t len = 0;
        const char *h = db_col_text(st, 1, &len);
        w->anchored = true;
        w->anchor_upto = upto;
        w->expect_seq = upto + 1;
        snprintf(w->anchor_seq, sizeof w->anchor_seq, "%" PRId64, upto);
        /* a damaged anchor hash cannot match any entry's prev_hash: reported at upto + 1 */
        snprintf(w->anchor_hash, sizeof w->anchor_hash, "%.*s", (int)len, h ? h : "");
        memcpy(w->expect_prev, w->anchor_hash, sizeof w->anchor_hash);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* The walk itself, page by page. 0 (verdict in w->res) or MZ_E…. */
static int walk_all(struct db *db, struct walk *w)
{
    int rc = walk_start(db, w);
    if (rc != 0)
        return rc;
    int64_t cursor = w->expect_seq - 1;
    for (;;) {
        struct db_stmt *st;
        rc = db_prepare(db, VERIFY_SQL, &st);
        if (rc != 0)
            return rc;
        rc = db_bind_int64(st, 1, cursor);
        int rows = 0;
        while (rc == 0 && (rc = db_step(st)) == 1) {
            rows++;
            cursor = db_col_int64(st, 0);
            rc = walk_row(w, st);
        }
        db_reset(st);
        if (rc != 0)
            return rc < 0 ? rc : 0; /* 1: a problem, recorded */
        if (rows < VERIFY_PAGE)
            break;
    }
    if (w->anchored && !w->attested) {
        w->res.first_bad_seq = w->anchor_upto + 1;
        snprintf(w->res.reason, sizeof w->res.reason,
                 "anchor at seq %s has no audit.prune entry", w->anchor_seq);
    }
    return 0;
}

int audit_verify(struct db *db, struct audit_verify_result *r)
{
    struct walk w;
    memset(&w, 0, sizeof w);
    w.ctx = mac_new();
    if (!w.ctx)
        return MZ_EINTERNAL;
    /* one snapshot for the whole walk, without taking the write lock */
    bool own = !db_in_transaction(db);
    int rc = 0;
    if (own)
        rc = db_exec(db, db_kind(db) == DB_POSTGRES
                             ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                             : "BEGIN DEFERRED");
    if (rc == 0)
        rc = walk_all(db, &w);
    if (own && db_in_transaction(db))
        db_rollback(db);
    EVP_MAC_CTX_free(w.ctx);
    if (rc != 0)
        return rc;
    *r = w.res;
    return 0;
}

/* ---- prune -------------------------------------------------------------------------------- */

/* Finds the last entry of the prefix of the log older than cutoff. *upto = 0 when none. */
static int prune_point(struct db *db, const char *cutoff, int64_t *upto,
                       char hash[HASH_HEX_LEN + 1])
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT min(seq) FROM audit_log WHERE at >= ?", &st);
    if (rc != 0)
        return rc;
    int64_t limit = INT64_MAX;
    rc = db_bind_text(st, 1, cutoff, strlen(cutoff));
    if (rc == 0)
        rc = db_step(st);
    if (rc == 1 && !db_col_null(st, 0))
        limit = db_col_int64(st, 0);
    db_reset(st);
    if (rc < 0)
        return rc;

    rc = db_prepare(db, "SELECT seq, hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1",
                    &st);
    if (rc != 0)
        return rc;
    *upto = 0;
    rc = db_bind_int64(st, 1, limit);
    if (rc == 0)
        rc = db_step(st);
    if (rc == 1) {
        size_t len = 0;
        const char *h = db_col_text(st, 1, &len);
        *upto = db_col_int64(st, 0);
        snprintf(hash, HASH_HEX_LEN + 1, "%.*s", (int)len, h ? h : "");
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Anchor, delete, and record the pruning in the chain; inside the transaction and the lock. */
static int prune_locked(struct db *db, const char *cutoff, const char *now, int64_t *pruned)
{
    int64_t upto = 0;
    char hash[HASH_HEX_LEN + 1];
    int rc = prune_point(db, cutoff, &upto, hash);
    if (rc != 0 || upto == 0) {
        *pruned = 0;
        return rc;
    }
    struct db_stmt *st;
    rc = db_prepare(db, "INSERT INTO audit_anchor (upto_seq, hash, pruned_at) VALUES (?, ?, ?)",
                    &st);
    if (rc != 0)
        return rc;
    rc = db_bind_int64(st, 1, upto);
    if (rc == 0)
        rc = db_bind_text(st, 2, hash, strlen(hash));
    if (rc == 0)
        rc = db_bind_text(st, 3, now, strlen(now));
    if (rc == 0)
        rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;

    rc = db_prepare(db, "DELETE FROM audit_log WHERE seq <= ?", &st);
    if (rc != 0)
        return rc;
    rc = db_bind_int64(st, 1, upto);
    if (rc == 0)
        rc = db_step(st);
    int64_t n = rc == 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;

    char object_id[24], detail[128];
    snprintf(object_id, sizeof object_id, "%" PRId64, upto);
    snprintf(detail, sizeof detail, "%s%s pruned=%" PRId64, PRUNE_DETAIL_PREFIX, hash, n);
    const struct audit_event ev = {
        .action = PRUNE_ACTION, .object_type = PRUNE_OBJECT_TYPE, .object_id = object_id,
        .region = SYSTEM_REGION, .outcome = "success", .detail = detail,
    };
    struct entry e;
    rc = entry_check(NULL, &ev, &e);
    if (rc == 0)
        rc = append_locked(db, &e, now);
    if (rc == 0)
        *pruned = n;
    return rc;
}

int audit_prune(struct db *db, int retention_days, int64_t *pruned)
{
    if (retention_days > MAX_RETENTION_DAYS)
        return MZ_EINVAL;
    if (!audit_key_loaded) {
        log_error(NULL, "audit: the audit key is not loaded");
        return MZ_EINTERNAL;
    }
    int days = retention_days > AUDIT_MIN_RETENTION_DAYS ? retention_days
                                                         : AUDIT_MIN_RETENTION_DAYS;
    /* taken before BEGIN, so the database's "now" in the retention trigger is not earlier */
    char now[TIME_TEXT_MAX], cutoff[TIME_TEXT_MAX];
    time_now(0, now);
    time_now(days, cutoff);
    bool own;
    int rc = write_begin(db, &own);
    if (rc != 0)
        return rc;
    int64_t n = 0;
    rc = write_end(db, own, prune_locked(db, cutoff, now, &n));
    if (rc == 0)
        *pruned = n;
    return rc;
}
