/*
 * assist/rules.c — pure formulas of 社会救助: 家庭收入 per capita, 低保 (dibao) eligibility and
 * amount, 特困 (tekun) floor and amount, 临时救助 (lshi) tiers and township ceiling, 低保边缘
 * and 刚性支出困难 (gangxing) tests, first and last paid month.
 *
 * No I/O, no clock, no globals; integer fen only. Each function cites its § of
 * shared/domain/rules.md and the text behind it. Configurable numbers come in through
 * struct assist_settings (assist_rules.h), never as constants here. Requirements: issue #10;
 * tests: tests/unit/assist/test_rules.c.
 */
#include <stdint.h>

#include "assist_rules.h"
#include "errors.h"

/* Defaults: rules.md, table "Numbers that are configurable"; sources in assist_rules.h. */
void assist_settings_default(struct assist_settings *s)
{
    *s = (struct assist_settings){
        .legal_regime = ASSIST_REGIME_INTERIM_2014,
        .sa_law_effective_date = 0,
        .rounding_unit = ASSIST_ROUND_FEN,
        .rounding_mode = ASSIST_ROUND_HALF_UP,
        .dibao_min_monthly_fen = 0,
        .dibao_amount_method = ASSIST_AMOUNT_GAP,
        .dibao_tier_count = 0,
        .income_period_months = 0,
        .income_excluded_types = 1u << ASSIST_INC_YOUFU | 1u << ASSIST_INC_FAMILY_PLANNING |
                                 1u << ASSIST_INC_SCHOLARSHIP | 1u << ASSIST_INC_REWARD |
                                 1u << ASSIST_INC_ASSISTANCE | 1u << ASSIST_INC_LOCAL_EXCLUDED,
        .pension_base_excluded_through = 202512,
        .dibao_assets_limit_months = 0,
        .dibao_edge_multiple_permille = 1500,
        .edge_assets_limit_months = 0,
        .tekun_basic_min_ratio_permille = 1300,
        .lshi_tier_count = 0,
        .lshi_township_ceiling_permille = 0,
        .lshi_township_ceiling_fen = 0,
        .gangxing_share_threshold_permille = 0,
        .gangxing_lookback_months = 12,
        .start_offset_months = { [ASSIST_PROG_DIBAO] = 1, [ASSIST_PROG_TEKUN] = 1,
                                 [ASSIST_PROG_LIANGBU] = 0 },
        .stop_offset_months = { [ASSIST_PROG_DIBAO] = 1, [ASSIST_PROG_TEKUN] = 1,
                                [ASSIST_PROG_LIANGBU] = 1, [ASSIST_PROG_LSHI] = 1,
                                [ASSIST_PROG_EDGE] = 1, [ASSIST_PROG_GANGXING] = 1 },
        .start_investigation_wd = 3,
        .hedui_start_wd = 3,
        .min_investigators = 2,
        .publicity_days = 7,
        .township_opinion_wd = 0,
        .county_review_wd = 10,
        .refusal_notice_wd = 3,
        .dibao_total_wd = 30,
        .dibao_total_delegated_wd = 20,
        .dibao_total_extended_wd = 45,
        .tekun_township_wd = 15,
        .tekun_county_wd = 15,
        .objection_wd = 15,
        .review_months_stable = 12,
        .review_months_unstable = 6,
        .jiantui_max_months = 6,
        .death_review_months = 3,
    };
}

static bool unit_ok(enum assist_round_unit u)
{
    return u == ASSIST_ROUND_FEN || u == ASSIST_ROUND_JIAO || u == ASSIST_ROUND_YUAN;
}

static bool mode_ok(enum assist_round_mode m)
{
    return m == ASSIST_ROUND_HALF_UP || m == ASSIST_ROUND_UP || m == ASSIST_ROUND_DOWN;
}

