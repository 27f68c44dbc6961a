/*
 * tests/unit/assist/test_payroll.c — the pure payroll computation, assist/payroll.c: the lines
 * of one case in one month from its decided amounts and the standards in force, without a
 * database. Each test names the § of shared/domain/rules.md and the source it checks.
 */
#include <criterion/criterion.h>

#include "payroll.h"

#define M 202607

static struct assist_settings settings;
static struct payroll_standards std;

/* Standards in force every month: urban 低保 800 元, rural 600 元, 特困 basic 1040 / 780 元,
 * care 100 / 300 / 600 元; from 2026-07 the urban 低保 is 850 元. */
static void setup(void)
{
    assist_settings_default(&settings);
    std.from = payroll_month_add(M, -PAYROLL_ARREARS_MAX);
    std.count = PAYROLL_CASE_LINES_MAX;
    static const int64_t fen[PAYROLL_STD_COUNT] = { 80000, 60000, 104000, 78000, 10000, 30000,
                                                    60000 };
    for (int i = 0; i < std.count; i++)
        for (int k = 0; k < PAYROLL_STD_COUNT; k++)
            std.fen[i][k] = fen[k];
    std.fen[std.count - 1][PAYROLL_STD_DIBAO_URBAN] = 85000;
}

TestSuite(payroll, .init = setup);

static struct payroll_case gap_case(void)
{
    return (struct payroll_case){
        .id = 1, .programme = PAYROLL_DIBAO, .state = PAYROLL_ACTIVE, .method = PAYROLL_GAP,
        .urban = true, .region = "510824100000", .person_id = 7, .per_capita_income_fen = 30000,
        .covered_members = 3, .fixed_amount_fen = -1, .start_month = 202601,
        .bank_account_id = 9, .first_paid_payroll = 5, .payee_alive = true,
    };
}

static enum payroll_skip lines_of(const struct payroll_case *c, struct payroll_line *out,
                                  size_t *n)
{
    return payroll_case_lines(&settings, &std, c, M, out, n);
}

Test(payroll, gap_uses_standard_of_month)
{
    /* §8 standard in force on the 1st of the payment month; §1.6 gap, DB-57 Art. 23 */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(n, 1);
    cr_assert_eq(l[0].kind, PAYROLL_REGULAR);
    cr_assert_eq(l[0].for_month, M);
    cr_assert_eq(l[0].amount_fen, (85000 - 30000) * 3);
    c.urban = false;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(l[0].amount_fen, (60000 - 30000) * 3, "rural side: dibao_rural");
}

Test(payroll, fixed_and_tekun)
{
    /* §1.6 fixed decided amount; §2.4 特困 basic + care tier, TK-43 Arts. 19–20 */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.method = PAYROLL_FIXED;
    c.fixed_amount_fen = 12345;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(l[0].amount_fen, 12345);
    c.programme = PAYROLL_TEKUN;
    c.method = PAYROLL_TEKUN_STD;
    c.care_tier = 2;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(l[0].amount_fen, 104000 + 30000);
    c.urban = false;
    c.care_tier = 3;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(l[0].amount_fen, 78000 + 60000);
    c.care_tier = 0;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_INVALID, "care tier missing");
}

Test(payroll, zero_amount_and_missing_standard)
{
    /* §1.6 gap: income at or above the standard pays nothing, DB-57 Art. 23 */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.per_capita_income_fen = 90000;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_NO_AMOUNT);
    cr_assert_eq(n, 0);
    /* §8: a month with no standard in force cannot be computed */
    c = gap_case();
    std.fen[std.count - 1][PAYROLL_STD_DIBAO_URBAN] = -1;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_NO_STANDARD);
}

