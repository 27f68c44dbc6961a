/*
 * assist/standard_routes.c — the HTTP surface of 救助标准 (standard.h): set a standard, read the
 * one in force with where it came from, and the history of a region and its ancestors.
 *
 * Setting is audited (assist.standard.create) in the transaction that inserts the row; a
 * 特困基本生活标准 below the floor (tekun_basic_min_ratio × the 低保标准 in force, §2.5) is
 * refused unless an override reason is given, and an accepted override is named in the audit
 * entry. Reading needs the region inside the caller's scope; the rows of its ancestors that
 * apply there are shown with it (a county reads the province's standard it lives under).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "calendar.h"
#include "db.h"
#include "errors.h"
#include "route_args.h"
#include "scope.h"
#include "setting.h"
#include "standard.h"
#include "users.h"

#define STANDARD_HISTORY_MAX 500

static int standard_create(struct request *rq);
static int standard_current(struct request *rq);
static int standard_history(struct request *rq);

const struct route standard_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/assist/standards", .fn = standard_create,
      .perm = "assist:standard:write", .flags = R_BODY | R_WRITE, .tag = "assist",
      .summary = "设定救助标准（县级以上；新的一行按生效月份取代旧标准）", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/standards", .fn = standard_current,
      .perm = "assist:standard:read", .tag = "assist",
      .summary = "某地某月施行的救助标准及其来源",
      .params = { { "kind", "query", "string", "标准种类", true },
                  { "region", "query", "string", "行政区划代码（默认本人所在区划）", false },
                  { "month", "query", "string", "月份 YYYY-MM（默认本月）", false } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/standards/history", .fn = standard_history,
      .perm = "assist:standard:read", .tag = "assist",
      .summary = "某地及其上级区划设定的全部救助标准（新的在前）",
      .params = { { "kind", "query", "string", "标准种类（默认全部）", false },
                  { "region", "query", "string", "行政区划代码（默认本人所在区划）", false } } },
    { 0 },
};

static const char *KIND_MESSAGE = "标准种类应为 dibao_urban、dibao_rural、tekun_basic_urban、"
                                  "tekun_basic_rural、tekun_care_1、tekun_care_2 或 tekun_care_3";

static void write_row(struct request *rq, struct jw *w, const struct standard_row *r,
                      int64_t monthly)
{
    jw_kv_str(w, "id", arena_printf(rq->arena, "%lld", (long long)r->id));
    jw_kv_str(w, "region", r->region);
    jw_kv_str(w, "kind", r->kind);
    jw_kv_int(w, "amount_fen", r->amount_fen);
    jw_kv_str(w, "period", r->yearly ? "year" : "month");
    jw_kv_int(w, "monthly_fen", monthly);
    jw_kv_str(w, "effective_from", arena_printf(rq->arena, "%04d-%02d",
                                                (int)(r->effective_from / 100),
                                                (int)(r->effective_from % 100)));
    jw_kv_str(w, "source", r->source);
    if (r->override_reason)
        jw_kv_str(w, "override_reason", r->override_reason);
    else {
        jw_key(w, "override_reason");
        jw_null(w);
    }
    jw_kv_int(w, "created_at", r->created_at);
}

/* ---------------------------------------------------------------- create */

