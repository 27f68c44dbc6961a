/*
 * tests/unit/core/test_audit.c — the security audit log of core/audit.c (安全审计).
 *
 * Rules under test (audit.h, the audit.c header; shared/domain/security.md §1.3 c): the key file
 * is 32 random bytes, mode 0600, and nothing else is accepted; each entry's hash is HMAC-SM3 of
 * the documented serialisation (recomputed here independently with OpenSSL); the database
 * refuses UPDATE and DELETE of entries and anchors for fresh entries; with those guards removed
 * (as an attacker with file access can), audit_verify() names the first altered, deleted,
 * inserted or reordered entry, and an anchor not made by audit_prune(); an append in a
 * transaction that is rolled back leaves nothing; invalid events write nothing; pruning keeps
 * max(retention, 180 days) and the remainder verifies.
 *
 * Every case runs on a fresh SQLite file, and again on PostgreSQL when MINZHENG_TEST_PG is a
 * database URL (skipped otherwise), in a schema of its own (mz_audit_<pid>) as test_migrate.c
 * does. Entries older than 180 days cannot come from audit_append() (it stamps the time), so
 * raw_insert() below writes correctly chained rows with a chosen time and its own HMAC.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit.h"
#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "tmpdir.h"

static char tmpdir[64];
static char dbpath[128];
static char keypath[128];
static char schema[64];

static const char ZEROS[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void setup(void) { snprintf(schema, sizeof schema, "mz_audit_%ld", (long)getpid()); }

static void rm(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

/* Removes what make_tmpdir() made (a skipped test does not reach .fini; it makes none). */
static void teardown(void)
{
    if (!tmpdir[0])
        return;
    static const char *const files[] = { "test.db", "test.db-wal", "test.db-shm",
                                         "test.db-journal", "var/audit.key", "other.key",
                                         "odd.key" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        rm(tmpdir, files[i]);
    char var[128];
    snprintf(var, sizeof var, "%s/var", tmpdir);
    rmdir(var);
    rmdir(tmpdir);
}

TestSuite(audit, .init = setup, .fini = teardown);

static void make_tmpdir(void)
{
    if (tmpdir[0])
        return;
    test_tmpdir_template(tmpdir, sizeof tmpdir, "audit");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/test.db", tmpdir);
    snprintf(keypath, sizeof keypath, "%s/var/audit.key", tmpdir);
}

/* A new key in tmpdir/var/audit.key (the directory made by audit_key_load). */
static void make_key(void)
{
    make_tmpdir();
    cr_assert_eq(audit_key_load(keypath, 1), 0, "key");
}

static struct db *open_sqlite(void)
{
    make_tmpdir();
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(dbpath, &db, err, sizeof err), 0, "db_open: %s", err);
    cr_assert_eq(migrate_run(db, NULL), 0, "migrate: %s", db_errmsg(db));
    make_key();
    return db;
}

/* A connection to MINZHENG_TEST_PG in this process's schema; a skipped test without it. */
static struct db *connect_pg(void)
{
    const char *url = getenv("MINZHENG_TEST_PG");
    if (!url || !*url)
        cr_skip_test("MINZHENG_TEST_PG not set");
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(url, &db, err, sizeof err), 0, "db_open: %s", err);
    cr_assert_eq(db_kind(db), DB_POSTGRES);
    return db;
}

static struct db *open_pg(void)
{
    struct db *db = connect_pg();
    char sql[512];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; "
                              "SET search_path TO %s", schema, schema, schema);
    cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    cr_assert_eq(migrate_run(db, NULL), 0, "migrate: %s", db_errmsg(db));
    make_key();
    return db;
}

static void close_db(struct db *db)
{
    if (db_kind(db) == DB_POSTGRES) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    }
    db_close(db);
    audit_key_forget();
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s: %s", sql, db_errmsg(db));
    cr_assert_eq(db_step(st), 1, "%s: %s", sql, db_errmsg(db));
    int64_t v = db_col_int64(st, 0);
    db_reset(st);
    return v;
}

/* The text of one column of one row, into out. */
static void text_of(struct db *db, const char *sql, char *out, size_t outlen)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s: %s", sql, db_errmsg(db));
    cr_assert_eq(db_step(st), 1, "%s: %s", sql, db_errmsg(db));
    const char *t = db_col_text(st, 0, NULL);
    snprintf(out, outlen, "%s", t ? t : "(null)");
    db_reset(st);
}

static int64_t count(struct db *db) { return scalar(db, "SELECT count(*) FROM audit_log"); }

static const struct audit_actor ACTOR = {
    .id = 7, .login = "zhang.san", .role = "intake viewer", .source = "10.0.0.5:51234",
    .request_id = "rq-1",
};

