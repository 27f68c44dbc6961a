/*
 * assist/setting.c — the pure part of 救助参数 (setting.h): the catalogue of configurable
 * numbers, parsing and formatting their text, and which stored row is in force for a region.
 * Defaults and sources: shared/domain/rules.md, closing table "Numbers that are configurable,
 * with default and source", and §0.4; they match assist_settings_default() (rules.c).
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "errors.h"
#include "setting.h"
#include "standard.h"

_Static_assert(sizeof(enum assist_round_unit) == sizeof(int32_t), "enum members are 4 bytes");
_Static_assert(sizeof(int) == sizeof(int32_t), "int members are 4 bytes");
_Static_assert(sizeof(bool) == 1, "bool members are 1 byte");

#define M(m) .offset = offsetof(struct assist_settings, m), \
             .width = sizeof(((struct assist_settings *)0)->m)
#define FEN_MAX 100000000000LL    /* 10亿元: far above any amount a setting holds */
#define LIST_MAX 8

static const struct setting_word REGIMES[] = {
    { "INTERIM_2014", ASSIST_REGIME_INTERIM_2014 }, { "SA_LAW", ASSIST_REGIME_SA_LAW }, { 0 } };
static const struct setting_word UNITS[] = {
    { "fen", ASSIST_ROUND_FEN }, { "jiao", ASSIST_ROUND_JIAO }, { "yuan", ASSIST_ROUND_YUAN },
    { 0 } };
static const struct setting_word MODES[] = {
    { "half_up", ASSIST_ROUND_HALF_UP }, { "up", ASSIST_ROUND_UP },
    { "down", ASSIST_ROUND_DOWN }, { 0 } };
static const struct setting_word METHODS[] = {
    { "GAP", ASSIST_AMOUNT_GAP }, { "TIERED", ASSIST_AMOUNT_TIERED }, { 0 } };
static const struct setting_word PRIOR_AID[] = { { "MAY", 0 }, { "SHALL", 1 }, { 0 } };

/* Names of the income types (enum assist_income_type) a region may exclude: the income items,
 * not the deductions. */
static const char *const INCOME_TYPES[] = {
    "wage", "business", "property", "transfer", "other", "youfu", "family_planning",
    "scholarship", "reward", "assistance", "pension_base", "local_excluded",
};
#define INCOME_TYPE_NAMES (sizeof INCOME_TYPES / sizeof INCOME_TYPES[0])

#define WD(key_, member, label_, def, src, lo) \
    { .key = key_, .type = SETTING_INT, .label = label_, .default_text = def, .source = src, \
      M(member), .min = lo, .max = 60 }