/*
 * num_fen / den rounded to a multiple of unit (1 fen, 1 jiao, 1 yuan) by mode; half-up rounds
 * an exact half away from zero. Source: rules.md §1.6 and §8 — the texts say nothing on
 * rounding; fen/jiao/yuan and the mode are settings (proposal). Returns 0, MZ_EINVAL (num < 0,
 * den < 1, bad unit or mode) or MZ_ERANGE (result beyond int64_t).
 */
int assist_round(int64_t num_fen, int64_t den, enum assist_round_unit unit,
                 enum assist_round_mode mode, int64_t *out_fen)
{
    int64_t d, q, r, res;

    if (num_fen < 0 || den < 1 || !unit_ok(unit) || !mode_ok(mode))
        return MZ_EINVAL;
    if (__builtin_mul_overflow(den, (int64_t)unit, &d))
        return MZ_ERANGE;
    q = num_fen / d;
    r = num_fen % d;
    if ((mode == ASSIST_ROUND_UP && r > 0) || (mode == ASSIST_ROUND_HALF_UP && r >= d - r))
        q++;
    if (__builtin_mul_overflow(q, (int64_t)unit, &res))
        return MZ_ERANGE;
    *out_fen = res;
    return 0;
}

/*
 * Monthly amount of a standard published per year (e.g. Jilin's rural 低保, yuan per year).
 * Source: rules.md §8 — "convert yearly to monthly as yearly/12 with rounding per
 * rounding_unit" (proposal; seed 002 ch.1 §1 publishes rural 低保 per year).
 * Returns 0, MZ_EINVAL (negative) or MZ_ERANGE.
 */
int assist_rule_monthly_from_yearly(const struct assist_settings *s, int64_t yearly_fen,
                                    int64_t *monthly_fen)
{
    return assist_round(yearly_fen, 12, s->rounding_unit, s->rounding_mode, monthly_fen);
}

static bool excluded(const struct assist_settings *s, enum assist_income_type t, int32_t yyyymm)
{
    if (t == ASSIST_INC_PENSION_BASE)
        return yyyymm <= s->pension_base_excluded_through;
    return (s->income_excluded_types >> t) & 1u;
}

static bool deduction(enum assist_income_type t)
{
    return t == ASSIST_DED_TRANSFER_EXPENSE || t == ASSIST_DED_EMPLOYMENT_COST ||
           t == ASSIST_DED_RIGID_MEDICAL;
}

static bool month_ok(int32_t yyyymm)
{
    return yyyymm >= 190001 && yyyymm <= 999912 && yyyymm % 100 >= 1 && yyyymm % 100 <= 12;
}

/*
 * Household per-capita monthly income (家庭人均月收入), fen, over the look-back period.
 * Source: rules.md §1.3 — DB-57 Art. 13: income is all cash and in-kind income "在规定期限内"
 * (period s->income_period_months, no national figure); 转移净收入 is transfer income minus
 * transfer expenditure (taxes, social insurance, 赡养支出); not counted: 优待抚恤金, 计划生育奖励与
 * 扶助金, 奖学金, 见义勇为等奖励性补助 (1), 社会救助款物 (2), 基础养老金 during 十四五 (3:
 * through s->pension_base_excluded_through, judged at assess_yyyymm), local exclusions (4);
 * deducted "按规定适当": necessary employment costs and rigid costs of disability or serious
 * illness (the caller passes the deductible amount the local rule allows).
 * Each item counts amount_fen × months; the net total divided by (period × members) is
 * rounded half-up to the fen (rules.md §1.6, proposal). A net total below zero counts as zero
 * (proposal: the texts do not speak of negative income). Single-person households (§1.4)
 * pass members = 1 and the person's own items.
 * Returns 0; MZ_EINVAL for no period set, members outside 1..ASSIST_MAX_MEMBERS, a negative
 * amount, months outside 1..period, an unknown type or a bad month; MZ_ERANGE on overflow.
 */
