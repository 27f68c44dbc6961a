/*
 * tests/unit/core/test_mask.c — display masking of core/mask.c.
 *
 * Rules under test: shared/domain/security.md §3.4 (GB/T 35273-2020 7.2: de-identify personal
 * information shown on screens; phone 138****5678) and mask.h: ID numbers 6 + '*' + 4
 * (18 → 510824********123X, 15 → 6 + 5 + 4), shorter than 11 masked entirely; at least four
 * characters always hidden; non-ASCII masked entirely; output capped by outlen, NUL-terminated.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mask.h"

struct mask_case {
    const char *id, *in, *want;
};

static void run(char *(*fn)(const char *, char *, size_t), const struct mask_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[64];
        memset(out, 'x', sizeof out);
        cr_assert_eq(fn(c[i].in, out, sizeof out), out, "%s: returns out", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
    }
}

Test(mask, id_number)
{
    static const struct mask_case c[] = {
        { "mask-1.1", NULL, "" },
        { "mask-1.2", "", "" },
        { "mask-1.3", "1", "*" },
        /* below 11: all hidden, length kept */
        { "mask-1.4", "1234567890", "**********" },
        /* 11 to 13: fewer leading characters, so 4 stay hidden */
        { "mask-1.5", "12345678901", "123****8901" },
        { "mask-1.6", "123456789012", "1234****9012" },
        { "mask-1.7", "1234567890123", "12345****0123" },
        /* 14 and up: 6 + (len − 10) + 4 */
        { "mask-1.8", "12345678901234", "123456****1234" },
        { "mask-1.9", "510824800101123", "510824*****1123" },      /* 15-digit (first gen.) */
        { "mask-1.10", "51082419800101123X", "510824********123X" }, /* 18-digit, GB 11643 */
        { "mask-1.11", "51082419800101123x", "510824********123x" },
        /* not ASCII: one '*' per character */
        { "mask-1.12", "张三", "**" },
        { "mask-1.13", "\xef\xbc\x95\xef\xbc\x91\xef\xbc\x90", "***" }, /* fullwidth ５１０ */
        { "mask-1.14", "51082419800101123\xc3\x97", "******************" }, /* × as check digit */
    };
    run(mask_id_number, c, sizeof c / sizeof c[0]);
}

Test(mask, phone)
{
    static const struct mask_case c[] = {
        { "mask-2.1", NULL, "" },
        { "mask-2.2", "", "" },
        /* shorter than 8: at most the last 2 shown, at least 4 hidden */
        { "mask-2.3", "1", "*" },
        { "mask-2.4", "12", "**" },
        { "mask-2.5", "123", "***" },
        { "mask-2.6", "1234", "****" },
        { "mask-2.7", "12345", "****5" },
        { "mask-2.8", "123456", "****56" },
        { "mask-2.9", "1234567", "*****67" },
        /* 8 to 10 (local landlines): fewer leading digits, "****", last 4 */
        { "mask-2.10", "12345678", "****5678" },
        { "mask-2.11", "123456789", "1****6789" },
        { "mask-2.12", "1234567890", "12****7890" },
        /* 11 and up: 3 + "****" + 4, whatever the length */
        { "mask-2.13", "13812345678", "138****5678" },
        { "mask-2.14", "02885551234", "028****1234" },
        { "mask-2.15", "+8613812345678", "+86****5678" },
        { "mask-2.16", "138 1234 5678", "138****5678" },
        { "mask-2.17", "028-8555-1234-8001", "028****8001" },
        /* not ASCII */
        { "mask-2.18", "电话", "**" },
        { "mask-2.19", "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98" "12345678", "***********" },
    };
    run(mask_phone, c, sizeof c / sizeof c[0]);
}

/* out is never written past outlen and always NUL-terminated; outlen 0 leaves it alone. */
Test(mask, capped)
{
    static const struct {
        const char *id;
        char *(*fn)(const char *, char *, size_t);
        const char *in;
        size_t outlen;
        const char *want;
    } c[] = {
        { "mask-3.1", mask_id_number, "51082419800101123X", 1, "" },
        { "mask-3.2", mask_id_number, "51082419800101123X", 5, "5108" },
        { "mask-3.3", mask_id_number, "51082419800101123X", 18, "510824********123" },
        { "mask-3.4", mask_id_number, "51082419800101123X", 19, "510824********123X" },
        { "mask-3.5", mask_id_number, "1234567890", 4, "***" },
        { "mask-3.6", mask_id_number, "张三", 2, "*" },
        { "mask-3.7", mask_phone, "13812345678", 1, "" },
        { "mask-3.8", mask_phone, "13812345678", 4, "138" },
        { "mask-3.9", mask_phone, "13812345678", 11, "138****567" },
        { "mask-3.10", mask_phone, "13812345678", 12, "138****5678" },
        { "mask-3.11", mask_phone, "+8613812345678", 12, "+86****5678" },
        { "mask-3.12", mask_phone, "123456", 3, "**" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[32];
        memset(out, 'x', sizeof out);
        cr_assert_eq(c[i].fn(c[i].in, out, c[i].outlen), out, "%s", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
        for (size_t j = c[i].outlen; j < sizeof out; j++)
            cr_assert_eq(out[j], 'x', "%s: written at %zu", c[i].id, j);
    }
    /* outlen 0: out is returned and not touched (it may even be NULL) */
    char out[4] = { 'x', 'x', 'x', 'x' };
    cr_assert_eq(mask_id_number("51082419800101123X", out, 0), out, "mask-3.13");
    cr_assert_eq(mask_phone("13812345678", out, 0), out, "mask-3.14");
    cr_assert_eq(mask_phone(NULL, out, 0), out, "mask-3.15");
    for (size_t j = 0; j < sizeof out; j++)
        cr_assert_eq(out[j], 'x', "mask-3.13..15: written at %zu", j);
    cr_assert_null(mask_id_number("1", NULL, 0), "mask-3.16");
    cr_assert_null(mask_phone("1", NULL, 0), "mask-3.17");
}

/* Names in payroll lines and skipped lists (security.md §3.4): the first character stays. */
Test(mask, name)
{
    static const struct {
        const char *id, *in, *want;
        size_t outlen;
    } c[] = {
        { "mask-4.1", "张三丰", "张**", 32 },
        { "mask-4.2", "张三", "张*", 32 },
        { "mask-4.3", "张", "*", 32 },
        { "mask-4.4", "Li Lei", "L*****", 32 },
        { "mask-4.5", "", "", 32 },
        { "mask-4.6", NULL, "", 32 },
        { "mask-4.7", "张三丰", "**", 3 },  /* the first character does not fit: left out */
        { "mask-4.8", "张三丰", "张*", 5 },  /* cut after whole characters */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[32];
        memset(out, 'x', sizeof out);
        cr_assert_eq(mask_name(c[i].in, out, c[i].outlen), out, "%s", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
    }
}
