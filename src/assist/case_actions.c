/*
 * assist/case_actions.c — one action on a case: who may take it, its inputs, its effects on the
 * case (amounts, first and last months, review dates, notices), in this order:
 *   the actor's permission (403) → the state machine and its guards (409) → the inputs (422)
 *   and the rules that decide money or eligibility (409 when the household does not qualify)
 *   → the appended action (case_append).
 * Rules applied (shared/domain/rules.md): §1.1 eligibility strictly below the standard
 * (SA-IM Art. 9); §1.6 amount (DB-57 Art. 23); §8 first month after the decision (DB-57
 * Art. 21; TK-43 Art. 17) and last month (TK-43 Art. 26; proposal for 低保); §1.7 复核 every 12
 * or 6 months (DB-57 Art. 31), 渐退 at most 6 months (DD-2022 一(三)); §2.4 self-care tier
 * (TK-43 Art. 22); §3.3–3.4 临时救助 tiers and township ceiling (SA-IM Art. 48; LS-23 二(二)(三));
 * §1.5 step 15 notices state the right to 行政复议 and 行政诉讼 (DB-57 Art. 38; SA-IM Art. 65).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "case_action.h"
#include "errors.h"
#include "route_args.h"
#include "standard.h"

#define TEXT_MAX 2000

/* One action being taken. */
struct act {
    struct request *rq;
    struct case_row *c;
    const struct case_summary *sum;
    struct case_context *cx;
    struct case_step step;
    json_t *data;                 /* the action's recorded data */
    const char *comment;
};

/* ---------------------------------------------------------------- inputs */

static int want_text(struct act *x, const char *name, size_t max, bool optional,
                     const char **out)
{
    int rc = arg_body_string(x->rq, name, max, optional, out);
    if (rc == 0 && *out)
        json_object_set_new(x->data, name, json_string(*out));
    return rc;
}

static int want_bool(struct act *x, const char *name, bool optional, bool *out)
{
    json_t *v = json_object_get(x->rq->body, name);
    if (!v && optional)
        return 0;
    if (!json_is_boolean(v))
        return http_fail(x->rq, MZ_EVALIDATE, name,
                         arena_printf(x->rq->arena, "%s 应为 true 或 false", name));
    *out = json_is_true(v);
    json_object_set_new(x->data, name, json_boolean(*out));
    return 0;
}

static int want_int(struct act *x, const char *name, int64_t min, int64_t max, bool optional,
                    int64_t *out)
{
    json_t *v = json_object_get(x->rq->body, name);
    if (!v && optional)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return http_fail(x->rq, MZ_EVALIDATE, name,
                         arena_printf(x->rq->arena, "%s 应为 %lld–%lld 的整数", name,
                                      (long long)min, (long long)max));
    *out = json_integer_value(v);
    json_object_set_new(x->data, name, json_integer(*out));
    return 0;
}

/* A list of 1–max short texts (reasons, investigators), distinct when `distinct`. */
static int want_texts(struct act *x, const char *name, size_t max, bool distinct)
{
    const char **items;
    int n;
    int rc = arg_body_strings(x->rq, name, (int)max, &items, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        for (int j = 0; distinct && j < i; j++)
            if (strcmp(items[i], items[j]) == 0) {
                json_decref(arr);
                return http_fail(x->rq, MZ_EVALIDATE, name, "所列人员不能重复");
            }
        json_array_append_new(arr, json_string(items[i]));
    }
    json_object_set_new(x->data, name, arr);
    return 0;
}

static int month_add(int yyyymm, int k)
{
    int m = yyyymm / 100 * 12 + yyyymm % 100 - 1 + k;
    return m / 12 * 100 + m % 12 + 1;
}

