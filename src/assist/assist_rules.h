/*
 * assist/assist_rules.h — the pure money and threshold rules of 社会救助 (social assistance):
 * 家庭收入 (household income), 最低生活保障 (低保, dibao), 特困人员救助供养 (tekun),
 * 临时救助 (lshi), 低保边缘家庭 (dibao edge) and 刚性支出困难家庭 (gangxing).
 *
 * Every function is pure: no I/O, no clock, no globals. Money is int64_t fen (分); ratios are
 * permille (1.3 → 1300); months are yyyymm integers (202607). Numbers a region may change come
 * in through struct assist_settings; assist_settings_default() fills the defaults of the table
 * "Numbers that are configurable" in shared/domain/rules.md, and each member's comment names
 * its source. Each function's comment cites the § of rules.md and the original text it
 * implements (keys of rules.md §0.1: SA-IM, DB-57, TK-43, GG-2020, DD-2022, GB-39, GX, LS-23).
 *
 * Errors: 0 on success; MZ_EINVAL for a negative or meaningless input or a setting that rules.md
 * leaves unset and the caller did not set; MZ_ERANGE when a result would overflow int64_t;
 * MZ_EVALIDATE when a configured 特困 standard is below its floor (§2.5). Out-parameters are
 * written only on success. Requirements: issue #10; tests: tests/unit/assist/test_rules.c.
 */
#ifndef MZ_ASSIST_RULES_H
#define MZ_ASSIST_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Income item types (家庭收入, DB-57 Art. 13; rules.md §1.3). Bit i of
 * assist_settings.income_excluded_types excludes type i. */
enum assist_income_type {
    ASSIST_INC_WAGE = 0,          /* 工资性收入 (gross; employment costs go in as a deduction) */
    ASSIST_INC_BUSINESS,          /* 经营净收入 */
    ASSIST_INC_PROPERTY,          /* 财产净收入 */
    ASSIST_INC_TRANSFER,          /* 转移性收入 (gross) */
    ASSIST_INC_OTHER,             /* 其他收入 */
    ASSIST_INC_YOUFU,             /* 优待抚恤金 — not counted, DB-57 Art. 13 (1) */
    ASSIST_INC_FAMILY_PLANNING,   /* 计划生育奖励与扶助金 — not counted, Art. 13 (1) */
    ASSIST_INC_SCHOLARSHIP,       /* 奖学金 — not counted, Art. 13 (1) */
    ASSIST_INC_REWARD,            /* 见义勇为等奖励性补助 — not counted, Art. 13 (1) */
    ASSIST_INC_ASSISTANCE,        /* 政府发放的各类社会救助款物 — not counted, Art. 13 (2) */
    ASSIST_INC_PENSION_BASE,      /* 城乡居民基本养老保险基础养老金 — Art. 13 (3), 十四五 only */
    ASSIST_INC_LOCAL_EXCLUDED,    /* 设区的市级以上政府规定的其他不计入收入 — Art. 13 (4) */
    /* deductions: subtracted, never below zero in total (see assist_rule_income_per_capita) */
    ASSIST_DED_TRANSFER_EXPENSE,  /* 转移性支出: taxes, social insurance, 赡养支出 — Art. 13 */
    ASSIST_DED_EMPLOYMENT_COST,   /* 必要的就业成本 — Art. 13; GG-2020 item 11 */
    ASSIST_DED_RIGID_MEDICAL,     /* 因残疾、患重病等增加的刚性支出 — Art. 13 */
    ASSIST_INC_TYPE_COUNT
};

/* One income (or deduction) item: amount_fen per month, received in `months` months of the
 * look-back period (a lump sum: the sum with months = 1). */
struct assist_income_item {
    enum assist_income_type type;
    int64_t amount_fen;
    int months;
};

enum assist_round_unit { ASSIST_ROUND_FEN = 1, ASSIST_ROUND_JIAO = 10, ASSIST_ROUND_YUAN = 100 };
enum assist_round_mode { ASSIST_ROUND_HALF_UP, ASSIST_ROUND_UP, ASSIST_ROUND_DOWN };
enum assist_amount_method { ASSIST_AMOUNT_GAP, ASSIST_AMOUNT_TIERED };
/* The legal basis rules are evaluated under (rules.md §0.4): 《社会救助暂行办法》 or the Social
 * Assistance Law once it is in force. */
