/*
 * tests/unit/core/test_ids.c — identifiers of core/ids.c: region codes (行政区划代码 /
 * 统计用区划代码), 公民身份号码 and 统一社会信用代码.
 *
 * Rules under test: shared/domain/reference.md §4.2 (12-digit 统计用区划代码: digits 1–2 省级,
 * 3–4 地级, 5–6 县级, 7–9 乡级, 10–12 村级, 国统字〔2009〕91号) and §4.3 (store 12 digits; a code of
 * 2, 4, 6 or 9 digits is right-padded with zeros; the level is read from the trailing zeros,
 * with 东莞 4419 / 中山 4420 / 儋州 4604 / 嘉峪关 6202 as cities whose towns carry county digits 00).
 * 公民身份号码 (cases ids-11 to ids-22): GB 11643-1999 as in reference.md §2.1–2.3, validation
 * rules §2.4, vectors §2.5–2.6. 统一社会信用代码 (cases ids-30 to ids-36): GB 32100-2015 and
 * GB 11714-1997 as in reference.md §3.1–3.5, vectors §3.6–3.7. Check characters of numbers made
 * up here were computed with a separate script from the §2.2 / §3.3 / §3.4 formulas; the
 * generated cases re-derive them with their own formulation (§2.2 "Σ ≡ 1 mod 11").
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "ids.h"

#define X3 "X" "X" "X" /* letters only: all-X inputs below */

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

/* ==== 公民身份号码 (GB 11643-1999; reference.md §2) ========================================= */

/* The validation date of every case unless the case says otherwise. */
#define TODAY 20260601

/* The reasons ids_citizen_normalize() gives; the tests pin the text a user will read. */
#define C_EMPTY "公民身份号码不能为空"
#define C_CHARS "公民身份号码含有非法字符，只能由数字和末位的 X 组成"
#define C_LEN "公民身份号码长度不正确，应为18位"
#define C_LEN15 "15位公民身份号码只能由数字组成"
#define C_XPOS "公民身份号码前17位只能是数字，X 只能出现在最后一位"
#define C_CHECK "公民身份号码校验位不正确"
#define C_NODATE "公民身份号码中的出生日期不存在"
#define C_FUTURE "公民身份号码中的出生日期晚于今天"
#define C_PROV "公民身份号码地址码的省份不正确"

struct citizen_ok {
    const char *id, *in, *want;
    int birth;
    char sex;
    bool from15;
};

