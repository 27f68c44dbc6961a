/*
 * assist/payroll_routes.c — the HTTP surface of the payroll (payroll.h): build, list and read a
 * county's monthly batch, cancel or confirm it, the bank file, the bank's return, and the
 * payee's bank account of a case.
 *
 * A batch is visible to callers whose scope contains its county; any other id is answered 404
 * as if it did not exist. Every change and the bank file are audited in the transaction that
 * makes them. The computation uses the county's settings in force.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "csv.h"
#include "db.h"
#include "errors.h"
#include "payroll.h"
#include "region_store.h"
#include "route_args.h"
#include "scope.h"
#include "seal.h"
#include "standard.h"
#include "users.h"

#define BANK_NAME_MAX 100
#define ACCOUNT_MIN 10
#define ACCOUNT_MAX 30
#define RETURNS_MAX 1000000
#define REASON_MAX 200

static int payroll_create(struct request *rq);
static int payroll_list(struct request *rq);
static int payroll_get(struct request *rq);
static int payroll_lines(struct request *rq);
static int payroll_skipped(struct request *rq);
static int payroll_cancel_route(struct request *rq);
static int payroll_confirm_route(struct request *rq);
static int payroll_bank_file_route(struct request *rq);
static int payroll_returns(struct request *rq);
static int bank_account_set(struct request *rq);

#define ID_PARAM { "id", "path", "string", "批次编号", true }
#define PAGE_PARAMS                                                                               \
    { "after", "query", "string", "上一页最后一条的编号", false },                                \
    { "limit", "query", "integer", "每页条数（1–500，默认 100）", false }

const struct route payroll_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/assist/payrolls", .fn = payroll_create,
      .perm = "assist:payroll", .flags = R_BODY | R_WRITE, .tag = "assist",
      .summary = "生成某县某月的发放批次（草稿）", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/payrolls", .fn = payroll_list,
      .perm = "assist:payroll", .tag = "assist", .summary = "发放批次列表（新的在前）",
      .params = { { "county", "query", "string", "县级行政区划代码（6 位）", false },
                  { "month", "query", "string", "月份 YYYY-MM", false } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/payrolls/{id}", .fn = payroll_get,
      .perm = "assist:payroll", .tag = "assist", .summary = "发放批次及其合计",
      .params = { ID_PARAM } },
    { .method = HTTP_GET, .path = "/api/v1/assist/payrolls/{id}/lines", .fn = payroll_lines,
      .perm = "assist:payroll", .tag = "assist", .summary = "发放明细（姓名、账号脱敏）",
      .params = { ID_PARAM, PAGE_PARAMS } },
    { .method = HTTP_GET, .path = "/api/v1/assist/payrolls/{id}/skipped", .fn = payroll_skipped,
      .perm = "assist:payroll", .tag = "assist", .summary = "本批次未发放的案件及原因",
      .params = { ID_PARAM, PAGE_PARAMS } },
    { .method = HTTP_POST, .path = "/api/v1/assist/payrolls/{id}/cancel",
      .fn = payroll_cancel_route, .perm = "assist:payroll", .flags = R_WRITE, .tag = "assist",
      .summary = "作废草稿批次", .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/assist/payrolls/{id}/confirm",
      .fn = payroll_confirm_route, .perm = "assist:payroll", .flags = R_WRITE, .tag = "assist",
      .summary = "核对控制合计后确认批次", .params = { ID_PARAM } },
    { .method = HTTP_GET, .path = "/api/v1/assist/payrolls/{id}/bank-file",
      .fn = payroll_bank_file_route, .perm = "assist:payroll", .tag = "assist",
      .summary = "下载银行代发文件（CSV，已确认批次；记入审计）", .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/assist/payrolls/{id}/returns", .fn = payroll_returns,
      .perm = "assist:payroll", .flags = R_RAW_BODY | R_WRITE, .tag = "assist",
      .summary = "导入银行回盘文件（CSV：明细编号,paid|failed,原因[,金额]）",
      .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/assist/cases/{id}/bank-account",
      .fn = bank_account_set, .perm = "assist:bank:write", .flags = R_BODY | R_WRITE,
      .tag = "assist", .summary = "登记案件的收款银行账户（账号加密保存）",
      .params = { { "id", "path", "string", "案件编号", true } } },
    { 0 },
};

static const char *id_text(struct request *rq, int64_t id)
{
    return arena_printf(rq->arena, "%lld", (long long)id);
}

/* ---------------------------------------------------------------- batch replies */

