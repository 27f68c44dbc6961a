/*
 * tests/unit/core/test_ids.c — region codes (行政区划代码 / 统计用区划代码) of core/ids.c.
 *
 * Rules under test: shared/domain/reference.md §4.2 (12-digit 统计用区划代码: digits 1–2 省级,
 * 3–4 地级, 5–6 县级, 7–9 乡级, 10–12 村级, 国统字〔2009〕91号) and §4.3 (store 12 digits; a code of
 * 2, 4, 6 or 9 digits is right-padded with zeros; the level is read from the trailing zeros,
 * with 东莞 4419 / 中山 4420 / 儋州 4604 / 嘉峪关 6202 as cities whose towns carry county digits 00).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "errors.h"
#include "ids.h"

/* §4.3: 2, 4, 6, 9 and 12 digits are accepted and right-padded with zeros to 12. */
Test(ids, normalize_ok)
{
    static const struct {
        const char *id, *in;
        size_t len;
        const char *want;
    } c[] = {
        /* boundaries: the shortest and the longest accepted lengths, all-zero digits */
        { "ids-1.1", "00", 2, "000000000000" },
        { "ids-1.2", "999999999999", 12, "999999999999" },
        /* the §4.3 table: 51 四川省, 5101 成都市, 510104 锦江区, 510104017 锦官驿街道 */
        { "ids-1.3", "51", 2, "510000000000" },
        { "ids-1.4", "5101", 4, "510100000000" },
        { "ids-1.5", "510104", 6, "510104000000" },
        { "ids-1.6", "510104017", 9, "510104017000" },
        { "ids-1.7", "110101001001", 12, "110101001001" },
        /* §4.3: township 220581102 appears as 220581102000 in the 统计 data */
        { "ids-1.8", "220581102", 9, "220581102000" },
        /* 东莞 东城街道 441900003 (§4.3 exceptions) */
        { "ids-1.9", "441900003", 9, "441900003000" },
        /* in has len bytes and need not be NUL-terminated: only the first len count */
        { "ids-1.10", "5101049999", 6, "510104000000" },
        { "ids-1.11", "51x", 2, "510000000000" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[REGION_CODE_LEN + 1];
        memset(out, 'x', sizeof out);
        cr_assert_eq(ids_region_normalize(c[i].in, c[i].len, out), 0, "%s", c[i].id);
        cr_assert_eq(out[REGION_CODE_LEN], '\0', "%s: NUL-terminated", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
    }
}

/* Every other length, and anything but the ASCII digits 0–9, is MZ_EINVAL; out is untouched. */
Test(ids, normalize_refused)
{
    static const struct {
        const char *id, *in;
        size_t len;
    } c[] = {
        /* lengths around the accepted ones: 0, 1, 3, 5, 7, 8, 10, 11, 13 */
        { "ids-2.1", "", 0 },
        { "ids-2.2", "5", 1 },
        { "ids-2.3", "510", 3 },
        { "ids-2.4", "51010", 5 },
        { "ids-2.5", "5101040", 7 },
        { "ids-2.6", "51010401", 8 },
        { "ids-2.7", "5101040170", 10 },
        { "ids-2.8", "51010401700", 11 },
        { "ids-2.9", "5101040170001", 13 },
        /* right length, wrong characters */
        { "ids-3.1", "5a", 2 },
        { "ids-3.2", "51010X", 6 },
        { "ids-3.3", "51 0", 4 },
        { "ids-3.4", " 510", 4 },
        { "ids-3.5", "5101 ", 5 },
        { "ids-3.6", "+51010", 6 },
        { "ids-3.7", "-51010", 6 },
        { "ids-3.8", "51\0\0", 4 },          /* NUL inside */
        { "ids-3.9", "5\0", 2 },
        { "ids-3.10", "51010401\n", 9 },
        { "ids-3.11", "/:", 2 },              /* the neighbours of '0' and '9' in ASCII */
        /* non-ASCII digits: fullwidth ５１ (6 bytes), Arabic-Indic ٥١ (4 bytes), 五一 (6 bytes) */
        { "ids-4.1", "\xef\xbc\x95\xef\xbc\x91", 6 },
        { "ids-4.2", "\xd9\xa5\xd9\xa1", 4 },
        { "ids-4.3", "五一", 6 },
        { "ids-4.4", "\xb5\xb1", 2 },         /* high bytes, sign-extended if char is signed */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[REGION_CODE_LEN + 1];
        memset(out, 'x', sizeof out);
        cr_assert_eq(ids_region_normalize(c[i].in, c[i].len, out), MZ_EINVAL, "%s", c[i].id);
        for (size_t j = 0; j < sizeof out; j++)
            cr_assert_eq(out[j], 'x', "%s: out written on failure at %zu", c[i].id, j);
    }
}

/* §4.3 "Deriving the level back from trailing zeros", read from the right. */
Test(ids, level)
{
    static const struct {
        const char *id, *code;
        int level;
    } c[] = {
        { "ids-5.1", "510000000000", 1 },  /* 四川省 */
        { "ids-5.2", "500000000000", 1 },  /* 重庆市 */
        { "ids-5.3", "510100000000", 2 },  /* 成都市 */
        { "ids-5.4", "110100000000", 2 },  /* 北京 市辖区 summary code (§4.1) */
        { "ids-5.5", "510104000000", 3 },  /* 锦江区 */
        { "ids-5.6", "510104017000", 4 },  /* 锦官驿街道 */
        { "ids-5.7", "110101001001", 5 },  /* a 居委会 (§4.2: 001–199) */
        { "ids-5.8", "110101001200", 5 },  /* a 村委会 (§4.2: 200–399) */
        /* one non-zero digit at each boundary position decides the level */
        { "ids-5.9", "010000000000", 1 },
        { "ids-5.10", "000100000000", 2 },
        { "ids-5.11", "000010000000", 3 },
        { "ids-5.12", "000001000000", 3 },
        { "ids-5.13", "000000100000", 4 },
        { "ids-5.14", "000000001000", 4 },
        { "ids-5.15", "000000000100", 5 },
        { "ids-5.16", "000000000001", 5 },
        /* §4.3 exceptions: cities without counties. The city is level 2; its towns carry
         * county digits 00 and are still level 4 by their own digits. */
        { "ids-6.1", "441900000000", 2 },  /* 东莞市 */
        { "ids-6.2", "441900003000", 4 },  /* 东莞 东城街道 */
        { "ids-6.3", "442000000000", 2 },  /* 中山市 */
        { "ids-6.4", "460400000000", 2 },  /* 儋州市 */
        { "ids-6.5", "620200000000", 2 },  /* 嘉峪关市 */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(ids_region_level(c[i].code), c[i].level, "%s: %s", c[i].id, c[i].code);
}

/* Normalising a code of each §4.3 length and reading its level back gives that length's level. */
Test(ids, normalize_then_level)
{
    static const struct {
        const char *id, *in;
        int level;
    } c[] = {
        { "ids-7.1", "51", 1 },        { "ids-7.2", "5101", 2 },
        { "ids-7.3", "510104", 3 },    { "ids-7.4", "510104017", 4 },
        { "ids-7.5", "510104017201", 5 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[REGION_CODE_LEN + 1];
        cr_assert_eq(ids_region_normalize(c[i].in, strlen(c[i].in), out), 0, "%s", c[i].id);
        cr_assert_eq(ids_region_level(out), c[i].level, "%s", c[i].id);
        cr_assert_eq(ids_region_prefix_len(c[i].level), (int)strlen(c[i].in), "%s", c[i].id);
    }
}

/* §4.2: the significant digits of each level; anything outside 1–5 means the whole code. */
Test(ids, prefix_len)
{
    static const struct {
        const char *id;
        int level, len;
    } c[] = {
        { "ids-8.1", -1, 12 }, { "ids-8.2", 0, 12 }, { "ids-8.3", 1, 2 },  { "ids-8.4", 2, 4 },
        { "ids-8.5", 3, 6 },   { "ids-8.6", 4, 9 },  { "ids-8.7", 5, 12 }, { "ids-8.8", 6, 12 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(ids_region_prefix_len(c[i].level), c[i].len, "%s", c[i].id);
}

/* The prefix of a level is exactly what the level rule looks at: for a code of level L, the
 * digits after prefix_len(L) are zero and those between prefix_len(L-1) and prefix_len(L) are
 * not all zero (§4.3). */
Test(ids, prefix_len_matches_level)
{
    static const char *const codes[] = { "510000000000", "510100000000", "510104000000",
                                         "510104017000", "110101001001", "441900003000" };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int level = ids_region_level(codes[i]);
        int end = ids_region_prefix_len(level);
        int start = level > 1 ? ids_region_prefix_len(level - 1) : 0;
        for (int j = end; j < REGION_CODE_LEN; j++)
            cr_assert_eq(codes[i][j], '0', "ids-9.%zu: %s digit %d", i + 1, codes[i], j + 1);
        bool nonzero = false;
        for (int j = start; j < end; j++)
            nonzero |= codes[i][j] != '0';
        cr_assert(nonzero, "ids-9.%zu: %s has a non-zero digit in %d–%d", i + 1, codes[i],
                  start + 1, end);
    }
}

Test(ids, level_name)
{
    static const struct {
        const char *id;
        int level;
        const char *name;
    } c[] = {
        { "ids-10.1", -1, "" },     { "ids-10.2", 0, "" },      { "ids-10.3", 1, "省级" },
        { "ids-10.4", 2, "地级" },  { "ids-10.5", 3, "县级" },  { "ids-10.6", 4, "乡级" },
        { "ids-10.7", 5, "村级" },  { "ids-10.8", 6, "" },      { "ids-10.9", 1000, "" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *got = ids_region_level_name(c[i].level);
        cr_assert_not_null(got, "%s", c[i].id);
        cr_assert_str_eq(got, c[i].name, "%s", c[i].id);
    }
}
