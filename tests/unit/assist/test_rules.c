/*
 * tests/unit/assist/test_rules.c — the pure 社会救助 formulas of src/assist/rules.c.
 *
 * Source of the rules: shared/domain/rules.md (§ cited per Test) and the texts it cites (keys of
 * rules.md §0.1). Cases are numbered "rules-<test>.<case>", boundaries first: 0, the threshold,
 * ± 1 fen, the maximum, overflow (MZ_ERANGE), negative or meaningless input (MZ_EINVAL).
 * Requirements: issue #10.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "assist_rules.h"
#include "errors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct assist_settings defaults(void)
{
    struct assist_settings s;
    assist_settings_default(&s);
    return s;
}

/* rules-1: defaults = rules.md closing table ("Numbers that are configurable"). */
Test(assist_rules, settings_default)
{
    struct assist_settings s = defaults();
    cr_assert_eq(s.rounding_unit, ASSIST_ROUND_FEN, "rules-1.1");        /* proposal */
    cr_assert_eq(s.rounding_mode, ASSIST_ROUND_HALF_UP, "rules-1.2");    /* proposal */
    cr_assert_eq(s.dibao_min_monthly_fen, 0, "rules-1.3");               /* proposal */
    cr_assert_eq(s.dibao_amount_method, ASSIST_AMOUNT_GAP, "rules-1.4"); /* DB-57 Art. 23 */
    cr_assert_eq(s.income_period_months, 0, "rules-1.5");                /* unset, DB-57 Art. 13 */
    cr_assert_eq(s.pension_base_excluded_through, 202512, "rules-1.6");  /* DB-57 Art. 13 (3) */
    cr_assert_eq(s.dibao_edge_multiple_permille, 1500, "rules-1.7");     /* DB-57 Art. 8 */
    cr_assert_eq(s.tekun_basic_min_ratio_permille, 1300, "rules-1.8");   /* seed 000, seed 004 */
    cr_assert_eq(s.gangxing_share_threshold_permille, 0, "rules-1.9");   /* GX Art. 4, unset */
    cr_assert_eq(s.gangxing_lookback_months, 12, "rules-1.10");          /* GX Art. 4 */
    cr_assert_eq(s.start_offset_months[ASSIST_PROG_DIBAO], 1, "rules-1.11");  /* DB-57 Art. 21 */
    cr_assert_eq(s.start_offset_months[ASSIST_PROG_TEKUN], 1, "rules-1.12");  /* TK-43 Art. 17 */
    cr_assert_eq(s.start_offset_months[ASSIST_PROG_LIANGBU], 0, "rules-1.13"); /* 南安 guide */
    cr_assert_eq(s.stop_offset_months[ASSIST_PROG_TEKUN], 1, "rules-1.14");   /* TK-43 Art. 26 */
    cr_assert_eq(s.lshi_tier_count, 0, "rules-1.15");                    /* LS-23 二(三), unset */
    cr_assert_eq(s.lshi_township_ceiling_fen + s.lshi_township_ceiling_permille, 0, "rules-1.16");
    /* DB-57 Art. 13 (1), (2), (4) not counted; earned income counted */
    cr_assert(s.income_excluded_types >> ASSIST_INC_SCHOLARSHIP & 1u, "rules-1.17");
    cr_assert(s.income_excluded_types >> ASSIST_INC_ASSISTANCE & 1u, "rules-1.18");
    cr_assert(!(s.income_excluded_types >> ASSIST_INC_WAGE & 1u), "rules-1.19");
}

/* rules-2: rounding to fen/jiao/yuan, half-up/up/down. rules.md §1.6, §8 — texts silent;
 * proposal. */