int assist_rule_income_per_capita(const struct assist_settings *s,
                                  const struct assist_income_item *items, size_t n, int members,
                                  int32_t assess_yyyymm, int64_t *per_capita_fen)
{
    int period = s->income_period_months;
    int64_t income = 0, deducted = 0, v;

    if (period < 1 || period > ASSIST_MAX_MONTHS || members < 1 || members > ASSIST_MAX_MEMBERS ||
        !month_ok(assess_yyyymm) || (n > 0 && !items))
        return MZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const struct assist_income_item *it = &items[i];
        if ((unsigned)it->type >= ASSIST_INC_TYPE_COUNT || it->amount_fen < 0 || it->months < 1 ||
            it->months > period)
            return MZ_EINVAL;
        if (__builtin_mul_overflow(it->amount_fen, (int64_t)it->months, &v))
            return MZ_ERANGE;
        if (deduction(it->type)) {
            if (__builtin_add_overflow(deducted, v, &deducted))
                return MZ_ERANGE;
        } else if (!excluded(s, it->type, assess_yyyymm)) {
            if (__builtin_add_overflow(income, v, &income))
                return MZ_ERANGE;
        }
    }
    income = income > deducted ? income - deducted : 0;
    return assist_round(income, (int64_t)period * members, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP,
                        per_capita_fen);
}

/* assets_fen ≤ standard × months × members? limit_months 0 = no numeric limit. */
static int assets_within(int64_t standard_fen, int limit_months, int members, int64_t assets_fen,
                         bool *ok)
{
    int64_t cap;

    if (limit_months < 0)
        return MZ_EINVAL;
    if (limit_months == 0) {
        *ok = true;
        return 0;
    }
    if (__builtin_mul_overflow(standard_fen, (int64_t)limit_months * members, &cap))
        return MZ_ERANGE;
    *ok = assets_fen <= cap;
    return 0;
}

/*
 * 低保 eligibility on the numbers: per-capita monthly income strictly below the monthly 低保标准,
 * and — when the region sets dibao_assets_limit_months — family financial assets not above
 * standard × months × members.
 * Source: rules.md §1.1 — SA-IM Art. 9 ("低于"), GG-2020 item 2; §1.3 — property thresholds
 * are local (DB-57 Art. 14; SA-IM Art. 10); no national multiple exists, so "not above" the
 * configured cap is this module's reading. Non-numeric conditions (members, 劳动力系数, the
 * investigation, DD-2022 一(一)) are the caller's.
 * Returns 0 and *out ∈ {QUALIFIES, INCOME_TOO_HIGH, ASSETS_TOO_HIGH}; MZ_EINVAL for a negative
 * amount or members outside 1..ASSIST_MAX_MEMBERS; MZ_ERANGE on overflow.
 */
int assist_rule_dibao_eligible(const struct assist_settings *s, int64_t standard_fen,
                               int64_t per_capita_fen, int members, int64_t assets_fen,
                               enum assist_verdict *out)
{
    bool ok;
    int rc;

    if (standard_fen < 0 || per_capita_fen < 0 || assets_fen < 0 || members < 1 ||
        members > ASSIST_MAX_MEMBERS)
        return MZ_EINVAL;
    rc = assets_within(standard_fen, s->dibao_assets_limit_months, members, assets_fen, &ok);
    if (rc)
        return rc;
    if (per_capita_fen >= standard_fen)
        *out = ASSIST_INCOME_TOO_HIGH;
    else
        *out = ok ? ASSIST_QUALIFIES : ASSIST_ASSETS_TOO_HIGH;
    return 0;
}

/*
 * Monthly 低保 amount for a household, fen.
 * Source: rules.md §1.6 — GAP: SA-IM Art. 12 and DB-57 Art. 23 give the per-capita gap
 * (低保标准 − 人均收入); × covered members is rules.md's proposal. TIERED (分档): DB-57 Art. 23,
 * GG-2020 item 5 — each covered member's tier member_tier[i] indexes s->dibao_tier_fen.
 * Then rounded to s->rounding_unit by s->rounding_mode and lifted to s->dibao_min_monthly_fen
 * when positive but lower (both proposals: the texts are silent). A gap ≤ 0 gives 0 (not
 * eligible; the caller tests eligibility first).
 * Returns 0; MZ_EINVAL for negative amounts, members outside 1..ASSIST_MAX_MEMBERS, TIERED
 * without tiers or with a tier out of range, a bad setting; MZ_ERANGE on overflow.
 */
