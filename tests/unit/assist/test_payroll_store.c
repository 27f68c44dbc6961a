/*
 * tests/unit/assist/test_payroll_store.c — the payroll store, assist/payroll_store.c and
 * payroll_report.c, end to end on a fresh SQLite file and, when MINZHENG_TEST_PG names a
 * database, on PostgreSQL (in a schema of its own).
 *
 * One county (苍溪县) with active gap, fixed and 特困 cases, a 临时救助 granted once, a dead
 * payee, a suspended case and one without an account: the batch of 2026-07 pays the right lines
 * (§8, DB-57 Arts. 21, 23, 25; TK-43 Arts. 17, 20; LS-23 二(三)) and lists the skipped; a rerun is
 * refused; cancel releases the first payments and a rerun works; confirm checks the control
 * totals; the bank return with one failure reconciles; the next month reissues the failure and
 * pays an adjustment, and cancelling it puts both back; the bank file opens the accounts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "payroll.h"
#include "seal.h"
#include "standard.h"
#include "tmpdir.h"

#define JULY 202607
#define AUGUST 202608
#define COUNTY "510824000000"

static char tmpdir[64];
static char schema[48];

static void teardown(void)
{
    seal_key_forget();
    if (!tmpdir[0])
        return;
    static const char *const files[] = { "t.db", "t.db-wal", "t.db-shm" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", tmpdir, files[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

TestSuite(payroll_store, .fini = teardown);

static void exec(struct db *db, const char *sql)
{
    cr_assert_eq(db_exec(db, sql), 0, "%s: %s", sql, db_errmsg(db));
}

static int64_t scalar(struct db *db, const char *sql, int64_t param)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s: %s", sql, db_errmsg(db));
    if (param)
        db_bind_int64(st, 1, param);
    cr_assert_eq(db_step(st), 1, "%s: %s", sql, db_errmsg(db));
    int64_t v = db_col_null(st, 0) ? 0 : db_col_int64(st, 0);
    db_reset(st);
    return v;
}

static void add_standard(struct db *db, int64_t id, const char *kind, int64_t fen)
{
    struct standard_row r = { .id = id, .region = COUNTY, .amount_fen = fen,
                              .effective_from = 202601, .source = "test", .created_at = 1 };
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    cr_assert_eq(standard_insert(db, &r, 1), 0, "%s", db_errmsg(db));
}

/* A person, an account (sealed number) and a case: fields of the case as SQL text. */
static void add_case(struct db *db, int id, const char *person_extra, const char *case_cols,
                     const char *case_vals, bool account)
{
    char sql[2048], sealed[SEAL_TEXT_LEN(32)], number[32];
    snprintf(sql, sizeof sql, "INSERT INTO person (id, id_number, name, sex, birth_date, region, "
                              "alive, death_date, created_at, updated_at) VALUES (%d, "
                              "'51082419500101%04d', '张三%d', 'M', '1950-01-01', '510824100000', "
                              "%s, 1, 1)", 100 + id, id, id, person_extra);
    exec(db, sql);
    snprintf(sql, sizeof sql, "INSERT INTO assist_case (id, programme, urban, region, "
                              "applicant_id, %s, channel, action_count, created_by, created_at, "
                              "updated_at) VALUES (%d, %s, 'window', 1, 1, 1, 1)", case_cols, id,
             case_vals);
    exec(db, sql);
    if (!account)
        return;
    snprintf(number, sizeof number, "62220200000000%04d", id);
    cr_assert_eq(seal_text(number, strlen(number), sealed, sizeof sealed), 0);
    cr_assert_eq(payroll_bank_account_set(db, id, 100 + id, "农业银行", sealed, "6222****0001",
                                          1000 + id, 1, 1),
                 0, "%s", db_errmsg(db));
}