static const struct setting_def CATALOGUE[] = {
    { .key = "legal_regime", .type = SETTING_ENUM, .label = "适用的法律制度",
      .default_text = "INTERIM_2014", .words = REGIMES, M(legal_regime),
      .source = "rules.md §0.4（proposal）；社会救助法施行情况 UNCONFIRMED（§0.2）" },
    { .key = "sa_law_effective_date", .type = SETTING_DATE, .label = "社会救助法施行日期",
      .default_text = "none", M(sa_law_effective_date),
      .source = "rules.md §0.4；施行日期 UNCONFIRMED（§0.2）" },
    { .key = "rounding_unit", .type = SETTING_ENUM, .label = "金额取整单位",
      .default_text = "fen", .words = UNITS, M(rounding_unit),
      .source = "proposal — 文件未作规定（rules.md §1.6、§8）" },
    { .key = "rounding_mode", .type = SETTING_ENUM, .label = "金额取整方式",
      .default_text = "half_up", .words = MODES, M(rounding_mode),
      .source = "proposal — 文件未作规定（rules.md §1.6、§8）" },
    { .key = "dibao_min_monthly_fen", .type = SETTING_FEN, .label = "低保金每月最低发放额（分）",
      .default_text = "0", M(dibao_min_monthly_fen), .max = FEN_MAX,
      .source = "proposal — 文件未作规定（rules.md §1.6）" },
    { .key = "dibao_amount_method", .type = SETTING_ENUM, .label = "低保金计算方式（差额/分档）",
      .default_text = "GAP", .words = METHODS, M(dibao_amount_method),
      .source = "DB-57 第二十三条；GG-2020 第5项（rules.md §1.6）" },
    { .key = "dibao_tiers", .type = SETTING_FEN_LIST, .label = "低保分档金额（分，每人每月）",
      .default_text = "none", .source = "local — DB-57 第二十三条（rules.md §1.6）" },
    { .key = "income_period_months", .type = SETTING_INT, .label = "家庭收入计算期（月，0 为未设定）",
      .default_text = "0", M(income_period_months), .max = 120,
      .source = "DB-57 第十三条（未规定期限）— UNCONFIRMED（rules.md §1.3）" },
    { .key = "income_excluded_types", .type = SETTING_TYPE_SET, .label = "不计入家庭收入的收入类型",
      .default_text = "youfu,family_planning,scholarship,reward,assistance,local_excluded",
      .source = "DB-57 第十三条（一）（二）（四）（rules.md §1.3）" },
    { .key = "exclude_basic_pension_base", .type = SETTING_MONTH,
      .label = "基础养老金不计入收入的最后月份", .default_text = "2025-12",
      M(pension_base_excluded_through),
      .source = "DB-57 第十三条（三）“十四五”期间（rules.md §1.3）；此后由地方确认" },
    { .key = "dibao_assets_limit_months", .type = SETTING_INT,
      .label = "低保人均金融资产上限（低保标准的月数，0 为不作数额核查）", .default_text = "0",
      M(dibao_assets_limit_months), .max = 600,
      .source = "local — DB-57 第十四条；SA-IM 第十条（rules.md §1.3）" },
    { .key = "dibao_edge_multiple", .type = SETTING_PERMILLE, .label = "低保边缘家庭收入倍数（低于）",
      .default_text = "1.5", M(dibao_edge_multiple_permille), .min = 1000, .max = 5000,
      .source = "DB-57 第八条；DD-2022 一（四）；GB-39 二（rules.md §4.2）" },
    { .key = "edge_assets_limit_months", .type = SETTING_INT,
      .label = "低保边缘人均金融资产上限（低保标准的月数，0 为不作数额核查）", .default_text = "0",
      M(edge_assets_limit_months), .max = 600, .source = "local — DD-2022 一（四）（rules.md §4.2）" },
    { .key = "tekun_basic_min_ratio", .type = SETTING_PERMILLE,
      .label = "特困基本生活标准不低于低保标准的倍数", .default_text = "1.3",
      M(tekun_basic_min_ratio_permille), .min = 1000, .max = 5000,
      .source = "local — seed 000 第三章§2、seed 004 表2；全国性规定 UNCONFIRMED（rules.md §2.5）" },
    { .key = "tekun_care_fen.able", .type = SETTING_FEN, .label = "照料护理标准：具备生活自理能力（分/月）",
      .default_text = "0", M(tekun_care_fen[ASSIST_SELFCARE_ABLE]), .max = FEN_MAX,
      .source = "local 分档 — TK-43 第二十条（rules.md §2.4）" },
    { .key = "tekun_care_fen.partial", .type = SETTING_FEN,
      .label = "照料护理标准：部分丧失生活自理能力（分/月）", .default_text = "0",
      M(tekun_care_fen[ASSIST_SELFCARE_PARTIAL]), .max = FEN_MAX,
      .source = "local 分档 — TK-43 第二十条（rules.md §2.4）" },
    { .key = "tekun_care_fen.unable", .type = SETTING_FEN,
      .label = "照料护理标准：完全丧失生活自理能力（分/月）", .default_text = "0",
      M(tekun_care_fen[ASSIST_SELFCARE_NONE]), .max = FEN_MAX,
      .source = "local 分档 — TK-43 第二十条（rules.md §2.4）" },
    { .key = "lshi_tiers", .type = SETTING_LSHI_TIERS, .label = "临时救助分档上限",
      .default_text = "none", .source = "local — LS-23 二（三）（rules.md §3.4）" },
    { .key = "lshi_township_ceiling", .type = SETTING_PERMILLE,
      .label = "乡镇审批临时救助上限（城市月低保标准的倍数，0 为未设定）", .default_text = "0",
      M(lshi_township_ceiling_permille), .max = 100000,
      .source = "SA-IM 第四十八条；LS-23 二（二）；示例 3 倍（rules.md §3.4）" },
    { .key = "lshi_township_ceiling_fen", .type = SETTING_FEN,
      .label = "乡镇审批临时救助上限（分，0 为未设定）", .default_text = "0",
      M(lshi_township_ceiling_fen), .max = FEN_MAX,
      .source = "SA-IM 第四十八条；LS-23 二（二）；示例 5000 元（rules.md §3.4）" },
    { .key = "gangxing_share_threshold", .type = SETTING_PERMILLE,
      .label = "刚性支出占家庭收入比例（超过，0 为未设定）", .default_text = "0",
      M(gangxing_share_threshold_permille), .max = 1000,
      .source = "GX 第四条 — 须由地方设定（rules.md §4.3）" },
    { .key = "gangxing_lookback_months", .type = SETTING_INT, .label = "刚性支出计算期（月）",
      .default_text = "12", M(gangxing_lookback_months), .min = 1, .max = 120,
      .source = "GX 第四条（rules.md §4.3）" },
    { .key = "payment_start.dibao", .type = SETTING_INT, .label = "低保金起发月份（决定月份之后第几月）",
      .default_text = "1", M(start_offset_months[ASSIST_PROG_DIBAO]), .max = 12,
      .source = "DB-57 第二十一条（rules.md §8）" },
    { .key = "payment_start.tekun", .type = SETTING_INT, .label = "特困供养金起发月份（决定月份之后第几月）",
      .default_text = "1", M(start_offset_months[ASSIST_PROG_TEKUN]), .max = 12,
      .source = "TK-43 第十七条（rules.md §8）" },
    { .key = "payment_start.liangbu", .type = SETTING_INT, .label = "两项补贴起发月份（申请月份之后第几月）",
      .default_text = "0", M(start_offset_months[ASSIST_PROG_LIANGBU]), .max = 12,
      .source = "南安市办事指南（secondary）（rules.md §7、§8）" },
    { .key = "payment_stop.dibao", .type = SETTING_INT, .label = "低保金停发月份（停发决定月份之后第几月）",
      .default_text = "1", M(stop_offset_months[ASSIST_PROG_DIBAO]), .max = 12,
      .source = "proposal — UNCONFIRMED（rules.md §8 dibao_stop_effective）" },
    { .key = "payment_stop.tekun", .type = SETTING_INT, .label = "特困供养金停发月份（终止决定月份之后第几月）",
      .default_text = "1", M(stop_offset_months[ASSIST_PROG_TEKUN]), .max = 12,
      .source = "TK-43 第二十六条（rules.md §8）" },
    { .key = "payment_stop.liangbu", .type = SETTING_INT, .label = "两项补贴停发月份（停发决定月份之后第几月）",
      .default_text = "1", M(stop_offset_months[ASSIST_PROG_LIANGBU]), .max = 12,
      .source = "proposal（rules.md §8）" },
    WD("start_investigation_wd", start_investigation_wd, "受理后启动调查（工作日）", "3",
       "DB-57 第十五条", 1),
    WD("hedui_start_wd", hedui_start_wd, "县级启动家庭经济状况核对（工作日）", "3",
       "DB-57 第十七条", 1),
    { .key = "min_investigators", .type = SETTING_INT, .label = "入户调查人员（至少）",
      .default_text = "2", M(min_investigators), .min = 2, .max = 10,
      .source = "DB-57 第十六条" },
    WD("publicity_days", publicity_days, "公示期（自然日）", "7",
       "DB-57 第十九条；TK-43 第十五条、第二十六条", 1),
    WD("township_initial_opinion_wd", township_opinion_wd, "乡镇提出初审意见（工作日，0 为未设定）",
       "0", "DD-2022 四（一）— UNCONFIRMED（rules.md §1.5）", 0),
    WD("county_review_wd", county_review_wd, "县级审核低保（工作日）", "10", "DB-57 第二十条", 1),
    WD("refusal_notice_wd", refusal_notice_wd, "书面告知不予确认（工作日）", "3",
       "DB-57 第二十一条；TK-43 第十八条", 1),
    { .key = "dibao_total_wd", .type = SETTING_INT, .label = "低保受理至确认（工作日）",
      .default_text = "30", M(dibao_total_wd), .min = 1, .max = 180,
      .source = "DB-57 第二十二条" },
    { .key = "dibao_total_delegated_wd", .type = SETTING_INT,
      .label = "低保受理至确认，委托乡镇确认时（工作日）", .default_text = "20",
      M(dibao_total_delegated_wd), .min = 1, .max = 180, .source = "DD-2022 四（一）" },
    { .key = "dibao_total_extended_wd", .type = SETTING_INT,
      .label = "低保受理至确认，特殊情况延长至（工作日）", .default_text = "45",
      M(dibao_total_extended_wd), .min = 1, .max = 180, .source = "DB-57 第二十二条" },
    WD("tekun_township_wd", tekun_township_wd, "特困乡镇调查并提出初审意见（工作日）", "15",
       "TK-43 第十三条", 1),
    WD("tekun_county_wd", tekun_county_wd, "特困县级确认（工作日）", "15", "TK-43 第十六条", 1),
    WD("objection_wd", objection_wd, "对公示有异议时重新提出意见（工作日）", "15",
       "TK-43 第十五条、第二十六条", 1),
    { .key = "review_months_stable", .type = SETTING_INT, .label = "收入稳定家庭复核周期（月）",
      .default_text = "12", M(review_months_stable), .min = 1, .max = 60,
      .source = "DB-57 第三十一条；GG-2020 第7项（rules.md §1.7）" },
    { .key = "review_months_unstable", .type = SETTING_INT, .label = "收入不稳定家庭复核周期（月）",
      .default_text = "6", M(review_months_unstable), .min = 1, .max = 60,
      .source = "DB-57 第三十一条；GG-2020 第7项（rules.md §1.7）" },
    { .key = "jiantui_max_months", .type = SETTING_INT, .label = "渐退期（最长月数）",
      .default_text = "6", M(jiantui_max_months), .max = 24,
      .source = "DD-2022 一（三）；DB-57 第三十三条" },
    { .key = "death_review_months", .type = SETTING_INT, .label = "家庭成员死亡后复核期限（月）",
      .default_text = "3", M(death_review_months), .min = 1, .max = 12,
      .source = "DD-2022 一（三）" },
    { .key = "township_confirm.dibao", .type = SETTING_BOOL, .label = "县级委托乡镇确认低保",
      .default_text = "false", M(township_confirm[ASSIST_PROG_DIBAO]),
      .source = "DB-57 第二条（rules.md §0.4 township_confirm_power）" },
    { .key = "township_confirm.tekun", .type = SETTING_BOOL, .label = "县级委托乡镇确认特困人员",
      .default_text = "false", M(township_confirm[ASSIST_PROG_TEKUN]),
      .source = "TK-43 第二十八条（rules.md §0.4 township_confirm_power）" },
    { .key = "township_confirm.lshi", .type = SETTING_BOOL, .label = "县级委托乡镇审批临时救助",
      .default_text = "false", M(township_confirm[ASSIST_PROG_LSHI]),
      .source = "LS-23 二（二）（rules.md §0.4 township_confirm_power）" },
    { .key = "township_confirm.gangxing", .type = SETTING_BOOL, .label = "县级委托乡镇认定刚性支出困难家庭",
      .default_text = "false", M(township_confirm[ASSIST_PROG_GANGXING]),
      .source = "GX 第三条（rules.md §0.4 township_confirm_power）" },
    { .key = "township_confirm.liangbu", .type = SETTING_BOOL, .label = "县级委托乡镇审定两项补贴",
      .default_text = "false", M(township_confirm[ASSIST_PROG_LIANGBU]),
      .source = "rules.md §0.4 township_confirm_power（proposal）" },
    { .key = "apply_at_residence_permit", .type = SETTING_BOOL, .label = "持居住证者可在居住地申请",
      .default_text = "false", M(apply_at_residence_permit),
      .source = "DB-57 第五条；GG-2020 第4项" },
    { .key = "lshi_prior_aid_mode", .type = SETTING_ENUM, .label = "急难型临时救助先行救助（可以/应当）",
      .default_text = "MAY", .words = PRIOR_AID, M(lshi_prior_aid_shall),
      .source = "GG-2020 第15项；GB-39 四（三）（rules.md §0.4）" },
};