static int reply_batch(struct request *rq, int status, int64_t id)
{
    struct payroll_header h;
    int rc = payroll_header_get(rq->db, id, &h);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    payroll_write_header(&w, &h);
    rc = payroll_write_totals(rq->db, id, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, status, &w);
}

/* The batch of the path inside the caller's scope, else 404. */
static int batch_of_path(struct request *rq, struct payroll_header *h)
{
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    rc = payroll_header_get(rq->db, id, h);
    if (rc == MZ_ENOTFOUND || (rc == 0 && !scope_contains(&rq->who->scope, h->county)))
        return http_fail(rq, MZ_ENOTFOUND, "id", "发放批次不存在");
    return rc;
}

/* ---------------------------------------------------------------- create */

static int county_arg(struct request *rq, const char *value, char county[REGION_CODE_LEN + 1])
{
    size_t len = strlen(value);
    bool digits = len == 6;
    for (size_t i = 0; digits && i < len; i++)
        digits = isdigit((unsigned char)value[i]);
    if (!digits || ids_region_normalize(value, len, county) != 0 ||
        ids_region_level(county) != 3)
        return http_fail(rq, MZ_EVALIDATE, "county", "county 应为 6 位县级行政区划代码");
    if (!scope_contains(&rq->who->scope, county))
        return http_fail(rq, MZ_EVALIDATE, "county", "所选县超出您的管辖范围");
    int rc = region_store_exists(rq->db, county);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, MZ_EVALIDATE, "county", "行政区划代码不存在");
    return rc;
}

static int payroll_create(struct request *rq)
{
    const char *county_text, *month_text;
    char county[REGION_CODE_LEN + 1];
    int32_t month;
    int rc = arg_body_string(rq, "county", 12, 0, &county_text);
    if (rc == 0)
        rc = county_arg(rq, county_text, county);
    if (rc == 0)
        rc = arg_body_string(rq, "month", 7, 0, &month_text);
    if (rc == 0 && standard_month_parse(month_text, strlen(month_text), &month) != 0)
        rc = http_fail(rq, MZ_EVALIDATE, "month", "月份应为 YYYY-MM");
    if (rc)
        return rc;
    struct payroll_result res;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_build(rq->db, rq->arena, county, month, rq->who->user_id, rq->now, &res);
    if (rc == 0)
        rc = http_audit(rq, "assist.payroll.create", "assist_payroll", id_text(rq, res.id),
                        county, "success",
                        arena_printf(rq->arena, "month=%d lines=%lld total_fen=%lld", month,
                                     (long long)res.line_count, (long long)res.total_fen));
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT) {
        int64_t existing = 0;
        if (payroll_open_batch(rq->db, county, month, &existing) == 0 && existing)
            rq->err.record_id = id_text(rq, existing);
        return http_fail(rq, MZ_ECONFLICT, "month", "该县该月已有未作废的发放批次");
    }
    if (rc == MZ_ERANGE)
        return http_fail(rq, rc, "month", "发放合计超出允许范围");
    if (rc)
        return rc;
    return reply_batch(rq, 201, res.id);
}

/* ---------------------------------------------------------------- reading */