enum assist_legal_regime { ASSIST_REGIME_INTERIM_2014, ASSIST_REGIME_SA_LAW };

/* 生活自理能力 (TK-43 Art. 22): the 照料护理 tier of a 特困 person. */
enum assist_selfcare {
    ASSIST_SELFCARE_ABLE = 0,     /* 具备生活自理能力: all six items met */
    ASSIST_SELFCARE_PARTIAL,      /* 部分丧失: 1–3 items not met */
    ASSIST_SELFCARE_NONE,         /* 完全丧失: 4–6 items not met */
    ASSIST_SELFCARE_COUNT
};

/* Outcome of an eligibility test. */
enum assist_verdict {
    ASSIST_QUALIFIES = 0,
    ASSIST_INCOME_TOO_HIGH,
    ASSIST_ASSETS_TOO_HIGH,
    ASSIST_IN_DIBAO,              /* 边缘/刚性支出: the household qualifies for 低保 instead */
    ASSIST_OTHER_PROGRAM,         /* 刚性支出: already 低保, 特困 or 低保边缘 (GX Art. 4 (1)) */
    ASSIST_SHARE_TOO_LOW,         /* 刚性支出: spending share not above the threshold */
    ASSIST_PROPERTY_FAILS,        /* 刚性支出: the caller's property test failed */
};

/* Programmes whose first and last paid month rules.md §8 states. */
enum assist_program {
    ASSIST_PROG_DIBAO,
    ASSIST_PROG_TEKUN,
    ASSIST_PROG_LIANGBU,          /* 两项补贴 */
    ASSIST_PROG_LSHI,             /* 临时救助 */
    ASSIST_PROG_EDGE,             /* 低保边缘家庭 recognition */
    ASSIST_PROG_GANGXING,         /* 刚性支出困难家庭 recognition */
    ASSIST_PROG_COUNT
};

#define ASSIST_DIBAO_TIERS_MAX 8
#define ASSIST_LSHI_TIERS_MAX 8
#define ASSIST_MAX_MEMBERS 50     /* = HOUSEHOLD_MAX_MEMBERS of registry */
#define ASSIST_MAX_MONTHS 120     /* look-back period and item months: at most ten years */
#define ASSIST_AMOUNT_MAX 100000000000LL /* largest amount an input may carry: 10亿元 in fen */

/* A 临时救助 tier ceiling: a multiple of the urban monthly 低保标准, or a fixed amount (one set). */
struct assist_lshi_tier {
    int32_t max_permille;         /* of the urban monthly 低保标准; 0 = use max_fen */
    int64_t max_fen;
};

