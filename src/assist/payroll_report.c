/*
 * assist/payroll_report.c — reading payroll batches (payroll.h): headers, totals by programme
 * and township, lines and skipped cases as JSON (names and accounts masked), and the bank file,
 * the one place an account number is opened.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "errors.h"
#include "json.h"
#include "mask.h"
#include "payroll.h"
#include "scope.h"
#include "seal.h"

#define HEADER_COLUMNS                                                                            \
    "id, county, month, status, line_count, total_fen, paid_count, paid_fen, failed_count, "      \
    "failed_fen, created_at, confirmed_at, cancelled_at"
#define LIST_MAX 200

static void header_row(struct db_stmt *st, struct payroll_header *h)
{
    memset(h, 0, sizeof *h);
    h->id = db_col_int64(st, 0);
    snprintf(h->county, sizeof h->county, "%s", db_col_text(st, 1, NULL));
    h->month = (int32_t)db_col_int64(st, 2);
    snprintf(h->status, sizeof h->status, "%s", db_col_text(st, 3, NULL));
    int64_t *v[] = { &h->line_count, &h->total_fen, &h->paid_count, &h->paid_fen,
                     &h->failed_count, &h->failed_fen, &h->created_at, &h->confirmed_at,
                     &h->cancelled_at };
    for (int i = 0; i < 9; i++)
        *v[i] = db_col_null(st, 4 + i) ? 0 : db_col_int64(st, 4 + i);
}

int payroll_header_get(struct db *db, int64_t id, struct payroll_header *h)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " HEADER_COLUMNS " FROM assist_payroll WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == 1)
        header_row(st, h);
    db_reset(st);
    return rc < 0 ? rc : rc == 1 ? 0 : MZ_ENOTFOUND;
}

static void kv_id(struct jw *w, const char *key, int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)id);
    jw_kv_str(w, key, buf);
}

static void kv_month(struct jw *w, const char *key, int32_t yyyymm)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d", (int)(yyyymm / 100), (int)(yyyymm % 100));
    jw_kv_str(w, key, buf);
}

static void kv_time(struct jw *w, const char *key, int64_t at)
{
    jw_key(w, key);
    if (at)
        jw_int(w, at);
    else
        jw_null(w);
}

void payroll_write_header(struct jw *w, const struct payroll_header *h)
{
    kv_id(w, "id", h->id);
    jw_kv_strn(w, "county", h->county, 6);
    kv_month(w, "month", h->month);
    jw_kv_str(w, "status", h->status);
    jw_kv_int(w, "line_count", h->line_count);
    jw_kv_int(w, "total_fen", h->total_fen);
    jw_kv_int(w, "paid_count", h->paid_count);
    jw_kv_int(w, "paid_fen", h->paid_fen);
    jw_kv_int(w, "failed_count", h->failed_count);
    jw_kv_int(w, "failed_fen", h->failed_fen);
    jw_kv_int(w, "pending_fen", h->total_fen - h->paid_fen - h->failed_fen);
    kv_time(w, "created_at", h->created_at);
    kv_time(w, "confirmed_at", h->confirmed_at);
    kv_time(w, "cancelled_at", h->cancelled_at);
}

/* "key":{name: {line_count, total_fen}…} or an array of {key_name, …} from rows (name,
 * count, sum). */