Test(assist_rules, round)
{
    static const struct {
        const char *id;
        int64_t num, den;
        enum assist_round_unit unit;
        enum assist_round_mode mode;
        int rc;
        int64_t want;
    } c[] = {
        { "rules-2.1", 0, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0 },
        { "rules-2.2", 5, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_HALF_UP, 0, 10 },
        { "rules-2.3", 4, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_HALF_UP, 0, 0 },
        { "rules-2.4", 1, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_UP, 0, 10 },
        { "rules-2.5", 19, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_DOWN, 0, 10 },
        { "rules-2.6", 150, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_HALF_UP, 0, 200 },
        { "rules-2.7", 149, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_HALF_UP, 0, 100 },
        { "rules-2.8", 200, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_UP, 0, 200 },
        { "rules-2.9", 1, 2, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 1 },
        { "rules-2.10", 1, 3, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0 },
        { "rules-2.11", INT64_MAX, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_UP, 0, INT64_MAX },
        { "rules-2.12", INT64_MAX, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_UP, MZ_ERANGE, 0 },
        { "rules-2.13", INT64_MAX, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_DOWN, 0,
          INT64_MAX / 100 * 100 },
        { "rules-2.14", -1, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, MZ_EINVAL, 0 },
        { "rules-2.15", 1, 0, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, MZ_EINVAL, 0 },
        { "rules-2.16", 1, 1, (enum assist_round_unit)7, ASSIST_ROUND_HALF_UP, MZ_EINVAL, 0 },
        { "rules-2.17", 1, INT64_MAX, ASSIST_ROUND_YUAN, ASSIST_ROUND_HALF_UP, MZ_ERANGE, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        int64_t got = -7;
        cr_assert_eq(assist_round(c[i].num, c[i].den, c[i].unit, c[i].mode, &got), c[i].rc, "%s",
                     c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
}

/* rules-3: yearly standard → monthly, yearly/12 rounded per setting. rules.md §8 (proposal);
 * Jilin rural 低保 4372元/year, seed 002 ch.1 §1. */
Test(assist_rules, monthly_from_yearly)
{
    static const struct {
        const char *id;
        int64_t yearly;
        int rc;
        int64_t want;
    } c[] = {
        { "rules-3.1", 0, 0, 0 },          { "rules-3.2", 5, 0, 0 },
        { "rules-3.3", 6, 0, 1 },          { "rules-3.4", 437200, 0, 36433 },
        { "rules-3.5", 768000, 0, 64000 }, { "rules-3.6", -1, MZ_EINVAL, 0 },
    };
    struct assist_settings s = defaults();
    for (size_t i = 0; i < N(c); i++) {
        int64_t got = -7;
        cr_assert_eq(assist_rule_monthly_from_yearly(&s, c[i].yearly, &got), c[i].rc, "%s",
                     c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
}

/* rules-4: per-capita monthly income. rules.md §1.3 — DB-57 Art. 13 (income categories, items
 * not counted (1)–(4), deductions); per-capita rounding half-up to the fen, §1.6 (proposal). */
Test(assist_rules, income_per_capita)
{
    const struct assist_income_item empty[1] = { { ASSIST_INC_WAGE, 0, 1 } };
    const struct assist_income_item wage[] = { { ASSIST_INC_WAGE, 100000, 12 } };
    const struct assist_income_item scholar[] = { { ASSIST_INC_WAGE, 100000, 12 },
                                                  { ASSIST_INC_SCHOLARSHIP, 50000, 12 },
                                                  { ASSIST_INC_ASSISTANCE, 30000, 12 },
                                                  { ASSIST_INC_YOUFU, 1, 1 } };
    const struct assist_income_item pension[] = { { ASSIST_INC_WAGE, 100000, 12 },
                                                  { ASSIST_INC_PENSION_BASE, 12000, 12 } };
    const struct assist_income_item deduct[] = { { ASSIST_INC_WAGE, 100000, 12 },
                                                 { ASSIST_DED_EMPLOYMENT_COST, 20000, 12 } };
    const struct assist_income_item negative_net[] = { { ASSIST_INC_BUSINESS, 10000, 1 },
                                                       { ASSIST_DED_RIGID_MEDICAL, 10001, 1 } };
    const struct assist_income_item half[] = { { ASSIST_INC_OTHER, 6, 1 } };
    const struct assist_income_item under_half[] = { { ASSIST_INC_OTHER, 5, 1 } };
    const struct assist_income_item local[] = { { ASSIST_INC_LOCAL_EXCLUDED, 12000, 12 } };
    const struct assist_income_item big[] = { { ASSIST_INC_WAGE, INT64_MAX, 1 } };
    const struct assist_income_item big2[] = { { ASSIST_INC_WAGE, INT64_MAX, 2 } };
    const struct assist_income_item sum_over[] = { { ASSIST_INC_WAGE, INT64_MAX / 2 + 1, 1 },
                                                   { ASSIST_INC_OTHER, INT64_MAX / 2 + 1, 1 } };
    const struct assist_income_item neg[] = { { ASSIST_INC_WAGE, -1, 1 } };
    const struct assist_income_item months0[] = { { ASSIST_INC_WAGE, 1, 0 } };
    const struct assist_income_item months13[] = { { ASSIST_INC_WAGE, 1, 13 } };
    const struct assist_income_item badtype[] = { { ASSIST_INC_TYPE_COUNT, 1, 1 } };
    static const struct {
        const char *id;
        int period;
        int members;
        int32_t month;
        int rc;
        int64_t want;
    } c[] = {
        /* id, period, members, assessed month, rc, per capita */
        { "rules-4.1", 12, 1, 202606, 0, 0 },          /* no items */
        { "rules-4.2", 12, 1, 202606, 0, 0 },          /* one item of 0 fen */
        { "rules-4.3", 12, 2, 202606, 0, 50000 },      /* 1000元 × 12 / 12 / 2 */
        { "rules-4.4", 12, 2, 202606, 0, 50000 },      /* Art. 13 (1), (2) not counted */
        { "rules-4.5", 12, 2, 202512, 0, 50000 },      /* Art. 13 (3): last 十四五 month */
        { "rules-4.6", 12, 2, 202601, 0, 56000 },      /* … counted after 2025-12 */
        { "rules-4.7", 12, 2, 202606, 0, 40000 },      /* employment cost deducted */
        { "rules-4.8", 1, 1, 202606, 0, 0 },           /* deductions above income → 0 */
        { "rules-4.9", 12, 1, 202606, 0, 1 },          /* 0.5 fen → 1 (half-up) */
        { "rules-4.10", 12, 1, 202606, 0, 0 },         /* 0.416 fen → 0 */
        { "rules-4.11", 12, 1, 202606, 0, 0 },         /* Art. 13 (4) local exclusion */
        { "rules-4.12", 1, 1, 202606, 0, INT64_MAX },  /* maximum */
        { "rules-4.13", 2, 1, 202606, MZ_ERANGE, 0 },  /* amount × months overflows */
        { "rules-4.14", 1, 1, 202606, MZ_ERANGE, 0 },  /* sum overflows */
        { "rules-4.15", 12, 1, 202606, MZ_EINVAL, 0 }, /* negative amount */
        { "rules-4.16", 12, 1, 202606, MZ_EINVAL, 0 }, /* months 0 */
        { "rules-4.17", 12, 1, 202606, MZ_EINVAL, 0 }, /* months above period */
        { "rules-4.18", 12, 1, 202606, MZ_EINVAL, 0 }, /* unknown type */
        { "rules-4.19", 0, 1, 202606, MZ_EINVAL, 0 },  /* period unset (default) */
        { "rules-4.20", 12, 0, 202606, MZ_EINVAL, 0 }, /* no members */
        { "rules-4.21", 12, ASSIST_MAX_MEMBERS + 1, 202606, MZ_EINVAL, 0 },
        { "rules-4.22", 12, 1, 202613, MZ_EINVAL, 0 }, /* bad month */
    };
    const struct {
        const struct assist_income_item *it;
        size_t n;
    } items[] = {
        { NULL, 0 },        { empty, 1 },     { wage, 1 },          { scholar, 4 },
        { pension, 2 },     { pension, 2 },   { deduct, 2 },        { negative_net, 2 },
        { half, 1 },        { under_half, 1 }, { local, 1 },        { big, 1 },
        { big2, 1 },        { sum_over, 2 },  { neg, 1 },           { months0, 1 },
        { months13, 1 },    { badtype, 1 },   { wage, 1 },          { wage, 1 },
        { wage, 1 },        { wage, 1 },
    };
    cr_assert_eq(N(c), N(items));
    for (size_t i = 0; i < N(c); i++) {
        struct assist_settings s = defaults();
        int64_t got = -7;
        s.income_period_months = c[i].period;
        cr_assert_eq(assist_rule_income_per_capita(&s, items[i].it, items[i].n, c[i].members,
                                                   c[i].month, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
    /* rules-4.23: a region that counts its own exclusion again (bit cleared, Art. 13 (4)) */
    struct assist_settings s = defaults();
    int64_t got;
    s.income_period_months = 12;
    s.income_excluded_types &= ~(1u << ASSIST_INC_LOCAL_EXCLUDED);
    cr_assert_eq(assist_rule_income_per_capita(&s, local, 1, 1, 202606, &got), 0, "rules-4.23");
    cr_assert_eq(got, 12000, "rules-4.23");
}

/* rules-5: 低保 eligibility: income strictly below the standard, assets not above the local
 * cap. rules.md §1.1 — SA-IM Art. 9, GG-2020 item 2; §1.3 — DB-57 Art. 14 (local thresholds). */
Test(assist_rules, dibao_eligible)
{
    static const struct {
        const char *id;
        int64_t standard, pc;
        int members, limit_months;
        int64_t assets;
        int rc;
        enum assist_verdict want;
    } c[] = {
        { "rules-5.1", 60000, 0, 1, 0, 0, 0, ASSIST_QUALIFIES },
        { "rules-5.2", 60000, 59999, 1, 0, 0, 0, ASSIST_QUALIFIES },
        { "rules-5.3", 60000, 60000, 1, 0, 0, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-5.4", 60000, 60001, 1, 0, 0, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-5.5", 0, 0, 1, 0, 0, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-5.6", 60000, 0, 1, 0, INT64_MAX, 0, ASSIST_QUALIFIES }, /* no limit set */
        { "rules-5.7", 60000, 0, 2, 24, 2880000, 0, ASSIST_QUALIFIES },  /* = cap */
        { "rules-5.8", 60000, 0, 2, 24, 2880001, 0, ASSIST_ASSETS_TOO_HIGH },
        { "rules-5.9", INT64_MAX, 0, 1, 24, 0, MZ_ERANGE, 0 },
        { "rules-5.10", -1, 0, 1, 0, 0, MZ_EINVAL, 0 },
        { "rules-5.11", 60000, -1, 1, 0, 0, MZ_EINVAL, 0 },
        { "rules-5.12", 60000, 0, 1, 0, -1, MZ_EINVAL, 0 },
        { "rules-5.13", 60000, 0, 0, 0, 0, MZ_EINVAL, 0 },
        { "rules-5.14", 60000, 0, 1, -1, 0, MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        struct assist_settings s = defaults();
        enum assist_verdict got = (enum assist_verdict)99;
        s.dibao_assets_limit_months = c[i].limit_months;
        cr_assert_eq(assist_rule_dibao_eligible(&s, c[i].standard, c[i].pc, c[i].members,
                                                c[i].assets, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? (enum assist_verdict)99 : c[i].want, "%s", c[i].id);
    }
}

/* rules-6: 低保 amount, GAP: (standard − per capita) × covered members, rounded, minimum.
 * rules.md §1.6 — SA-IM Art. 12; DB-57 Art. 23; × members, rounding and minimum: proposal. */
Test(assist_rules, dibao_amount_gap)
{
    static const struct {
        const char *id;
        int64_t standard, pc;
        int members;
        enum assist_round_unit unit;
        enum assist_round_mode mode;
        int64_t min;
        int rc;
        int64_t want;
    } c[] = {
        { "rules-6.1", 60000, 60000, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0, 0 },
        { "rules-6.2", 60000, 59999, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0, 1 },
        { "rules-6.3", 60000, 60001, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0, 0 },
        { "rules-6.4", 60000, 0, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0, 60000 },
        { "rules-6.5", 60000, 40000, 3, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0, 60000 },
        { "rules-6.6", 60000, 59999, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_HALF_UP, 0, 0, 0 },
        { "rules-6.7", 60000, 59995, 1, ASSIST_ROUND_JIAO, ASSIST_ROUND_HALF_UP, 0, 0, 10 },
        { "rules-6.8", 60000, 59999, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_UP, 0, 0, 100 },
        { "rules-6.9", 60000, 59901, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_DOWN, 0, 0, 0 },
        { "rules-6.10", 60000, 59999, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 1000, 0, 1000 },
        { "rules-6.11", 60000, 60000, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 1000, 0, 0 },
        { "rules-6.12", 60000, 58999, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 1000, 0, 1001 },
        { "rules-6.13", INT64_MAX, 0, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, 0,
          INT64_MAX },
        { "rules-6.14", INT64_MAX, 0, 2, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, MZ_ERANGE, 0 },
        { "rules-6.15", INT64_MAX, 0, 1, ASSIST_ROUND_YUAN, ASSIST_ROUND_UP, 0, MZ_ERANGE, 0 },
        { "rules-6.16", -1, 0, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, MZ_EINVAL, 0 },
        { "rules-6.17", 60000, -1, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, MZ_EINVAL, 0 },
        { "rules-6.18", 60000, 0, 0, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, 0, MZ_EINVAL, 0 },
        { "rules-6.19", 60000, 0, 1, ASSIST_ROUND_FEN, ASSIST_ROUND_HALF_UP, -1, MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        struct assist_settings s = defaults();
        int64_t got = -7;
        s.rounding_unit = c[i].unit;
        s.rounding_mode = c[i].mode;
        s.dibao_min_monthly_fen = c[i].min;
        cr_assert_eq(assist_rule_dibao_amount(&s, c[i].standard, c[i].pc, c[i].members, NULL,
                                              &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
}

/* rules-7: 低保 amount, TIERED (分档): the sum of each covered member's tier amount.
 * rules.md §1.6 — DB-57 Art. 23; GG-2020 item 5; tier amounts are local. */
Test(assist_rules, dibao_amount_tiered)
{
    struct assist_settings s = defaults();
    const int tiers[] = { 0, 1, 1 }, bad[] = { 0, 2 }, neg[] = { -1 };
    int64_t got = -7;

    s.dibao_amount_method = ASSIST_AMOUNT_TIERED;
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 1, tiers, &got), MZ_EINVAL, "rules-7.1");
    s.dibao_tier_fen[0] = 30000;
    s.dibao_tier_fen[1] = 20000;
    s.dibao_tier_count = 2;
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 1, tiers, &got), 0, "rules-7.2");
    cr_assert_eq(got, 30000, "rules-7.2");
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 3, tiers, &got), 0, "rules-7.3");
    cr_assert_eq(got, 70000, "rules-7.3");
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 2, bad, &got), MZ_EINVAL, "rules-7.4");
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 1, neg, &got), MZ_EINVAL, "rules-7.5");
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 1, NULL, &got), MZ_EINVAL, "rules-7.6");
    s.dibao_tier_fen[1] = INT64_MAX;
    cr_assert_eq(assist_rule_dibao_amount(&s, 60000, 0, 3, tiers, &got), MZ_ERANGE, "rules-7.7");
    cr_assert_eq(got, 70000, "rules-7.7: out-parameter untouched on failure");
}

/* rules-8: 特困 floor = ratio × 低保标准, rounded up to the fen. rules.md §2.5 — seed 000 ch.3 §2
 * (Sichuan, "不低于…1.3倍"), seed 004 表2 row 3; national UNCONFIRMED. 79301.3 rounds up. */
Test(assist_rules, tekun_floor)
{
    static const struct {
        const char *id;
        int64_t dibao;
        int ratio;
        int rc;
        int64_t want;
    } c[] = {
        { "rules-8.1", 0, 1300, 0, 0 },
        { "rules-8.2", 1, 1300, 0, 2 },
        { "rules-8.3", 60000, 1300, 0, 78000 },
        { "rules-8.4", 61001, 1300, 0, 79302 },
        { "rules-8.5", 61001, 1000, 0, 61001 },
        { "rules-8.6", (INT64_MAX - 999) / 1300, 1300, 0,
          ((INT64_MAX - 999) / 1300 * 1300 + 999) / 1000 },
        { "rules-8.7", (INT64_MAX - 999) / 1300 + 1, 1300, MZ_ERANGE, 0 },
        { "rules-8.8", -1, 1300, MZ_EINVAL, 0 },
        { "rules-8.9", 60000, 999, MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        int64_t got = -7;
        cr_assert_eq(assist_rule_tekun_floor(c[i].dibao, c[i].ratio, &got), c[i].rc, "%s",
                     c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
}

/* rules-9: self-care tier from the items not met: 0 / 1–3 / 4–6. rules.md §2.4 — TK-43
 * Arts. 21–22. */
Test(assist_rules, selfcare_tier)
{
    static const struct {
        const char *id;
        int n, rc;
        enum assist_selfcare want;
    } c[] = {
        { "rules-9.1", 0, 0, ASSIST_SELFCARE_ABLE },
        { "rules-9.2", 1, 0, ASSIST_SELFCARE_PARTIAL },
        { "rules-9.3", 3, 0, ASSIST_SELFCARE_PARTIAL },
        { "rules-9.4", 4, 0, ASSIST_SELFCARE_NONE },
        { "rules-9.5", 6, 0, ASSIST_SELFCARE_NONE },
        { "rules-9.6", -1, MZ_EINVAL, 0 },
        { "rules-9.7", 7, MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        enum assist_selfcare got = (enum assist_selfcare)99;
        cr_assert_eq(assist_rule_selfcare_tier(c[i].n, &got), c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? (enum assist_selfcare)99 : c[i].want, "%s", c[i].id);
    }
}

/* rules-10: 特困 amount = basic standard + care tier; basic below 1.3 × 低保 refused unless
 * overridden. rules.md §2.5 — SA-IM Art. 15, seed 000 ch.3 §2; §2.4 — TK-43 Art. 20. */
Test(assist_rules, tekun_amount)
{
    static const struct {
        const char *id;
        int64_t dibao, basic;
        enum assist_selfcare tier;
        bool override;
        int rc;
        int64_t want;
    } c[] = {
        { "rules-10.1", 0, 0, ASSIST_SELFCARE_ABLE, false, 0, 0 },
        { "rules-10.2", 60000, 78000, ASSIST_SELFCARE_ABLE, false, 0, 78000 },
        { "rules-10.3", 60000, 78000, ASSIST_SELFCARE_PARTIAL, false, 0, 108000 },
        { "rules-10.4", 60000, 78000, ASSIST_SELFCARE_NONE, false, 0, 138000 },
        { "rules-10.5", 60000, 77999, ASSIST_SELFCARE_ABLE, false, MZ_EVALIDATE, 0 },
        { "rules-10.6", 60000, 77999, ASSIST_SELFCARE_ABLE, true, 0, 77999 },
        { "rules-10.7", 61001, 79301, ASSIST_SELFCARE_ABLE, false, MZ_EVALIDATE, 0 },
        { "rules-10.8", 0, INT64_MAX, ASSIST_SELFCARE_ABLE, false, 0, INT64_MAX },
        { "rules-10.9", 0, INT64_MAX, ASSIST_SELFCARE_PARTIAL, false, MZ_ERANGE, 0 },
        { "rules-10.10", INT64_MAX, 0, ASSIST_SELFCARE_ABLE, true, MZ_ERANGE, 0 },
        { "rules-10.11", 60000, -1, ASSIST_SELFCARE_ABLE, true, MZ_EINVAL, 0 },
        { "rules-10.12", -1, 0, ASSIST_SELFCARE_ABLE, true, MZ_EINVAL, 0 },
        { "rules-10.13", 60000, 78000, ASSIST_SELFCARE_COUNT, false, MZ_EINVAL, 0 },
    };
    struct assist_settings s = defaults();
    s.tekun_care_fen[ASSIST_SELFCARE_ABLE] = 0;
    s.tekun_care_fen[ASSIST_SELFCARE_PARTIAL] = 30000;
    s.tekun_care_fen[ASSIST_SELFCARE_NONE] = 60000;
    for (size_t i = 0; i < N(c); i++) {
        int64_t got = -7;
        cr_assert_eq(assist_rule_tekun_amount(&s, c[i].dibao, c[i].basic, c[i].tier,
                                              c[i].override, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
}

/* rules-11: 临时救助 tier ceiling: multiple of the urban monthly 低保 (rounded down) or fixed.
 * rules.md §3.4 — SA-IM Art. 49; LS-23 二(三); no national multiple (tiers are test data). */
Test(assist_rules, lshi_tier_max)
{
    static const struct {
        const char *id;
        int64_t dibao;
        int tier, rc;
        int64_t want;
    } c[] = {
        { "rules-11.1", 0, 0, 0, 0 },
        { "rules-11.2", 61001, 0, 0, 61001 },
        { "rules-11.3", 61001, 1, 0, 183003 },
        { "rules-11.4", 61001, 2, 0, 500000 },
        { "rules-11.5", 3, 3, 0, 4 },     /* 4.5 fen rounds down */
        { "rules-11.6", INT64_MAX, 1, MZ_ERANGE, 0 },
        { "rules-11.7", INT64_MAX, 2, 0, 500000 },
        { "rules-11.8", 61001, 4, MZ_EINVAL, 0 },
        { "rules-11.9", 61001, -1, MZ_EINVAL, 0 },
        { "rules-11.10", -1, 0, MZ_EINVAL, 0 },
    };
    struct assist_settings s = defaults();
    int64_t got = -7;
    cr_assert_eq(assist_rule_lshi_tier_max(&s, 60000, 0, &got), MZ_EINVAL, "rules-11.0: unset");
    s.lshi_tiers[0] = (struct assist_lshi_tier){ .max_permille = 1000 };
    s.lshi_tiers[1] = (struct assist_lshi_tier){ .max_permille = 3000 };
    s.lshi_tiers[2] = (struct assist_lshi_tier){ .max_fen = 500000 };
    s.lshi_tiers[3] = (struct assist_lshi_tier){ .max_permille = 1500 };
    s.lshi_tier_count = 4;
    for (size_t i = 0; i < N(c); i++) {
        got = -7;
        cr_assert_eq(assist_rule_lshi_tier_max(&s, c[i].dibao, c[i].tier, &got), c[i].rc, "%s",
                     c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
    s.lshi_tiers[0] = (struct assist_lshi_tier){ 0 };
    cr_assert_eq(assist_rule_lshi_tier_max(&s, 60000, 0, &got), MZ_EINVAL, "rules-11.11: empty");
}

/* rules-12: township may approve 临时救助 up to its ceiling (the lower of n × urban monthly 低保
 * and a fixed sum); none set → county. rules.md §3.3–3.4 — SA-IM Art. 48; LS-23 二(二);
 * examples 沈丘县 3 ×, 晋江市 5000元. */
Test(assist_rules, lshi_township)
{
    static const struct {
        const char *id;
        int32_t permille;
        int64_t fixed, dibao, amount;
        int rc;
        bool want;
    } c[] = {
        { "rules-12.1", 0, 0, 60000, 0, 0, false },        /* unset: county approves */
        { "rules-12.2", 3000, 0, 60000, 0, 0, true },
        { "rules-12.3", 3000, 0, 60000, 180000, 0, true },  /* = 3 × */
        { "rules-12.4", 3000, 0, 60000, 180001, 0, false },
        { "rules-12.5", 3000, 0, 60001, 180003, 0, true },  /* exact, no rounding */
        { "rules-12.6", 3000, 0, 60001, 180004, 0, false },
        { "rules-12.7", 0, 500000, 0, 500000, 0, true },    /* 5000元 */
        { "rules-12.8", 0, 500000, 0, 500001, 0, false },
        { "rules-12.9", 3000, 500000, 200000, 500000, 0, true },  /* lower of 600000, 500000 */
        { "rules-12.10", 3000, 500000, 200000, 500001, 0, false },
        { "rules-12.11", 3000, 500000, 100000, 300001, 0, false }, /* lower is 300000 */
        { "rules-12.12", 3000, 0, 60000, INT64_MAX, MZ_ERANGE, false },
        { "rules-12.13", 3000, 0, INT64_MAX, 0, MZ_ERANGE, false },
        { "rules-12.14", 3000, 0, 60000, -1, MZ_EINVAL, false },
        { "rules-12.15", -1, 0, 60000, 0, MZ_EINVAL, false },
    };
    for (size_t i = 0; i < N(c); i++) {
        struct assist_settings s = defaults();
        bool got = true;
        s.lshi_township_ceiling_permille = c[i].permille;
        s.lshi_township_ceiling_fen = c[i].fixed;
        cr_assert_eq(assist_rule_lshi_township_may_approve(&s, c[i].dibao, c[i].amount, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? true : c[i].want, "%s", c[i].id);
    }
}

/* rules-13: 低保边缘: not 低保, per-capita income strictly below 1.5 × standard, assets within
 * the local 边缘 cap. rules.md §4.2 — GB-39 二; DD-2022 一(四); DB-57 Art. 8. */
Test(assist_rules, dibao_edge)
{
    static const struct {
        const char *id;
        int64_t standard, pc;
        int dibao_months, edge_months, multiple;
        int64_t assets;
        int rc;
        enum assist_verdict want;
    } c[] = {
        { "rules-13.1", 60000, 0, 0, 0, 1500, 0, 0, ASSIST_IN_DIBAO },
        { "rules-13.2", 60000, 59999, 0, 0, 1500, 0, 0, ASSIST_IN_DIBAO },
        { "rules-13.3", 60000, 60000, 0, 0, 1500, 0, 0, ASSIST_QUALIFIES },
        { "rules-13.4", 60000, 89999, 0, 0, 1500, 0, 0, ASSIST_QUALIFIES },
        { "rules-13.5", 60000, 90000, 0, 0, 1500, 0, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-13.6", 60001, 90001, 0, 0, 1500, 0, 0, ASSIST_QUALIFIES }, /* < 90001.5 */
        { "rules-13.7", 60001, 90002, 0, 0, 1500, 0, 0, ASSIST_INCOME_TOO_HIGH },
        /* too rich in assets for 低保, no 边缘 cap set → 边缘 */
        { "rules-13.8", 60000, 0, 12, 0, 1500, 720001, 0, ASSIST_QUALIFIES },
        { "rules-13.9", 60000, 0, 12, 36, 1500, 2160000, 0, ASSIST_QUALIFIES },
        { "rules-13.10", 60000, 0, 12, 36, 1500, 2160001, 0, ASSIST_ASSETS_TOO_HIGH },
        { "rules-13.11", 60000, 0, 0, 0, 2000, 0, 0, ASSIST_IN_DIBAO },
        { "rules-13.12", 60000, 119999, 0, 0, 2000, 0, 0, ASSIST_QUALIFIES },
        { "rules-13.13", 0, 0, 0, 0, 1500, 0, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-13.14", INT64_MAX / 1000, 0, 0, 0, 1500, 0, MZ_ERANGE, 0 },
        { "rules-13.15", 60000, INT64_MAX, 0, 0, 1500, 0, MZ_ERANGE, 0 },
        { "rules-13.16", 60000, 0, 0, 0, 999, 0, MZ_EINVAL, 0 },
        { "rules-13.17", 60000, -1, 0, 0, 1500, 0, MZ_EINVAL, 0 },
        { "rules-13.18", 60000, 0, 0, -1, 1500, 0, MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < N(c); i++) {
        struct assist_settings s = defaults();
        enum assist_verdict got = (enum assist_verdict)99;
        s.dibao_assets_limit_months = c[i].dibao_months;
        s.edge_assets_limit_months = c[i].edge_months;
        s.dibao_edge_multiple_permille = c[i].multiple;
        cr_assert_eq(assist_rule_dibao_edge(&s, c[i].standard, c[i].pc, 1, c[i].assets, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? (enum assist_verdict)99 : c[i].want, "%s", c[i].id);
    }
}

/* rules-14: 刚性支出困难: not in another programme, income below last year's per-capita
 * disposable income, property ok, rigid-spending share strictly above the local threshold.
 * rules.md §4.3 — GX Art. 4. The threshold 500‰ is test data (no national figure). */
Test(assist_rules, gangxing)
{
    static const struct {
        const char *id;
        bool other;
        int64_t pc, disposable;
        bool property;
        int64_t income, rigid;
        int rc;
        enum assist_verdict want;
    } c[] = {
        { "rules-14.1", false, 0, 3000000, true, 0, 0, 0, ASSIST_SHARE_TOO_LOW },
        { "rules-14.2", false, 0, 3000000, true, 0, 1, 0, ASSIST_QUALIFIES },
        { "rules-14.3", false, 249999, 3000000, true, 1000000, 500001, 0, ASSIST_QUALIFIES },
        { "rules-14.4", false, 249999, 3000000, true, 1000000, 500000, 0, ASSIST_SHARE_TOO_LOW },
        { "rules-14.5", false, 250000, 3000000, true, 1000000, 900000, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-14.6", true, 0, 3000000, true, 1000000, 900000, 0, ASSIST_OTHER_PROGRAM },
        { "rules-14.7", false, 0, 3000000, false, 1000000, 900000, 0, ASSIST_PROPERTY_FAILS },
        { "rules-14.8", false, 0, 0, true, 0, 1, 0, ASSIST_INCOME_TOO_HIGH },
        { "rules-14.9", false, 0, 3000000, true, 0, INT64_MAX, MZ_ERANGE, 0 },
        { "rules-14.10", false, INT64_MAX, 3000000, true, 0, 0, MZ_ERANGE, 0 },
        { "rules-14.11", false, -1, 3000000, true, 0, 0, MZ_EINVAL, 0 },
        { "rules-14.12", false, 0, 3000000, true, -1, 0, MZ_EINVAL, 0 },
        { "rules-14.13", false, 0, 3000000, true, 0, -1, MZ_EINVAL, 0 },
    };
    struct assist_settings s = defaults();
    enum assist_verdict got = (enum assist_verdict)99;
    cr_assert_eq(assist_rule_gangxing(&s, false, 0, 3000000, true, 0, 1, &got), MZ_EINVAL,
                 "rules-14.0: threshold unset by default");
    s.gangxing_share_threshold_permille = 500;
    for (size_t i = 0; i < N(c); i++) {
        got = (enum assist_verdict)99;
        cr_assert_eq(assist_rule_gangxing(&s, c[i].other, c[i].pc, c[i].disposable, c[i].property,
                                          c[i].income, c[i].rigid, &got),
                     c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? (enum assist_verdict)99 : c[i].want, "%s", c[i].id);
    }
}

/* rules-15: first and last paid month, whole months. rules.md §8 — DB-57 Art. 21 (低保 from the
 * month after the decision), TK-43 Arts. 17 and 26 (特困 from / stops from the next month),
 * 两项补贴 from the month of application (南安 guide, secondary); 低保 stop: proposal. */
Test(assist_rules, paid_months)
{
    static const struct {
        const char *id;
        bool last;
        enum assist_program p;
        int32_t month;
        int rc;
        int32_t want;
    } c[] = {
        { "rules-15.1", false, ASSIST_PROG_DIBAO, 202606, 0, 202607 },
        { "rules-15.2", false, ASSIST_PROG_DIBAO, 202612, 0, 202701 },
        { "rules-15.3", false, ASSIST_PROG_TEKUN, 202601, 0, 202602 },
        { "rules-15.4", false, ASSIST_PROG_LIANGBU, 202606, 0, 202606 },
        { "rules-15.5", true, ASSIST_PROG_DIBAO, 202606, 0, 202606 },
        { "rules-15.6", true, ASSIST_PROG_TEKUN, 202601, 0, 202601 },
        { "rules-15.7", false, ASSIST_PROG_DIBAO, 999912, MZ_EINVAL, 0 },
        { "rules-15.8", false, ASSIST_PROG_DIBAO, 202613, MZ_EINVAL, 0 },
        { "rules-15.9", false, ASSIST_PROG_DIBAO, 202600, MZ_EINVAL, 0 },
        { "rules-15.10", true, ASSIST_PROG_DIBAO, 0, MZ_EINVAL, 0 },
        { "rules-15.11", false, ASSIST_PROG_COUNT, 202606, MZ_EINVAL, 0 },
        { "rules-15.12", true, (enum assist_program)-1, 202606, MZ_EINVAL, 0 },
    };
    struct assist_settings s = defaults();
    for (size_t i = 0; i < N(c); i++) {
        int32_t got = -7;
        int rc = c[i].last ? assist_rule_last_month(&s, c[i].p, c[i].month, &got)
                           : assist_rule_first_month(&s, c[i].p, c[i].month, &got);
        cr_assert_eq(rc, c[i].rc, "%s", c[i].id);
        cr_assert_eq(got, c[i].rc ? -7 : c[i].want, "%s", c[i].id);
    }
    /* rules-15.13: a region that stops 低保 in the decision month (offset 0) pays up to the
     * month before */
    int32_t got;
    s.stop_offset_months[ASSIST_PROG_DIBAO] = 0;
    cr_assert_eq(assist_rule_last_month(&s, ASSIST_PROG_DIBAO, 202601, &got), 0, "rules-15.13");
    cr_assert_eq(got, 202512, "rules-15.13");
    s.start_offset_months[ASSIST_PROG_DIBAO] = -1;
    cr_assert_eq(assist_rule_first_month(&s, ASSIST_PROG_DIBAO, 202601, &got), MZ_EINVAL,
                 "rules-15.14");
}