static int body_row(struct request *rq, struct standard_row *r)
{
    const char *region, *kind, *period, *from, *source, *reason;
    int rc = arg_body_string(rq, "region", 12, 0, &region);
    if (rc)
        return rc;
    if (ids_region_normalize(region, strlen(region), r->region) != 0 ||
        !standard_region_ok(r->region))
        return http_fail(rq, MZ_EVALIDATE, "region",
                         "标准由县级以上设定：行政区划代码应为 2、4 或 6 位有效数字");
    if (!scope_contains(&rq->who->scope, r->region))
        return http_fail(rq, MZ_EVALIDATE, "region", "所设区划超出您的管辖范围");
    rc = arg_body_string(rq, "kind", 32, 0, &kind);
    if (rc)
        return rc;
    if (!standard_kind_valid(kind))
        return http_fail(rq, MZ_EVALIDATE, "kind", KIND_MESSAGE);
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    json_t *amount = json_object_get(rq->body, "amount_fen");
    if (!json_is_integer(amount) || json_integer_value(amount) < 0 ||
        json_integer_value(amount) > ASSIST_AMOUNT_MAX)
        return http_fail(rq, MZ_EVALIDATE, "amount_fen", "金额须为不小于 0 的整数（分）");
    r->amount_fen = json_integer_value(amount);
    rc = arg_body_string(rq, "period", 8, 0, &period);
    if (rc)
        return rc;
    if (strcmp(period, "month") != 0 && strcmp(period, "year") != 0)
        return http_fail(rq, MZ_EVALIDATE, "period", "period 应为 month（按月）或 year（按年）");
    r->yearly = strcmp(period, "year") == 0;
    rc = arg_body_string(rq, "effective_from", 7, 0, &from);
    if (rc == 0 && standard_month_parse(from, strlen(from), &r->effective_from) != 0)
        rc = http_fail(rq, MZ_EVALIDATE, "effective_from", "生效月份应为 YYYY-MM");
    if (rc == 0)
        rc = arg_body_string(rq, "source", 500, 0, &source);
    if (rc == 0)
        rc = arg_body_string(rq, "override_reason", 500, 1, &reason);
    if (rc)
        return rc;
    if (reason && !standard_dibao_kind_of(kind))
        return http_fail(rq, MZ_EVALIDATE, "override_reason",
                         "只有特困人员基本生活标准低于下限时才需说明理由");
    r->source = source;
    r->override_reason = reason;
    return 0;
}

/*
 * For a 特困基本生活标准: its monthly amount against tekun_basic_min_ratio × the monthly 低保标准
 * of the same side in force at the row's region and month (§2.5). *below is set when it is
 * lower (or when no 低保标准 is in force there, so it cannot be checked); *why names the floor.
 */
static int tekun_check(struct request *rq, const struct standard_row *r, bool *below,
                       const char **why, const char **detail)
{
    *below = false;
    const char *dibao_kind = standard_dibao_kind_of(r->kind);
    if (!dibao_kind)
        return 0;
    struct assist_settings s;
    int rc = assist_settings_load(rq->db, rq->arena, r->region, &s);
    if (rc)
        return rc;
    struct standard_row *rows;
    size_t n;
    int64_t own, dibao, floor_fen;
    rc = standard_load(rq->db, rq->arena, dibao_kind, r->region, STANDARD_HISTORY_MAX,
                           &rows, &n);
    if (rc)
        return rc;
    int at = standard_resolve(rows, n, r->region, r->effective_from);
    if (at < 0) {
        *below = true;
        *why = arena_printf(rq->arena, "该地 %04d-%02d 没有施行中的%s低保标准，无法核对特困人员基本"
                            "生活标准的下限；请先设定低保标准，或填写 override_reason 说明理由",
                            (int)(r->effective_from / 100), (int)(r->effective_from % 100),
                            strcmp(dibao_kind, "dibao_urban") == 0 ? "城市" : "农村");
        *detail = " override=no_dibao";
        return 0;
    }
    rc = standard_monthly(&s, r, &own);
    if (rc == 0)
        rc = standard_monthly(&s, &rows[at], &dibao);
    if (rc == 0)
        rc = assist_rule_tekun_floor(dibao, s.tekun_basic_min_ratio_permille, &floor_fen);
    if (rc)
        return rc == MZ_ERANGE ? http_fail(rq, rc, "amount_fen", NULL) : rc;
    if (own >= floor_fen)
        return 0;
    *below = true;
    *why = arena_printf(rq->arena, "特困人员基本生活标准每月 %lld 分，低于当地低保标准每月 %lld 分"
                        "的 %d.%03d 倍即 %lld 分（下限）；如确需设定，请填写 override_reason 说明理由",
                        (long long)own, (long long)dibao, s.tekun_basic_min_ratio_permille / 1000,
                        s.tekun_basic_min_ratio_permille % 1000, (long long)floor_fen);
    *detail = arena_printf(rq->arena, " override=below_floor floor_fen=%lld", (long long)floor_fen);
    return 0;
}