/* Appends n ordinary events (object_id "p<i>"). */
static void append_n(struct db *db, int n)
{
    for (int i = 0; i < n; i++) {
        char oid[16];
        snprintf(oid, sizeof oid, "p%d", i + 1);
        const struct audit_event ev = {
            .action = "person.reveal", .object_type = "person", .object_id = oid,
            .region = "510104", .outcome = "success", .detail = "field=id_number",
        };
        cr_assert_eq(audit_append(db, &ACTOR, &ev), 0, "append: %s", db_errmsg(db));
    }
}

static struct audit_verify_result verify(struct db *db)
{
    struct audit_verify_result r;
    memset(&r, 0x55, sizeof r);
    cr_assert_eq(audit_verify(db, &r), 0, "verify: %s", db_errmsg(db));
    return r;
}

static void expect_verify(struct db *db, const char *id, int64_t checked, int64_t bad,
                          const char *reason)
{
    struct audit_verify_result r = verify(db);
    cr_assert_eq(r.first_bad_seq, bad, "%s: first_bad_seq %" PRId64 " (%s)", id, r.first_bad_seq,
                 r.reason);
    cr_assert_eq(r.checked, checked, "%s: checked %" PRId64, id, r.checked);
    if (reason)
        cr_assert_not_null(strstr(r.reason, reason), "%s: reason \"%s\"", id, r.reason);
    else
        cr_assert_str_eq(r.reason, "", "%s", id);
}

/* Removes the append-only guards, as someone with access to the database files could. */
static void drop_guards(struct db *db)
{
    const char *sql = db_kind(db) == DB_POSTGRES
                          ? "ALTER TABLE audit_log DISABLE TRIGGER USER; "
                            "ALTER TABLE audit_anchor DISABLE TRIGGER USER"
                          : "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; "
                            "DROP TRIGGER audit_anchor_no_update; "
                            "DROP TRIGGER audit_anchor_no_delete; "
                            "DROP TRIGGER audit_anchor_retention";
    cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
}

static void read_key(const char *path, unsigned char key[AUDIT_KEY_LEN])
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fread(key, 1, AUDIT_KEY_LEN, f), AUDIT_KEY_LEN);
    fclose(f);
}

/* HMAC-SM3 of the n fields joined by 0x1f, as lower-case hex: the documented format. */
static void hmac_fields(const unsigned char key[AUDIT_KEY_LEN], const char *const *f, int n,
                        char hex[65])
{
    char buf[4096];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(f[i]);
        cr_assert_lt(len + l + 1, sizeof buf);
        if (i > 0)
            buf[len++] = 0x1f;
        memcpy(buf + len, f[i], l);
        len += l;
    }
    unsigned char mac[32];
    size_t maclen = 0;
    cr_assert_not_null(EVP_Q_mac(NULL, "HMAC", NULL, "SM3", NULL, key, AUDIT_KEY_LEN,
                                 (const unsigned char *)buf, len, mac, sizeof mac, &maclen));
    cr_assert_eq(maclen, 32);
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

/* Writes an entry directly, chained on prev and hashed with key, with the time at. */
static void raw_insert(struct db *db, const unsigned char key[AUDIT_KEY_LEN], int64_t seq,
                       const char *at, const char *detail, const char *prev, char hash[65])
{
    char seq_text[24];
    snprintf(seq_text, sizeof seq_text, "%" PRId64, seq);
    const char *f[14] = { seq_text, at, "0", "-", "-", "-", "test.raw", "person", "x",
                          "510100000000", "success", detail, "-", prev };
    hmac_fields(key, f, 14, hash);
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "INSERT INTO audit_log (seq, at, actor_id, actor_login, "
                                "actor_role, source, action, object_type, object_id, region, "
                                "outcome, detail, request_id, prev_hash, hash) VALUES "
                                "(?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st), 0);
    cr_assert_eq(db_bind_int64(st, 1, seq), 0);
    int p = 2;
    for (int i = 1; i < 14; i++)
        if (i != 2)
            cr_assert_eq(db_bind_text(st, p++, f[i], strlen(f[i])), 0);
    cr_assert_eq(db_bind_text(st, p, hash, 64), 0);
    cr_assert_eq(db_step(st), 0, "raw_insert %" PRId64 ": %s", seq, db_errmsg(db));
    db_reset(st);
}