static void citizen_accepts(const struct citizen_ok *c, size_t n, int64_t today)
{
    for (size_t i = 0; i < n; i++) {
        char out[19];
        struct ids_citizen info;
        const char *why = "untouched";
        memset(out, 'x', sizeof out);
        memset(&info, 0x5a, sizeof info);
        int rc = ids_citizen_normalize(c[i].in, strlen(c[i].in), today, out, &info, &why);
        cr_assert_eq(rc, 0, "%s: %s refused: %s", c[i].id, c[i].in, why);
        cr_assert_str_eq(why, "untouched", "%s: why written on success", c[i].id);
        cr_assert_eq(out[18], '\0', "%s: NUL-terminated", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
        cr_assert_eq(info.birth_yyyymmdd, c[i].birth, "%s", c[i].id);
        cr_assert_eq(info.sex, c[i].sex, "%s", c[i].id);
        cr_assert_eq(memcmp(info.address6, c[i].want, 6), 0, "%s: address6", c[i].id);
        cr_assert_eq(info.address6[6], '\0', "%s: address6 NUL-terminated", c[i].id);
        cr_assert_eq(info.upgraded_from15, c[i].from15, "%s", c[i].id);
    }
}

struct refused {
    const char *id, *in;
    size_t len;  /* 0: strlen(in) */
    const char *why;
};

static void citizen_refuses(const struct refused *c, size_t n, int64_t today)
{
    for (size_t i = 0; i < n; i++) {
        char out[19];
        struct ids_citizen info, before;
        const char *why = NULL;
        size_t len = c[i].len ? c[i].len : strlen(c[i].in);
        memset(out, 'x', sizeof out);
        memset(&info, 0x5a, sizeof info);
        before = info;
        int rc = ids_citizen_normalize(c[i].in, len, today, out, &info, &why);
        cr_assert_eq(rc, MZ_EINVAL, "%s: %s accepted", c[i].id, c[i].in);
        cr_assert_not_null(why, "%s: no reason", c[i].id);
        cr_assert_str_eq(why, c[i].why, "%s: %s", c[i].id, c[i].in);
        for (size_t j = 0; j < sizeof out; j++)
            cr_assert_eq(out[j], 'x', "%s: out written on failure at %zu", c[i].id, j);
        cr_assert_eq(memcmp(&info, &before, sizeof info), 0, "%s: info written", c[i].id);
    }
}

/* ids-11: every valid example of §2.5, and the standard's own examples quoted in §2.2. */
Test(ids, citizen_valid_examples)
{
    static const struct citizen_ok c[] = {
        { "ids-11.1", "510104198503120117", "510104198503120117", 19850312, 'M', false },
        { "ids-11.2", "51010419850312023X", "51010419850312023X", 19850312, 'M', false },
        /* 500112 渝北区 was abolished in 2025; the number stays valid (§2.4 rule 6) */
        { "ids-11.3", "500112196207180261", "500112196207180261", 19620718, 'F', false },
        { "ids-11.4", "22010219470101012X", "22010219470101012X", 19470101, 'F', false },
        { "ids-11.5", "530102201202290054", "530102201202290054", 20120229, 'M', false },
        { "ids-11.6", "51010719900530024X", "51010719900530024X", 19900530, 'F', false },
        { "ids-11.7", "500103197512310139", "500103197512310139", 19751231, 'M', false },
        { "ids-11.8", "220104200001010082", "220104200001010082", 20000101, 'F', false },
        { "ids-11.9", "530111195808080172", "530111195808080172", 19580808, 'M', false },
        { "ids-11.10", "220102200002290028", "220102200002290028", 20000229, 'F', false },
        /* §2.2: the standard's examples and the worked example (S = 189, R = 2) */
        { "ids-11.11", "11010519491231002X", "11010519491231002X", 19491231, 'F', false },
        /* born 1880: no lower bound (§2.4 rule 5); 440524 is no longer a county code and
         * python-stdnum rejects it for that (§2.4 rule 7) — we must not */
        { "ids-11.12", "440524188001010014", "440524188001010014", 18800101, 'M', false },
        { "ids-11.13", "34052419800101001X", "34052419800101001X", 19800101, 'M', false },
    };
    citizen_accepts(c, sizeof c / sizeof c[0], TODAY);
}

/* ids-12: every invalid example of §2.6, with the reason the table gives. */
Test(ids, citizen_invalid_examples)
{
    static const struct refused c[] = {
        { "ids-12.1", "510104198503120118", 0, C_CHECK },
        { "ids-12.2", "510104198502300116", 0, C_NODATE },   /* 1985-02-30 */
        { "ids-12.3", "510104190002290015", 0, C_NODATE },   /* 1900 is not a leap year */
        { "ids-12.4", "510104209912310019", 0, C_FUTURE },   /* 2099-12-31 */
        { "ids-12.5", "990104198503120116", 0, C_PROV },
        { "ids-12.6", "000000198503120116", 0, C_PROV },
        { "ids-12.7", "51010419850312011", 0, C_LEN },       /* 17 characters */
        { "ids-12.8", "5101041985031201170", 0, C_LEN },     /* 19 characters */
        { "ids-12.9", "51010419850312X117", 0, C_XPOS },
    };
    citizen_refuses(c, sizeof c / sizeof c[0], TODAY);
}

/* ids-13: §2.4 rule 1 — surrounding ASCII whitespace is stripped and a final x upper-cased
 * (§2.6 "51010419850312023x: accept after normalisation"); in need not be NUL-terminated. */
Test(ids, citizen_normalised_forms)
{
    static const struct citizen_ok c[] = {
        { "ids-13.1", "51010419850312023x", "51010419850312023X", 19850312, 'M', false },
        { "ids-13.2", "22010219470101012x", "22010219470101012X", 19470101, 'F', false },
        { "ids-13.3", " 510104198503120117", "510104198503120117", 19850312, 'M', false },
        { "ids-13.4", "510104198503120117 ", "510104198503120117", 19850312, 'M', false },
        { "ids-13.5", " \t\r\n\v\f51010419850312023x\f\v\n\r\t ", "51010419850312023X", 19850312,
          'M', false },
        { "ids-13.6", "\t510104850312011\n", "510104198503120117", 19850312, 'M', true },
    };
    citizen_accepts(c, sizeof c / sizeof c[0], TODAY);

    /* only the first len bytes count */
    char out[19];
    struct ids_citizen info;
    cr_assert_eq(ids_citizen_normalize("510104198503120117999", 18, TODAY, out, &info, NULL), 0,
                 "ids-13.7");
    cr_assert_str_eq(out, "510104198503120117", "ids-13.7");
    /* info and why may be NULL */
    cr_assert_eq(ids_citizen_normalize("51010419850312023x", 18, TODAY, out, NULL, NULL), 0,
                 "ids-13.8");
    cr_assert_str_eq(out, "51010419850312023X", "ids-13.8");
    cr_assert_eq(ids_citizen_normalize("510104198503120118", 18, TODAY, out, NULL, NULL),
                 MZ_EINVAL, "ids-13.9");
}

/* ids-14: the §2.3 15 → 18 upgrade (insert "19", compute the check), then the same checks. */
Test(ids, citizen_upgrade_15)
{
    static const struct citizen_ok c[] = {
        /* the §2.3 example */
        { "ids-14.1", "510104850312011", "510104198503120117", 19850312, 'M', true },
        /* §2.5 #3 and #4 written the old way: the upgrade must land on the same number */
        { "ids-14.2", "500112620718026", "500112196207180261", 19620718, 'F', true },
        { "ids-14.3", "220102470101012", "22010219470101012X", 19470101, 'F', true },
        /* 1996 is a leap year */
        { "ids-14.4", "510104960229013", "510104199602290132", 19960229, 'M', true },
    };
    citizen_accepts(c, sizeof c / sizeof c[0], TODAY);

    static const struct refused bad[] = {
        { "ids-14.5", "510104850230011", 0, C_NODATE },   /* 1985-02-30 */
        { "ids-14.6", "510104000229011", 0, C_NODATE },   /* 1900-02-29: 1900 is not leap */
        { "ids-14.7", "510104851301011", 0, C_NODATE },   /* month 13 */
        { "ids-14.8", "990104850312011", 0, C_PROV },
        { "ids-14.9", "51010485031201X", 0, C_LEN15 },    /* no check character in 15 digits */
        { "ids-14.10", "51010485031201x", 0, C_LEN15 },
        { "ids-14.11", "5101048503120111", 0, C_LEN },    /* 16 */
        { "ids-14.12", "51010485031201", 0, C_LEN },      /* 14 */
    };
    citizen_refuses(bad, sizeof bad / sizeof bad[0], TODAY);
    /* born 1985 but the caller's date is 1985-03-11: the upgraded date is in the future */
    static const struct refused early[] = { { "ids-14.13", "510104850312011", 0, C_FUTURE } };
    citizen_refuses(early, 1, 19850311);
}

/* ids-15: §2.4 rule 5, Gregorian leap years — divisible by 4, not by 100 unless by 400. */
Test(ids, citizen_leap_years)
{
    static const struct citizen_ok c[] = {
        { "ids-15.1", "220102200002290028", "220102200002290028", 20000229, 'F', false },
        { "ids-15.2", "510104200402290029", "510104200402290029", 20040229, 'F', false },
        { "ids-15.3", "510104160002290034", "510104160002290034", 16000229, 'M', false },
        { "ids-15.4", "51010419851231006X", "51010419851231006X", 19851231, 'F', false },
    };
    citizen_accepts(c, sizeof c / sizeof c[0], TODAY);
    static const struct refused bad[] = {
        { "ids-15.5", "510104190002290015", 0, C_NODATE },   /* 1900: by 100, not by 400 */
        { "ids-15.6", "510104202302290012", 0, C_NODATE },   /* 2023: not by 4 */
        { "ids-15.7", "510104198500010019", 0, C_NODATE },   /* month 00 */
        { "ids-15.8", "510104198513010026", 0, C_NODATE },   /* month 13 */
        { "ids-15.9", "510104198501000031", 0, C_NODATE },   /* day 00 */
        { "ids-15.10", "510104198501320043", 0, C_NODATE },  /* day 32 */
        { "ids-15.11", "510104198504310051", 0, C_NODATE },  /* 30-day month */
        { "ids-15.12", "510104000001010018", 0, C_NODATE },  /* the calendar has no year 0 */
    };
    citizen_refuses(bad, sizeof bad / sizeof bad[0], TODAY);
    /* 2100-02-29 does not exist even for a caller living after it */
    static const struct refused c2100[] = { { "ids-15.13", "510104210002290045", 0, C_NODATE } };
    citizen_refuses(c2100, 1, 21010101);
}

/* ids-16: §2.4 rule 5, "not after the validation date": born today is valid, tomorrow not. */
Test(ids, citizen_today_boundary)
{
    static const struct citizen_ok today[] = {
        { "ids-16.1", "510104202606010016", "510104202606010016", 20260601, 'M', false },
    };
    citizen_accepts(today, 1, 20260601);
    static const struct refused tomorrow[] = {
        { "ids-16.2", "51010420260602002X", 0, C_FUTURE },
        { "ids-16.3", "510104202701010030", 0, C_FUTURE },
    };
    citizen_refuses(tomorrow, 2, 20260601);
    /* across a year end, and on a leap day */
    static const struct citizen_ok ye[] = {
        { "ids-16.4", "51010419851231006X", "51010419851231006X", 19851231, 'F', false },
        { "ids-16.5", "510104202402290052", "510104202402290052", 20240229, 'M', false },
    };
    citizen_accepts(&ye[0], 1, 19851231);
    citizen_accepts(&ye[1], 1, 20240229);
    static const struct refused after[] = {
        { "ids-16.6", "51010419851231006X", 0, C_FUTURE },
        { "ids-16.7", "510104202403010067", 0, C_FUTURE },
    };
    citizen_refuses(&after[0], 1, 19851230);
    citizen_refuses(&after[1], 1, 20240229);
}

/* ids-17: §2.4 rule 6 — 31 mainland province-level codes; unknown county codes accepted. */
Test(ids, citizen_province)
{
    static const struct citizen_ok c[] = {
        { "ids-17.1", "650104198503120118", "650104198503120118", 19850312, 'M', false },
        /* 990104 is no county at all: only the province is checked (§2.4 rules 6–7) */
    };
    citizen_accepts(c, 1, TODAY);
    static const struct refused bad[] = {
        { "ids-17.2", "100104198503120110", 0, C_PROV },   /* just below 11 */
        { "ids-17.3", "66010419850312011X", 0, C_PROV },   /* just above 65 */
        /* 71 台湾, 81 香港, 82 澳门: [secondary] in §2.4, mainland only here */
        { "ids-17.4", "710104198503120114", 0, C_PROV },
        { "ids-17.5", "810104198503120118", 0, C_PROV },
        { "ids-17.6", "82010419850312011X", 0, C_PROV },
    };
    citizen_refuses(bad, sizeof bad / sizeof bad[0], TODAY);

    /* every two-digit prefix: exactly the §2.4 list passes (body 0104198503120 + seq 11) */
    static const int ranges[][2] = { { 11, 15 }, { 21, 23 }, { 31, 37 },
                                      { 41, 46 }, { 50, 54 }, { 61, 65 } };
    int accepted = 0;
    for (int p = 0; p < 100; p++) {
        static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
        char id[19];
        snprintf(id, sizeof id, "%02d0104198503120110", p);
        int s = 0;
        for (int k = 0; k < 17; k++)
            s += (id[k] - '0') * w[k];
        id[17] = "10X98765432"[s % 11];
        bool want = false;
        for (size_t r = 0; r < 6; r++)
            want |= p >= ranges[r][0] && p <= ranges[r][1];
        char out[19];
        const char *why = NULL;
        int rc = ids_citizen_normalize(id, 18, TODAY, out, NULL, &why);
        cr_assert_eq(rc, want ? 0 : MZ_EINVAL, "ids-17.7: %s", id);
        if (!want)
            cr_assert_str_eq(why, C_PROV, "ids-17.7: %s", id);
        accepted += rc == 0;
    }
    cr_assert_eq(accepted, 31, "ids-17.8: 31 mainland provinces");
}

/* ids-18: input that is no number at all — empty, blanks, all X, non-ASCII, inner spaces. */
Test(ids, citizen_junk)
{
    static const struct refused c[] = {
        { "ids-18.1", "", 0, C_EMPTY },
        { "ids-18.2", " \t\r\n ", 0, C_EMPTY },
        { "ids-18.3", X3 X3 X3 X3 X3 X3, 0, C_XPOS },   /* 18 × X */
        { "ids-18.4", "xxxxxxxxxxxxxxxxxx", 0, C_XPOS },
        { "ids-18.5", X3 X3 X3 X3 X3, 0, C_LEN15 },     /* 15 × X */
        { "ids-18.6", "X10104198503120117", 0, C_XPOS },
        { "ids-18.7", "5101041985031201 7", 0, C_CHARS },   /* a space inside */
        { "ids-18.8", "510104-19850312-0117", 0, C_CHARS },
        { "ids-18.9", "51010419850312011Y", 0, C_CHARS },
        { "ids-18.10", "+10104198503120117", 0, C_CHARS },
        /* fullwidth ５１０１０４１９８５０３１２０１１７ (54 bytes) */
        { "ids-18.11",
          "\xef\xbc\x95\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x94"
          "\xef\xbc\x91\xef\xbc\x99\xef\xbc\x98\xef\xbc\x95\xef\xbc\x90\xef\xbc\x93"
          "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x90\xef\xbc\x91\xef\xbc\x91\xef\xbc\x97",
          0, C_CHARS },
        /* a fullwidth Ｘ at the end: 17 digits + 3 bytes = 20 bytes */
        { "ids-18.12", "51010419850312023\xef\xbc\xb8", 0, C_CHARS },
        /* the ideographic space U+3000 is not ASCII whitespace and is not stripped */
        { "ids-18.13", "\xe3\x80\x80" "510104198503120117", 0, C_CHARS },
        { "ids-18.14", "身份证号码", 0, C_CHARS },
        { "ids-18.15", "51010419850312\xb5\xb1\xb2\xb7", 0, C_CHARS },  /* high bytes */
        { "ids-18.16", "510104198503120\0\x31\x37", 18, C_CHARS },      /* NUL inside */
    };
    citizen_refuses(c, sizeof c / sizeof c[0], TODAY);
    /* NULL with length 0 is empty, not a crash */
    const char *why = NULL;
    char out[19];
    cr_assert_eq(ids_citizen_normalize(NULL, 0, TODAY, out, NULL, &why), MZ_EINVAL, "ids-18.17");
    cr_assert_str_eq(why, C_EMPTY, "ids-18.17");
}

/* ids-19: the packed form — body × 11 + check value, X = 10 — at its boundaries. */
Test(ids, citizen_pack_values)
{
    static const struct {
        const char *id, *num;
        uint64_t packed;
    } c[] = {
        { "ids-19.1", "000000000000000000", 0 },
        { "ids-19.2", "000000000000000001", 1 },
        { "ids-19.3", "00000000000000000X", 10 },
        { "ids-19.4", "000000000000000010", 11 },
        /* 11010519491231002 × 11 + 10 */
        { "ids-19.5", "11010519491231002X", UINT64_C(121115714403541032) },
        /* 51010419850312011 × 11 + 7 */
        { "ids-19.6", "510104198503120117", UINT64_C(561114618353432128) },
        /* the largest value: 11 × 10^17 − 1 < 2^64 */
        { "ids-19.7", "99999999999999999X", UINT64_C(1099999999999999999) },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(ids_citizen_pack(c[i].num), c[i].packed, "%s", c[i].id);
        char out[19];
        memset(out, 'x', sizeof out);
        ids_citizen_unpack(c[i].packed, out);
        cr_assert_eq(out[18], '\0', "%s: NUL-terminated", c[i].id);
        cr_assert_str_eq(out, c[i].num, "%s", c[i].id);
    }
}

/* ids-20: round trip over every valid example of §2.5 (and the §2.2 ones). */
Test(ids, citizen_pack_examples)
{
    static const char *const n[] = {
        "510104198503120117", "51010419850312023X", "500112196207180261", "22010219470101012X",
        "530102201202290054", "51010719900530024X", "500103197512310139", "220104200001010082",
        "530111195808080172", "220102200002290028", "11010519491231002X", "440524188001010014",
        "34052419800101001X",
    };
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        char norm[19], back[19];
        cr_assert_eq(ids_citizen_normalize(n[i], 18, TODAY, norm, NULL, NULL), 0,
                     "ids-20.%zu", i + 1);
        uint64_t p = ids_citizen_pack(norm);
        ids_citizen_unpack(p, back);
        cr_assert_str_eq(back, n[i], "ids-20.%zu", i + 1);
        for (size_t j = 0; j < i; j++)
            cr_assert_neq(p, ids_citizen_pack(n[j]), "ids-20.%zu: same as %zu", i + 1, j + 1);
    }
}