static int payroll_list(struct request *rq)
{
    const char *county_text = http_query(rq, "county"), *month_text = http_query(rq, "month");
    char county[REGION_CODE_LEN + 1];
    int32_t month = 0;
    if (county_text) {
        size_t len = strlen(county_text);
        if (len != 6 || ids_region_normalize(county_text, len, county) != 0 ||
            ids_region_level(county) != 3)
            return http_fail(rq, MZ_EINVAL, "county", "county 应为 6 位县级行政区划代码");
        if (!scope_contains(&rq->who->scope, county))
            return http_fail(rq, MZ_EINVAL, "county", "所查区划超出您的管辖范围");
    }
    if (month_text && standard_month_parse(month_text, strlen(month_text), &month) != 0)
        return http_fail(rq, MZ_EINVAL, "month", "月份应为 YYYY-MM");
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    int rc = payroll_write_list(rq->db, &rq->who->scope, county_text ? county : NULL, month, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int payroll_get(struct request *rq)
{
    struct payroll_header h;
    int rc = batch_of_path(rq, &h);
    return rc ? rc : reply_batch(rq, 200, h.id);
}

static int page(struct request *rq, bool lines)
{
    struct payroll_header h;
    int64_t after;
    long limit;
    int rc = batch_of_path(rq, &h);
    if (rc == 0)
        rc = arg_query_id(rq, "after", &after);
    if (rc == 0)
        rc = http_query_long(rq, "limit", 100, 1, 500, &limit);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 4u << 20);
    jw_obj(&w);
    rc = lines ? payroll_write_lines(rq->db, h.id, after, limit, &w)
               : payroll_write_skipped(rq->db, h.id, after, limit, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int payroll_lines(struct request *rq) { return page(rq, true); }
static int payroll_skipped(struct request *rq) { return page(rq, false); }

/* ---------------------------------------------------------------- cancel, confirm */

static int payroll_cancel_route(struct request *rq)
{
    struct payroll_header h;
    int rc = batch_of_path(rq, &h);
    if (rc)
        return rc;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_cancel(rq->db, h.id, rq->who->user_id, rq->now);
    if (rc == 0)
        rc = http_audit(rq, "assist.payroll.cancel", "assist_payroll", id_text(rq, h.id),
                        h.county, "success", NULL);
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "status", "只有草稿状态的发放批次可以作废");
    return rc ? rc : reply_batch(rq, 200, h.id);
}

static int payroll_confirm_route(struct request *rq)
{
    struct payroll_header h;
    int rc = batch_of_path(rq, &h);
    if (rc)
        return rc;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_confirm(rq->db, h.id, rq->who->user_id, rq->now);
    if (rc == 0)
        rc = http_audit(rq, "assist.payroll.confirm", "assist_payroll", id_text(rq, h.id),
                        h.county, "success", NULL);
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "status", "只有草稿状态的发放批次可以确认");
    if (rc == MZ_EVALIDATE)
        return http_fail(rq, MZ_ECONFLICT, "total_fen",
                         "发放明细的笔数或金额与批次控制合计不符，不能确认");
    return rc ? rc : reply_batch(rq, 200, h.id);
}

/* ---------------------------------------------------------------- bank file */

static int payroll_bank_file_route(struct request *rq)
{
    struct payroll_header h;
    int rc = batch_of_path(rq, &h);
    if (rc)
        return rc;
    if (strcmp(h.status, "confirmed") != 0)
        return http_fail(rq, MZ_ECONFLICT, "status", "只有已确认的发放批次可以下载银行代发文件");
    char *data = NULL;
    size_t len = 0;
    int64_t rows = 0;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_bank_file(rq->db, h.id, &data, &len, &rows);
    if (rc == 0)
        rc = http_audit(rq, "assist.payroll.export", "assist_payroll", id_text(rq, h.id),
                        h.county, "success",
                        arena_printf(rq->arena, "format=csv rows=%lld", (long long)rows));
    rc = db_finish(rq->db, rc);
    if (rc) {
        free(data);
        return rc;
    }
    return http_reply_bytes(rq, 200, "text/csv; charset=utf-8",
                            arena_printf(rq->arena, "payroll-%.6s-%d.csv", h.county, h.month),
                            data, len);
}

/* ---------------------------------------------------------------- bank return */

/* "123.45" (yuan, at most two decimals) → fen; -1 when malformed. */
static int64_t parse_yuan(const char *s, size_t len)
{
    int64_t fen = 0;
    size_t i = 0, decimals = 0;
    bool dot = false;
    if (len == 0 || len > 15)
        return -1;
    for (; i < len; i++) {
        if (s[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!isdigit((unsigned char)s[i]) || (dot && ++decimals > 2))
            return -1;
        fen = fen * 10 + (s[i] - '0');
    }
    for (; decimals < 2; decimals++)
        fen *= 10;
    return fen;
}

static bool parse_id(const char *s, size_t len, int64_t *id)
{
    if (len == 0 || len > 18)
        return false;
    *id = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        *id = *id * 10 + (s[i] - '0');
    }
    return *id > 0;
}

/* The control row "合计,count,amount": its values, checked after the lines are applied. */
struct control {
    long line_no;
    int64_t count, fen;
};

/* One record of the return file into r (or the control row into ctl); a message on error. */
static const char *return_record(struct request *rq, struct csv *c, struct payroll_return *r,
                                 struct control *ctl)
{
    if (c->nfields >= 1 && strcmp(c->field[0], "合计") == 0) {
        int64_t count;
        if (ctl->line_no || c->nfields < 3 || !parse_id(c->field[1], c->len[1], &count) ||
            (ctl->fen = parse_yuan(c->field[2], c->len[2])) < 0)
            return "合计行应为：合计,笔数,金额（元），且只能有一行";
        ctl->line_no = c->lineno;
        ctl->count = count;
        return NULL;
    }
    if (c->nfields < 2 || c->nfields > 4 || !parse_id(c->field[0], c->len[0], &r->line_id))
        return "每行应为：明细编号,paid|failed,原因[,金额（元）]";
    if (strcmp(c->field[1], "paid") != 0 && strcmp(c->field[1], "failed") != 0)
        return "状态应为 paid 或 failed";
    r->paid = strcmp(c->field[1], "paid") == 0;
    r->reason = c->nfields >= 3 && c->len[2] ? arena_strndup(rq->arena, c->field[2], c->len[2])
                                             : NULL;
    if (r->reason && c->len[2] > REASON_MAX)
        return "原因过长（最多 200 字节）";
    if (!r->paid && !r->reason)
        return "failed 行须写明原因";
    r->amount_fen = c->nfields == 4 ? parse_yuan(c->field[3], c->len[3]) : -1;
    if (c->nfields == 4 && r->amount_fen < 0)
        return "金额应为元，最多两位小数";
    r->line_no = c->lineno;
    return NULL;
}

/* Parses the body; on error records 422 naming the line. */
static int parse_returns(struct request *rq, struct payroll_return **out, size_t *n,
                         struct control *ctl)
{
    struct csv c;
    memset(&c, 0, sizeof c);
    memset(ctl, 0, sizeof *ctl);
    c.in = fmemopen(rq->raw, rq->raw_len, "rb");
    if (!c.in)
        return MZ_ENOMEM;
    size_t cap = 64;
    struct payroll_return *r = arena_alloc(rq->arena, cap * sizeof *r);
    int rc;
    *n = 0;
    while ((rc = csv_next(&c)) == 1) {
        if (c.lineno == 1 && c.nfields >= 1 && !isdigit((unsigned char)c.field[0][0]) &&
            strcmp(c.field[0], "合计") != 0)
            continue; /* the header row */
        if (*n == cap) {
            if (cap >= RETURNS_MAX) {
                rc = http_fail(rq, MZ_EVALIDATE, "body", "回盘文件行数过多");
                break;
            }
            struct payroll_return *bigger = arena_alloc(rq->arena, 2 * cap * sizeof *r);
            memcpy(bigger, r, cap * sizeof *r);
            r = bigger;
            cap *= 2;
        }
        const char *why = return_record(rq, &c, &r[*n], ctl);
        if (why) {
            rc = http_fail(rq, MZ_EVALIDATE, "body",
                           arena_printf(rq->arena, "第 %ld 行：%s", c.lineno, why));
            break;
        }
        if (ctl->line_no != c.lineno)
            (*n)++;
    }
    long bad = c.lineno;
    csv_close(&c);
    if (rc == MZ_EVALIDATE && !rq->err.code)
        return http_fail(rq, rc, "body", arena_printf(rq->arena, "第 %ld 行：CSV 格式错误", bad));
    if (rc < 0)
        return rc;
    if (*n == 0)
        return http_fail(rq, MZ_EVALIDATE, "body", "回盘文件没有明细行");
    *out = r;
    return 0;
}

static void reply_returns(struct jw *w, const struct payroll_return_totals *t,
                          const struct payroll_header *h)
{
    jw_obj(w);
    jw_kv_int(w, "paid_count", t->paid_count);
    jw_kv_int(w, "paid_fen", t->paid_fen);
    jw_kv_int(w, "failed_count", t->failed_count);
    jw_kv_int(w, "failed_fen", t->failed_fen);
    jw_key(w, "payroll");
    jw_obj(w);
    payroll_write_header(w, h);
    jw_obj_end(w);
    jw_obj_end(w);
}

static int payroll_returns(struct request *rq)
{
    struct payroll_header h;
    struct payroll_return *r = NULL;
    struct control ctl;
    size_t n = 0;
    int rc = batch_of_path(rq, &h);
    if (rc == 0)
        rc = parse_returns(rq, &r, &n, &ctl);
    if (rc)
        return rc;
    struct payroll_return_totals t;
    long bad = 0;
    const char *why = NULL;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_apply_returns(rq->db, h.id, r, n, &t, &bad, &why);
    if (rc == MZ_EVALIDATE)
        rc = http_fail(rq, rc, "body", arena_printf(rq->arena, "第 %ld 行：%s", bad, why));
    if (rc == 0 && ctl.line_no &&
        (ctl.count != (int64_t)n || ctl.fen != t.paid_fen + t.failed_fen))
        rc = http_fail(rq, MZ_EVALIDATE, "body",
                       arena_printf(rq->arena, "第 %ld 行：合计笔数或金额与回盘明细不符",
                                    ctl.line_no));
    if (rc == 0)
        rc = http_audit(rq, "assist.payroll.returns", "assist_payroll", id_text(rq, h.id),
                        h.county, "success",
                        arena_printf(rq->arena, "paid=%lld failed=%lld", (long long)t.paid_count,
                                     (long long)t.failed_count));
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "status", "只有已确认的发放批次可以导入回盘");
    if (rc == 0)
        rc = payroll_header_get(rq->db, h.id, &h);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 65536);
    reply_returns(&w, &t, &h);
    return http_reply_json(rq, 200, &w);
}