/* ISO-8601 UTC with milliseconds, days before now (plus extra seconds). */
static void iso_ago(int days, int seconds, char out[32])
{
    time_t t = time(NULL) - (time_t)days * 86400 - seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* ---- key ---------------------------------------------------------------------------------- */

Test(audit, key_file)
{
    make_tmpdir();
    /* audit-1.1: missing and not asked to create */
    cr_assert_eq(audit_key_load(keypath, 0), MZ_EIO, "audit-1.1");
    /* audit-1.2: created, with its directory, 32 bytes, mode 0600 */
    cr_assert_eq(audit_key_load(keypath, 1), 0, "audit-1.2");
    struct stat sb;
    cr_assert_eq(stat(keypath, &sb), 0, "audit-1.2");
    cr_assert_eq(sb.st_size, AUDIT_KEY_LEN, "audit-1.2");
    cr_assert_eq(sb.st_mode & 0777, 0600, "audit-1.2: mode %o", sb.st_mode & 0777);
    unsigned char k1[AUDIT_KEY_LEN], k2[AUDIT_KEY_LEN];
    read_key(keypath, k1);
    /* audit-1.3: loading again (with or without create) keeps the file */
    cr_assert_eq(audit_key_load(keypath, 1), 0, "audit-1.3");
    cr_assert_eq(audit_key_load(keypath, 0), 0, "audit-1.3");
    read_key(keypath, k2);
    cr_assert_eq(memcmp(k1, k2, AUDIT_KEY_LEN), 0, "audit-1.3");
    /* audit-1.4: a second new key differs (random) */
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", tmpdir);
    cr_assert_eq(audit_key_load(other, 1), 0, "audit-1.4");
    read_key(other, k2);
    cr_assert_neq(memcmp(k1, k2, AUDIT_KEY_LEN), 0, "audit-1.4");

    /* audit-1.5…1.8: 0, 31 and 33 bytes are refused; 32 accepted; world-readable refused */
    char odd[160];
    snprintf(odd, sizeof odd, "%s/odd.key", tmpdir);
    static const struct { const char *id; size_t size; mode_t mode; int want; } c[] = {
        { "audit-1.5", 0, 0600, MZ_EIO }, { "audit-1.6", 31, 0600, MZ_EIO },
        { "audit-1.7", 32, 0600, 0 },     { "audit-1.8", 33, 0600, MZ_EIO },
        { "audit-1.9", 32, 0640, 0 },     { "audit-1.10", 32, 0604, MZ_EIO },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        unlink(odd);
        int fd = open(odd, O_WRONLY | O_CREAT | O_EXCL, 0600);
        cr_assert_geq(fd, 0, "%s", c[i].id);
        unsigned char buf[64] = { 1 };
        cr_assert_eq(write(fd, buf, c[i].size), (ssize_t)c[i].size, "%s", c[i].id);
        cr_assert_eq(fchmod(fd, c[i].mode), 0);
        close(fd);
        cr_assert_eq(audit_key_load(odd, 0), c[i].want, "%s", c[i].id);
        cr_assert_eq(audit_key_load(odd, 1), c[i].want, "%s: create leaves it alone", c[i].id);
    }
    audit_key_forget();
}

Test(audit, no_key)
{
    /* audit-1.11: every function refuses to work without a key */
    struct db *db = open_sqlite();
    audit_key_forget();
    const struct audit_event ev = { .action = "a", .object_type = "t", .object_id = "1",
                                    .region = "51", .outcome = "success" };
    cr_assert_eq(audit_append(db, NULL, &ev), MZ_EINTERNAL, "audit-1.11");
    struct audit_verify_result r;
    cr_assert_eq(audit_verify(db, &r), MZ_EINTERNAL, "audit-1.11");
    int64_t n = -1;
    cr_assert_eq(audit_prune(db, 180, &n), MZ_EINTERNAL, "audit-1.11");
    cr_assert_eq(n, -1, "audit-1.11");
    cr_assert_eq(count(db), 0, "audit-1.11");
    cr_assert_eq(db_in_transaction(db), false, "audit-1.11");
    close_db(db);
}

/* ---- append and verify -------------------------------------------------------------------- */

static void check_append_verify(struct db *db)
{
    expect_verify(db, "audit-2.1: empty", 0, 0, NULL);
    append_n(db, 2);
    const struct audit_event ev = { .action = "auth.login", .object_type = "session",
                                    .region = "000000000000", .outcome = "failure" };
    cr_assert_eq(audit_append(db, NULL, &ev), 0, "audit-2.2: %s", db_errmsg(db));
    expect_verify(db, "audit-2.3", 3, 0, NULL);
    cr_assert_eq(db_in_transaction(db), false, "audit-2.3: nothing left open");

    cr_assert_eq(scalar(db, "SELECT min(seq) FROM audit_log"), 1, "audit-2.4");
    cr_assert_eq(scalar(db, "SELECT max(seq) FROM audit_log"), 3, "audit-2.4");
    char t[256];
    text_of(db, "SELECT prev_hash FROM audit_log WHERE seq = 1", t, sizeof t);
    cr_assert_str_eq(t, ZEROS, "audit-2.5: the first entry chains on 64 zeros");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM audit_log a JOIN audit_log b "
                            "ON b.seq = a.seq + 1 AND b.prev_hash = a.hash"),
                 2, "audit-2.6: each entry chains on the previous hash");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM audit_log WHERE at LIKE "
                            "'____-__-__T__:__:__.___Z' AND length(at) = 24"),
                 3, "audit-2.7: UTC with milliseconds");
    text_of(db, "SELECT region FROM audit_log WHERE seq = 1", t, sizeof t);
    cr_assert_str_eq(t, "510104000000", "audit-2.8: region normalised to 12 digits");
    cr_assert_eq(scalar(db, "SELECT actor_id FROM audit_log WHERE seq = 1"), 7, "audit-2.9");
    text_of(db, "SELECT actor_login || '|' || actor_role || '|' || source || '|' || request_id "
                "FROM audit_log WHERE seq = 1", t, sizeof t);
    cr_assert_str_eq(t, "zhang.san|intake viewer|10.0.0.5:51234|rq-1", "audit-2.9");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM audit_log WHERE seq = 3 AND actor_id IS NULL "
                            "AND actor_login = '-' AND actor_role = '-' AND source = '-' AND "
                            "request_id = '-' AND object_id = '-' AND detail = ''"),
                 1, "audit-2.10: no actor → NULL id and \"-\"; no object id → \"-\"");
}