int assist_rule_dibao_amount(const struct assist_settings *s, int64_t standard_fen,
                             int64_t per_capita_fen, int covered_members, const int *member_tier,
                             int64_t *amount_fen)
{
    int64_t raw = 0, rounded;
    int rc;

    if (standard_fen < 0 || per_capita_fen < 0 || covered_members < 1 ||
        covered_members > ASSIST_MAX_MEMBERS || s->dibao_min_monthly_fen < 0)
        return MZ_EINVAL;
    if (s->dibao_amount_method == ASSIST_AMOUNT_GAP) {
        if (per_capita_fen < standard_fen &&
            __builtin_mul_overflow(standard_fen - per_capita_fen, (int64_t)covered_members, &raw))
            return MZ_ERANGE;
    } else if (s->dibao_amount_method == ASSIST_AMOUNT_TIERED) {
        if (!member_tier || s->dibao_tier_count < 1 || s->dibao_tier_count > ASSIST_DIBAO_TIERS_MAX)
            return MZ_EINVAL;
        for (int i = 0; i < covered_members; i++) {
            int t = member_tier[i];
            if (t < 0 || t >= s->dibao_tier_count || s->dibao_tier_fen[t] < 0)
                return MZ_EINVAL;
            if (__builtin_add_overflow(raw, s->dibao_tier_fen[t], &raw))
                return MZ_ERANGE;
        }
    } else {
        return MZ_EINVAL;
    }
    rc = assist_round(raw, 1, s->rounding_unit, s->rounding_mode, &rounded);
    if (rc)
        return rc;
    if (rounded > 0 && rounded < s->dibao_min_monthly_fen)
        rounded = s->dibao_min_monthly_fen;
    *amount_fen = rounded;
    return 0;
}

/*
 * Lowest 特困 basic-living standard (fen/month) a region may set, given its 低保 standard for
 * the same month.
 * Source: rules.md §2.5 — 《四川省"十四五"民政事业发展规划》第三章第二节 (seed 000): "特困人员
 * 基本生活标准不低于当地城乡低保标准的1.3倍"; Yunnan's plan has the same ratio as an indicator
 * (seed 004 表2 row 3); no national source (UNCONFIRMED). The ratio is a setting
 * (tekun_basic_min_ratio_permille). Rounds up to the fen so the floor is never undercut; the
 * texts say nothing on rounding.
 * Returns 0, MZ_EINVAL (negative standard, ratio below 1000) or MZ_ERANGE.
 */
int assist_rule_tekun_floor(int64_t dibao_fen, int ratio_permille, int64_t *floor_fen)
{
    if (dibao_fen < 0 || ratio_permille < 1000)
        return MZ_EINVAL;
    if (dibao_fen > (INT64_MAX - 999) / ratio_permille)
        return MZ_ERANGE;
    *floor_fen = (dibao_fen * ratio_permille + 999) / 1000;
    return 0;
}

/*
 * Self-care tier from the number of the six items (自主吃饭、穿衣、上下床、如厕、室内行走、洗澡)
 * a person cannot do: 0 → 具备; 1–3 (含3) → 部分丧失; 4–6 (含4) → 完全丧失.
 * Source: rules.md §2.4 — TK-43 Arts. 21–22.
 * Returns 0 or MZ_EINVAL (outside 0..6).
 */
int assist_rule_selfcare_tier(int items_not_met, enum assist_selfcare *out)
{
    if (items_not_met < 0 || items_not_met > 6)
        return MZ_EINVAL;
    *out = items_not_met == 0 ? ASSIST_SELFCARE_ABLE
         : items_not_met <= 3 ? ASSIST_SELFCARE_PARTIAL
                              : ASSIST_SELFCARE_NONE;
    return 0;
}