/* A fixed-seed generator for the generated cases (SplitMix64): the same numbers on every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Check character by §2.2's second formulation: with weights 2^(18−k) mod 11 for position k and
 * X = 10 on the check position, the sum over all 18 positions is ≡ 1 (mod 11). */
static char check_by_sum(const char *body17)
{
    int s = 0;
    for (int k = 1; k <= 17; k++) {
        int w = 1;
        for (int e = 0; e < 18 - k; e++)
            w = w * 2 % 11;
        s += (body17[k - 1] - '0') * w;
    }
    for (int c = 0; c <= 10; c++)
        if ((s + c) % 11 == 1)
            return c == 10 ? 'X' : (char)('0' + c);
    return '?';
}

/* ids-21: 10 000 generated valid numbers (random mainland province, county digits, a real date
 * 1900-01-01 … TODAY, sequence 000–999, check by check_by_sum): each is accepted with the right
 * birth date and sex, round-trips through pack/unpack, and packing keeps string order. Changing
 * any one of its first 17 digits must make the check fail (MOD 11-2 detects every single
 * substitution, ISO 7064). */
Test(ids, citizen_generated)
{
    static const int prov[31] = { 11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                                  42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65 };
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    uint64_t rng = 11643;
    char prev[19] = "";
    uint64_t prev_packed = 0;
    int x_count = 0;
    for (int i = 0; i < 10000; i++) {
        char id[19];
        int y, m, d, date;
        do {
            y = 1900 + (int)(next_random(&rng) % 127);
            m = 1 + (int)(next_random(&rng) % 12);
            bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            d = 1 + (int)(next_random(&rng) % (uint64_t)(dim[m - 1] + (m == 2 && leap)));
            date = y * 10000 + m * 100 + d;
        } while (date > TODAY);
        int seq = (int)(next_random(&rng) % 1000);
        char body[40];   /* room for any int, so the compiler sees no truncation */
        snprintf(body, sizeof body, "%02d%04d%08d%03d", prov[next_random(&rng) % 31],
                 (int)(next_random(&rng) % 10000), date, seq);
        cr_assert_eq(strlen(body), 17, "ids-21.0 #%d", i);
        memcpy(id, body, 17);
        id[17] = check_by_sum(id);
        id[18] = '\0';
        x_count += id[17] == 'X';

        char out[19], back[19];
        struct ids_citizen info;
        const char *why = NULL;
        int rc = ids_citizen_normalize(id, 18, TODAY, out, &info, &why);
        cr_assert_eq(rc, 0, "ids-21.1 #%d: %s refused: %s", i, id, why ? why : "");
        cr_assert_str_eq(out, id, "ids-21.1 #%d", i);
        cr_assert_eq(info.birth_yyyymmdd, date, "ids-21.2 #%d: %s", i, id);
        cr_assert_eq(info.sex, seq % 2 ? 'M' : 'F', "ids-21.3 #%d: %s", i, id);

        uint64_t p = ids_citizen_pack(out);
        cr_assert_lt(p, UINT64_C(1100000000000000000), "ids-21.4 #%d", i);
        ids_citizen_unpack(p, back);
        cr_assert_str_eq(back, id, "ids-21.5 #%d", i);
        if (i > 0) {
            int sc = strcmp(prev, id);
            cr_assert_eq(sc < 0, prev_packed < p, "ids-21.6 #%d: order %s %s", i, prev, id);
            cr_assert_eq(sc == 0, prev_packed == p, "ids-21.6 #%d", i);
        }
        memcpy(prev, id, sizeof prev);
        prev_packed = p;

        /* one digit changed (position and new value from the generator) */
        char typo[19];
        memcpy(typo, id, sizeof typo);
        int at = (int)(next_random(&rng) % 17);
        typo[at] = (char)('0' + (typo[at] - '0' + 1 + (int)(next_random(&rng) % 9)) % 10);
        why = NULL;
        cr_assert_eq(ids_citizen_normalize(typo, 18, TODAY, out, NULL, &why), MZ_EINVAL,
                     "ids-21.7 #%d: %s accepted", i, typo);
        cr_assert_str_eq(why, C_CHECK, "ids-21.7 #%d: %s", i, typo);
    }
    /* R = 2 has probability 1/11: X must have come up, or the generator is not exercising it */
    cr_assert_gt(x_count, 500, "ids-21.8: %d numbers ending in X", x_count);
}

