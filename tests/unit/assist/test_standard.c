/*
 * tests/unit/assist/test_standard.c — which 救助标准 row is in force (src/assist/standard.c).
 *
 * Source: issue #10 ("the most specific region and the latest effective date win"),
 * shared/domain/rules.md §8 (effective_from, per month or per year; yearly → monthly).
 * Cases "standard-<test>.<case>".
 */
#include <criterion/criterion.h>
#include <string.h>

#include "errors.h"
#include "standard.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct standard_row row(int64_t id, const char *region, int32_t from, int64_t fen)
{
    struct standard_row r;
    memset(&r, 0, sizeof r);
    r.id = id;
    snprintf(r.region, sizeof r.region, "%s", region);
    snprintf(r.kind, sizeof r.kind, "dibao_urban");
    r.effective_from = from;
    r.amount_fen = fen;
    return r;
}

#define COUNTY "510824000000"
#define TOWN "510824100000"
#define CITY "510800000000"
#define PROV "510000000000"

/* standard-1: the most specific region that has a row in force wins. */
Test(standard, most_specific_wins)
{
    struct standard_row rows[] = {
        row(1, PROV, 202001, 60000), row(2, CITY, 202001, 62000), row(3, COUNTY, 202001, 65000),
    };
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202401), 2, "standard-1.1");
    cr_assert_eq(standard_resolve(rows, N(rows), TOWN, 202401), 2, "standard-1.2 township");
    cr_assert_eq(standard_resolve(rows, N(rows), "510802000000", 202401), 1, "standard-1.3 sibling county");
    cr_assert_eq(standard_resolve(rows, N(rows), "510100000000", 202401), 0, "standard-1.4 other city");
    /* the province raised later: the county's own row still wins */
    struct standard_row later[] = { row(1, PROV, 202401, 70000), row(3, COUNTY, 202001, 65000) };
    cr_assert_eq(standard_resolve(later, N(later), COUNTY, 202406), 1, "standard-1.5");
    /* the county's row is not yet in force: the province's applies */
    struct standard_row future[] = { row(1, PROV, 202001, 60000), row(3, COUNTY, 202501, 65000) };
    cr_assert_eq(standard_resolve(future, N(future), COUNTY, 202412), 0, "standard-1.6");
    cr_assert_eq(standard_resolve(future, N(future), COUNTY, 202501), 1, "standard-1.7");
}

/* standard-2: of one region's rows, the latest effective_from ≤ the month wins. */
Test(standard, latest_effective_wins)
{
    struct standard_row rows[] = {
        row(5, COUNTY, 202307, 66000), row(4, COUNTY, 202201, 62000), row(6, COUNTY, 202401, 70000),
    };
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202201), 1, "standard-2.1 boundary");
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202306), 1, "standard-2.2");
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202307), 0, "standard-2.3");
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202312), 0, "standard-2.4");
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 203001), 2, "standard-2.5");
    /* two rows of the same month: the later one (higher id) supersedes */
    struct standard_row same[] = { row(9, COUNTY, 202401, 71000), row(8, COUNTY, 202401, 70000) };
    cr_assert_eq(standard_resolve(same, N(same), COUNTY, 202405), 0, "standard-2.6");
}

/* standard-3: future rows are ignored; none in force → -1. */
Test(standard, future_ignored_and_none)
{
    struct standard_row rows[] = { row(1, COUNTY, 202501, 60000), row(2, PROV, 202601, 60000) };
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202412), -1, "standard-3.1");
    cr_assert_eq(standard_resolve(rows, N(rows), COUNTY, 202512), 0, "standard-3.2");
    cr_assert_eq(standard_resolve(NULL, 0, COUNTY, 202412), -1, "standard-3.3 no rows");
    cr_assert_eq(standard_resolve(rows, N(rows), "520100000000", 203001), -1, "standard-3.4 other province");
    /* a sibling whose code shares digits beyond its own level does not apply */
    struct standard_row sib[] = { row(1, "510825000000", 202001, 60000) };
    cr_assert_eq(standard_resolve(sib, N(sib), COUNTY, 202401), -1, "standard-3.5");
}

/* standard-4: kinds, regions, months, and the monthly figure of a yearly standard. */
Test(standard, inputs_and_monthly)
{
    cr_assert(standard_kind_valid("tekun_care_3"), "standard-4.1");
    cr_assert(!standard_kind_valid("tekun_care_4"), "standard-4.2");
    cr_assert(!standard_kind_valid(NULL), "standard-4.3");
    cr_assert_str_eq(standard_dibao_kind_of("tekun_basic_rural"), "dibao_rural", "standard-4.4");
    cr_assert_null(standard_dibao_kind_of("tekun_care_1"), "standard-4.5");
    cr_assert(standard_region_ok(PROV) && standard_region_ok(CITY) && standard_region_ok(COUNTY),
              "standard-4.6");
    cr_assert(!standard_region_ok(TOWN), "standard-4.7 township");
    cr_assert(!standard_region_ok("000000000000"), "standard-4.8 national");
    int32_t m = 0;
    cr_assert_eq(standard_month_parse("2024-07", 7, &m), 0, "standard-4.9");
    cr_assert_eq(m, 202407, "standard-4.10");
    cr_assert_eq(standard_month_parse("2024-13", 7, &m), MZ_EINVAL, "standard-4.11");
    cr_assert_eq(standard_month_parse("2024-7", 6, &m), MZ_EINVAL, "standard-4.12");
    cr_assert_eq(standard_month_parse("2024/07", 7, &m), MZ_EINVAL, "standard-4.13");
    struct assist_settings s;
    assist_settings_default(&s);
    struct standard_row y = row(1, COUNTY, 202401, 437200); /* Jilin rural 4372元/year, §9.2 */
    y.yearly = true;
    int64_t monthly = 0;
    cr_assert_eq(standard_monthly(&s, &y, &monthly), 0, "standard-4.14");
    cr_assert_eq(monthly, 36433, "standard-4.15 437200/12 = 36433.3 → 36433");
    y.yearly = false;
    cr_assert_eq(standard_monthly(&s, &y, &monthly), 0, "standard-4.16");
    cr_assert_eq(monthly, 437200, "standard-4.17");
}