/*
 * Monthly 特困 support, fen: the region's basic living standard plus the 照料护理 amount of the
 * person's self-care tier (s->tekun_care_fen[tier]).
 * Source: rules.md §2.5 — SA-IM Art. 15 (basic living + care); the floor basic ≥ ratio × 低保标准
 * is local (seed 000 ch.3 §2; seed 004 表2), refused here unless override_floor; §2.4 — TK-43
 * Art. 20 (照料护理标准档次, amounts local).
 * Returns 0; MZ_EVALIDATE when basic_fen is below the floor and not overridden; MZ_EINVAL for
 * negative amounts or a bad tier; MZ_ERANGE on overflow.
 */
int assist_rule_tekun_amount(const struct assist_settings *s, int64_t dibao_fen,
                             int64_t basic_fen, enum assist_selfcare tier, bool override_floor,
                             int64_t *amount_fen)
{
    int64_t floor_fen, sum;
    int rc;

    if (basic_fen < 0 || (unsigned)tier >= ASSIST_SELFCARE_COUNT || s->tekun_care_fen[tier] < 0)
        return MZ_EINVAL;
    rc = assist_rule_tekun_floor(dibao_fen, s->tekun_basic_min_ratio_permille, &floor_fen);
    if (rc)
        return rc;
    if (basic_fen < floor_fen && !override_floor)
        return MZ_EVALIDATE;
    if (__builtin_add_overflow(basic_fen, s->tekun_care_fen[tier], &sum))
        return MZ_ERANGE;
    *amount_fen = sum;
    return 0;
}

/* permille × dibao / 1000, rounded down (a ceiling is never exceeded by rounding). */
static int permille_of(int64_t dibao_fen, int32_t permille, int64_t *out)
{
    int64_t p;

    if (__builtin_mul_overflow(dibao_fen, (int64_t)permille, &p))
        return MZ_ERANGE;
    *out = p / 1000;
    return 0;
}

/*
 * Highest 临时救助 amount of tier `tier`, fen: a multiple of the current urban monthly 低保标准
 * or a fixed amount, as the region's tier table says.
 * Source: rules.md §3.4 — SA-IM Art. 49 (set by 县级以上地方人民政府); LS-23 二(三) (tiered,
 * "可与当地最低生活保障标准挂钩"); no national multiple. Larger amounts go 一事一议 (LS-23 二(三)),
 * which is the caller's path. Rounds down to the fen (proposal).
 * Returns 0; MZ_EINVAL for no tiers, a tier out of range or unset, a negative standard;
 * MZ_ERANGE on overflow.
 */
int assist_rule_lshi_tier_max(const struct assist_settings *s, int64_t dibao_urban_fen, int tier,
                              int64_t *max_fen)
{
    const struct assist_lshi_tier *t;

    if (dibao_urban_fen < 0 || s->lshi_tier_count < 1 ||
        s->lshi_tier_count > ASSIST_LSHI_TIERS_MAX || tier < 0 || tier >= s->lshi_tier_count)
        return MZ_EINVAL;
    t = &s->lshi_tiers[tier];
    if (t->max_permille < 0 || t->max_fen < 0 || (t->max_permille == 0 && t->max_fen == 0))
        return MZ_EINVAL;
    if (t->max_permille > 0)
        return permille_of(dibao_urban_fen, t->max_permille, max_fen);
    *max_fen = t->max_fen;
    return 0;
}

/*
 * Whether a township (乡镇/街道) may approve a 临时救助 of amount_fen alone: amount not above the
 * township ceiling (the lower of a multiple of the urban monthly 低保标准 and a fixed amount,
 * whichever are set). No ceiling set → false (the county approves).
 * Source: rules.md §3.3–3.4 — SA-IM Art. 48 ("可以委托"); LS-23 二(二) (township ceiling set
 * locally); examples 沈丘县 3 × urban monthly 低保, 晋江市 5000元 (local, not defaults).
 * Returns 0; MZ_EINVAL for negative amounts or settings; MZ_ERANGE on overflow.
 */