/* ids-22: a swapped sex digit or a swapped check character never passes (§2.2). */
Test(ids, citizen_check_positions)
{
    static const struct refused c[] = {
        { "ids-22.1", "510104198503120110", 0, C_CHECK },
        { "ids-22.2", "51010419850312011X", 0, C_CHECK },
        { "ids-22.3", "510104198503120127", 0, C_CHECK },   /* sequence 012 with 011's check */
        { "ids-22.4", "500112196207180262", 0, C_CHECK },
        { "ids-22.5", "220102200002290020", 0, C_CHECK },
    };
    citizen_refuses(c, sizeof c / sizeof c[0], TODAY);
}

/* ==== 统一社会信用代码 (GB 32100-2015; reference.md §3) ===================================== */

#define U_EMPTY "统一社会信用代码不能为空"
#define U_CHARS "统一社会信用代码含有非法字符，只能由数字和除 I、O、S、V、Z 以外的大写字母组成"
#define U_LEN "统一社会信用代码长度不正确，应为18位"
#define U_REGION "统一社会信用代码第3至8位（登记管理机关行政区划码）只能是数字"
#define U_AUTH "统一社会信用代码第1位（登记管理部门代码）不正确"
#define U_TYPE "统一社会信用代码第2位（机构类别代码）与登记管理部门不对应"
#define U_CHECK "统一社会信用代码校验码不正确"
#define U_ORG "统一社会信用代码中的组织机构代码（第9至17位）校验码不正确"

