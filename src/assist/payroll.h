/*
 * assist/payroll.h — 发放批次 (the monthly payroll) of 低保, 特困 and 临时救助 (issue #10,
 * "Payment"; shared/domain/rules.md §8, §1.7, §3, the closing table).
 *
 * One batch per county and month (a county's 民政 pays, SA-IM Art. 12; DB-57 Art. 25). It is
 * built from the columns of assist_case (sql/0008_assist_case.sql) and stores one line per case
 * and month paid, with its amount: changing a standard never rewrites a past payment.
 *
 *   regular   低保/特困 cases active or tapering in the month: start_month ≤ M, M < stop_month,
 *             M ≤ taper_until. Amount by amount_method — gap: the monthly 低保标准 of the case's
 *             side in force at the county on the 1st of the month, minus the per-capita income,
 *             times the covered members (assist_rule_dibao_amount; DB-57 Art. 23; §1.6, §8
 *             "standard in force on the 1st of the payment month"); fixed: the decided amount;
 *             tekun: 基本生活标准 + 照料护理标准 of the care tier in force (TK-43 Arts. 19–20;
 *             §2.4). A zero amount is not paid.
 *   arrears   补发: a case never paid before whose start_month is before M gets every month
 *             from start_month to M − 1 as well (§8 first month: 低保 DB-57 Art. 21, 特困 TK-43
 *             Art. 17 — the months owed since the first month decided).
 *   once      临时救助 granted once (LS-23 二(三); §3.4): one line, for_month = start_month.
 *   reissue   重发: a line the bank returned as failed is paid again by the next batch.
 *   adjust    an assist_adjustment not yet paid.
 * Skipped, with the reason the county sees: suspended; no_bank_account (社会化发放 into the
 * family's account, SA-IM Art. 12); deceased — no month is paid to a payee recorded dead
 * before its 1st (or dead without a date; §1.7, §8 "after a death", overpayments are flagged
 * for review, never clawed back here); no_amount; no_standard (no standard in force);
 * invalid (the decided amounts are missing or arrears reach back more than
 * PAYROLL_ARREARS_MAX months).
 *
 * payroll.c is pure (this computation); payroll_store.c the SQL (one transaction per county
 * batch, lines bulk-inserted with db_copy_*); payroll_routes.c the HTTP surface:
 *   POST /api/v1/assist/payrolls                  (assist:payroll) build a county's month
 *   GET  /api/v1/assist/payrolls                  (assist:payroll) list
 *   GET  /api/v1/assist/payrolls/{id}             (assist:payroll) header and totals
 *   GET  /api/v1/assist/payrolls/{id}/lines       (assist:payroll) lines, masked, keyset pages
 *   GET  /api/v1/assist/payrolls/{id}/skipped     (assist:payroll) skipped cases and reasons
 *   POST /api/v1/assist/payrolls/{id}/cancel      (assist:payroll) draft → cancelled
 *   POST /api/v1/assist/payrolls/{id}/confirm     (assist:payroll) draft → confirmed
 *   GET  /api/v1/assist/payrolls/{id}/bank-file   (assist:payroll) the bank's CSV (audited)
 *   POST /api/v1/assist/payrolls/{id}/returns     (assist:payroll) 回盘: paid / failed
 *   POST /api/v1/assist/cases/{id}/bank-account   (assist:bank:write) set the payee account
 * Tests: tests/unit/assist/test_payroll.c (computation), test_payroll_store.c (store),
 * tests/api/cases/assist_payrolls.json.
 */
#ifndef MZ_ASSIST_PAYROLL_H
#define MZ_ASSIST_PAYROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist_rules.h"
#include "http.h"
#include "ids.h"
#include "scope.h"

struct db;
struct arena;

/* Arrears reach back at most this many months (the look-back limit of assist_rules.h). */
#define PAYROLL_ARREARS_MAX ASSIST_MAX_MONTHS
/* Lines one case can produce in one batch: the arrears and the month itself. */
#define PAYROLL_CASE_LINES_MAX (PAYROLL_ARREARS_MAX + 1)