/* ---------------------------------------------------------------- bank account */

static void mask_account(const char *account, size_t len, char *out)
{
    memcpy(out, account, 4);
    memset(out + 4, '*', len - 8);
    memcpy(out + len - 4, account + len - 4, 4);
    out[len] = '\0';
}

static int bank_account_set(struct request *rq)
{
    int64_t case_id, person_id;
    char region[REGION_CODE_LEN + 1];
    const char *bank, *account;
    int rc = arg_path_id(rq, "id", &case_id);
    if (rc == 0)
        rc = arg_body_string(rq, "bank_name", BANK_NAME_MAX, 0, &bank);
    if (rc == 0)
        rc = arg_body_string(rq, "account", 64, 0, &account);
    if (rc)
        return rc;
    size_t len = strlen(account);
    bool digits = len >= ACCOUNT_MIN && len <= ACCOUNT_MAX;
    for (size_t i = 0; digits && i < len; i++)
        digits = isdigit((unsigned char)account[i]);
    if (!digits)
        return http_fail(rq, MZ_EVALIDATE, "account", "银行账号应为 10–30 位数字");
    rc = payroll_case_payee(rq->db, case_id, region, &person_id);
    if (rc == MZ_ENOTFOUND || (rc == 0 && !scope_contains(&rq->who->scope, region)))
        return http_fail(rq, MZ_ENOTFOUND, "id", "案件不存在");
    if (rc)
        return rc;
    char sealed[SEAL_TEXT_LEN(ACCOUNT_MAX)], masked[ACCOUNT_MAX + 1];
    rc = seal_text(account, len, sealed, sizeof sealed);
    if (rc)
        return MZ_EINTERNAL;
    mask_account(account, len, masked);
    int64_t id = users_new_id();
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = payroll_bank_account_set(rq->db, case_id, person_id, bank, sealed, masked, id,
                                      rq->who->user_id, rq->now);
    if (rc == 0)
        rc = http_audit(rq, "assist.bank_account.create", "assist_bank_account", id_text(rq, id),
                        region, "success",
                        arena_printf(rq->arena, "case=%lld fields=bank_name,account",
                                     (long long)case_id));
    rc = db_finish(rq->db, rc);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 8192);
    jw_obj(&w);
    jw_kv_str(&w, "id", id_text(rq, id));
    jw_kv_str(&w, "case_id", id_text(rq, case_id));
    jw_kv_str(&w, "bank_name", bank);
    jw_kv_str(&w, "account_masked", masked);
    jw_kv_int(&w, "created_at", rq->now);
    jw_obj_end(&w);
    return http_reply_json(rq, 201, &w);
}