struct credit_ok {
    const char *id, *in, *want, *region, *kind;
};

static void credit_accepts(const struct credit_ok *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[19];
        struct ids_credit info;
        const char *why = "untouched";
        memset(out, 'x', sizeof out);
        memset(&info, 0x5a, sizeof info);
        int rc = ids_credit_normalize(c[i].in, strlen(c[i].in), out, &info, &why);
        cr_assert_eq(rc, 0, "%s: %s refused: %s", c[i].id, c[i].in, why);
        cr_assert_str_eq(why, "untouched", "%s: why written on success", c[i].id);
        cr_assert_eq(out[18], '\0', "%s: NUL-terminated", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
        cr_assert_eq(info.authority, c[i].want[0], "%s", c[i].id);
        cr_assert_eq(info.type, c[i].want[1], "%s", c[i].id);
        cr_assert_str_eq(info.region6, c[i].region, "%s", c[i].id);
        cr_assert_not_null(info.kind, "%s", c[i].id);
        cr_assert_str_eq(info.kind, c[i].kind, "%s", c[i].id);
    }
}

static void credit_refuses(const struct refused *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[19];
        struct ids_credit info, before;
        const char *why = NULL;
        size_t len = c[i].len ? c[i].len : strlen(c[i].in);
        memset(out, 'x', sizeof out);
        memset(&info, 0x5a, sizeof info);
        before = info;
        int rc = ids_credit_normalize(c[i].in, len, out, &info, &why);
        cr_assert_eq(rc, MZ_EINVAL, "%s: %s accepted", c[i].id, c[i].in);
        cr_assert_not_null(why, "%s: no reason", c[i].id);
        cr_assert_str_eq(why, c[i].why, "%s: %s", c[i].id, c[i].in);
        for (size_t j = 0; j < sizeof out; j++)
            cr_assert_eq(out[j], 'x', "%s: out written on failure at %zu", c[i].id, j);
        cr_assert_eq(memcmp(&info, &before, sizeof info), 0, "%s: info written", c[i].id);
    }
}