struct assist_settings {
    /* legal regime: INTERIM_2014 (SA-IM). Proposal, rules.md §0.4 `legal_regime`; the law's
     * adoption and effective date are UNCONFIRMED (§0.2). */
    enum assist_legal_regime legal_regime;
    /* effective day of the Social Assistance Law, yyyymmdd: 0 = unset. rules.md §0.4
     * `sa_law_effective_date`; UNCONFIRMED (§0.2). */
    int32_t sa_law_effective_date;
    /* rounding of final monthly amounts and of yearly→monthly standards: fen / half-up.
     * Source: proposal — the texts are silent (rules.md §1.6, §8, closing table). */
    enum assist_round_unit rounding_unit;
    enum assist_round_mode rounding_mode;
    /* lowest monthly 低保 payment: 0. Proposal — texts silent (rules.md §1.6). */
    int64_t dibao_min_monthly_fen;
    /* GAP (差额) or TIERED (分档): GAP. DB-57 Art. 23; GG-2020 item 5 (rules.md §1.6). */
    enum assist_amount_method dibao_amount_method;
    /* 分档 amounts per member and month: none (count 0). Local, DB-57 Art. 23 (rules.md §1.6). */
    int64_t dibao_tier_fen[ASSIST_DIBAO_TIERS_MAX];
    int dibao_tier_count;
    /* look-back period (在规定期限内) in months: 0 = unset, must be set. DB-57 Art. 13 gives no
     * figure; UNCONFIRMED (rules.md §1.3, `income_period_months`). */
    int income_period_months;
    /* bit per enum assist_income_type that is not counted: YOUFU, FAMILY_PLANNING, SCHOLARSHIP,
     * REWARD, ASSISTANCE, LOCAL_EXCLUDED. DB-57 Art. 13 (1), (2), (4) (rules.md §1.3). */
    uint32_t income_excluded_types;
    /* last month (yyyymm, inclusive) in which the 基础养老金 is not counted: 202512 ("十四五期间",
     * DB-57 Art. 13 (3); rules.md §1.3 `exclude_basic_pension_base`); region must confirm after. */
    int32_t pension_base_excluded_through;
    /* per-capita financial assets limit, in months of the monthly 低保标准: 0 = unset, no numeric
     * property test. Thresholds are local: DB-57 Art. 14; SA-IM Art. 10 (rules.md §1.3). */
    int dibao_assets_limit_months;
    /* 低保边缘: per-capita income strictly below this × 低保标准: 1500. DB-57 Art. 8; DD-2022
     * 一(四); GB-39 二 (rules.md §4.2, `dibao_edge_multiple`). */
    int32_t dibao_edge_multiple_permille;
    /* 低保边缘 property limit as dibao_assets_limit_months: 0 = unset. DD-2022 一(四) (§4.2). */
    int edge_assets_limit_months;
    /* 特困 basic standard ≥ this × 低保标准: 1300. Local — seed 000 ch.3 §2, seed 004 表2;
     * national UNCONFIRMED (rules.md §2.5, `tekun_basic_min_ratio`). */
    int32_t tekun_basic_min_ratio_permille;
    /* 照料护理 amount per month for each self-care tier: 0 (unset). Local "分档", TK-43 Art. 20;
     * TK-14 not read (rules.md §2.4). */
    int64_t tekun_care_fen[ASSIST_SELFCARE_COUNT];
    /* 临时救助 tiers: none (count 0); must be set. LS-23 二(三) (rules.md §3.4, `lshi_tiers[]`). */
    struct assist_lshi_tier lshi_tiers[ASSIST_LSHI_TIERS_MAX];
    int lshi_tier_count;
    /* township approval ceiling: unset (both 0 → townships approve nothing alone). SA-IM Art. 48;
     * LS-23 二(二); examples 3 × urban monthly 低保 or 5000元 (rules.md §3.4). The lower of the two
     * applies when both are set. */
    int32_t lshi_township_ceiling_permille;
    int64_t lshi_township_ceiling_fen;
    /* rigid spending share of family income, strictly above: 0 = unset, must be set. GX Art. 4
     * (rules.md §4.3, `gangxing_share_threshold`). */
    int32_t gangxing_share_threshold_permille;
    /* months of rigid spending counted before application: 12. GX Art. 4 (rules.md §4.3). */
    int gangxing_lookback_months;
    /* first paid month = decision (application for 两项补贴) month + offset: 低保 1, 特困 1,
     * 两项补贴 0. DB-57 Art. 21; TK-43 Art. 17; 南安 guide, secondary (rules.md §8, §7). */
    int start_offset_months[ASSIST_PROG_COUNT];
    /* payment stops from stop-decision month + offset: 低保 1 (proposal, UNCONFIRMED), 特困 1
     * (TK-43 Art. 26), 两项补贴 1 (proposal) (rules.md §8). */
    int stop_offset_months[ASSIST_PROG_COUNT];