enum payroll_programme { PAYROLL_DIBAO, PAYROLL_TEKUN, PAYROLL_LSHI_URGENT, PAYROLL_LSHI_EXPENSE,
                         PAYROLL_PROGRAMME_COUNT };
enum payroll_state { PAYROLL_ACTIVE, PAYROLL_TAPERING, PAYROLL_SUSPENDED, PAYROLL_GRANTED,
                     PAYROLL_OTHER_STATE };
enum payroll_method { PAYROLL_GAP, PAYROLL_FIXED, PAYROLL_TEKUN_STD, PAYROLL_ONCE_METHOD,
                      PAYROLL_NO_METHOD };
enum payroll_kind { PAYROLL_REGULAR, PAYROLL_ARREARS, PAYROLL_REISSUE, PAYROLL_ONCE,
                    PAYROLL_ADJUST, PAYROLL_KIND_COUNT };
enum payroll_skip { PAYROLL_PAID = 0, PAYROLL_NOT_DUE, PAYROLL_SKIP_SUSPENDED,
                    PAYROLL_SKIP_NO_BANK, PAYROLL_SKIP_DECEASED, PAYROLL_SKIP_NO_AMOUNT,
                    PAYROLL_SKIP_NO_STANDARD, PAYROLL_SKIP_INVALID, PAYROLL_SKIP_COUNT };
/* The standards a batch resolves, in the order of their kind names (standard.h). */
enum payroll_std { PAYROLL_STD_DIBAO_URBAN, PAYROLL_STD_DIBAO_RURAL, PAYROLL_STD_TEKUN_URBAN,
                   PAYROLL_STD_TEKUN_RURAL, PAYROLL_STD_CARE_1, PAYROLL_STD_CARE_2,
                   PAYROLL_STD_CARE_3, PAYROLL_STD_COUNT };

/* One assist_case row as the payroll reads it, with its payee's death record. Months yyyymm,
 * 0 for NULL; ids 0 for NULL; amounts -1 for NULL. */
struct payroll_case {
    int64_t id;
    enum payroll_programme programme;
    enum payroll_state state;
    enum payroll_method method;
    bool urban;
    char region[REGION_CODE_LEN + 1];
    int64_t person_id;                 /* applicant_id: the payee */
    int64_t per_capita_income_fen;
    int covered_members;
    int64_t fixed_amount_fen;
    int care_tier;                     /* 1..3, 0 for NULL */
    int32_t start_month, stop_month, taper_until;
    int64_t bank_account_id;
    int64_t first_paid_payroll;
    bool payee_alive;
    int32_t payee_death_day;           /* yyyymmdd; 0 when no date is recorded */
};

/* The monthly standards in force at one county for the months [from, from + count): fen, or
 * -1 where none is in force. Resolved once per batch, never per case. */
struct payroll_standards {
    int32_t from;
    int count;
    int64_t fen[PAYROLL_CASE_LINES_MAX][PAYROLL_STD_COUNT];
};

struct payroll_line {
    enum payroll_kind kind;
    int32_t for_month;
    int64_t amount_fen;
};

/* Names as stored: "dibao", "regular", "no_bank_account", "dibao_urban" …; NULL outside. */
const char *payroll_programme_name(enum payroll_programme p);
const char *payroll_kind_name(enum payroll_kind k);
const char *payroll_skip_name(enum payroll_skip s);
const char *payroll_std_kind(enum payroll_std k);
/* Parsers of the stored names; the *_COUNT / OTHER / NO value for an unknown one. */
enum payroll_programme payroll_programme_parse(const char *s);
enum payroll_state payroll_state_parse(const char *s);
enum payroll_method payroll_method_parse(const char *s);

/* yyyymm + k months (k may be negative). */
int32_t payroll_month_add(int32_t yyyymm, int k);
/* True when the payee may be paid for month yyyymm: alive, or recorded dead on or after its
 * 1st (§1.7, §8: nobody recorded dead before the month is paid). */