int assist_rule_lshi_township_may_approve(const struct assist_settings *s,
                                          int64_t dibao_urban_fen, int64_t amount_fen, bool *may)
{
    bool ok = s->lshi_township_ceiling_permille > 0 || s->lshi_township_ceiling_fen > 0;
    int64_t cap;

    if (dibao_urban_fen < 0 || amount_fen < 0 || s->lshi_township_ceiling_permille < 0 ||
        s->lshi_township_ceiling_fen < 0)
        return MZ_EINVAL;
    if (ok && s->lshi_township_ceiling_permille > 0) {
        /* amount ≤ dibao × permille / 1000 exactly: amount × 1000 ≤ dibao × permille */
        int64_t lhs, rhs;
        if (__builtin_mul_overflow(amount_fen, (int64_t)1000, &lhs) ||
            __builtin_mul_overflow(dibao_urban_fen, (int64_t)s->lshi_township_ceiling_permille,
                                   &rhs))
            return MZ_ERANGE;
        ok = lhs <= rhs;
    }
    if (ok && s->lshi_township_ceiling_fen > 0) {
        cap = s->lshi_township_ceiling_fen;
        ok = amount_fen <= cap;
    }
    *may = ok;
    return 0;
}

/*
 * 低保边缘家庭 on the numbers: not eligible for 低保; per-capita income strictly below
 * s->dibao_edge_multiple_permille × 低保标准; assets within the region's 边缘 limit if set.
 * Source: rules.md §4.2 — GB-39 二; DD-2022 一(四); DB-57 Art. 8 ("低于 1.5 倍"); income and
 * property "可参照当地最低生活保障相关规定执行" (GB-39 二), so per_capita_fen comes from
 * assist_rule_income_per_capita.
 * Returns 0 and *out ∈ {QUALIFIES, IN_DIBAO, INCOME_TOO_HIGH, ASSETS_TOO_HIGH}; MZ_EINVAL for
 * negative input, members out of range or a multiple below 1000; MZ_ERANGE on overflow.
 */
int assist_rule_dibao_edge(const struct assist_settings *s, int64_t standard_fen,
                           int64_t per_capita_fen, int members, int64_t assets_fen,
                           enum assist_verdict *out)
{
    enum assist_verdict dibao;
    int64_t lhs, rhs;
    bool ok;
    int rc;

    if (s->dibao_edge_multiple_permille < 1000)
        return MZ_EINVAL;
    rc = assist_rule_dibao_eligible(s, standard_fen, per_capita_fen, members, assets_fen, &dibao);
    if (rc)
        return rc;
    if (__builtin_mul_overflow(per_capita_fen, (int64_t)1000, &lhs) ||
        __builtin_mul_overflow(standard_fen, (int64_t)s->dibao_edge_multiple_permille, &rhs))
        return MZ_ERANGE;
    rc = assets_within(standard_fen, s->edge_assets_limit_months, members, assets_fen, &ok);
    if (rc)
        return rc;
    if (dibao == ASSIST_QUALIFIES)
        *out = ASSIST_IN_DIBAO;
    else if (lhs >= rhs)
        *out = ASSIST_INCOME_TOO_HIGH;
    else
        *out = ok ? ASSIST_QUALIFIES : ASSIST_ASSETS_TOO_HIGH;
    return 0;
}

/*
 * 刚性支出困难家庭 on the numbers: (1) not 低保, 特困 or 低保边缘 (in_other_program); (2) per-capita
 * income strictly below last year's local per-capita disposable income (compared per year:
 * per_capita_fen × 12 < disposable_yearly_fen); (3) property within local rules (the caller's
 * property_ok); (4) rigid spending of the s->gangxing_lookback_months before application as a
 * share of total family income over the same months strictly above the local threshold.
 * Source: rules.md §4.3 — GX Art. 4 (conditions), Art. 5 (what counts as rigid spending).
 * Returns 0 and *out ∈ {QUALIFIES, OTHER_PROGRAM, INCOME_TOO_HIGH, PROPERTY_FAILS,
 * SHARE_TOO_LOW}, the first failed condition; MZ_EINVAL for negative input or no threshold set
 * (rules.md: "no default; must be set"); MZ_ERANGE on overflow.
 */
