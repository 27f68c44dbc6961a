/*
 * assist/payroll.c — the pure computation of the monthly payroll (payroll.h): which months of a
 * case are paid in a batch and how much, from the case's decided amounts and the standards in
 * force. No I/O, no clock.
 */
#include <string.h>

#include "errors.h"
#include "payroll.h"

static const char *const PROGRAMMES[] = { "dibao", "tekun", "lshi_urgent", "lshi_expense" };
static const char *const STATES[] = { "active", "tapering", "suspended", "granted" };
static const char *const METHODS[] = { "gap", "fixed", "tekun", "once" };
static const char *const KINDS[] = { "regular", "arrears", "reissue", "once", "adjust" };
static const char *const SKIPS[] = { "paid", "not_due", "suspended", "no_bank_account",
                                     "deceased", "no_amount", "no_standard", "invalid" };
static const char *const STDS[] = { "dibao_urban", "dibao_rural", "tekun_basic_urban",
                                    "tekun_basic_rural", "tekun_care_1", "tekun_care_2",
                                    "tekun_care_3" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int find(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return (int)n;
}

const char *payroll_programme_name(enum payroll_programme p)
{
    return (unsigned)p < COUNT(PROGRAMMES) ? PROGRAMMES[p] : NULL;
}

const char *payroll_kind_name(enum payroll_kind k)
{
    return (unsigned)k < COUNT(KINDS) ? KINDS[k] : NULL;
}

const char *payroll_skip_name(enum payroll_skip s)
{
    return (unsigned)s < COUNT(SKIPS) ? SKIPS[s] : NULL;
}

const char *payroll_std_kind(enum payroll_std k)
{
    return (unsigned)k < COUNT(STDS) ? STDS[k] : NULL;
}

enum payroll_programme payroll_programme_parse(const char *s)
{
    return (enum payroll_programme)find(PROGRAMMES, COUNT(PROGRAMMES), s);
}

enum payroll_state payroll_state_parse(const char *s)
{
    return (enum payroll_state)find(STATES, COUNT(STATES), s);
}

enum payroll_method payroll_method_parse(const char *s)
{
    return (enum payroll_method)find(METHODS, COUNT(METHODS), s);
}

int32_t payroll_month_add(int32_t yyyymm, int k)
{
    int32_t index = (yyyymm / 100) * 12 + (yyyymm % 100 - 1) + k;
    return (index / 12) * 100 + index % 12 + 1;
}

bool payroll_payee_payable(const struct payroll_case *c, int32_t yyyymm)
{
    if (c->payee_alive)
        return true;
    return c->payee_death_day != 0 && c->payee_death_day >= yyyymm * 100 + 1;
}

bool payroll_in_months(const struct payroll_case *c, int32_t yyyymm)
{
    return c->start_month != 0 && c->start_month <= yyyymm &&
           (c->stop_month == 0 || yyyymm < c->stop_month) &&
           (c->taper_until == 0 || yyyymm <= c->taper_until);
}

/* The standard of kind k in force in month yyyymm, or -1. */
static int64_t standard(const struct payroll_standards *std, enum payroll_std k, int32_t yyyymm)
{
    int32_t at = (yyyymm / 100 - std->from / 100) * 12 + (yyyymm % 100 - std->from % 100);
    if (at < 0 || at >= std->count)
        return -1;
    return std->fen[at][k];
}

enum payroll_skip payroll_month_amount(const struct assist_settings *s,
                                       const struct payroll_standards *std,
                                       const struct payroll_case *c, int32_t yyyymm,
                                       int64_t *fen)
{
    if (c->method == PAYROLL_FIXED) {
        if (c->fixed_amount_fen < 0)
            return PAYROLL_SKIP_INVALID;
        *fen = c->fixed_amount_fen;
        return PAYROLL_PAID;
    }
    if (c->method == PAYROLL_GAP) {
        int64_t line = standard(std, c->urban ? PAYROLL_STD_DIBAO_URBAN : PAYROLL_STD_DIBAO_RURAL,
                                yyyymm);
        if (line < 0)
            return PAYROLL_SKIP_NO_STANDARD;
        if (c->per_capita_income_fen < 0 || c->covered_members < 1)
            return PAYROLL_SKIP_INVALID;
        return assist_rule_dibao_amount(s, line, c->per_capita_income_fen, c->covered_members,
                                        NULL, fen) == 0 ? PAYROLL_PAID : PAYROLL_SKIP_INVALID;
    }
    if (c->method == PAYROLL_TEKUN_STD) {
        if (c->care_tier < 1 || c->care_tier > 3)
            return PAYROLL_SKIP_INVALID;
        int64_t basic = standard(std, c->urban ? PAYROLL_STD_TEKUN_URBAN : PAYROLL_STD_TEKUN_RURAL,
                                 yyyymm);
        int64_t care = standard(std, (enum payroll_std)(PAYROLL_STD_CARE_1 + c->care_tier - 1),
                                yyyymm);
        if (basic < 0 || care < 0)
            return PAYROLL_SKIP_NO_STANDARD;
        if (__builtin_add_overflow(basic, care, fen))
            return PAYROLL_SKIP_INVALID;
        return PAYROLL_PAID;
    }
    return PAYROLL_SKIP_INVALID;
}

/* The one line of a 临时救助 granted once. */
static enum payroll_skip once_line(const struct payroll_case *c, int32_t yyyymm,
                                   struct payroll_line *out, size_t *n)
{
    if (c->state != PAYROLL_GRANTED || c->method != PAYROLL_ONCE_METHOD ||
        c->first_paid_payroll != 0)
        return PAYROLL_NOT_DUE;
    if (c->bank_account_id == 0)
        return PAYROLL_SKIP_NO_BANK;
    if (!payroll_payee_payable(c, yyyymm))
        return PAYROLL_SKIP_DECEASED;
    if (c->fixed_amount_fen < 0 || c->start_month == 0)
        return PAYROLL_SKIP_INVALID;
    if (c->fixed_amount_fen == 0)
        return PAYROLL_SKIP_NO_AMOUNT;
    out[0] = (struct payroll_line){ PAYROLL_ONCE, c->start_month, c->fixed_amount_fen };
    *n = 1;
    return PAYROLL_PAID;
}

/* Adds the line of month m when it is owed and not zero; returns the skip reason that stops
 * the case (no standard, invalid) or PAYROLL_PAID. */
static enum payroll_skip add_month(const struct assist_settings *s,
                                   const struct payroll_standards *std,
                                   const struct payroll_case *c, int32_t m, enum payroll_kind kind,
                                   struct payroll_line *out, size_t *n)
{
    if (!payroll_in_months(c, m) || !payroll_payee_payable(c, m))
        return PAYROLL_PAID;
    int64_t fen = 0;
    enum payroll_skip why = payroll_month_amount(s, std, c, m, &fen);
    if (why != PAYROLL_PAID)
        return why;
    if (fen > 0)
        out[(*n)++] = (struct payroll_line){ kind, m, fen };
    return PAYROLL_PAID;
}

enum payroll_skip payroll_case_lines(const struct assist_settings *s,
                                     const struct payroll_standards *std,
                                     const struct payroll_case *c, int32_t yyyymm,
                                     struct payroll_line out[PAYROLL_CASE_LINES_MAX], size_t *n)
{
    *n = 0;
    if (c->programme == PAYROLL_LSHI_URGENT || c->programme == PAYROLL_LSHI_EXPENSE)
        return once_line(c, yyyymm, out, n);
    if (c->programme != PAYROLL_DIBAO && c->programme != PAYROLL_TEKUN)
        return PAYROLL_NOT_DUE;
    if (c->state == PAYROLL_SUSPENDED && payroll_in_months(c, yyyymm))
        return PAYROLL_SKIP_SUSPENDED;
    if ((c->state != PAYROLL_ACTIVE && c->state != PAYROLL_TAPERING) ||
        !payroll_in_months(c, yyyymm))
        return PAYROLL_NOT_DUE;
    if (c->bank_account_id == 0)
        return PAYROLL_SKIP_NO_BANK;
    if (!payroll_payee_payable(c, yyyymm))
        return PAYROLL_SKIP_DECEASED;
    int32_t from = c->first_paid_payroll == 0 ? c->start_month : yyyymm;
    if (from < payroll_month_add(yyyymm, -PAYROLL_ARREARS_MAX))
        return PAYROLL_SKIP_INVALID;
    enum payroll_skip why = PAYROLL_PAID;
    for (int32_t m = from; m < yyyymm && why == PAYROLL_PAID; m = payroll_month_add(m, 1))
        why = add_month(s, std, c, m, PAYROLL_ARREARS, out, n);
    if (why == PAYROLL_PAID)
        why = add_month(s, std, c, yyyymm, PAYROLL_REGULAR, out, n);
    if (why != PAYROLL_PAID) {
        *n = 0;
        return why;
    }
    return *n ? PAYROLL_PAID : PAYROLL_SKIP_NO_AMOUNT;
}