Test(payroll, first_month_arrears)
{
    /* §8 first month, DB-57 Art. 21, TK-43 Art. 17: a case never paid gets every month from
     * its first month, the earlier ones as arrears at the standard of their own month */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.first_paid_payroll = 0;
    c.start_month = 202604;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(n, 4);
    cr_assert_eq(l[0].kind, PAYROLL_ARREARS);
    cr_assert_eq(l[0].for_month, 202604);
    cr_assert_eq(l[0].amount_fen, (80000 - 30000) * 3, "old standard for an old month");
    cr_assert_eq(l[2].for_month, 202606);
    cr_assert_eq(l[3].kind, PAYROLL_REGULAR);
    cr_assert_eq(l[3].amount_fen, (85000 - 30000) * 3);
    /* a year boundary */
    c.start_month = 202511;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(n, 9);
    cr_assert_eq(l[1].for_month, 202512);
    cr_assert_eq(l[2].for_month, 202601);
    /* arrears further back than PAYROLL_ARREARS_MAX months go to review */
    c.start_month = payroll_month_add(M, -PAYROLL_ARREARS_MAX - 1);
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_INVALID);
}

Test(payroll, months_and_state)
{
    /* §8 last month, TK-43 Art. 26: not paid from stop_month; 渐退 until taper_until */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.stop_month = M;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_NOT_DUE);
    c.stop_month = payroll_month_add(M, 1);
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    c.state = PAYROLL_TAPERING;
    c.taper_until = payroll_month_add(M, -1);
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_NOT_DUE);
    c.taper_until = M;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    c.start_month = payroll_month_add(M, 1);
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_NOT_DUE);
    /* §1.7 suspension: counted as skipped */
    c = gap_case();
    c.state = PAYROLL_SUSPENDED;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_SUSPENDED);
    cr_assert_eq(n, 0);
}

Test(payroll, no_bank_account)
{
    /* §8 社会化发放 into the family's account, SA-IM Art. 12; DB-57 Art. 25 */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.bank_account_id = 0;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_NO_BANK);
}

Test(payroll, deceased_payee)
{
    /* §1.7, §8 after a death: nobody recorded dead before the month is paid */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.payee_alive = false;
    c.payee_death_day = 20260615;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_DECEASED);
    c.payee_death_day = 20260701;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID, "died on the 1st: the month is paid");
    c.payee_death_day = 0;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_SKIP_DECEASED, "dead without a date");
    /* arrears stop at the death */
    c = gap_case();
    c.first_paid_payroll = 0;
    c.start_month = 202604;
    c.payee_alive = false;
    c.payee_death_day = 20260720;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(n, 4);
}

Test(payroll, once_lshi)
{
    /* §3.4 临时救助 paid once, LS-23 二(三) */
    struct payroll_case c = gap_case();
    struct payroll_line l[PAYROLL_CASE_LINES_MAX];
    size_t n;
    c.programme = PAYROLL_LSHI_URGENT;
    c.state = PAYROLL_GRANTED;
    c.method = PAYROLL_ONCE_METHOD;
    c.fixed_amount_fen = 200000;
    c.start_month = 202606;
    c.first_paid_payroll = 0;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_PAID);
    cr_assert_eq(n, 1);
    cr_assert_eq(l[0].kind, PAYROLL_ONCE);
    cr_assert_eq(l[0].for_month, 202606);
    cr_assert_eq(l[0].amount_fen, 200000);
    c.first_paid_payroll = 5;
    cr_assert_eq(lines_of(&c, l, &n), PAYROLL_NOT_DUE, "never twice");
}

Test(payroll, names_and_months)
{
    cr_assert_str_eq(payroll_kind_name(PAYROLL_REISSUE), "reissue");
    cr_assert_str_eq(payroll_skip_name(PAYROLL_SKIP_NO_BANK), "no_bank_account");
    cr_assert_str_eq(payroll_std_kind(PAYROLL_STD_CARE_3), "tekun_care_3");
    cr_assert_eq(payroll_programme_parse("tekun"), PAYROLL_TEKUN);
    cr_assert_eq(payroll_programme_parse("edge"), PAYROLL_PROGRAMME_COUNT);
    cr_assert_eq(payroll_method_parse(NULL), PAYROLL_NO_METHOD);
    cr_assert_eq(payroll_month_add(202601, -1), 202512);
    cr_assert_eq(payroll_month_add(202612, 1), 202701);
    cr_assert_eq(payroll_month_add(202607, -120), 201607);
}