bool payroll_payee_payable(const struct payroll_case *c, int32_t yyyymm);
/* True when a 低保/特困 case is due for month yyyymm by its months alone (state aside). */
bool payroll_in_months(const struct payroll_case *c, int32_t yyyymm);

/*
 * The amount of case c for month yyyymm by its amount_method, with the standards std: 0 with
 * *fen set (possibly 0), or the skip reason (PAYROLL_SKIP_NO_STANDARD, PAYROLL_SKIP_INVALID).
 */
enum payroll_skip payroll_month_amount(const struct assist_settings *s,
                                       const struct payroll_standards *std,
                                       const struct payroll_case *c, int32_t yyyymm,
                                       int64_t *fen);

/*
 * The lines of case c in the batch of month yyyymm: writes up to PAYROLL_CASE_LINES_MAX lines
 * into out, *n their number, and returns PAYROLL_PAID, PAYROLL_NOT_DUE (no lines, not a skip)
 * or the skip reason (no lines). Pure.
 */
enum payroll_skip payroll_case_lines(const struct assist_settings *s,
                                     const struct payroll_standards *std,
                                     const struct payroll_case *c, int32_t yyyymm,
                                     struct payroll_line out[PAYROLL_CASE_LINES_MAX], size_t *n);

/* ---- store (payroll_store.c): SQL only; the routes check scope and state ---- */

/* What building a batch did. */
struct payroll_result {
    int64_t id;
    int64_t line_count, total_fen;
    int64_t skipped[PAYROLL_SKIP_COUNT];
};

/* The resolved monthly standards of county12 for the months up to yyyymm. 0 or MZ_E…. */
int payroll_standards_load(struct db *db, struct arena *a, const struct assist_settings *s,
                           const char *county12, int32_t yyyymm, struct payroll_standards *std);
/* The id of the county's batch of the month that is not cancelled, or 0. 0 or MZ_E…. */
int payroll_open_batch(struct db *db, const char *county12, int32_t yyyymm, int64_t *id);
/*
 * Builds the draft batch of county12 (a 12-digit county code) for yyyymm with the county's
 * settings in force, inside the caller's transaction: header, lines (db_copy_*), skipped
 * cases, first_paid_payroll, reissued failures, adjustments. MZ_ECONFLICT with res->id = the
 * existing batch when one is open. 0 or MZ_E….
 */
int payroll_build(struct db *db, struct arena *a, const char *county12, int32_t yyyymm,
                  int64_t user_id, int64_t now, struct payroll_result *res);
/* Called with the number of cases read so far, after each chunk. */
typedef void (*payroll_progress_fn)(void *ctx, int64_t cases);
/*
 * The batches of n counties (sorted by code) in one pass over the cases from the first
 * county's code to the last's, in id order, a chunk at a time — the way a province pays in one
 * run: each case is read once whatever the number of counties. A county that has an open batch
 * is left alone (res[i].id = that batch, line_count 0). res has n entries. Inside the caller's
 * transaction; two calls on two connections with disjoint county ranges may run in parallel.
 */
int payroll_build_many(struct db *db, struct arena *a, const char (*counties)[13], size_t n,
                       int32_t yyyymm, int64_t user_id, int64_t now, struct payroll_result *res,
                       payroll_progress_fn progress, void *ctx);
/* The code range [first county, last county] of n sorted counties as a scope. 0 or
 * MZ_EINVAL (n = 0). */
int payroll_counties_range(const char (*counties)[13], size_t n, struct scope *out);
/* Cancels a draft batch (inside the caller's transaction): lines cancelled, first payments,
 * reissued failures and adjustments released. MZ_ECONFLICT when not a draft. 0 or MZ_E…. */