Test(audit, append_verify_sqlite)
{
    struct db *db = open_sqlite();
    check_append_verify(db);
    close_db(db);
}

Test(audit, append_verify_pg)
{
    struct db *db = open_pg();
    check_append_verify(db);
    close_db(db);
}

/* The stored hash is HMAC-SM3 of the documented serialisation, recomputed here. */
static void check_hmac_format(struct db *db)
{
    append_n(db, 2);
    unsigned char key[AUDIT_KEY_LEN];
    read_key(keypath, key);
    for (int64_t seq = 1; seq <= 2; seq++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT seq, at, actor_id, actor_login, actor_role, source, action, "
                 "object_type, object_id, region, outcome, detail, request_id, prev_hash, hash "
                 "FROM audit_log WHERE seq = %" PRId64, seq);
        struct db_stmt *st;
        cr_assert_eq(db_prepare(db, sql, &st), 0);
        cr_assert_eq(db_step(st), 1);
        char col[15][1100];
        for (int i = 0; i < 15; i++) {
            const char *v = db_col_text(st, i, NULL);
            snprintf(col[i], sizeof col[i], "%s", v ? v : "0");
        }
        db_reset(st);
        const char *f[14];
        for (int i = 0; i < 14; i++)
            f[i] = col[i];
        char want[65];
        hmac_fields(key, f, 14, want);
        cr_assert_str_eq(col[14], want, "audit-2.11: entry %" PRId64, seq);
        cr_assert_str_eq(col[0], seq == 1 ? "1" : "2");
        cr_assert_str_eq(col[2], "7", "audit-2.11");
    }
}

Test(audit, hmac_format_sqlite)
{
    struct db *db = open_sqlite();
    check_hmac_format(db);
    close_db(db);
}

Test(audit, hmac_format_pg)
{
    struct db *db = open_pg();
    check_hmac_format(db);
    close_db(db);
}

/* The database refuses changes; pruning fresh entries does nothing. */
static void check_guards(struct db *db)
{
    append_n(db, 3);
    cr_assert_lt(db_exec(db, "UPDATE audit_log SET detail = 'x' WHERE seq = 2"), 0, "audit-3.1");
    cr_assert_lt(db_exec(db, "DELETE FROM audit_log WHERE seq = 1"), 0, "audit-3.2");
    cr_assert_lt(db_exec(db, "INSERT INTO audit_anchor (upto_seq, hash, pruned_at) "
                             "SELECT seq, hash, at FROM audit_log WHERE seq = 1"),
                 0, "audit-3.3: an anchor over a fresh entry");
    int64_t n = -1;
    cr_assert_eq(audit_prune(db, 180, &n), 0, "audit-3.4: %s", db_errmsg(db));
    cr_assert_eq(n, 0, "audit-3.4");
    n = -1;
    cr_assert_eq(audit_prune(db, 0, &n), 0, "audit-3.5: below the minimum → 180 days");
    cr_assert_eq(n, 0, "audit-3.5");
    cr_assert_eq(audit_prune(db, 36501, &n), MZ_EINVAL, "audit-3.6");
    cr_assert_eq(count(db), 3, "audit-3.7");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM audit_anchor"), 0, "audit-3.7");
    expect_verify(db, "audit-3.7", 3, 0, NULL);
}