/* ids-30: every valid example of §3.6, with the §3.5 kind of its first two characters. */
Test(ids, credit_valid_examples)
{
    static const struct credit_ok c[] = {
        { "ids-30.1", "515101045012345693", "515101045012345693", "510104", "民政·社会团体" },
        { "ids-30.2", "52500112087654321W", "52500112087654321W", "500112",
          "民政·民办非企业单位（社会服务机构）" },
        { "ids-30.3", "53530000001122333K", "53530000001122333K", "530000", "民政·基金会" },
        /* national level 100000 (民政部) */
        { "ids-30.4", "531000001020304037", "531000001020304037", "100000", "民政·基金会" },
        { "ids-30.5", "59530102314159268G", "59530102314159268G", "530102", "民政·其他" },
        /* org check C9 = 10 → X, and C9 = 11 → 0 (§3.4) */
        { "ids-30.6", "5151010450000004X3", "5151010450000004X3", "510104", "民政·社会团体" },
        { "ids-30.7", "52500112500000090R", "52500112500000090R", "500112",
          "民政·民办非企业单位（社会服务机构）" },
        { "ids-30.8", "512201020A1B2C3D84", "512201020A1B2C3D84", "220102", "民政·社会团体" },
        { "ids-30.9", "915101047788990029", "915101047788990029", "510104",
          "工商（市场监管）·企业" },
        { "ids-30.10", "12500112456789011X", "12500112456789011X", "500112",
          "机构编制·事业单位" },
        /* letters in positions 1–2 are allowed (python-stdnum wrongly refuses them, §3.5) */
        { "ids-30.11", "N22201022024000109", "N22201022024000109", "220102",
          "农业·村级集体经济组织" },
        { "ids-30.12", "Y1510104123123123D", "Y1510104123123123D", "510104",
          "其他·不再具体划分机构类别" },
        /* the real code from the python-stdnum doctest (§3.3) */
        { "ids-30.13", "91110000600037341L", "91110000600037341L", "110000",
          "工商（市场监管）·企业" },
    };
    credit_accepts(c, sizeof c / sizeof c[0]);
}