#define CATALOGUE_COUNT (sizeof CATALOGUE / sizeof CATALOGUE[0])

size_t setting_count(void)
{
    return CATALOGUE_COUNT;
}

const struct setting_def *setting_at(size_t i)
{
    return i < CATALOGUE_COUNT ? &CATALOGUE[i] : NULL;
}

const struct setting_def *setting_find(const char *key)
{
    for (size_t i = 0; key && i < CATALOGUE_COUNT; i++)
        if (strcmp(CATALOGUE[i].key, key) == 0)
            return &CATALOGUE[i];
    return NULL;
}

const char *setting_type_name(enum setting_type type)
{
    static const char *const NAMES[] = {
        [SETTING_INT] = "int", [SETTING_PERMILLE] = "permille", [SETTING_FEN] = "fen",
        [SETTING_MONTH] = "month", [SETTING_DATE] = "date", [SETTING_BOOL] = "bool",
        [SETTING_ENUM] = "enum", [SETTING_FEN_LIST] = "fen_list",
        [SETTING_LSHI_TIERS] = "lshi_tiers", [SETTING_TYPE_SET] = "type_set",
    };
    return NAMES[type];
}

/* ---------------------------------------------------------------- scalar members */

static int64_t get_scalar(const struct setting_def *d, const struct assist_settings *s)
{
    const unsigned char *p = (const unsigned char *)s + d->offset;
    if (d->width == 1) {
        bool b;
        memcpy(&b, p, 1);
        return b;
    }
    if (d->width == 4) {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void set_scalar(const struct setting_def *d, struct assist_settings *s, int64_t value)
{
    unsigned char *p = (unsigned char *)s + d->offset;
    if (d->width == 1) {
        bool b = value != 0;
        memcpy(p, &b, 1);
    } else if (d->width == 4) {
        int32_t v = (int32_t)value;
        memcpy(p, &v, 4);
    } else {
        memcpy(p, &value, 8);
    }
}

/* ---------------------------------------------------------------- text → number */

/* Decimal digits only, 1–12 of them. */
static bool parse_uint(const char *t, size_t len, int64_t *out)
{
    if (len == 0 || len > 12)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9')
            return false;
        v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
}

/* "1", "1.5", "0.125" (at most 6 integer digits, 3 decimals) → permille. */
static bool parse_permille(const char *t, size_t len, int64_t *out)
{
    const char *dot = memchr(t, '.', len);
    size_t ilen = dot ? (size_t)(dot - t) : len, flen = dot ? len - ilen - 1 : 0;
    int64_t whole, frac = 0;
    if (ilen > 6 || !parse_uint(t, ilen, &whole) || (dot && (flen == 0 || flen > 3)) ||
        (flen && !parse_uint(dot + 1, flen, &frac)))
        return false;
    for (size_t i = flen; i < 3; i++)
        frac *= 10;
    *out = whole * 1000 + frac;
    return true;
}

static int fail(char *err, size_t err_len, const struct setting_def *d, const char *what)
{
    snprintf(err, err_len, "%s（%s）%s", d->label, d->key, what);
    return MZ_EVALIDATE;
}

static int range_fail(char *err, size_t err_len, const struct setting_def *d, const char *kind)
{
    char what[SETTING_ERROR_MAX];
    if (d->type == SETTING_PERMILLE)
        snprintf(what, sizeof what, "应为 %lld.%03lld 至 %lld.%03lld 之间的%s，最多三位小数，如 1.5",
                 (long long)(d->min / 1000), (long long)(d->min % 1000),
                 (long long)(d->max / 1000), (long long)(d->max % 1000), kind);
    else
        snprintf(what, sizeof what, "应为 %lld 至 %lld 之间的%s", (long long)d->min,
                 (long long)d->max, kind);
    return fail(err, err_len, d, what);
}

static int parse_enum(const struct setting_def *d, const char *text, int64_t *v, char *err,
                      size_t err_len)
{
    char what[SETTING_ERROR_MAX] = "应为以下之一：";
    for (const struct setting_word *w = d->words; w->word; w++) {
        if (strcmp(text, w->word) == 0) {
            *v = w->value;
            return 0;
        }
        if (w != d->words)
            strncat(what, "、", sizeof what - strlen(what) - 1);
        strncat(what, w->word, sizeof what - strlen(what) - 1);
    }
    return fail(err, err_len, d, what);
}

/* The scalar types: text → *v, range-checked. */
static int parse_scalar(const struct setting_def *d, const char *text, int64_t *v, char *err,
                        size_t err_len)
{
    size_t len = strlen(text);
    int32_t ym;
    int ymd;
    switch (d->type) {
    case SETTING_INT:
    case SETTING_FEN:
        if (!parse_uint(text, len, v) || *v < d->min || *v > d->max)
            return range_fail(err, err_len, d, d->type == SETTING_FEN ? "整数（分）" : "整数");
        return 0;
    case SETTING_PERMILLE:
        if (!parse_permille(text, len, v) || *v < d->min || *v > d->max)
            return range_fail(err, err_len, d, "小数");
        return 0;
    case SETTING_MONTH:
        if (standard_month_parse(text, len, &ym) != 0)
            return fail(err, err_len, d, "应为 YYYY-MM 格式的月份，如 2025-12");
        *v = ym;
        return 0;
    case SETTING_DATE:
        if (strcmp(text, "none") == 0) {
            *v = 0;
            return 0;
        }
        if (calendar_date_parse(text, len, &ymd) != 0)
            return fail(err, err_len, d, "应为 YYYY-MM-DD 格式的日期，或 none（未设定）");
        *v = ymd;
        return 0;
    case SETTING_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
            return fail(err, err_len, d, "应为 true 或 false");
        *v = strcmp(text, "true") == 0;
        return 0;
    case SETTING_ENUM:
        return parse_enum(d, text, v, err, err_len);
    default:
        return MZ_EINVAL;
    }
}

/* ---------------------------------------------------------------- lists */

/* Splits text at commas into at most LIST_MAX items (start, length); "none" is no item.
 * Returns the count, or -1 for an empty item or too many items. */
static int split(const char *text, const char *item[LIST_MAX], size_t len[LIST_MAX])
{
    if (strcmp(text, "none") == 0)
        return 0;
    int n = 0;
    for (const char *p = text;; n++) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (n == LIST_MAX || l == 0)
            return -1;
        item[n] = p;
        len[n] = l;
        if (!comma)
            return n + 1;
        p = comma + 1;
    }
}

static int parse_fen_list(const struct setting_def *d, const char *text,
                          struct assist_settings *s, char *err, size_t err_len)
{
    const char *item[LIST_MAX];
    size_t len[LIST_MAX];
    int64_t fen[LIST_MAX];
    int n = split(text, item, len);
    for (int i = 0; i < n; i++)
        if (!parse_uint(item[i], len[i], &fen[i]) || fen[i] > FEN_MAX)
            n = -1;
    if (n < 0)
        return fail(err, err_len, d, "应为以英文逗号分隔的金额（分，整数），最多 8 项，"
                                     "如 30000,20000,10000；无分档时为 none");
    for (int i = 0; i < n; i++)
        s->dibao_tier_fen[i] = fen[i];
    s->dibao_tier_count = n;
    return 0;
}

static int parse_lshi_tiers(const struct setting_def *d, const char *text,
                            struct assist_settings *s, char *err, size_t err_len)
{
    const char *item[LIST_MAX];
    size_t len[LIST_MAX];
    struct assist_lshi_tier t[LIST_MAX];
    int n = split(text, item, len);
    for (int i = 0; i < n; i++) {
        int64_t v;
        memset(&t[i], 0, sizeof t[i]);
        if (item[i][len[i] - 1] == 'x') {
            if (!parse_permille(item[i], len[i] - 1, &v) || v < 1 || v > 100000)
                n = -1;
            else
                t[i].max_permille = (int32_t)v;
        } else if (!parse_uint(item[i], len[i], &v) || v < 1 || v > FEN_MAX) {
            n = -1;
        } else {
            t[i].max_fen = v;
        }
    }
    if (n < 0)
        return fail(err, err_len, d, "应为以英文逗号分隔的各档上限，最多 8 项：城市月低保标准的倍数写作 "
                                     "数字加 x（如 3x、1.5x），固定金额写作整数（分），"
                                     "如 1x,3x,500000；未设定时为 none");
    for (int i = 0; i < n; i++)
        s->lshi_tiers[i] = t[i];
    s->lshi_tier_count = n;
    return 0;
}

static int income_type_of(const char *name, size_t len)
{
    for (size_t i = 0; i < INCOME_TYPE_NAMES; i++)
        if (strlen(INCOME_TYPES[i]) == len && memcmp(INCOME_TYPES[i], name, len) == 0)
            return (int)i;
    return -1;
}

static int parse_type_set(const struct setting_def *d, const char *text,
                          struct assist_settings *s, char *err, size_t err_len)
{
    uint32_t bits = 0;
    bool ok = true;
    for (const char *p = text; strcmp(text, "none") != 0;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        int type = income_type_of(p, l);
        if (type < 0 || bits & 1u << type) {
            ok = false;
            break;
        }
        bits |= 1u << type;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!ok) {
        char what[SETTING_ERROR_MAX] = "应为以英文逗号分隔、不重复的收入类型，或 none；可选：";
        for (size_t i = 0; i < INCOME_TYPE_NAMES; i++) {
            if (i)
                strncat(what, "、", sizeof what - strlen(what) - 1);
            strncat(what, INCOME_TYPES[i], sizeof what - strlen(what) - 1);
        }
        return fail(err, err_len, d, what);
    }
    s->income_excluded_types = bits;
    return 0;
}

int setting_parse(const struct setting_def *d, const char *text, struct assist_settings *s,
                  char *err, size_t err_len)
{
    if (!d || !text || !s)
        return MZ_EINVAL;
    switch (d->type) {
    case SETTING_FEN_LIST:
        return parse_fen_list(d, text, s, err, err_len);
    case SETTING_LSHI_TIERS:
        return parse_lshi_tiers(d, text, s, err, err_len);
    case SETTING_TYPE_SET:
        return parse_type_set(d, text, s, err, err_len);
    default: {
        int64_t v = 0;
        int rc = parse_scalar(d, text, &v, err, err_len);
        if (rc == 0)
            set_scalar(d, s, v);
        return rc;
    }
    }
}

/* ---------------------------------------------------------------- number → text */

/* Appends text at *used; false when buf is full. */
static bool put_text(char *buf, size_t len, size_t *used, const char *text)
{
    size_t l = strlen(text);
    if (l >= len - *used)
        return false;
    memcpy(buf + *used, text, l + 1);
    *used += l;
    return true;
}

/* Appends v, zero-padded to `width` digits (0: no padding). */
static bool put_int(char *buf, size_t len, size_t *used, int64_t v, int width)
{
    char t[32];
    snprintf(t, sizeof t, "%0*lld", width, (long long)v);
    return put_text(buf, len, used, t);
}

/* permille as the shortest decimal: 1500 → "1.5", 1000 → "1", 1250 → "1.25". */
static bool put_permille(char *buf, size_t len, size_t *used, int64_t v)
{
    int64_t frac = v % 1000;
    if (!put_int(buf, len, used, v / 1000, 0))
        return false;
    if (frac == 0)
        return true;
    int digits = 3;
    while (frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    return put_text(buf, len, used, ".") && put_int(buf, len, used, frac, digits);
}

static bool format_list(const struct setting_def *d, const struct assist_settings *s,
                        char *buf, size_t len, size_t *used)
{
    int n = d->type == SETTING_FEN_LIST ? s->dibao_tier_count : s->lshi_tier_count;
    if (n <= 0)
        return put_text(buf, len, used, "none");
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        if (i)
            ok = put_text(buf, len, used, ",");
        if (d->type == SETTING_FEN_LIST)
            ok = ok && put_int(buf, len, used, s->dibao_tier_fen[i], 0);
        else if (s->lshi_tiers[i].max_permille)
            ok = ok && put_permille(buf, len, used, s->lshi_tiers[i].max_permille) &&
                 put_text(buf, len, used, "x");
        else
            ok = ok && put_int(buf, len, used, s->lshi_tiers[i].max_fen, 0);
    }
    return ok;
}

static bool format_type_set(const struct assist_settings *s, char *buf, size_t len,
                            size_t *used)
{
    bool ok = true, any = false;
    for (size_t i = 0; i < INCOME_TYPE_NAMES && ok; i++) {
        if (!(s->income_excluded_types & 1u << i))
            continue;
        ok = (!any || put_text(buf, len, used, ",")) && put_text(buf, len, used, INCOME_TYPES[i]);
        any = true;
    }
    return ok && (any || put_text(buf, len, used, "none"));
}

static bool format_scalar(const struct setting_def *d, int64_t v, char *buf, size_t len,
                          size_t *used)
{
    switch (d->type) {
    case SETTING_PERMILLE:
        return put_permille(buf, len, used, v);
    case SETTING_MONTH:
        return put_int(buf, len, used, v / 100, 4) && put_text(buf, len, used, "-") &&
               put_int(buf, len, used, v % 100, 2);
    case SETTING_DATE:
        if (v == 0)
            return put_text(buf, len, used, "none");
        return put_int(buf, len, used, v / 10000, 4) && put_text(buf, len, used, "-") &&
               put_int(buf, len, used, v / 100 % 100, 2) && put_text(buf, len, used, "-") &&
               put_int(buf, len, used, v % 100, 2);
    case SETTING_BOOL:
        return put_text(buf, len, used, v ? "true" : "false");
    case SETTING_ENUM:
        for (const struct setting_word *w = d->words; w->word; w++)
            if (w->value == v)
                return put_text(buf, len, used, w->word);
        return false;
    default:
        return put_int(buf, len, used, v, 0);
    }
}

int setting_format(const struct setting_def *d, const struct assist_settings *s, char *buf,
                   size_t len)
{
    if (!d || !s || !buf || len == 0)
        return MZ_EINVAL;
    size_t used = 0;
    buf[0] = '\0';
    bool ok;
    if (d->type == SETTING_FEN_LIST || d->type == SETTING_LSHI_TIERS)
        ok = format_list(d, s, buf, len, &used);
    else if (d->type == SETTING_TYPE_SET)
        ok = format_type_set(s, buf, len, &used);
    else
        ok = format_scalar(d, get_scalar(d, s), buf, len, &used);
    return ok ? 0 : MZ_ERANGE;
}

/* ---------------------------------------------------------------- resolution */

int setting_resolve(const struct setting_row *rows, size_t n, const char *key,
                    const char *region12, const bool *skip)
{
    int best = -1, best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct setting_row *r = &rows[i];
        int len = ids_region_prefix_len(ids_region_level(r->region));
        if ((skip && skip[i]) || !r->key || strcmp(r->key, key) != 0 ||
            memcmp(r->region, region12, (size_t)len) != 0)
            continue;
        if (best >= 0 && (len < best_len || (len == best_len && r->id < rows[best].id)))
            continue;
        best = (int)i;
        best_len = len;
    }
    return best;
}

size_t setting_apply(struct assist_settings *s, const struct setting_row *rows, size_t n,
                     const char *region12, bool *bad)
{
    size_t failed = 0;
    for (size_t k = 0; k < CATALOGUE_COUNT; k++) {
        for (;;) {
            int at = setting_resolve(rows, n, CATALOGUE[k].key, region12, bad);
            char err[SETTING_ERROR_MAX];
            if (at < 0 || setting_parse(&CATALOGUE[k], rows[at].value, s, err, sizeof err) == 0)
                break;
            bad[at] = true;
            failed++;
        }
    }
    return failed;
}