static struct db *open_db(bool pg)
{
    const char *url = getenv("MINZHENG_TEST_PG");
    if (pg && (!url || !*url))
        cr_skip_test("MINZHENG_TEST_PG not set");
    test_tmpdir_template(tmpdir, sizeof tmpdir, "payroll");
    cr_assert_not_null(mkdtemp(tmpdir));
    char path[128], err[256] = "";
    struct db *db = NULL;
    if (pg) {
        cr_assert_eq(db_open(url, &db, err, sizeof err), 0, "db_open: %s", err);
        snprintf(schema, sizeof schema, "mz_payroll_%ld", (long)getpid());
        char sql[512];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; "
                                  "SET search_path TO %s", schema, schema, schema);
        exec(db, sql);
    } else {
        snprintf(path, sizeof path, "%s/t.db", tmpdir);
        cr_assert_eq(db_open(path, &db, err, sizeof err), 0, "db_open: %s", err);
    }
    cr_assert_eq(migrate_run(db, NULL), 0, "migrate: %s", db_errmsg(db));
    static const unsigned char key[SEAL_KEY_LEN] = "payroll-store-test-key-32-bytes";
    cr_assert_eq(seal_key_set(key), 0);
    exec(db, "INSERT INTO region (code, name, level, parent, path_codes, path_names, valid_from, "
             "source) VALUES ('510824000000', '苍溪县', 3, NULL, '510824000000', '苍溪县', "
             "'2023-06-30', 'test'), ('510824100000', '陵江镇', 4, '510824000000', "
             "'510824000000/510824100000', '苍溪县/陵江镇', '2023-06-30', 'test')");
    add_standard(db, 1, "dibao_urban", 80000);
    add_standard(db, 2, "dibao_rural", 60000);
    add_standard(db, 3, "tekun_basic_urban", 104000);
    add_standard(db, 4, "tekun_basic_rural", 78000);
    add_standard(db, 5, "tekun_care_1", 10000);
    add_standard(db, 6, "tekun_care_2", 30000);
    add_standard(db, 7, "tekun_care_3", 60000);
    static const char *const regular = "state, amount_method, per_capita_income_fen, "
                                       "covered_members, fixed_amount_fen, care_tier, "
                                       "start_month, first_paid_payroll";
    /* 1 gap urban: (800 − 300) × 2 = 1000 元 */
    add_case(db, 1, "1, NULL", regular,
             "'dibao', 1, '510824100000', 101, 'active', 'gap', 30000, 2, NULL, NULL, 202601, 9",
             true);
    /* 2 fixed 500 元, first paid now: arrears 2026-05, 2026-06 and July */
    add_case(db, 2, "1, NULL", regular,
             "'dibao', 0, '510824100000', 102, 'active', 'fixed', NULL, NULL, 50000, NULL, "
             "202605, NULL", true);
    /* 3 特困 urban, care tier 1: 1040 + 100 元 */
    add_case(db, 3, "1, NULL", regular,
             "'tekun', 1, '510824100000', 103, 'active', 'tekun', NULL, NULL, NULL, 1, 202601, 9",
             true);
    /* 4 payee died 2026-05-10 */
    add_case(db, 4, "0, '2026-05-10'", regular,
             "'dibao', 1, '510824100000', 104, 'active', 'gap', 30000, 2, NULL, NULL, 202601, 9",
             true);
    /* 5 suspended */
    add_case(db, 5, "1, NULL", regular,
             "'dibao', 1, '510824100000', 105, 'suspended', 'gap', 30000, 2, NULL, NULL, 202601, "
             "9", true);
    /* 6 no account */
    add_case(db, 6, "1, NULL", regular,
             "'dibao', 1, '510824100000', 106, 'active', 'fixed', NULL, NULL, 40000, NULL, "
             "202601, 9", false);
    /* 7 临时救助 granted once: 300 元 */
    add_case(db, 7, "1, NULL", regular,
             "'lshi_urgent', 1, '510824100000', 107, 'granted', 'once', NULL, NULL, 30000, NULL, "
             "202607, NULL", true);
    return db;
}

static void close_db(struct db *db)
{
    if (db_kind(db) == DB_POSTGRES) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        db_exec(db, sql);
    }
    db_close(db);
}

static int build(struct db *db, int32_t month, struct payroll_result *res)
{
    struct arena *a = arena_new();
    int rc = db_begin(db);
    if (rc == 0)
        rc = payroll_build(db, a, COUNTY, month, 1, 2, res);
    rc = db_finish(db, rc);
    arena_free(a);
    return rc;
}

static int in_tx(struct db *db, int (*fn)(struct db *, int64_t, int64_t, int64_t), int64_t id)
{
    int rc = db_begin(db);
    if (rc == 0)
        rc = fn(db, id, 1, 3);
    return db_finish(db, rc);
}

static int returns(struct db *db, int64_t id, const struct payroll_return *r, size_t n,
                   struct payroll_return_totals *t, long *bad)
{
    const char *why = NULL;
    int rc = db_begin(db);
    if (rc == 0)
        rc = payroll_apply_returns(db, id, r, n, t, bad, &why);
    return db_finish(db, rc);
}

static int64_t line_of(struct db *db, int64_t payroll, int case_id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT MIN(id) FROM assist_payment WHERE payroll_id = ? "
                              "AND case_id = %d", case_id);
    return scalar(db, sql, payroll);
}