int payroll_cancel(struct db *db, int64_t id, int64_t user_id, int64_t now);
/* Confirms a draft batch after recounting its lines: MZ_ECONFLICT when not a draft,
 * MZ_EVALIDATE when the lines' count or sum differ from the header. 0 or MZ_E…. */
int payroll_confirm(struct db *db, int64_t id, int64_t user_id, int64_t now);

/* One line of a bank return. */
struct payroll_return {
    int64_t line_id;
    bool paid;
    const char *reason;                /* NULL when none */
    int64_t amount_fen;                /* -1 when the file has no amount */
    long line_no;                      /* line number in the file, for the error */
};
/* Totals of a return as applied. */
struct payroll_return_totals {
    int64_t paid_count, paid_fen, failed_count, failed_fen;
};
/*
 * Applies a bank return to confirmed batch id (inside the caller's transaction): every line
 * must be a pending line of the batch, listed once, with the amount when given. On a refusal
 * *bad_line is the file line at fault and *why says why (static text); nothing is applied
 * (the caller rolls back). MZ_ECONFLICT when not confirmed, MZ_EVALIDATE for a bad line.
 */
int payroll_apply_returns(struct db *db, int64_t id, const struct payroll_return *r, size_t n,
                          struct payroll_return_totals *t, long *bad_line, const char **why);

/* Counties (12-digit codes) under region12 (a province, city or county) that the region table
 * knows, into *codes (arena), *n their number. 0 or MZ_E…. */
int payroll_counties(struct db *db, struct arena *a, const char *region12, char (**codes)[13],
                     size_t *n);

/* Sets the payee account of case id (new assist_bank_account row, sealed number, case points
 * at it) inside the caller's transaction. 0 or MZ_E…. */
int payroll_bank_account_set(struct db *db, int64_t case_id, int64_t person_id,
                             const char *bank_name, const char *sealed, const char *masked,
                             int64_t account_id, int64_t user_id, int64_t now);

/* The payee and region of case id: 0, MZ_ENOTFOUND or MZ_E…. */
int payroll_case_payee(struct db *db, int64_t case_id, char region[REGION_CODE_LEN + 1],
                       int64_t *person_id);

/* ---- reading (payroll_report.c): batches as JSON, the bank file ---- */

struct scope;
struct jw;

/* A batch header. */
struct payroll_header {
    int64_t id;
    char county[REGION_CODE_LEN + 1];
    int32_t month;
    char status[16];
    int64_t line_count, total_fen, paid_count, paid_fen, failed_count, failed_fen;
    int64_t created_at, confirmed_at, cancelled_at;   /* 0 when not (yet) */
};

/* Batch id's header: 0, MZ_ENOTFOUND or MZ_E…. */
int payroll_header_get(struct db *db, int64_t id, struct payroll_header *h);
/* The header's members into the open object w (ids as strings, month "YYYY-MM"). */
void payroll_write_header(struct jw *w, const struct payroll_header *h);
/* "by_programme":{…},"by_township":[…],"skipped":{reason: count} into the open object w. */
int payroll_write_totals(struct db *db, int64_t id, struct jw *w);
/* "items":[headers…] of batches inside scope, of county12 (NULL: all) and yyyymm (0: all),
 * newest first, at most 200. */
int payroll_write_list(struct db *db, const struct scope *scope, const char *county12,
                       int32_t yyyymm, struct jw *w);
/* "items":[lines…],"next":… with id > after, names and accounts masked. */
int payroll_write_lines(struct db *db, int64_t id, int64_t after, long limit, struct jw *w);
/* "items":[skipped cases…],"next":… with case id > after. */
int payroll_write_skipped(struct db *db, int64_t id, int64_t after, long limit, struct jw *w);
/* The bank file of batch id (UTF-8 CSV, header row, one row per line, a control row), the
 * account numbers opened with the data key (seal.h); *data malloc'd. 0 or MZ_E…. */
int payroll_bank_file(struct db *db, int64_t id, char **data, size_t *len, int64_t *rows);

extern const struct route payroll_routes[];

#endif
