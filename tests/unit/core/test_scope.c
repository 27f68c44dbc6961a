/*
 * tests/unit/core/test_scope.c — region data scope as a key range (src/core/scope.c).
 *
 * Source of the rule: issue #4 — a user's data scope is its region code prefix (province 2,
 * city 4, county 6, township 9, village 12 digits); the national region 000000000000 sees all.
 * Code structure: shared/domain/reference.md §4.2–4.3.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "errors.h"
#include "scope.h"

Test(scope, from_region)
{
    static const struct { const char *id, *region, *lo, *hi; } c[] = {
        { "scope-1.1", "51", "51", "52" },
        { "scope-1.2", "510000000000", "51", "52" },
        { "scope-1.3", "5108", "5108", "5109" },
        { "scope-1.4", "510824", "510824", "510825" },
        { "scope-1.5", "510824100", "510824100", "510824101" },
        { "scope-1.6", "510824100201", "510824100201", "510824100202" },
        { "scope-1.7", "59", "59", "5:" },              /* '9' + 1 sorts above every digit */
        { "scope-1.8", "00", "", ":" },                 /* national */
        { "scope-1.9", "000000000000", "", ":" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct scope s;
        cr_assert_eq(scope_from_region(c[i].region, &s), 0, "%s", c[i].id);
        cr_assert_str_eq(s.lo, c[i].lo, "%s", c[i].id);
        cr_assert_str_eq(s.hi, c[i].hi, "%s", c[i].id);
    }
}

Test(scope, from_region_refused)
{
    static const char *const bad[] = { "", "5", "510", "51082", "5108241", "51082410",
                                       "5108241002", "51082410020", "5108241002011", "51x8",
                                       "510824 " };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct scope s;
        cr_assert_eq(scope_from_region(bad[i], &s), MZ_EINVAL, "scope-2.%zu: \"%s\"", i + 1,
                     bad[i]);
    }
    struct scope s;
    cr_assert_eq(scope_from_region(NULL, &s), MZ_EINVAL, "scope-2.0: NULL");
}

Test(scope, contains)
{
    struct scope county, national;
    cr_assert_eq(scope_from_region("510824", &county), 0);
    cr_assert_eq(scope_from_region("00", &national), 0);
    static const struct { const char *id, *code; bool in_county; } c[] = {
        { "scope-3.1", "510824000000", true },   /* the county itself */
        { "scope-3.2", "510824100201", true },   /* one of its villages */
        { "scope-3.3", "510824999999", true },
        { "scope-3.4", "510825000000", false },  /* the next county */
        { "scope-3.5", "510823999999", false },  /* the one before */
        { "scope-3.6", "510800000000", false },  /* its city */
        { "scope-3.7", "110101001001", false },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(scope_contains(&county, c[i].code), c[i].in_county, "%s", c[i].id);
        cr_assert(scope_contains(&national, c[i].code), "%s national", c[i].id);
    }
}

Test(scope, covers)
{
    struct scope national, province, county, township, other;
    scope_from_region("00", &national);
    scope_from_region("51", &province);
    scope_from_region("510824", &county);
    scope_from_region("510824100", &township);
    scope_from_region("5101", &other);
    cr_assert(scope_covers(&national, &province), "scope-4.1");
    cr_assert(scope_covers(&province, &county), "scope-4.2");
    cr_assert(scope_covers(&county, &township), "scope-4.3");
    cr_assert(scope_covers(&county, &county), "scope-4.4: a scope covers itself");
    cr_assert_not(scope_covers(&township, &county), "scope-4.5: not wider");
    cr_assert_not(scope_covers(&county, &other), "scope-4.6: not beside");
    cr_assert_not(scope_covers(&province, &national), "scope-4.7");
}