static int standard_create(struct request *rq)
{
    struct standard_row r;
    memset(&r, 0, sizeof r);
    int rc = body_row(rq, &r);
    if (rc)
        return rc;
    r.id = users_new_id();
    r.created_at = rq->now;
    bool below = false;
    const char *why = NULL, *over = "";
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = tekun_check(rq, &r, &below, &why, &over);
    if (rc == 0 && below && !r.override_reason)
        rc = http_fail(rq, MZ_EVALIDATE, "amount_fen", why);
    if (rc == 0)
        rc = standard_insert(rq->db, &r, rq->who->user_id);
    if (rc == 0)
        rc = http_audit(rq, "assist.standard.create", "assist_standard",
                        arena_printf(rq->arena, "%lld", (long long)r.id), r.region, "success",
                        arena_printf(rq->arena, "kind=%s period=%s%s", r.kind,
                                     r.yearly ? "year" : "month", below ? over : ""));
    rc = db_finish(rq->db, rc);
    if (rc)
        return rc;
    struct assist_settings s;
    int64_t monthly;
    rc = assist_settings_load(rq->db, rq->arena, r.region, &s);
    if (rc == 0)
        rc = standard_monthly(&s, &r, &monthly);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 8192);
    jw_obj(&w);
    write_row(rq, &w, &r, monthly);
    jw_obj_end(&w);
    return http_reply_json(rq, 201, &w);
}

/* ---------------------------------------------------------------- reading */

/* kind (required or not), region (default: the caller's, inside the scope) of the query. */
static int query_args(struct request *rq, bool kind_required, const char **kind,
                      char region[REGION_CODE_LEN + 1])
{
    *kind = http_query(rq, "kind");
    if ((*kind || kind_required) && !standard_kind_valid(*kind))
        return http_fail(rq, MZ_EINVAL, "kind", KIND_MESSAGE);
    const char *raw = http_query(rq, "region");
    if (!raw) {
        snprintf(region, REGION_CODE_LEN + 1, "%s", rq->who->region);
        return 0;
    }
    if (ids_region_normalize(raw, strlen(raw), region) != 0)
        return http_fail(rq, MZ_EINVAL, "region", "行政区划代码应为 2、4、6、9 或 12 位数字");
    if (!scope_contains(&rq->who->scope, region))
        return http_fail(rq, MZ_EINVAL, "region", "所查区划超出您的管辖范围");
    return 0;
}

static int standard_current(struct request *rq)
{
    const char *kind, *month = http_query(rq, "month");
    char region[REGION_CODE_LEN + 1];
    int32_t yyyymm = calendar_day(rq->now) / 100;
    int rc = query_args(rq, true, &kind, region);
    if (rc)
        return rc;
    if (month && standard_month_parse(month, strlen(month), &yyyymm) != 0)
        return http_fail(rq, MZ_EINVAL, "month", "月份应为 YYYY-MM");
    struct standard_row *rows;
    size_t n;
    rc = standard_load(rq->db, rq->arena, kind, region, STANDARD_HISTORY_MAX, &rows, &n);
    if (rc)
        return rc;
    int at = standard_resolve(rows, n, region, yyyymm);
    if (at < 0)
        return http_fail(rq, MZ_ENOTFOUND, "kind", "该地该月没有施行中的此种标准");
    struct assist_settings s;
    int64_t monthly;
    rc = assist_settings_load(rq->db, rq->arena, region, &s);
    if (rc == 0)
        rc = standard_monthly(&s, &rows[at], &monthly);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 8192);
    jw_obj(&w);
    jw_kv_str(&w, "for_region", region);
    jw_kv_str(&w, "month", arena_printf(rq->arena, "%04d-%02d", (int)(yyyymm / 100),
                                        (int)(yyyymm % 100)));
    write_row(rq, &w, &rows[at], monthly);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}

static int standard_history(struct request *rq)
{
    const char *kind;
    char region[REGION_CODE_LEN + 1];
    int rc = query_args(rq, false, &kind, region);
    if (rc)
        return rc;
    struct standard_row *rows;
    size_t n;
    rc = standard_load(rq->db, rq->arena, kind, region, STANDARD_HISTORY_MAX, &rows, &n);
    if (rc)
        return rc;
    struct assist_settings s;
    rc = assist_settings_load(rq->db, rq->arena, region, &s);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    jw_kv_str(&w, "for_region", region);
    jw_key(&w, "items");
    jw_arr(&w);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t monthly = 0;
        rc = standard_monthly(&s, &rows[i], &monthly);
        jw_obj(&w);
        write_row(rq, &w, &rows[i], monthly);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}