/* ids-31: every invalid example of §3.7. The two "warn" rows (authority B, 民政 type 7) are
 * refused here: positions 1–2 must be a §3.5 combination. */
Test(ids, credit_invalid_examples)
{
    static const struct refused c[] = {
        { "ids-31.1", "515101045012345694", 0, U_CHECK },
        { "ids-31.2", "51510104501234569", 0, U_LEN },
        /* O is outside the set (and in the region): the character set is checked first */
        { "ids-31.3", "5151O1045012345693", 0, U_CHARS },
        { "ids-31.4", "5151A1045012345693", 0, U_REGION },
        { "ids-31.5", "51510104I012345693", 0, U_CHARS },
        /* passes MOD 31; the embedded 50123456-7 fails GB 11714 (C9 must be 9) */
        { "ids-31.6", "51510104501234567W", 0, U_ORG },
        { "ids-31.7", "B1510104501234569W", 0, U_AUTH },
        { "ids-31.8", "57510104501234569G", 0, U_TYPE },
    };
    credit_refuses(c, sizeof c / sizeof c[0]);
}

/* ids-32: normalised forms — lower case (§3.7 last row), surrounding ASCII whitespace. */
Test(ids, credit_normalised_forms)
{
    static const struct credit_ok c[] = {
        { "ids-32.1", "52500112087654321w", "52500112087654321W", "500112",
          "民政·民办非企业单位（社会服务机构）" },
        { "ids-32.2", "n22201022024000109", "N22201022024000109", "220102",
          "农业·村级集体经济组织" },
        { "ids-32.3", "y1510104123123123d", "Y1510104123123123D", "510104",
          "其他·不再具体划分机构类别" },
        { "ids-32.4", "512201020a1b2c3d84", "512201020A1B2C3D84", "220102", "民政·社会团体" },
        { "ids-32.5", " \t515101045012345693\r\n", "515101045012345693", "510104",
          "民政·社会团体" },
        { "ids-32.6", "91110000600037341l ", "91110000600037341L", "110000",
          "工商（市场监管）·企业" },
    };
    credit_accepts(c, sizeof c / sizeof c[0]);

    char out[19];
    cr_assert_eq(ids_credit_normalize("515101045012345693ABC", 18, out, NULL, NULL), 0,
                 "ids-32.7: only len bytes count");
    cr_assert_str_eq(out, "515101045012345693", "ids-32.7");
}

/* ids-33: characters and lengths. */
Test(ids, credit_junk)
{
    static const struct refused c[] = {
        { "ids-33.1", "", 0, U_EMPTY },
        { "ids-33.2", "  \t ", 0, U_EMPTY },
        { "ids-33.3", "5151010450123456930", 0, U_LEN },
        { "ids-33.4", "5", 0, U_LEN },
        /* each excluded letter, upper and lower case (§3.1: no I, O, S, V, Z) */
        { "ids-33.5", "51510104501234569I", 0, U_CHARS },
        { "ids-33.6", "51510104501234569O", 0, U_CHARS },
        { "ids-33.7", "51510104501234569S", 0, U_CHARS },
        { "ids-33.8", "51510104501234569V", 0, U_CHARS },
        { "ids-33.9", "51510104501234569Z", 0, U_CHARS },
        { "ids-33.10", "51510104501234569z", 0, U_CHARS },
        { "ids-33.11", "51510104501234569i", 0, U_CHARS },
        { "ids-33.12", "515101045012 345693", 0, U_CHARS },
        { "ids-33.13", "51510104-50123456-3", 0, U_CHARS },
        { "ids-33.14", "51510104501234569\xef\xbc\x93", 0, U_CHARS },  /* fullwidth ３ */
        { "ids-33.15", "\xe3\x80\x80" "515101045012345693", 0, U_CHARS },  /* U+3000 */
        { "ids-33.16", "统一社会信用代码", 0, U_CHARS },
        { "ids-33.17", "51510104501234569\0", 18, U_CHARS },
        { "ids-33.18", "51510104501234569\xb3", 0, U_CHARS },
    };
    credit_refuses(c, sizeof c / sizeof c[0]);
}

/* ids-34: positions 1–2 (§3.5) and 3–8. Final checks below computed by §3.3 so that only the
 * rule under test can fail. */