/* yyyymmdd plus k months, the day clamped to the month's length. */
static int day_add_months(int day, int k)
{
    static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int m = month_add(day / 100, k), y = m / 100, mon = m % 100, d = day % 100;
    int max = len[mon - 1] + (mon == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return m * 100 + (d > max ? max : d);
}

static int this_month(const struct act *x) { return x->cx->today / 100; }

static void set_month(struct act *x, const char *name, int month)
{
    json_object_set_new(x->data, name, json_string(arena_printf(x->rq->arena, "%04d-%02d",
                                                                 month / 100, month % 100)));
}

/* A text member that must be one of the n words; message names them. */
static int want_word(struct act *x, const char *name, const char *const *words, size_t n,
                     const char *message, const char **out)
{
    int rc = want_text(x, name, 40, false, out);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (strcmp(*out, words[i]) == 0)
            return 0;
    return rc ? rc : http_fail(x->rq, MZ_EVALIDATE, name, message);
}

/* ---------------------------------------------------------------- money */

/* The monthly 低保标准 of the case's side in force this month (§8). */
static int dibao_standard(struct act *x, int64_t *fen)
{
    int rc = standard_in_force(x->rq->db, x->rq->arena, x->cx->settings,
                               x->c->urban ? "dibao_urban" : "dibao_rural", x->c->region,
                               this_month(x), fen);
    if (rc == MZ_ENOTFOUND)
        return http_fail(x->rq, MZ_ECONFLICT, NULL, arena_printf(x->rq->arena,
                         "该地本月没有施行中的%s低保标准，请先设定标准", x->c->urban ? "城市" : "农村"));
    return rc;
}

static int covered_count(struct act *x, int *n)
{
    struct case_member_row *m;
    int nm, rc = case_store_members(x->rq->db, x->rq->arena, x->c->id, &m, &nm);
    *n = 0;
    for (int i = 0; rc == 0 && i < nm; i++)
        *n += m[i].covered;
    return rc;
}

/* The declared income items as the rules take them, and the sum of the property items
 * (DB-57 Arts. 13–14). */
static int declared(struct act *x, struct assist_income_item **inc, size_t *ni, int64_t *assets)
{
    struct case_item_row *it;
    int n, rc = case_store_items(x->rq->db, x->rq->arena, x->c->id, &it, &n);
    if (rc)
        return rc;
    *inc = arena_alloc(x->rq->arena, (size_t)(n + 1) * sizeof **inc);
    *ni = 0;
    *assets = 0;
    for (int i = 0; i < n; i++) {
        enum assist_income_type t;
        if (strcmp(it[i].kind, "property") == 0)
            *assets += it[i].amount_fen;
        else if (case_income_type_parse(it[i].type, &t) == 0)
            (*inc)[(*ni)++] = (struct assist_income_item){ t, it[i].amount_fen, it[i].months };
    }
    return 0;
}

/* Per-capita monthly income from the declared items (§1.3, DB-57 Art. 13). */
static int income_from_items(struct act *x, int members, int64_t *per_capita, int64_t *assets)
{
    struct assist_income_item *inc;
    size_t ni;
    int rc = declared(x, &inc, &ni, assets);
    if (rc == 0)
        rc = assist_rule_income_per_capita(x->cx->settings, inc, ni, members, this_month(x),
                                           per_capita);
    if (rc == MZ_EINVAL)
        return http_fail(x->rq, MZ_EVALIDATE, "per_capita_income_fen",
                         "本地未设定收入计算期限（income_period_months），请填写核定的家庭月人均收入 "
                         "per_capita_income_fen");
    return rc;
}

/* 低保: per-capita income (given, or from the items), eligibility strictly below the standard
 * and the property rule (§1.1, SA-IM Art. 9), the amount by the configured method (§1.6). */
static int dibao_amount(struct act *x, int64_t *amount)
{
    int64_t pci = CASE_NONE, covered = 0, standard, assets = 0;
    int rc = want_int(x, "per_capita_income_fen", 0, ASSIST_AMOUNT_MAX, true, &pci);
    if (rc == 0)
        rc = want_int(x, "covered_members", 1, ASSIST_MAX_MEMBERS, true, &covered);
    int counted = (int)covered;
    if (rc == 0 && !covered)
        rc = covered_count(x, &counted);
    if (rc == 0 && pci == CASE_NONE)
        rc = income_from_items(x, counted, &pci, &assets);
    else if (rc == 0) {
        struct assist_income_item *inc;
        size_t ni;
        rc = declared(x, &inc, &ni, &assets);
    }
    if (rc == 0)
        rc = dibao_standard(x, &standard);
    if (rc)
        return rc;
    enum assist_verdict v;
    rc = assist_rule_dibao_eligible(x->cx->settings, standard, pci, counted, assets, &v);
    if (rc == 0 && v != ASSIST_QUALIFIES)
        return http_fail(x->rq, MZ_ECONFLICT, "per_capita_income_fen", arena_printf(x->rq->arena,
                         "家庭月人均收入 %lld.%02lld 元%s，不符合低保条件，应作出不予批准决定",
                         (long long)(pci / 100), (long long)(pci % 100),
                         v == ASSIST_INCOME_TOO_HIGH ? "不低于当地低保标准" : "，财产超过规定"));
    if (rc == 0)
        rc = assist_rule_dibao_amount(x->cx->settings, standard, pci, counted, NULL, amount);
    if (rc)
        return rc == MZ_EINVAL ? http_fail(x->rq, MZ_EVALIDATE, "per_capita_income_fen",
                                           "无法按本地设定计算低保金") : rc;
    x->c->per_capita_income_fen = pci;
    x->c->covered_members = counted;
    x->c->amount_method = x->cx->settings->dibao_amount_method == ASSIST_AMOUNT_GAP ? "gap"
                                                                                  : "fixed";
    x->c->fixed_amount_fen = x->c->amount_method[0] == 'f' ? *amount : CASE_NONE;
    json_object_set_new(x->data, "standard_fen", json_integer(standard));
    json_object_set_new(x->data, "per_capita_income_fen", json_integer(pci));
    json_object_set_new(x->data, "covered_members", json_integer(counted));
    json_object_set_new(x->data, "amount_fen", json_integer(*amount));
    return 0;
}

/* First paid month (§8: the month after the decision for 低保 and 特困, DB-57 Art. 21,
 * TK-43 Art. 17) and the first 复核 date (§1.7: 12 or 6 months, DB-57 Art. 31). */
static int start_paying(struct act *x, bool unstable)
{
    int32_t first;
    int rc = assist_rule_first_month(x->cx->settings, case_programme_family(x->c->programme),
                                     this_month(x), &first);
    if (rc)
        return rc;
    x->c->start_month = first;
    x->c->stop_month = x->c->taper_until = 0;
    x->c->next_review_on = day_add_months(x->cx->today, unstable
        ? x->cx->settings->review_months_unstable : x->cx->settings->review_months_stable);
    set_month(x, "start_month", first);
    return 0;
}

static int approve_dibao(struct act *x)
{
    bool unstable = false;
    int64_t amount;
    int rc = want_bool(x, "unstable", true, &unstable);
    if (rc == 0)
        rc = dibao_amount(x, &amount);
    return rc ? rc : start_paying(x, unstable);
}

/* 特困: the self-care tier from the six items (TK-43 Arts. 21–22); the amount is the basic
 * standard plus the care standard of the tier, resolved by the payroll each month. */
static int approve_tekun(struct act *x)
{
    int64_t not_met = 0;
    enum assist_selfcare tier;
    int rc = want_int(x, "selfcare_items_not_met", 0, 6, false, &not_met);
    if (rc == 0)
        rc = assist_rule_selfcare_tier((int)not_met, &tier);
    if (rc)
        return rc;
    x->c->care_tier = (int)tier + 1;
    x->c->amount_method = "tekun";
    x->c->covered_members = 1;
    json_object_set_new(x->data, "care_tier", json_integer(x->c->care_tier));
    return start_paying(x, false);
}

/* 临时救助: within the tier's ceiling (LS-23 二(三)); a township without delegation only up to
 * the township ceiling (SA-IM Art. 48; LS-23 二(二)). Paid once by the next payroll. */
static int lshi_amount(struct act *x, int64_t *amount)
{
    int64_t tier = -1, urban;
    int rc = want_int(x, "amount_fen", 1, ASSIST_AMOUNT_MAX, false, amount);
    if (rc == 0)
        rc = want_int(x, "tier", 0, ASSIST_LSHI_TIERS_MAX - 1, true, &tier);
    if (rc)
        return rc;
    const struct assist_settings *s = x->cx->settings;
    bool needs_standard = tier >= 0 || (!x->cx->actor_county && !x->cx->delegated);
    rc = needs_standard ? standard_in_force(x->rq->db, x->rq->arena, s, "dibao_urban",
                                            x->c->region, this_month(x), &urban) : 0;
    if (rc == MZ_ENOTFOUND)
        urban = 0, rc = 0;
    if (rc)
        return rc;
    if (tier >= 0) {
        int64_t max;
        if (assist_rule_lshi_tier_max(s, urban, (int)tier, &max) != 0)
            return http_fail(x->rq, MZ_EVALIDATE, "tier", "本地未设定该档次的临时救助标准");
        if (*amount > max)
            return http_fail(x->rq, MZ_EVALIDATE, "amount_fen", arena_printf(x->rq->arena,
                             "超过该档次上限 %lld.%02lld 元", (long long)(max / 100),
                             (long long)(max % 100)));
    }
    if (!x->cx->actor_county && !x->cx->delegated) {
        bool may = false;
        if (assist_rule_lshi_township_may_approve(s, urban, *amount, &may) != 0 || !may)
            return http_fail(x->rq, MZ_EPERM, "amount_fen", "超过乡镇（街道）审批额度，应报县级审批"
                             "（《社会救助暂行办法》第四十八条）");
    }
    return 0;
}

static int approve_lshi(struct act *x)
{
    int64_t amount;
    int rc = lshi_amount(x, &amount);
    if (rc)
        return rc;
    x->c->amount_method = "once";
    x->c->fixed_amount_fen = amount;
    x->c->start_month = this_month(x);
    set_month(x, "start_month", x->c->start_month);
    return 0;
}

static const char *verdict_text(enum assist_verdict v)
{
    switch (v) {
    case ASSIST_IN_DIBAO: return "家庭符合低保条件，应按低保办理";
    case ASSIST_INCOME_TOO_HIGH: return "家庭月人均收入超过认定标准";
    case ASSIST_ASSETS_TOO_HIGH: return "家庭财产超过规定";
    case ASSIST_OTHER_PROGRAM: return "已是低保、特困或低保边缘家庭";
    case ASSIST_SHARE_TOO_LOW: return "刚性支出占家庭总收入的比例未超过本地标准";
    case ASSIST_PROPERTY_FAILS: return "家庭财产不符合规定";
    default: return "不符合认定条件";
    }
}

/* 低保边缘 (§4.2; GB-39 二, DB-57 Art. 8): not eligible for 低保, per-capita income strictly
 * below dibao_edge_multiple × the 低保标准, property within the local rule. */
static int recognise_edge(struct act *x)
{
    int64_t pci, standard, assets = 0;
    int members;
    struct assist_income_item *inc;
    size_t ni;
    int rc = want_int(x, "per_capita_income_fen", 0, ASSIST_AMOUNT_MAX, false, &pci);
    if (rc == 0)
        rc = covered_count(x, &members);
    if (rc == 0)
        rc = declared(x, &inc, &ni, &assets);
    if (rc == 0)
        rc = dibao_standard(x, &standard);
    enum assist_verdict v = ASSIST_QUALIFIES;
    if (rc == 0)
        rc = assist_rule_dibao_edge(x->cx->settings, standard, pci, members ? members : 1,
                                    assets, &v);
    if (rc == 0 && v != ASSIST_QUALIFIES)
        return http_fail(x->rq, MZ_ECONFLICT, "per_capita_income_fen", verdict_text(v));
    return rc;
}

/* 刚性支出困难家庭 (§4.3; GX Art. 4): the county's figures for the 12 months before the
 * application; the share threshold must be set (no national figure). */
static int recognise_gangxing(struct act *x)
{
    int64_t pci, disposable, income, rigid;
    bool property_ok = false;
    int rc = want_int(x, "per_capita_income_fen", 0, ASSIST_AMOUNT_MAX, false, &pci);
    if (rc == 0)
        rc = want_int(x, "disposable_income_yearly_fen", 1, ASSIST_AMOUNT_MAX, false, &disposable);
    if (rc == 0)
        rc = want_int(x, "income_12m_fen", 0, ASSIST_AMOUNT_MAX, false, &income);
    if (rc == 0)
        rc = want_int(x, "rigid_spending_12m_fen", 0, ASSIST_AMOUNT_MAX, false, &rigid);
    if (rc == 0)
        rc = want_bool(x, "property_ok", false, &property_ok);
    if (rc)
        return rc;
    enum assist_verdict v;
    rc = assist_rule_gangxing(x->cx->settings, false, pci, disposable, property_ok, income, rigid,
                              &v);
    if (rc == MZ_EINVAL)
        return http_fail(x->rq, MZ_EVALIDATE, "action", "本地未设定刚性支出占比标准"
                         "（gangxing_share_threshold），无法认定（《刚性支出困难家庭认定办法》第四条）");
    if (rc == 0 && v != ASSIST_QUALIFIES)
        return http_fail(x->rq, MZ_ECONFLICT, "rigid_spending_12m_fen", verdict_text(v));
    return rc;
}

static int in_approve(struct act *x)
{
    int rc;
    switch (x->c->programme) {
    case CASE_DIBAO: return approve_dibao(x);
    case CASE_TEKUN: return approve_tekun(x);
    case CASE_LSHI_URGENT:
    case CASE_LSHI_EXPENSE: return approve_lshi(x);
    case CASE_EDGE: rc = recognise_edge(x); break;
    default: rc = recognise_gangxing(x); break;
    }
    /* recognised for 12 months, then reviewed (GX Art. 10; GB-39 二 "参照低保") */
    if (rc == 0)
        x->c->next_review_on = day_add_months(x->cx->today, 12);
    return rc;
}

/* ---------------------------------------------------------------- the other actions */

static int in_check(struct act *x)
{
    const char *summary;
    int rc = want_bool(x, "passed", false, &x->step.positive);
    return rc ? rc : want_text(x, "summary", TEXT_MAX, true, &summary);
}

/* 入户调查: at least min_investigators (guarded at the opinion), method, findings
 * (DB-57 Art. 16); a county actor's visit is the county visit of §1.5 step 9. */
static int in_visit(struct act *x)
{
    static const char *const METHODS[] = { "home", "neighbour", "letter", "phone", "video" };
    const char *method, *findings;
    int rc = want_texts(x, "investigators", 10, true);
    if (rc == 0)
        rc = want_word(x, "method", METHODS, sizeof METHODS / sizeof METHODS[0],
                       "调查方式应为 home（入户调查）、neighbour（邻里访问）、letter（信函索证）、"
                       "phone（电话）或 video（视频）", &method);
    if (rc == 0)
        rc = want_text(x, "findings", TEXT_MAX, false, &findings);
    json_object_set_new(x->data, "county_level", json_boolean(x->cx->actor_county));
    return rc;
}

static int in_opinion(struct act *x) { return want_bool(x, "agree", false, &x->step.positive); }

static int in_object(struct act *x)
{
    const char *content, *objector;
    int rc = want_text(x, "content", TEXT_MAX, false, &content);
    return rc ? rc : want_text(x, "objector", 100, true, &objector);
}

static int in_appraise(struct act *x)
{
    const char *result;
    return want_text(x, "result", TEXT_MAX, false, &result);
}

/* The written refusal: reasons, and the right to 行政复议 (60 days, 行政复议法 Art. 20) or
 * 行政诉讼 (6 months, 行政诉讼法 Art. 46) — rules.md §1.5 step 15. */
static int in_refuse(struct act *x)
{
    int rc = want_texts(x, "reasons", 10, false);
    if (rc)
        return rc;
    json_t *reasons = json_object_get(x->data, "reasons");
    char *list = arena_strdup(x->rq->arena, "");
    for (size_t i = 0; i < json_array_size(reasons); i++)
        list = arena_printf(x->rq->arena, "%s%zu. %s；", list, i + 1,
                            json_string_value(json_array_get(reasons, i)));
    json_object_set_new(x->data, "notice", json_string(arena_printf(x->rq->arena,
        "经审核，您（家庭）申请的%s不符合条件，决定不予批准。理由如下：%s如对本决定不服，可以自收到本"
        "通知书之日起六十日内依法申请行政复议，或者自收到之日起六个月内依法向人民法院提起行政诉讼。",
        case_programme_label(x->c->programme), list)));
    return 0;
}

static int in_notify(struct act *x)
{
    const char *method;
    return want_text(x, "method", 40, false, &method);
}

/* 复核 (§1.7): new per-capita income or members recompute the 低保 amount; the next review in
 * 12 or 6 months (DB-57 Art. 31). */
static int in_review(struct act *x)
{
    bool unstable = false;
    int rc = want_bool(x, "unstable", true, &unstable);
    if (rc == 0 && x->c->programme == CASE_DIBAO &&
        (json_object_get(x->rq->body, "per_capita_income_fen") ||
         json_object_get(x->rq->body, "covered_members"))) {
        int64_t amount;
        rc = dibao_amount(x, &amount);
    }
    if (rc == 0)
        x->c->next_review_on = day_add_months(x->cx->today, unstable
            ? x->cx->settings->review_months_unstable : x->cx->settings->review_months_stable);
    return rc;
}

/* 渐退 (§1.7; DD-2022 一(三), DB-57 Art. 33): the current amount kept for at most
 * jiantui_max_months months after this one; payment ends after taper_until. */
static int in_taper(struct act *x)
{
    int64_t months = 0, amount = 0, standard;
    int rc = want_int(x, "months", 1, x->cx->settings->jiantui_max_months, false, &months);
    if (rc)
        return rc;
    if (x->c->amount_method && strcmp(x->c->amount_method, "gap") == 0) {
        rc = dibao_standard(x, &standard);
        if (rc == 0)
            rc = assist_rule_dibao_amount(x->cx->settings, standard, x->c->per_capita_income_fen,
                                          x->c->covered_members, NULL, &amount);
        if (rc)
            return rc;
        x->c->amount_method = "fixed";
        x->c->fixed_amount_fen = amount;
    }
    x->c->taper_until = month_add(this_month(x), (int)months);
    set_month(x, "taper_until", x->c->taper_until);
    json_object_set_new(x->data, "amount_fen", json_integer(x->c->fixed_amount_fen));
    return 0;
}

static int in_suspend(struct act *x)
{
    const char *reason;
    return want_text(x, "reason", TEXT_MAX, false, &reason);
}

/* 终止: reasons in writing (DB-57 Art. 32); paid through the decision month + offset − 1
 * (§8: TK-43 Art. 26; proposal for 低保). */
static int in_terminate(struct act *x)
{
    int32_t last;
    int rc = want_texts(x, "reasons", 10, false);
    if (rc == 0)
        rc = assist_rule_last_month(x->cx->settings, case_programme_family(x->c->programme),
                                    this_month(x), &last);
    if (rc)
        return rc;
    x->c->stop_month = month_add(last, 1);
    set_month(x, "stop_month", x->c->stop_month);
    return 0;
}

/* 先行救助 (§3.3; LS-23 二(二); GG-2020 item 15): a small amount paid at once, outside the
 * payroll, within the township ceiling unless a county actor pays it. */
static int in_pay_first(struct act *x)
{
    static const char *const METHODS[] = { "cash", "transfer", "in_kind" };
    const char *method;
    int64_t amount;
    int rc = lshi_amount(x, &amount);
    return rc ? rc : want_word(x, "method", METHODS, sizeof METHODS / sizeof METHODS[0],
                               "发放方式应为 cash（现金）、transfer（转账）或 in_kind（实物）",
                               &method);
}

static int in_complete(struct act *x)
{
    const char *explanation;
    return want_text(x, "explanation", TEXT_MAX, false, &explanation);
}

/* 补发 / 扣回 (§8): an amount owed for a past month is paid by the next payroll as an adjust
 * line; an overpayment (negative) is recorded for review and never taken from a bank
 * payment (rules.md §8 "after a death … flag for review, no automatic clawback"). */
static int in_adjust(struct act *x)
{
    const char *month_text, *reason;
    int32_t month;
    int64_t amount = 0;
    int rc = want_text(x, "for_month", 7, false, &month_text);
    if (rc == 0 && (standard_month_parse(month_text, strlen(month_text), &month) != 0 ||
                    month > this_month(x) || (x->c->start_month && month < x->c->start_month)))
        rc = http_fail(x->rq, MZ_EVALIDATE, "for_month", "月份应为 YYYY-MM，在首次发放月份与本月之间");
    if (rc == 0)
        rc = want_int(x, "amount_fen", -ASSIST_AMOUNT_MAX, ASSIST_AMOUNT_MAX, false, &amount);
    if (rc == 0 && amount == 0)
        rc = http_fail(x->rq, MZ_EVALIDATE, "amount_fen", "补发为正数、扣回为负数，不能为 0");
    if (rc == 0)
        rc = want_text(x, "reason", TEXT_MAX, false, &reason);
    if (rc == 0)
        rc = case_store_adjustment(x->rq->db, x->c->id, month, amount, reason,
                                   x->rq->who->user_id, x->rq->now);
    return rc;
}

/* 拟终止 (§2.6; TK-43 Arts. 24–26): the reasons, posted 7 days before the county decides. */
static int in_propose_stop(struct act *x) { return want_texts(x, "reasons", 10, false); }

static int in_nothing(struct act *x)
{
    (void)x;
    return 0;
}

/* Inputs and whether a comment is required (send-back and withdrawal say why). */
static const struct {
    int (*input)(struct act *x);
    bool comment_required;
} ACTIONS[CA_COUNT] = {
    [CA_ACCEPT] = { in_nothing, false },
    [CA_SUPPLEMENT] = { in_nothing, false },
    [CA_START_INVESTIGATION] = { in_nothing, false },
    [CA_REQUEST_CHECK] = { in_nothing, false },
    [CA_RECORD_CHECK] = { in_check, false },
    [CA_RECORD_VISIT] = { in_visit, false },
    [CA_SUBMIT_OPINION] = { in_opinion, true },
    [CA_OBJECT] = { in_object, false },
    [CA_APPRAISE] = { in_appraise, false },
    [CA_END_PUBLICITY] = { in_nothing, false },
    [CA_APPROVE] = { in_approve, false },
    [CA_REFUSE] = { in_refuse, false },
    [CA_SEND_BACK] = { in_nothing, true },
    [CA_NOTIFY_REFUSAL] = { in_notify, false },
    [CA_WITHDRAW] = { in_nothing, true },
    [CA_REVIEW] = { in_review, false },
    [CA_START_TAPER] = { in_taper, false },
    [CA_SUSPEND] = { in_suspend, false },
    [CA_RESUME] = { in_nothing, false },
    [CA_TERMINATE] = { in_terminate, false },
    [CA_PAY_FIRST] = { in_pay_first, false },
    [CA_COMPLETE_RECORD] = { in_complete, false },
    [CA_ADJUST] = { in_adjust, false },
    [CA_PROPOSE_STOP] = { in_propose_stop, false },
};

/* ---------------------------------------------------------------- taking it */

bool case_action_permitted_any(const struct principal *p, enum case_action a)
{
    struct case_context county = { .actor_county = true }, delegated = { .delegated = true };
    return principal_can(p, case_actor_permission(case_action_actor(a, &county))) ||
           principal_can(p, case_actor_permission(case_action_actor(a, &delegated)));
}

/* The actor may take the action on this case: its permission, and county level for decisions
 * the county keeps. 临时救助 approved by a township within its ceiling counts as delegated. */
static int check_actor(struct act *x, enum case_action a)
{
    struct case_context *cx = x->cx;
    if (!cx->actor_county && !cx->delegated && (a == CA_APPROVE || a == CA_PAY_FIRST) &&
        (x->c->programme == CASE_LSHI_URGENT || x->c->programme == CASE_LSHI_EXPENSE))
        cx->delegated = true;  /* the ceiling is checked with the amount (lshi_amount) */
    enum case_actor who = case_action_actor(a, cx);
    if (!principal_can(x->rq->who, case_actor_permission(who)))
        return http_fail(x->rq, MZ_EPERM, "action", arena_printf(x->rq->arena,
                         "您的角色不能办理“%s”", case_action_label(a)));
    if (who == ACTOR_DECIDE && !cx->actor_county)
        return http_fail(x->rq, MZ_EPERM, "action", arena_printf(x->rq->arena,
                         "“%s”由县级民政部门办理；本县未将该项目审核确认权限委托乡镇（街道）",
                         case_action_label(a)));
    return 0;
}

int case_action_take(struct request *rq, struct case_row *c, const struct case_summary *sum,
                     struct case_context *cx, const struct case_action_row *rows, int n,
                     enum case_action action, const char *key, const char *hash)
{
    struct act x = { .rq = rq, .c = c, .sum = sum, .cx = cx, .step = { .action = action } };
    int rc = case_business_day(rq, n ? rows[n - 1].day : 0, &cx->today);
    if (rc == 0)
        rc = check_actor(&x, action);
    if (rc)
        return rc;
    /* the state first: a step from the wrong state is 409 whatever its inputs */
    enum case_state to;
    const char *why;
    char buf[300];
    struct case_step probe = { .action = action, .positive = true };
    if (case_transition(sum, cx, &probe, &to, &why, buf, sizeof buf) != 0)
        return http_fail(rq, MZ_ECONFLICT, "action", arena_strdup(rq->arena, why));
    x.data = json_object();
    rc = arg_body_string(rq, "comment", TEXT_MAX, !ACTIONS[action].comment_required, &x.comment);
    if (rc == 0)
        rc = ACTIONS[action].input(&x);
    if (rc == 0 && case_transition(sum, cx, &x.step, &to, &why, buf, sizeof buf) != 0)
        rc = http_fail(rq, MZ_ECONFLICT, "action", arena_strdup(rq->arena, why));
    if (rc == 0)
        rc = case_append(rq, c, sum, cx, rows, n, &x.step, to, x.comment, x.data, key, hash);
    json_decref(x.data);
    return rc;
}