int assist_rule_gangxing(const struct assist_settings *s, bool in_other_program,
                         int64_t per_capita_fen, int64_t disposable_yearly_fen, bool property_ok,
                         int64_t income_12m_fen, int64_t rigid_12m_fen, enum assist_verdict *out)
{
    int64_t yearly, lhs, rhs;

    if (s->gangxing_share_threshold_permille <= 0 || per_capita_fen < 0 ||
        disposable_yearly_fen < 0 || income_12m_fen < 0 || rigid_12m_fen < 0)
        return MZ_EINVAL;
    if (__builtin_mul_overflow(per_capita_fen, (int64_t)12, &yearly) ||
        __builtin_mul_overflow(rigid_12m_fen, (int64_t)1000, &lhs) ||
        __builtin_mul_overflow(income_12m_fen, (int64_t)s->gangxing_share_threshold_permille,
                               &rhs))
        return MZ_ERANGE;
    if (in_other_program)
        *out = ASSIST_OTHER_PROGRAM;
    else if (yearly >= disposable_yearly_fen)
        *out = ASSIST_INCOME_TOO_HIGH;
    else if (!property_ok)
        *out = ASSIST_PROPERTY_FAILS;
    else
        *out = lhs > rhs ? ASSIST_QUALIFIES : ASSIST_SHARE_TOO_LOW;
    return 0;
}

/* yyyymm + months (months may be negative); false when outside 190001..999912. */
static bool month_add(int32_t yyyymm, int months, int32_t *out)
{
    int32_t idx = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + months;
    int32_t r = (idx / 12) * 100 + idx % 12 + 1;

    if (!month_ok(r))
        return false;
    *out = r;
    return true;
}

/*
 * First paid month: whole months, no prorating — 低保 "从作出确认同意决定之日下月起" (DB-57
 * Art. 21), 特困 from the month after confirmation (TK-43 Art. 17), 两项补贴 "自递交申请当月计发"
 * (南安 guide, secondary). Source: rules.md §8 and §1.5 step 10, §2.3, §7. decision_yyyymm is
 * the decision month (for 两项补贴 the application month); offset s->start_offset_months[p].
 * Returns 0 or MZ_EINVAL (bad month, programme or offset).
 */
int assist_rule_first_month(const struct assist_settings *s, enum assist_program p,
                            int32_t decision_yyyymm, int32_t *first_yyyymm)
{
    if ((unsigned)p >= ASSIST_PROG_COUNT || !month_ok(decision_yyyymm) ||
        s->start_offset_months[p] < 0 || s->start_offset_months[p] > ASSIST_MAX_MONTHS)
        return MZ_EINVAL;
    return month_add(decision_yyyymm, s->start_offset_months[p], first_yyyymm) ? 0 : MZ_EINVAL;
}

/*
 * Last paid month after a stop decision: payment stops from decision month + offset, so the last
 * paid month is the one before; whole months, no prorating. Source: rules.md §8 — 特困 stops
 * "from the next month" (TK-43 Art. 26); 低保 the texts are silent (proposal: same, setting);
 * 两项补贴 the texts read are silent (proposal: same).
 * Returns 0 or MZ_EINVAL (bad month, programme or offset).
 */
int assist_rule_last_month(const struct assist_settings *s, enum assist_program p,
                           int32_t stop_decision_yyyymm, int32_t *last_yyyymm)
{
    if ((unsigned)p >= ASSIST_PROG_COUNT || !month_ok(stop_decision_yyyymm) ||
        s->stop_offset_months[p] < 0 || s->stop_offset_months[p] > ASSIST_MAX_MONTHS)
        return MZ_EINVAL;
    return month_add(stop_decision_yyyymm, s->stop_offset_months[p] - 1, last_yyyymm)
               ? 0
               : MZ_EINVAL;
}