static void july(struct db *db, struct payroll_result *res)
{
    cr_assert_eq(build(db, JULY, res), 0, "%s", db_errmsg(db));
    cr_assert_eq(res->line_count, 6, "1 + 3 (arrears) + 1 + 1 (once)");
    cr_assert_eq(res->total_fen, 100000 + 150000 + 114000 + 30000);
    cr_assert_eq(res->skipped[PAYROLL_SKIP_DECEASED], 1);
    cr_assert_eq(res->skipped[PAYROLL_SKIP_SUSPENDED], 1);
    cr_assert_eq(res->skipped[PAYROLL_SKIP_NO_BANK], 1);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_payment WHERE payroll_id = ? "
                            "AND kind = 'arrears'", res->id), 2);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_payroll_skip WHERE payroll_id = ?",
                        res->id), 3);
    cr_assert_eq(scalar(db, "SELECT first_paid_payroll FROM assist_case WHERE id = 2", 0),
                 res->id);
    cr_assert_eq(scalar(db, "SELECT first_paid_payroll FROM assist_case WHERE id = 7", 0),
                 res->id);
}

static void scenario(bool pg)
{
    struct db *db = open_db(pg);
    struct payroll_result res, again;

    july(db, &res);
    /* a rerun of the county and month is refused, naming the open batch */
    cr_assert_eq(build(db, JULY, &again), MZ_ECONFLICT);
    cr_assert_eq(again.id, res.id);
    /* cancel releases the first payments; a rerun then works */
    cr_assert_eq(in_tx(db, payroll_cancel, res.id), 0);
    cr_assert_eq(in_tx(db, payroll_cancel, res.id), MZ_ECONFLICT, "only a draft");
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_case WHERE first_paid_payroll IS NULL "
                            "AND id IN (2, 7)", 0), 2);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_payment WHERE payroll_id = ? "
                            "AND status = 'cancelled'", res.id), 6);
    july(db, &res);
    /* confirm checks the control totals */
    exec(db, "UPDATE assist_payroll SET total_fen = total_fen + 1 WHERE status = 'draft'");
    cr_assert_eq(in_tx(db, payroll_confirm, res.id), MZ_EVALIDATE);
    exec(db, "UPDATE assist_payroll SET total_fen = total_fen - 1 WHERE status = 'draft'");
    cr_assert_eq(in_tx(db, payroll_confirm, res.id), 0);
    cr_assert_eq(in_tx(db, payroll_confirm, res.id), MZ_ECONFLICT);
    cr_assert_eq(in_tx(db, payroll_cancel, res.id), MZ_ECONFLICT, "a confirmed batch stays");

    /* the bank file opens the accounts and ends with the control row */
    char *data = NULL;
    size_t len = 0;
    int64_t rows = 0;
    cr_assert_eq(payroll_bank_file(db, res.id, &data, &len, &rows), 0);
    cr_assert_eq(rows, 6);
    cr_assert_not_null(strstr(data, "622202000000000002"));
    cr_assert_not_null(strstr(data, "500.00"));
    cr_assert_not_null(strstr(data, "合计,6,,,,3940.00,"));
    free(data);

    /* the bank return: a repeated or unknown line refuses the whole file */
    int64_t l1 = line_of(db, res.id, 1), l3 = line_of(db, res.id, 3), l7 = line_of(db, res.id, 7);
    struct payroll_return twice[] = { { l1, true, NULL, -1, 2 }, { l1, true, NULL, -1, 3 } };
    struct payroll_return_totals t;
    long bad = 0;
    cr_assert_eq(returns(db, res.id, twice, 2, &t, &bad), MZ_EVALIDATE);
    cr_assert_eq(bad, 3);
    struct payroll_return unknown[] = { { l1, true, NULL, -1, 2 }, { 424242, true, NULL, -1, 3 } };
    cr_assert_eq(returns(db, res.id, unknown, 2, &t, &bad), MZ_EVALIDATE);
    cr_assert_eq(bad, 3);
    struct payroll_return wrong[] = { { l1, true, NULL, 99999, 2 } };
    cr_assert_eq(returns(db, res.id, wrong, 1, &t, &bad), MZ_EVALIDATE, "amount differs");
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_payment WHERE payroll_id = ? "
                            "AND status = 'paid'", res.id), 0, "nothing applied");
    /* one failure, two paid, the rest pending: paid + failed + pending = total */
    struct payroll_return ok[] = { { l1, true, NULL, 100000, 2 }, { l3, false, "账户已销户", -1, 3 },
                                   { l7, true, NULL, -1, 4 } };
    cr_assert_eq(returns(db, res.id, ok, 3, &t, &bad), 0, "%s", db_errmsg(db));
    cr_assert_eq(t.paid_count, 2);
    cr_assert_eq(t.paid_fen, 130000);
    cr_assert_eq(t.failed_count, 1);
    cr_assert_eq(t.failed_fen, 114000);
    cr_assert_eq(returns(db, res.id, ok, 1, &t, &bad), MZ_EVALIDATE, "a line returns once");
    cr_assert_eq(scalar(db, "SELECT paid_fen + failed_fen FROM assist_payroll WHERE id = ?",
                        res.id) +
                     scalar(db, "SELECT SUM(amount_fen) FROM assist_payment WHERE payroll_id = ? "
                                "AND status = 'pending'", res.id),
                 res.total_fen);

    /* August: the failure is reissued, an adjustment paid, arrears not paid again */
    exec(db, "INSERT INTO assist_adjustment (id, case_id, for_month, amount_fen, reason, "
             "created_by, created_at) VALUES (1, 1, 202606, 5000, '补发差额', 1, 1)");
    struct payroll_result aug;
    cr_assert_eq(build(db, AUGUST, &aug), 0, "%s", db_errmsg(db));
    cr_assert_eq(aug.line_count, 5, "1, 2, 3 regular; 3 reissue; adjust");
    cr_assert_eq(aug.total_fen, 100000 + 50000 + 114000 + 114000 + 5000);
    cr_assert_eq(scalar(db, "SELECT status = 'reissued' FROM assist_payment WHERE id = ?", l3), 1);
    cr_assert_eq(scalar(db, "SELECT reissue_of FROM assist_payment WHERE payroll_id = ? "
                            "AND kind = 'reissue'", aug.id), l3);
    cr_assert(scalar(db, "SELECT payment_id FROM assist_adjustment WHERE id = ?", 1) > 0);
    /* cancelling August puts the failure and the adjustment back */
    cr_assert_eq(in_tx(db, payroll_cancel, aug.id), 0);
    cr_assert_eq(scalar(db, "SELECT status = 'failed' FROM assist_payment WHERE id = ?", l3), 1);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_adjustment WHERE payment_id IS NULL",
                        0), 1);
    cr_assert_eq(build(db, AUGUST, &aug), 0, "rerun after cancel");
    cr_assert_eq(aug.line_count, 5);

    /* counties under the city */
    struct arena *a = arena_new();
    char (*codes)[13];
    size_t n;
    cr_assert_eq(payroll_counties(db, a, "510800000000", &codes, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(codes[0], COUNTY);
    arena_free(a);
    close_db(db);
}

/* A province's run: several counties in one pass over the cases, each its own batch with its
 * own standards; a county with a batch already is left alone, so running again builds nothing. */
static void many(bool pg)
{
    struct db *db = open_db(pg);
    exec(db, "INSERT INTO region (code, name, level, parent, path_codes, path_names, valid_from, "
             "source) VALUES ('510821000000', '旺苍县', 3, NULL, '510821000000', '旺苍县', "
             "'2023-06-30', 'test'), ('510823000000', '剑阁县', 3, NULL, '510823000000', "
             "'剑阁县', '2023-06-30', 'test')");
    exec(db, "INSERT INTO assist_standard (id, region, kind, amount_fen, period, effective_from, "
             "source, created_by, created_at) VALUES (900, '510821000000', 'dibao_urban', 70000, "
             "'month', '2026-01', 'test', 1, 1)");
    add_case(db, 50, "1, NULL",
             "state, amount_method, per_capita_income_fen, covered_members, start_month, "
             "first_paid_payroll",
             "'dibao', 1, '510821100000', 150, 'active', 'gap', 20000, 2, 202601, 9", true);
    const char counties[3][13] = { "510821000000", "510823000000", COUNTY };
    struct payroll_result res[3];
    struct arena *a = arena_new();
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(payroll_build_many(db, a, counties, 3, JULY, 1, 2, res, NULL, NULL), 0, "%s",
                 db_errmsg(db));
    cr_assert_eq(db_commit(db), 0);
    cr_assert_eq(res[0].line_count, 1);
    cr_assert_eq(res[0].total_fen, (70000 - 20000) * 2, "旺苍县's own standard (§1.6)");
    cr_assert_eq(res[1].line_count, 0, "剑阁县 has no cases: an empty batch");
    cr_assert_eq(res[2].line_count, 6, "苍溪县 as when built alone");
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM assist_payroll WHERE month = ? "
                            "AND status = 'draft'", JULY), 3);
    struct payroll_result again[3];
    cr_assert_eq(db_begin(db), 0);
    cr_assert_eq(payroll_build_many(db, a, counties, 3, JULY, 1, 2, again, NULL, NULL), 0);
    cr_assert_eq(db_commit(db), 0);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(again[i].id, res[i].id, "the open batch is named, not rebuilt");
        cr_assert_eq(again[i].line_count, 0);
    }
    int64_t lines = scalar(db, "SELECT COUNT(*) FROM assist_payment WHERE payroll_id IN "
                               "(SELECT id FROM assist_payroll WHERE month = ?)", JULY);
    cr_assert_eq(lines, 7, "lines: %lld", (long long)lines);
    arena_free(a);
    close_db(db);
}

Test(payroll_store, sqlite) { scenario(false); }
Test(payroll_store, postgres) { scenario(true); }
Test(payroll_store, many_counties_sqlite) { many(false); }
Test(payroll_store, many_counties_postgres) { many(true); }