static int write_groups(struct db *db, const char *sql, int64_t id, struct jw *w,
                        const char *key, const char *item_key)
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    jw_key(w, key);
    if (item_key)
        jw_arr(w);
    else
        jw_obj(w);
    while ((rc = db_step(st)) == 1) {
        if (item_key) {
            jw_obj(w);
            jw_kv_str(w, item_key, db_col_text(st, 0, NULL));
        } else {
            jw_key(w, db_col_text(st, 0, NULL));
            jw_obj(w);
        }
        jw_kv_int(w, "line_count", db_col_int64(st, 1));
        jw_kv_int(w, "total_fen", db_col_int64(st, 2));
        jw_obj_end(w);
    }
    if (item_key)
        jw_arr_end(w);
    else
        jw_obj_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int payroll_write_totals(struct db *db, int64_t id, struct jw *w)
{
    int rc = write_groups(db, "SELECT programme, COUNT(*), SUM(amount_fen) FROM assist_payment "
                              "WHERE payroll_id = ? AND status <> 'cancelled' GROUP BY programme "
                              "ORDER BY programme", id, w, "by_programme", NULL);
    if (rc == 0)
        rc = write_groups(db, "SELECT SUBSTR(region, 1, 9), COUNT(*), SUM(amount_fen) "
                              "FROM assist_payment WHERE payroll_id = ? AND status <> 'cancelled' "
                              "GROUP BY SUBSTR(region, 1, 9) ORDER BY 1", id, w, "by_township",
                          "township");
    struct db_stmt *st;
    if (rc == 0)
        rc = db_prepare(db, "SELECT reason, COUNT(*) FROM assist_payroll_skip WHERE payroll_id = ? "
                            "GROUP BY reason ORDER BY reason", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    jw_key(w, "skipped");
    jw_obj(w);
    while ((rc = db_step(st)) == 1)
        jw_kv_int(w, db_col_text(st, 0, NULL), db_col_int64(st, 1));
    jw_obj_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int payroll_write_list(struct db *db, const struct scope *scope, const char *county12,
                       int32_t yyyymm, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " HEADER_COLUMNS " FROM assist_payroll WHERE county >= ? "
                            "AND county < ? AND (? = '' OR county = ?) "
                            "AND (CAST(? AS INTEGER) = 0 OR month = ?) ORDER BY id DESC LIMIT ?",
                        &st);
    if (rc)
        return rc;
    const char *c = county12 ? county12 : "";
    scope_bind(st, 1, scope);
    db_bind_text(st, 3, c, strlen(c));
    db_bind_text(st, 4, c, strlen(c));
    db_bind_int64(st, 5, yyyymm);
    db_bind_int64(st, 6, yyyymm);
    db_bind_int64(st, 7, LIST_MAX);
    jw_key(w, "items");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        struct payroll_header h;
        header_row(st, &h);
        jw_obj(w);
        payroll_write_header(w, &h);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static void kv_text_or_null(struct jw *w, struct db_stmt *st, const char *key, int col)
{
    jw_key(w, key);
    if (db_col_null(st, col))
        jw_null(w);
    else
        jw_str(w, db_col_text(st, col, NULL));
}

/* "next": the last id when the page is full, else null. */
static void kv_next(struct jw *w, long rows, long limit, int64_t last)
{
    jw_key(w, "next");
    if (rows == limit) {
        char buf[24];
        snprintf(buf, sizeof buf, "%lld", (long long)last);
        jw_str(w, buf);
    } else {
        jw_null(w);
    }
}

/* A keyset page of a batch's rows: sql takes (batch, after, limit) and has the key in column
 * 0; write_row writes one row's object. Then "next". */
static int write_page(struct db *db, const char *sql, int64_t id, int64_t after, long limit,
                      struct jw *w, void (*write_row)(struct db_stmt *st, struct jw *w))
{
    struct db_stmt *st;
    int rc = db_prepare(db, sql, &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, after);
    db_bind_int64(st, 3, limit);
    jw_key(w, "items");
    jw_arr(w);
    long rows = 0;
    int64_t last = 0;
    while ((rc = db_step(st)) == 1) {
        last = db_col_int64(st, 0);
        rows++;
        jw_obj(w);
        write_row(st, w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    db_reset(st);
    kv_next(w, rows, limit, last);
    return rc < 0 ? rc : 0;
}

static void line_row(struct db_stmt *st, struct jw *w)
{
    char name[256];
    kv_id(w, "id", db_col_int64(st, 0));
    kv_id(w, "case_id", db_col_int64(st, 1));
    jw_kv_str(w, "programme", db_col_text(st, 2, NULL));
    jw_kv_str(w, "region", db_col_text(st, 3, NULL));
    kv_month(w, "for_month", (int32_t)db_col_int64(st, 4));
    jw_kv_str(w, "kind", db_col_text(st, 5, NULL));
    jw_kv_int(w, "amount_fen", db_col_int64(st, 6));
    jw_kv_str(w, "status", db_col_text(st, 7, NULL));
    kv_text_or_null(w, st, "fail_reason", 8);
    kv_text_or_null(w, st, "reissue_of", 9);
    jw_kv_str(w, "name", mask_name(db_col_text(st, 10, NULL), name, sizeof name));
    kv_text_or_null(w, st, "bank_name", 11);
    kv_text_or_null(w, st, "account_masked", 12);
}

int payroll_write_lines(struct db *db, int64_t id, int64_t after, long limit, struct jw *w)
{
    return write_page(db, "SELECT p.id, p.case_id, p.programme, p.region, p.for_month, p.kind, "
                          "p.amount_fen, p.status, p.fail_reason, p.reissue_of, pe.name, "
                          "b.bank_name, b.account_masked FROM assist_payment p "
                          "JOIN person pe ON pe.id = p.person_id "
                          "LEFT JOIN assist_bank_account b ON b.id = p.bank_account_id "
                          "WHERE p.payroll_id = ? AND p.id > ? ORDER BY p.id LIMIT ?",
                      id, after, limit, w, line_row);
}

static void skipped_row(struct db_stmt *st, struct jw *w)
{
    char name[256];
    kv_id(w, "case_id", db_col_int64(st, 0));
    jw_kv_str(w, "reason", db_col_text(st, 1, NULL));
    jw_kv_str(w, "programme", db_col_text(st, 2, NULL));
    jw_kv_str(w, "region", db_col_text(st, 3, NULL));
    jw_kv_str(w, "name", mask_name(db_col_text(st, 4, NULL), name, sizeof name));
}

int payroll_write_skipped(struct db *db, int64_t id, int64_t after, long limit, struct jw *w)
{
    return write_page(db, "SELECT s.case_id, s.reason, c.programme, c.region, pe.name "
                          "FROM assist_payroll_skip s JOIN assist_case c ON c.id = s.case_id "
                          "JOIN person pe ON pe.id = c.applicant_id WHERE s.payroll_id = ? "
                          "AND s.case_id > ? ORDER BY s.case_id LIMIT ?",
                      id, after, limit, w, skipped_row);
}

/* One CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s, bool last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else if (s) {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void yuan(int64_t fen, char out[32])
{
    const char *sign = fen < 0 ? "-" : "";
    uint64_t u = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(out, 32, "%s%llu.%02llu", sign, (unsigned long long)(u / 100),
             (unsigned long long)(u % 100));
}

int payroll_bank_file(struct db *db, int64_t id, char **data, size_t *len, int64_t *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT p.id, pe.name, pe.id_number, b.bank_name, b.account_cipher, "
                            "p.amount_fen, SUBSTR(p.region, 1, 9), r.name FROM assist_payment p "
                            "JOIN person pe ON pe.id = p.person_id "
                            "JOIN assist_bank_account b ON b.id = p.bank_account_id "
                            "LEFT JOIN region r ON r.code = SUBSTR(p.region, 1, 9) || '000' "
                            "WHERE p.payroll_id = ? AND p.status <> 'cancelled' ORDER BY p.id",
                        &st);
    if (rc)
        return rc;
    *data = NULL;
    *len = 0;
    *rows = 0;
    FILE *f = open_memstream(data, len);
    if (!f)
        return MZ_ENOMEM;
    fputs("序号,姓名,公民身份号码,开户银行,账号,金额(元),所属乡镇\r\n", f);
    db_bind_int64(st, 1, id);
    int64_t total = 0;
    while ((rc = db_step(st)) == 1) {
        char account[SEAL_PLAIN_MAX + 1], amount[32], township[160];
        size_t alen;
        rc = seal_open(db_col_text(st, 4, NULL), account, sizeof account, &alen);
        if (rc) {
            rc = MZ_EINTERNAL;
            break;
        }
        const char *town = db_col_text(st, 7, NULL);
        snprintf(township, sizeof township, "%s%s%s", db_col_text(st, 6, NULL),
                 town ? " " : "", town ? town : "");
        yuan(db_col_int64(st, 5), amount);
        total += db_col_int64(st, 5);
        csv_field(f, db_col_text(st, 0, NULL), false);
        csv_field(f, db_col_text(st, 1, NULL), false);
        csv_field(f, db_col_text(st, 2, NULL), false);
        csv_field(f, db_col_text(st, 3, NULL), false);
        csv_field(f, account, false);
        csv_field(f, amount, false);
        csv_field(f, township, true);
        OPENSSL_cleanse(account, sizeof account);
        (*rows)++;
    }
    db_reset(st);
    if (rc == 0) {
        char amount[32];
        yuan(total, amount);
        fprintf(f, "合计,%lld,,,,%s,\r\n", (long long)*rows, amount);
    }
    if (fclose(f) != 0 && rc == 0)
        rc = MZ_ENOMEM;
    if (rc < 0) {
        free(*data);
        *data = NULL;
        return rc;
    }
    return 0;
}