Test(audit, guards_sqlite)
{
    struct db *db = open_sqlite();
    check_guards(db);
    close_db(db);
}

Test(audit, guards_pg)
{
    struct db *db = open_pg();
    check_guards(db);
    close_db(db);
}

/* ---- tampering ---------------------------------------------------------------------------- */

static void check_altered(struct db *db)
{
    append_n(db, 3);
    drop_guards(db);
    cr_assert_eq(db_exec(db, "UPDATE audit_log SET detail = 'field=name' WHERE seq = 2"), 0,
                 "%s", db_errmsg(db));
    expect_verify(db, "audit-4.1: detail of 2 altered", 1, 2, "altered");
}

static void check_altered_time(struct db *db)
{
    append_n(db, 3);
    drop_guards(db);
    cr_assert_eq(db_exec(db, "UPDATE audit_log SET at = '2020-01-01T00:00:00.000Z' "
                             "WHERE seq = 3"), 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.2: time of 3 altered", 2, 3, "altered");
}

static void check_deleted(struct db *db)
{
    append_n(db, 5);
    drop_guards(db);
    cr_assert_eq(db_exec(db, "DELETE FROM audit_log WHERE seq = 2"), 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.3: 2 deleted", 1, 3, "entry 2 deleted");
    cr_assert_eq(db_exec(db, "DELETE FROM audit_log WHERE seq = 3"), 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.4: 2 and 3 deleted", 1, 4, "entries 2 to 3 deleted");
    cr_assert_eq(db_exec(db, "DELETE FROM audit_log WHERE seq = 1"), 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.5: the first ones deleted", 0, 4, "entries 1 to 3 deleted");
}

/* An entry inserted in the middle (the later ones renumbered), chained correctly but hashed
 * with another key. */
static void check_forged_insert(struct db *db)
{
    append_n(db, 3);
    drop_guards(db);
    char h1[80];
    text_of(db, "SELECT hash FROM audit_log WHERE seq = 1", h1, sizeof h1);
    cr_assert_eq(db_exec(db, "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 2; "
                             "UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100"),
                 0, "%s", db_errmsg(db));
    unsigned char wrong[AUDIT_KEY_LEN];
    memset(wrong, 0xa5, sizeof wrong);
    char at[32], hash[65];
    iso_ago(0, 0, at);
    raw_insert(db, wrong, 2, at, "forged", h1, hash);
    expect_verify(db, "audit-4.6: forged entry 2", 1, 2, "altered");
    /* with the right hash for its place it would still break the link after it */
    unsigned char key[AUDIT_KEY_LEN];
    read_key(keypath, key);
    cr_assert_eq(db_exec(db, "DELETE FROM audit_log WHERE seq = 2"), 0);
    raw_insert(db, key, 2, at, "forged", h1, hash);
    expect_verify(db, "audit-4.7: the next entry does not chain on it", 2, 3,
                  "inserted or reordered");
}

/* Two entries' whole content swapped (each keeps its place in seq order). */
static void check_swap(struct db *db)
{
    append_n(db, 4);
    drop_guards(db);
    cr_assert_eq(db_exec(db, "UPDATE audit_log SET seq = 1000 WHERE seq = 2; "
                             "UPDATE audit_log SET seq = 2 WHERE seq = 3; "
                             "UPDATE audit_log SET seq = 3 WHERE seq = 1000"),
                 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.8: 2 and 3 swapped", 1, 2, "inserted or reordered");
}

static void check_wrong_key(struct db *db)
{
    append_n(db, 3);
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", tmpdir);
    cr_assert_eq(audit_key_load(other, 1), 0);
    expect_verify(db, "audit-4.9: another key", 0, 1, "audit key");
    cr_assert_eq(audit_key_load(keypath, 0), 0);
    expect_verify(db, "audit-4.10: the right key again", 3, 0, NULL);
}

/* An anchor written directly (to hide deleted entries) has no audit.prune entry. */
static void check_forged_anchor(struct db *db)
{
    append_n(db, 3);
    drop_guards(db);
    cr_assert_eq(db_exec(db, "INSERT INTO audit_anchor (upto_seq, hash, pruned_at) "
                             "SELECT seq, hash, at FROM audit_log WHERE seq = 1; "
                             "DELETE FROM audit_log WHERE seq = 1"),
                 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.11: forged anchor", 2, 2, "anchor at seq 1");
    /* and an anchor whose hash was altered breaks the link to the first entry after it */
    cr_assert_eq(db_exec(db, "UPDATE audit_anchor SET hash = '" "0123456789abcdef0123456789abcdef"
                             "0123456789abcdef0123456789abcdef" "'"), 0, "%s", db_errmsg(db));
    expect_verify(db, "audit-4.12: altered anchor", 0, 2, "inserted or reordered");
}

#define ENGINE_TESTS(name)                                                                      \
    Test(audit, name##_sqlite)                                                                  \
    {                                                                                           \
        struct db *db = open_sqlite();                                                          \
        check_##name(db);                                                                       \
        close_db(db);                                                                           \
    }                                                                                           \
    Test(audit, name##_pg)                                                                      \
    {                                                                                           \
        struct db *db = open_pg();                                                              \
        check_##name(db);                                                                       \
        close_db(db);                                                                           \
    }

ENGINE_TESTS(altered)
ENGINE_TESTS(altered_time)
ENGINE_TESTS(deleted)
ENGINE_TESTS(forged_insert)
ENGINE_TESTS(swap)
ENGINE_TESTS(wrong_key)
ENGINE_TESTS(forged_anchor)

/* ---- transactions and invalid events ------------------------------------------------------ */

static void check_transaction(struct db *db)
{
    append_n(db, 2);
    cr_assert_eq(db_begin(db), 0, "%s", db_errmsg(db));
    append_n(db, 1);
    cr_assert_eq(db_in_transaction(db), true, "audit-5.1: the caller's transaction is kept");
    cr_assert_eq(count(db), 3, "audit-5.1");
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(count(db), 2, "audit-5.2: rolled back with the caller");
    expect_verify(db, "audit-5.2", 2, 0, NULL);
    cr_assert_eq(db_begin(db), 0);
    append_n(db, 2);
    cr_assert_eq(db_commit(db), 0, "%s", db_errmsg(db));
    append_n(db, 1);
    cr_assert_eq(scalar(db, "SELECT max(seq) FROM audit_log"), 5, "audit-5.3");
    expect_verify(db, "audit-5.3: committed with the caller", 5, 0, NULL);
    /* verify inside a caller's transaction sees that transaction's entries */
    cr_assert_eq(db_begin(db), 0);
    append_n(db, 1);
    expect_verify(db, "audit-5.4", 6, 0, NULL);
    cr_assert_eq(db_in_transaction(db), true, "audit-5.4");
    cr_assert_eq(db_rollback(db), 0);
}

static void check_invalid(struct db *db)
{
    char d1000[1001], d1001[1002], t200[201], t201[202];
    memset(d1000, 'd', 1000);
    d1000[1000] = '\0';
    memset(d1001, 'd', 1001);
    d1001[1001] = '\0';
    memset(t200, 'a', 200);
    t200[200] = '\0';
    memset(t201, 'a', 201);
    t201[201] = '\0';
    static const char *const ok = "success";
    const struct {
        const char *id, *action, *object_type, *region, *outcome, *detail, *login;
        int64_t actor_id;
        int want;
    } c[] = {
        { "audit-6.1", "a", "t", "51", ok, d1000, t200, 0, 0 },
        { "audit-6.2", "a", "t", "51", ok, d1001, NULL, 0, MZ_EINVAL },
        { "audit-6.3", "a", "t", "51", ok, NULL, t201, 0, MZ_EINVAL },
        { "audit-6.4", t200, "t", "510104001", "denied", "", NULL, 1, 0 },
        { "audit-6.5", t201, "t", "51", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.6", "", "t", "51", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.7", NULL, "t", "51", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.8", "a", "", "51", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.9", "a", "t", "51", "", "", NULL, 0, MZ_EINVAL },
        { "audit-6.10", "a", "t", "51", "ok", "", NULL, 0, MZ_EINVAL },
        { "audit-6.11", "a", "t", "51", "Success", "", NULL, 0, MZ_EINVAL },
        { "audit-6.12", "a", "t", "51", NULL, "", NULL, 0, MZ_EINVAL },
        { "audit-6.13", "a", "t", NULL, ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.14", "a", "t", "", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.15", "a", "t", "51010", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.16", "a", "t", "5101040000001", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.17", "a", "t", "51a1", ok, "", NULL, 0, MZ_EINVAL },
        { "audit-6.18", "a", "t", "51", ok, "bad \xff utf-8", NULL, 0, MZ_EINVAL },
        { "audit-6.19", "a", "t", "51", ok, "overlong \xc0\xaf", NULL, 0, MZ_EINVAL },
        { "audit-6.20", "a", "t", "51", ok, "", "\xed\xa0\x80", 0, MZ_EINVAL },
        { "audit-6.21", "a", "t", "51", ok, "a\x1f" "b", NULL, 0, MZ_EINVAL },
        { "audit-6.22", "a", "t", "51", ok, "line\nbreak", NULL, 0, MZ_EINVAL },
        { "audit-6.23", "a", "t", "51", ok, "", "x\x7f", 0, MZ_EINVAL },
        { "audit-6.24", "a", "t", "51", ok, "", NULL, -1, MZ_EINVAL },
        { "audit-6.25", "身份.查看", "人员", "51", ok, "字段=姓名", "张三", 0, 0 },
    };
    int64_t written = 0;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const struct audit_actor actor = { .id = c[i].actor_id, .login = c[i].login };
        const struct audit_event ev = { .action = c[i].action, .object_type = c[i].object_type,
                                        .object_id = "1", .region = c[i].region,
                                        .outcome = c[i].outcome, .detail = c[i].detail };
        cr_assert_eq(audit_append(db, &actor, &ev), c[i].want, "%s", c[i].id);
        written += c[i].want == 0;
        cr_assert_eq(count(db), written, "%s: nothing written when refused", c[i].id);
        cr_assert_eq(db_in_transaction(db), false, "%s", c[i].id);
    }
    cr_assert_eq(audit_append(db, &ACTOR, NULL), MZ_EINVAL, "audit-6.26: no event");
    expect_verify(db, "audit-6.27", written, 0, NULL);
}

ENGINE_TESTS(transaction)
ENGINE_TESTS(invalid)

/* ---- pruning ------------------------------------------------------------------------------ */

/* Entries 1–3 at 400, 181 and 179 days ago, then two appended now. */
static void old_entries(struct db *db, char hashes[4][65])
{
    unsigned char key[AUDIT_KEY_LEN];
    read_key(keypath, key);
    static const int days[] = { 400, 181, 179 };
    memcpy(hashes[0], ZEROS, 65);
    for (int i = 0; i < 3; i++) {
        char at[32];
        iso_ago(days[i], 0, at);
        raw_insert(db, key, i + 1, at, "old", hashes[i], hashes[i + 1]);
    }
    append_n(db, 2);
    expect_verify(db, "audit-7.0: raw entries chain like appended ones", 5, 0, NULL);
}

static void check_prune(struct db *db)
{
    char hashes[4][65];
    old_entries(db, hashes);
    int64_t n = -1;
    cr_assert_eq(audit_prune(db, 401, &n), 0, "audit-7.1: %s", db_errmsg(db));
    cr_assert_eq(n, 0, "audit-7.1: nothing is older than 401 days");
    cr_assert_eq(count(db), 5, "audit-7.1");
    cr_assert_eq(audit_prune(db, 399, &n), 0, "audit-7.2: %s", db_errmsg(db));
    cr_assert_eq(n, 1, "audit-7.2");
    cr_assert_eq(audit_prune(db, 0, &n), 0, "audit-7.3: %s", db_errmsg(db));
    cr_assert_eq(n, 1, "audit-7.3: 0 → 180 days: the 181-day entry goes, the 179-day one stays");
    cr_assert_eq(scalar(db, "SELECT min(seq) FROM audit_log"), 3, "audit-7.3");
    cr_assert_eq(scalar(db, "SELECT max(upto_seq) FROM audit_anchor"), 2, "audit-7.4");
    char t[256];
    text_of(db, "SELECT hash FROM audit_anchor WHERE upto_seq = 2", t, sizeof t);
    cr_assert_str_eq(t, hashes[2], "audit-7.4: the anchor keeps the last pruned hash");
    /* two audit.prune entries were appended: seq 6 and 7 */
    cr_assert_eq(count(db), 5, "audit-7.5");
    text_of(db, "SELECT action || ' ' || object_type || ' ' || object_id || ' ' || region || ' ' "
                "|| outcome FROM audit_log WHERE seq = 7", t, sizeof t);
    cr_assert_str_eq(t, "audit.prune audit_log 2 000000000000 success", "audit-7.5");
    text_of(db, "SELECT detail FROM audit_log WHERE seq = 7", t, sizeof t);
    char want[128];
    snprintf(want, sizeof want, "anchor_hash=%s pruned=1", hashes[2]);
    cr_assert_str_eq(t, want, "audit-7.5");
    expect_verify(db, "audit-7.6: the rest verifies from the anchor", 5, 0, NULL);
    cr_assert_eq(audit_prune(db, 180, &n), 0);
    cr_assert_eq(n, 0, "audit-7.7: nothing more");
    append_n(db, 1);
    expect_verify(db, "audit-7.8: and keeps verifying", 6, 0, NULL);
    cr_assert_lt(db_exec(db, "DELETE FROM audit_log WHERE seq = 3"), 0,
                 "audit-7.9: above the anchor, still refused");
    cr_assert_lt(db_exec(db, "DELETE FROM audit_anchor"), 0, "audit-7.10");
}

/* Only a prefix of old entries goes: an old time after a new one (a clock set back) stays. */
static void check_prune_prefix(struct db *db)
{
    unsigned char key[AUDIT_KEY_LEN];
    read_key(keypath, key);
    char h[5][65], at[32];
    memcpy(h[0], ZEROS, 65);
    static const int days[] = { 300, 10, 300, 250 };
    for (int i = 0; i < 4; i++) {
        iso_ago(days[i], 0, at);
        raw_insert(db, key, i + 1, at, "", h[i], h[i + 1]);
    }
    int64_t n = -1;
    cr_assert_eq(audit_prune(db, 180, &n), 0, "audit-7.11: %s", db_errmsg(db));
    cr_assert_eq(n, 1, "audit-7.11");
    cr_assert_eq(scalar(db, "SELECT max(upto_seq) FROM audit_anchor"), 1, "audit-7.11");
    expect_verify(db, "audit-7.12", 4, 0, NULL);
}

/* Everything old: the whole log is pruned and the chain goes on from the anchor. */
static void check_prune_all(struct db *db)
{
    unsigned char key[AUDIT_KEY_LEN];
    read_key(keypath, key);
    char h[3][65], at[32];
    memcpy(h[0], ZEROS, 65);
    for (int i = 0; i < 2; i++) {
        iso_ago(200, 0, at);
        raw_insert(db, key, i + 1, at, "", h[i], h[i + 1]);
    }
    /* a prune inside a caller's transaction that rolls back leaves everything as it was */
    int64_t n = -1;
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(audit_prune(db, 180, &n), 0, "audit-7.13: %s", db_errmsg(db));
    cr_assert_eq(n, 2, "audit-7.13");
    cr_assert_eq(db_in_transaction(db), true, "audit-7.13");
    cr_assert_eq(db_rollback(db), 0);
    cr_assert_eq(count(db), 2, "audit-7.13");
    cr_assert_eq(scalar(db, "SELECT count(*) FROM audit_anchor"), 0, "audit-7.13");
    expect_verify(db, "audit-7.13", 2, 0, NULL);

    n = -1;
    cr_assert_eq(audit_prune(db, 180, &n), 0, "audit-7.14: %s", db_errmsg(db));
    cr_assert_eq(n, 2, "audit-7.14");
    cr_assert_eq(scalar(db, "SELECT min(seq) FROM audit_log"), 3, "audit-7.14");
    cr_assert_eq(count(db), 1, "audit-7.14: only the audit.prune entry");
    expect_verify(db, "audit-7.15", 1, 0, NULL);
    /* the log emptied by someone else: the next entry chains on the anchor */
    drop_guards(db);
    cr_assert_eq(db_exec(db, "DELETE FROM audit_log"), 0, "%s", db_errmsg(db));
    append_n(db, 1);
    char t[80];
    text_of(db, "SELECT prev_hash FROM audit_log", t, sizeof t);
    cr_assert_str_eq(t, h[2], "audit-7.16: chained on the anchor");
    cr_assert_eq(scalar(db, "SELECT seq FROM audit_log"), 3, "audit-7.16");
    expect_verify(db, "audit-7.17: but the deleted audit.prune entry is missed", 1, 3,
                  "anchor at seq 2");
}

ENGINE_TESTS(prune)
ENGINE_TESTS(prune_prefix)
ENGINE_TESTS(prune_all)

/* ---- concurrency -------------------------------------------------------------------------- */

enum { WRITERS = 3, PER_WRITER = 20 };

/* Child process: its own connection, PER_WRITER appends. Exit status 0 on success. */
static void writer(bool pg)
{
    struct db *db = NULL;
    char err[256];
    const char *url = pg ? getenv("MINZHENG_TEST_PG") : dbpath;
    if (db_open(url, &db, err, sizeof err) != 0)
        _exit(2);
    if (pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "SET search_path TO %s", schema);
        if (db_exec(db, sql) != 0)
            _exit(3);
    }
    int status = 0;
    for (int i = 0; i < PER_WRITER && status == 0; i++) {
        const struct audit_event ev = { .action = "person.reveal", .object_type = "person",
                                        .object_id = "1", .region = "51", .outcome = "success" };
        if (audit_append(db, &ACTOR, &ev) != 0)
            status = 4;
    }
    db_close(db);
    _exit(status);
}

/* Several processes append at once: no fork in the chain, no lost entry. */
static void check_concurrent(struct db *db)
{
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        cr_assert_geq(pids[i], 0);
        if (pids[i] == 0)
            writer(db_kind(db) == DB_POSTGRES);
    }
    for (int i = 0; i < WRITERS; i++) {
        int status = -1;
        cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "audit-8.1: writer %d: %d", i,
                  status);
    }
    expect_verify(db, "audit-8.2", WRITERS * PER_WRITER, 0, NULL);
}

ENGINE_TESTS(concurrent)