Test(ids, credit_authority_type)
{
    static const struct refused c[] = {
        /* authority outside the table, type fine */
        { "ids-34.1", "015101045012345698", 0, U_AUTH },
        { "ids-34.2", "B1510104501234569W", 0, U_AUTH },
        /* 工商 has no type 9; Y has only 1; 民政 has no 4 */
        { "ids-34.3", "995101045012345696", 0, U_TYPE },
        { "ids-34.4", "Y25101045012345696", 0, U_TYPE },
        { "ids-34.5", "54510104501234569R", 0, U_TYPE },
        /* a region position holding a letter of the set */
        { "ids-34.6", "51510A04501234569H", 0, U_REGION },
        { "ids-34.7", "5151010Y501234569T", 0, U_REGION },
    };
    credit_refuses(c, sizeof c / sizeof c[0]);
}

/* ids-35: the GB 11714 check uses A = 10 … Z = 35 (§3.4, [secondary]), not the §3.2 values,
 * which differ from J on. Bodies here contain letters from J on. */
Test(ids, credit_org_letters)
{
    static const struct credit_ok c[] = {
        /* 5J000000: S = 5·3 + 19·7 = 148 with J = 19; 148 mod 11 = 5, C9 = 6 */
        { "ids-35.1", "515101045J0000006W", "515101045J0000006W", "510104", "民政·社会团体" },
        { "ids-35.2", "51510104JKLMNPQRXE", "51510104JKLMNPQRXE", "510104", "民政·社会团体" },
    };
    credit_accepts(c, sizeof c / sizeof c[0]);
    /* the same bodies with the check the §3.2 values would give; final check recomputed */
    static const struct refused bad[] = {
        { "ids-35.3", "515101045J0000002G", 0, U_ORG },
        { "ids-35.4", "51510104JKLMNPQR67", 0, U_ORG },
    };
    credit_refuses(bad, sizeof bad / sizeof bad[0]);
}

/* ids-36: 2 000 generated valid codes: every §3.5 combination in turn, random region digits
 * and org body from the 31 characters, checks computed here by §3.4 and §3.3. Each is
 * accepted; changing any one character to another of the set is refused (MOD 31 with weights
 * 3^(i−1), 31 prime, detects every single substitution). */
Test(ids, credit_generated)
{
    static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const char *const kinds[] = { "11", "12", "13", "19", "21", "29", "31", "32", "33",
                                         "34", "35", "39", "41", "49", "51", "52", "53", "59",
                                         "61", "62", "69", "71", "72", "79", "81", "89", "91",
                                         "92", "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1" };
    static const int ow[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    uint64_t rng = 32100;
    for (int i = 0; i < 2000; i++) {
        char code[19];
        memcpy(code, kinds[(size_t)i % (sizeof kinds / sizeof kinds[0])], 2);
        for (int k = 2; k < 8; k++)
            code[k] = (char)('0' + next_random(&rng) % 10);
        int s = 0;
        for (int k = 8; k < 16; k++) {
            code[k] = set[next_random(&rng) % 31];
            int v = code[k] <= '9' ? code[k] - '0' : code[k] - 'A' + 10;
            s += v * ow[k - 8];
        }
        int c9 = 11 - s % 11;
        code[16] = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
        int t = 0, w = 1;
        for (int k = 0; k < 17; k++) {
            t += (int)(strchr(set, code[k]) - set) * w;
            w = w * 3 % 31;
        }
        code[17] = set[(31 - t % 31) % 31];
        code[18] = '\0';

        char out[19];
        struct ids_credit info;
        const char *why = NULL;
        cr_assert_eq(ids_credit_normalize(code, 18, out, &info, &why), 0,
                     "ids-36.1 #%d: %s refused: %s", i, code, why ? why : "");
        cr_assert_str_eq(out, code, "ids-36.1 #%d", i);
        cr_assert_eq(memcmp(info.region6, code + 2, 6), 0, "ids-36.2 #%d", i);
        cr_assert_not_null(info.kind, "ids-36.3 #%d", i);

        char typo[19];
        memcpy(typo, code, sizeof typo);
        int at = (int)(next_random(&rng) % 18);
        const char *p = strchr(set, typo[at]);
        typo[at] = set[((size_t)(p - set) + 1 + next_random(&rng) % 30) % 31];
        cr_assert_eq(ids_credit_normalize(typo, 18, out, NULL, NULL), MZ_EINVAL,
                     "ids-36.4 #%d: %s accepted", i, typo);
    }
}

/* Ancestors from the province down (reference.md §4.3): a village has five, capped by level. */
Test(ids, region_ancestors)
{
    char out[5][REGION_CODE_LEN + 1];
    cr_assert_eq(ids_region_ancestors("510824100201", 5, out), 5);
    cr_assert_str_eq(out[0], "510000000000");
    cr_assert_str_eq(out[2], "510824000000");
    cr_assert_str_eq(out[3], "510824100000");
    cr_assert_str_eq(out[4], "510824100201");
    cr_assert_eq(ids_region_ancestors("510824100201", 3, out), 3);
    cr_assert_str_eq(out[2], "510824000000");
    cr_assert_eq(ids_region_ancestors("510800000000", 3, out), 2);
    cr_assert_str_eq(out[1], "510800000000");
}