    /* ---- procedure: deadlines in working days (工作日) unless said; rules.md §1.5, §2.3 ---- */
    /* start of investigation after acceptance: 3. DB-57 Art. 15. */
    int start_investigation_wd;
    /* county starts the 核对 after the township's request: 3. DB-57 Art. 17. */
    int hedui_start_wd;
    /* investigators per home visit, at least: 2. DB-57 Art. 16. */
    int min_investigators;
    /* 公示 period in calendar days: 7. DB-57 Art. 19; TK-43 Arts. 15, 26. */
    int publicity_days;
    /* township 初审意见 after acceptance: 0 = unset. DD-2022 四(一) asks localities to fix one;
     * UNCONFIRMED (rules.md §1.5 step 7). */
    int township_opinion_wd;
    /* county review of a 低保 file: 10. DB-57 Art. 20. */
    int county_review_wd;
    /* written refusal notice after the decision: 3. DB-57 Art. 21; TK-43 Art. 18. */
    int refusal_notice_wd;
    /* 低保 from acceptance to decision: 30; 20 when delegated to the township (DD-2022 四(一));
     * 45 in special cases (DB-57 Art. 22). */
    int dibao_total_wd;
    int dibao_total_delegated_wd;
    int dibao_total_extended_wd;
    /* 特困 township investigation and 初审意见: 15 (TK-43 Art. 13); county 确认: 15 (Art. 16);
     * new opinion after an objection: 15 (Arts. 15, 26). */
    int tekun_township_wd;
    int tekun_county_wd;
    int objection_wd;
    /* 复核 every 12 months for stable households, 6 for unstable ones: DB-57 Art. 31;
     * GG-2020 item 7 (rules.md §1.7). */
    int review_months_stable;
    int review_months_unstable;
    /* 渐退期 at most 6 months: DD-2022 一(三); DB-57 Art. 33. */
    int jiantui_max_months;
    /* review within 3 months of a member's death: DD-2022 一(三). */
    int death_review_months;
    /* the county delegated confirmation to its townships, per programme: no. DB-57 Art. 2;
     * TK-43 Art. 28; GX Art. 3; LS-23 二(二) (rules.md §0.4 `township_confirm_power`). */
    bool township_confirm[ASSIST_PROG_COUNT];
    /* residence-permit holders may apply where they live: no. DB-57 Art. 5; GG-2020 item 4. */
    bool apply_at_residence_permit;
    /* 急难型 先行救助 is allowed (MAY, the default) or required (SHALL, reserved for the law):
     * GG-2020 item 15; GB-39 四(三) (rules.md §0.4 `lshi_prior_aid_mode`). */
    bool lshi_prior_aid_shall;
};

/* Fills *s with the defaults above. */
void assist_settings_default(struct assist_settings *s);

int assist_round(int64_t num_fen, int64_t den, enum assist_round_unit unit,
                 enum assist_round_mode mode, int64_t *out_fen);
int assist_rule_monthly_from_yearly(const struct assist_settings *s, int64_t yearly_fen,
                                    int64_t *monthly_fen);
int assist_rule_income_per_capita(const struct assist_settings *s,
                                  const struct assist_income_item *items, size_t n, int members,
                                  int32_t assess_yyyymm, int64_t *per_capita_fen);
int assist_rule_dibao_eligible(const struct assist_settings *s, int64_t standard_fen,
                               int64_t per_capita_fen, int members, int64_t assets_fen,
                               enum assist_verdict *out);
int assist_rule_dibao_amount(const struct assist_settings *s, int64_t standard_fen,
                             int64_t per_capita_fen, int covered_members, const int *member_tier,
                             int64_t *amount_fen);
int assist_rule_tekun_floor(int64_t dibao_fen, int ratio_permille, int64_t *floor_fen);
int assist_rule_selfcare_tier(int items_not_met, enum assist_selfcare *out);
int assist_rule_tekun_amount(const struct assist_settings *s, int64_t dibao_fen,
                             int64_t basic_fen, enum assist_selfcare tier, bool override_floor,
                             int64_t *amount_fen);
int assist_rule_lshi_tier_max(const struct assist_settings *s, int64_t dibao_urban_fen, int tier,
                              int64_t *max_fen);
int assist_rule_lshi_township_may_approve(const struct assist_settings *s,
                                          int64_t dibao_urban_fen, int64_t amount_fen,
                                          bool *may);
int assist_rule_dibao_edge(const struct assist_settings *s, int64_t standard_fen,
                           int64_t per_capita_fen, int members, int64_t assets_fen,
                           enum assist_verdict *out);
int assist_rule_gangxing(const struct assist_settings *s, bool in_other_program,
                         int64_t per_capita_fen, int64_t disposable_yearly_fen, bool property_ok,
                         int64_t income_12m_fen, int64_t rigid_12m_fen, enum assist_verdict *out);
int assist_rule_first_month(const struct assist_settings *s, enum assist_program p,
                            int32_t decision_yyyymm, int32_t *first_yyyymm);
int assist_rule_last_month(const struct assist_settings *s, enum assist_program p,
                           int32_t stop_decision_yyyymm, int32_t *last_yyyymm);

#endif
