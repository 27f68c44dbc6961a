/*
 * tests/unit/core/test_calendar.c — China calendar days (src/core/calendar.c).
 *
 * China uses one time zone, UTC+8, without daylight saving (国务院 1992 停止夏令时): the day
 * changes at 16:00 UTC.
 *
 * The holiday calendar and working-day arithmetic: shared/domain/reference.md §1.6 (flat lists,
 * per-year counts, the 19 weekday holidays of 2026) and §1.7 (民法典 第二百零一条/第二百零三条,
 * worked examples 1–10). Cases are numbered cal-N.M.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "tmpdir.h"

Test(calendar, day)
{
    static const struct { const char *id; int64_t t; int want; const char *iso; } c[] = {
        { "cal-1.1", 0, 19700101, "1970-01-01" },
        { "cal-1.2", 1795662000, 20261126, "2026-11-26" },    /* 2026-11-26T03:00:00Z */
        { "cal-1.3", 1795708799, 20261126, "2026-11-26" },    /* 15:59:59Z: still the 26th */
        { "cal-1.4", 1795708800, 20261127, "2026-11-27" },    /* 16:00:00Z: the 27th in China */
        { "cal-1.5", 951753600, 20000229, "2000-02-29" },     /* 2000-02-28T16:00Z: leap day */
        { "cal-1.6", 1798732800, 20270101, "2027-01-01" },    /* 2026-12-31T16:00Z */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char iso[11];
        cr_assert_eq(calendar_day(c[i].t), c[i].want, "%s", c[i].id);
        cr_assert_str_eq(calendar_day_iso(c[i].t, iso), c[i].iso, "%s", c[i].id);
    }
}

/*
 * The official holiday calendar (reference.md §1). The in-memory calendar is built from the
 * flat lists of §1.6, pasted below as text; data/holidays.tsv and the holiday table migrated
 * from sql/0006_calendar.sql must both agree with it.
 */
static const char *const ref_off[] = {
    /* reference.md §1.6, OFF */
    "2024-01-01 2024-02-10 2024-02-11 2024-02-12 2024-02-13 2024-02-14 2024-02-15 2024-02-16 "
    "2024-02-17 2024-04-04 2024-04-05 2024-04-06 2024-05-01 2024-05-02 2024-05-03 2024-05-04 "
    "2024-05-05 2024-06-10 2024-09-15 2024-09-16 2024-09-17 2024-10-01 2024-10-02 2024-10-03 "
    "2024-10-04 2024-10-05 2024-10-06 2024-10-07",
    "2025-01-01 2025-01-28 2025-01-29 2025-01-30 2025-01-31 2025-02-01 2025-02-02 2025-02-03 "
    "2025-02-04 2025-04-04 2025-04-05 2025-04-06 2025-05-01 2025-05-02 2025-05-03 2025-05-04 "
    "2025-05-05 2025-05-31 2025-06-01 2025-06-02 2025-10-01 2025-10-02 2025-10-03 2025-10-04 "
    "2025-10-05 2025-10-06 2025-10-07 2025-10-08",
    "2026-01-01 2026-01-02 2026-01-03 2026-02-15 2026-02-16 2026-02-17 2026-02-18 2026-02-19 "
    "2026-02-20 2026-02-21 2026-02-22 2026-02-23 2026-04-04 2026-04-05 2026-04-06 2026-05-01 "
    "2026-05-02 2026-05-03 2026-05-04 2026-05-05 2026-06-19 2026-06-20 2026-06-21 2026-09-25 "
    "2026-09-26 2026-09-27 2026-10-01 2026-10-02 2026-10-03 2026-10-04 2026-10-05 2026-10-06 "
    "2026-10-07",
};
static const char *const ref_work[] = {
    /* reference.md §1.6, WORK */
    "2024-02-04 2024-02-18 2024-04-07 2024-04-28 2024-05-11 2024-09-14 2024-09-29 2024-10-12",
    "2025-01-26 2025-02-08 2025-04-27 2025-09-28 2025-10-11",
    "2026-01-04 2026-02-14 2026-02-28 2026-05-09 2026-09-20 2026-10-10",
};

#define REF_MAX 128

/* Appends the dates of a space-separated list to e[*n] with the given kind. */
static void ref_add(const char *list, enum calendar_kind kind, struct calendar_entry *e, size_t *n)
{
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        cr_assert_lt(*n, REF_MAX);
        cr_assert_eq(calendar_date_parse(p, 10, &e[*n].day), 0, "bad date in list: %.10s", p);
        e[(*n)++].kind = kind;
        p += 10;
    }
}

static size_t ref_entries(struct calendar_entry e[REF_MAX])
{
    size_t n = 0;
    for (size_t y = 0; y < 3; y++) {
        ref_add(ref_off[y], CALENDAR_OFF, e, &n);
        ref_add(ref_work[y], CALENDAR_WORK, e, &n);
    }
    return n;
}

static struct calendar *ref_calendar(void)
{
    struct calendar_entry e[REF_MAX];
    size_t n = ref_entries(e);
    cr_assert_eq(n, 89 + 19, "§1.6: 89 OFF and 19 WORK dates");
    struct calendar *c = NULL;
    cr_assert_eq(calendar_new(e, n, &c), 0);
    return c;
}

/* Asserts that a and b list the same dates with the same kinds over 2023–2027. */
static void assert_same_calendar(const struct calendar *a, const struct calendar *b, const char *id)
{
    int listed = 0;
    for (int y = 2023; y <= 2027; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                int day = y * 10000 + m * 100 + d;
                if (!calendar_date_valid(day))
                    continue;
                cr_assert_eq(calendar_kind(a, day), calendar_kind(b, day), "%s: %d", id, day);
                cr_assert_eq(calendar_covers(a, day), calendar_covers(b, day), "%s: %d", id, day);
                listed += calendar_kind(a, day) != 0;
            }
    cr_assert_eq(listed, 108, "%s: 108 listed dates", id);
}

Test(calendar, date_valid_and_parse)   /* leap years: Gregorian rule */
{
    static const struct { const char *id; int day; bool ok; } v[] = {
        { "cal-2.1", 20240229, true }, { "cal-2.2", 20250229, false },
        { "cal-2.3", 20000229, true }, { "cal-2.4", 21000229, false },
        { "cal-2.5", 20261231, true }, { "cal-2.6", 20261232, false },
        { "cal-2.7", 20261301, false }, { "cal-2.8", 20260100, false },
        { "cal-2.9", 0, false }, { "cal-2.10", -20260101, false },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_assert_eq(calendar_date_valid(v[i].day), v[i].ok, "%s", v[i].id);
    static const struct { const char *id; const char *iso; int rc, want; } p[] = {
        { "cal-2.11", "2024-02-29", 0, 20240229 }, { "cal-2.12", "2025-02-29", MZ_EINVAL, 0 },
        { "cal-2.13", "2024/02/29", MZ_EINVAL, 0 }, { "cal-2.14", "2024-2-29x", MZ_EINVAL, 0 },
        { "cal-2.15", "2024-02-2", MZ_EINVAL, 0 },
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        int got = -1;
        cr_assert_eq(calendar_date_parse(p[i].iso, strlen(p[i].iso), &got), p[i].rc, "%s", p[i].id);
        if (p[i].rc == 0)
            cr_assert_eq(got, p[i].want, "%s", p[i].id);
        else
            cr_assert_eq(got, -1, "%s: out untouched on failure", p[i].id);
    }
}

Test(calendar, new_rejects_bad_entries)
{
    struct calendar *c = NULL;
    struct calendar_entry dup[] = { { 20261001, CALENDAR_OFF }, { 20261001, CALENDAR_WORK } };
    cr_assert_eq(calendar_new(dup, 2, &c), MZ_EINVAL, "cal-3.1: a date listed twice");
    struct calendar_entry bad[] = { { 20250229, CALENDAR_OFF } };
    cr_assert_eq(calendar_new(bad, 1, &c), MZ_EINVAL, "cal-3.2: not a date");
    struct calendar_entry kind[] = { { 20261001, 7 } };
    cr_assert_eq(calendar_new(kind, 1, &c), MZ_EINVAL, "cal-3.3: unknown kind");
    cr_assert_null(c, "cal-3.4: out untouched on failure");
    cr_assert_eq(calendar_new(NULL, 0, &c), 0, "cal-3.5: an empty calendar is Monday to Friday");
    cr_assert(calendar_is_workday(c, 20261001), "cal-3.5");
    cr_assert_not(calendar_covers(c, 20261001), "cal-3.5");
    calendar_free(c);
    calendar_free(NULL);
}

Test(calendar, worked_examples)   /* reference.md §1.7, worked examples 1–10 */
{
    static const struct { const char *id; int start, n, want; } c[] = {
        { "cal-4.1", 20250926, 5, 20251010 },  { "cal-4.2", 20250930, 1, 20251009 },
        { "cal-4.3", 20250930, 10, 20251021 }, { "cal-4.4", 20251009, 3, 20251013 },
        { "cal-4.5", 20251231, 2, 20260105 },  { "cal-4.6", 20260213, 1, 20260214 },
        { "cal-4.7", 20260212, 5, 20260226 },  { "cal-4.8", 20260210, 15, 20260309 },
        { "cal-4.9", 20260130, 20, 20260305 }, { "cal-4.10", 20251004, 1, 20251009 },
    };
    struct calendar *cal = ref_calendar();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(calendar_add_workdays(cal, c[i].start, c[i].n), c[i].want, "%s", c[i].id);
        cr_assert_eq(calendar_workdays_between(cal, c[i].start, c[i].want), c[i].n, "%s", c[i].id);
    }
    calendar_free(cal);
}

Test(calendar, deadline_cases)   /* reference.md §1.7 convention; §1.5 for 2026 */
{
    static const struct { const char *id; int start, n, want; } c[] = {
        /* n = 0: the start day itself, whatever it is */
        { "cal-5.1", 20261126, 0, 20261126 }, { "cal-5.2", 20251001, 0, 20251001 },
        /* 国庆 2026: 09-29 ①, 09-30 ②, 10-01…07 off, 10-08 ③, 10-09 ④, 10-10 Sat make-up ⑤ */
        { "cal-5.3", 20260928, 5, 20261010 }, { "cal-5.4", 20260928, 6, 20261012 },
        /* 中秋 and 国庆 2026 are separate blocks: 09-24 → 09-28 ① */
        { "cal-5.5", 20260924, 1, 20260928 },
        /* start on a holiday: never counted (§1.7 example 10, and 2026 国庆 Saturday) */
        { "cal-5.6", 20261003, 1, 20261008 }, { "cal-5.7", 20260215, 1, 20260224 },
        /* start on a make-up Saturday: not counted either */
        { "cal-5.8", 20261010, 1, 20261012 },
        /* leap years: 2024-02-29 is a Thursday and a working day */
        { "cal-5.9", 20240228, 1, 20240229 }, { "cal-5.10", 20240228, 2, 20240301 },
        /* 2024 除夕 is a working day (§1.1): 02-08 → 02-09 ①, 02-18 Sun make-up ② */
        { "cal-5.11", 20240208, 1, 20240209 }, { "cal-5.12", 20240208, 2, 20240218 },
        /* 低保 25 working days (§1.7, 郑州市中原区), across 2026 春节: 02-06 ①, 02-09…13 ②–⑥,
         * 02-14 ⑦, 02-24…27 ⑧–⑪, 02-28 ⑫, 03-02…06 ⑬–⑰, 03-09…13 ⑱–㉒, 03-16…18 ㉓–㉕ */
        { "cal-5.13", 20260205, 25, 20260318 },
    };
    struct calendar *cal = ref_calendar();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(calendar_add_workdays(cal, c[i].start, c[i].n), c[i].want, "%s", c[i].id);
        cr_assert_eq(calendar_workdays_between(cal, c[i].start, c[i].want), c[i].n, "%s", c[i].id);
    }
    calendar_free(cal);
}

Test(calendar, year_counts)   /* reference.md §1.6: 251 / 248 / 248 working days */
{
    static const struct { const char *id; int year, want; } c[] = {
        { "cal-6.1", 2024, 251 }, { "cal-6.2", 2025, 248 }, { "cal-6.3", 2026, 248 },
        { "cal-6.4", 2027, 261 }, /* not covered: Monday to Friday */
    };
    struct calendar *cal = ref_calendar();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int y = c[i].year, by_day = 0;
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++)
                if (calendar_date_valid(y * 10000 + m * 100 + d))
                    by_day += calendar_is_workday(cal, y * 10000 + m * 100 + d);
        cr_assert_eq(by_day, c[i].want, "%s", c[i].id);
        cr_assert_eq(calendar_workdays_between(cal, (y - 1) * 10000 + 1231, y * 10000 + 1231),
                     c[i].want, "%s", c[i].id);
        /* the last working day of the year is the count-th after New Year's Eve */
        int last = y * 10000 + 1231;
        while (!calendar_is_workday(cal, last))
            last--;
        cr_assert_eq(calendar_add_workdays(cal, (y - 1) * 10000 + 1231, c[i].want), last, "%s",
                     c[i].id);
    }
    calendar_free(cal);
}

Test(calendar, weekday_holidays_2026)   /* reference.md §1.6: the 19 weekday holidays of 2026 */
{
    static const int want[] = { 20260101, 20260102, 20260216, 20260217, 20260218, 20260219,
                                20260220, 20260223, 20260406, 20260501, 20260504, 20260505,
                                20260619, 20260925, 20261001, 20261002, 20261005, 20261006,
                                20261007 };
    struct calendar *cal = ref_calendar();
    struct calendar *none = NULL;
    cr_assert_eq(calendar_new(NULL, 0, &none), 0);
    size_t k = 0;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++) {
            int day = 20260000 + m * 100 + d;
            if (!calendar_date_valid(day) || !calendar_is_workday(none, day) ||
                calendar_is_workday(cal, day))
                continue;
            cr_assert_lt(k, 19, "cal-7.1: more than 19, %d", day);
            cr_assert_eq(day, want[k], "cal-7.1: #%zu", k + 1);
            k++;
        }
    cr_assert_eq(k, 19, "cal-7.1");
    calendar_free(none);
    calendar_free(cal);
}

Test(calendar, makeup_days_are_workdays)   /* reference.md §1.6, §1.7 pitfalls */
{
    struct calendar_entry e[REF_MAX];
    size_t n = ref_entries(e);
    struct calendar *cal = ref_calendar();
    struct calendar *none = NULL;
    cr_assert_eq(calendar_new(NULL, 0, &none), 0);
    int work = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == CALENDAR_WORK) {
            work++;
            cr_assert_not(calendar_is_workday(none, e[i].day), "cal-8.1: %d is a weekend day",
                          e[i].day);
            cr_assert(calendar_is_workday(cal, e[i].day), "cal-8.2: %d is worked", e[i].day);
        } else {
            cr_assert_not(calendar_is_workday(cal, e[i].day), "cal-8.3: %d is off", e[i].day);
        }
    }
    cr_assert_eq(work, 19, "cal-8.4");
    cr_assert(calendar_is_workday(cal, 20240209), "cal-8.5: 2024 除夕 is a working day");
    cr_assert_not(calendar_is_workday(cal, 20261011), "cal-8.6: ordinary Sunday");
    calendar_free(none);
    calendar_free(cal);
}

Test(calendar, add_days_civil_code_203)   /* reference.md §1.7: 民法典 第二百零一条、第二百零三条 */
{
    static const struct { const char *id; int start, n, want; } c[] = {
        { "cal-9.1", 20261126, 0, 20261126 },  /* n = 0 */
        { "cal-9.2", 20261126, 7, 20261203 },  /* 公示期 7 天, ends on a Thursday */
        { "cal-9.3", 20250921, 10, 20251009 }, /* ends 10-01 (OFF): moved past 国庆 */
        { "cal-9.4", 20251001, 10, 20251011 }, /* ends on a make-up Saturday: stays */
        { "cal-9.5", 20261112, 10, 20261123 }, /* ends on a Sunday: moved to Monday */
        { "cal-9.6", 20260214, 1, 20260224 },  /* ends 02-15: moved past 春节 */
        { "cal-9.7", 20240228, 1, 20240229 },  /* leap day */
        { "cal-9.8", 20240131, 30, 20240301 }, /* 2024 is a leap year */
        { "cal-9.9", 20250131, 30, 20250303 }, /* 2025 is not: 03-02 Sunday → 03-03 */
        { "cal-9.10", 21000228, 1, 21000301 }, /* 2100 is not a leap year (uncovered) */
        { "cal-9.11", 20280228, 1, 20280229 }, /* 2028 is (uncovered) */
        { "cal-9.12", 20261231, 1, 20270101 }, /* into 2027: Friday, Monday to Friday */
    };
    struct calendar *cal = ref_calendar();
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(calendar_add_days(cal, c[i].start, c[i].n), c[i].want, "%s", c[i].id);
    calendar_free(cal);
}

Test(calendar, between_inverts_add)
{
    struct calendar *cal = ref_calendar();
    for (int start = 20231225; start <= 20261231; start++) {
        if (!calendar_date_valid(start))
            continue;
        for (int n = 0; n <= 30; n++) {
            int end = calendar_add_workdays(cal, start, n);
            cr_assert_eq(calendar_workdays_between(cal, start, end), n, "cal-10.1: %d + %d", start,
                         n);
            cr_assert(n == 0 || calendar_is_workday(cal, end), "cal-10.2: %d + %d", start, n);
        }
    }
    cr_assert_eq(calendar_workdays_between(cal, 20261010, 20261010), 0, "cal-10.3: to == from");
    cr_assert_eq(calendar_workdays_between(cal, 20261012, 20261010), 0, "cal-10.4: to < from");
    cr_assert_eq(calendar_workdays_between(cal, 20231231, 20261231), 251 + 248 + 248, "cal-10.5");
    cr_assert_eq(calendar_workdays_between(cal, 20240101, 20261231), 251 + 248 + 248,
                 "cal-10.6: 2024-01-01 is 元旦, not a working day anyway");
    cr_assert_eq(calendar_workdays_between(cal, 20240102, 20261231), 250 + 248 + 248,
                 "cal-10.7: 2024-01-02 (a working day) is the start, not counted");
    calendar_free(cal);
}

Test(calendar, covers_and_fallback)   /* reference.md §1.2: no 2027 notice; §1.7 */
{
    struct calendar *cal = ref_calendar();
    static const struct { const char *id; int day; bool covered, work; } c[] = {
        { "cal-11.1", 20231231, false, false }, /* Sunday */
        { "cal-11.2", 20231002, false, true },  /* 2023 国庆 Monday: not loaded, so Mon–Fri */
        { "cal-11.3", 20240101, true, false },  { "cal-11.4", 20251231, true, true },
        { "cal-11.5", 20261231, true, true },   { "cal-11.6", 20270101, false, true },
        { "cal-11.7", 20270102, false, false },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(calendar_covers(cal, c[i].day), c[i].covered, "%s", c[i].id);
        cr_assert_eq(calendar_is_workday(cal, c[i].day), c[i].work, "%s", c[i].id);
    }
    cr_assert_eq(calendar_add_workdays(cal, 20261231, 2), 20270104, "cal-11.8: Fri ①, Mon ②");
    calendar_free(cal);
}

/* data/holidays.tsv, found from the test binary: <build>/tests/unit/test_core_calendar, compiled
 * from <build>/<__FILE__> where __FILE__ is <to source root>/tests/unit/core/test_calendar.c. */
static FILE *open_tsv(char *path, size_t cap)
{
    const char *tail = "tests/unit/core/test_calendar.c";
    size_t flen = strlen(__FILE__), tlen = strlen(tail);
    cr_assert(flen >= tlen && strcmp(__FILE__ + flen - tlen, tail) == 0, "%s", __FILE__);
    int rootlen = (int)(flen - tlen);
    if (__FILE__[0] == '/') {
        snprintf(path, cap, "%.*sdata/holidays.tsv", rootlen, __FILE__);
    } else {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        cr_assert_gt(n, 0);
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        cr_assert_not_null(slash);
        *slash = 0; /* <build>/tests/unit */
        snprintf(path, cap, "%s/../../%.*sdata/holidays.tsv", exe, rootlen, __FILE__);
    }
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    return f;
}

Test(calendar, tsv_matches_reference)   /* data/holidays.tsv = reference.md §1.6 */
{
    char path[8192];
    FILE *f = open_tsv(path, sizeof path);
    struct calendar_entry e[REF_MAX];
    size_t n = 0;
    char line[512];
    bool header = false;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (!header) {
            cr_assert_str_eq(line, "date\tkind\tname\tsource\n", "cal-12.1: column names");
            header = true;
            continue;
        }
        char *f2 = strchr(line, '\t');
        cr_assert_not_null(f2, "cal-12.2: %s", line);
        char *f3 = strchr(f2 + 1, '\t');
        cr_assert_not_null(f3, "cal-12.2: %s", line);
        char *f4 = strchr(f3 + 1, '\t');
        cr_assert_not_null(f4, "cal-12.2: %s", line);
        cr_assert_null(strchr(f4 + 1, '\t'), "cal-12.2: four columns: %s", line);
        cr_assert_gt(f4 - f3, 1, "cal-12.3: a name: %s", line);
        cr_assert_gt(strlen(f4 + 1), 1, "cal-12.3: a source: %s", line);
        cr_assert_lt(n, REF_MAX);
        cr_assert_eq(calendar_date_parse(line, (size_t)(f2 - line), &e[n].day), 0, "%s", line);
        *f3 = 0;
        cr_assert(strcmp(f2 + 1, "OFF") == 0 || strcmp(f2 + 1, "WORK") == 0, "cal-12.4: %s",
                  line);
        e[n++].kind = strcmp(f2 + 1, "OFF") == 0 ? CALENDAR_OFF : CALENDAR_WORK;
    }
    fclose(f);
    cr_assert_eq(n, 108, "cal-12.5");
    struct calendar *tsv = NULL;
    cr_assert_eq(calendar_new(e, n, &tsv), 0, "cal-12.6: no date twice");
    struct calendar *ref = ref_calendar();
    assert_same_calendar(tsv, ref, "cal-12.7");
    calendar_free(tsv);
    calendar_free(ref);
}

Test(calendar, load_from_migrated_sqlite)   /* sql/0006_calendar.sql = reference.md §1.6 */
{
    char dir[48];
    test_tmpdir_template(dir, sizeof dir, "calendar");
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/test.db", dir);
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(path, &db, err, sizeof err), 0, "db_open: %s", err);
    int applied = -1;
    cr_assert_eq(migrate_run(db, &applied), 0, "cal-13.1: %s", db_errmsg(db));
    struct calendar *loaded = NULL;
    cr_assert_eq(calendar_load(db, &loaded), 0, "cal-13.2: %s", db_errmsg(db));
    struct calendar *ref = ref_calendar();
    assert_same_calendar(loaded, ref, "cal-13.3");
    cr_assert_eq(calendar_add_workdays(loaded, 20260928, 5), 20261010, "cal-13.4");
    /* an administrator's edit is what the next load sees */
    cr_assert_eq(db_exec(db, "INSERT INTO holiday (day, kind, name, source) VALUES "
                             "('2027-01-01', 'OFF', '元旦', 'test')"), 0, "%s", db_errmsg(db));
    struct calendar *edited = NULL;
    cr_assert_eq(calendar_load(db, &edited), 0, "cal-13.5: %s", db_errmsg(db));
    cr_assert(calendar_covers(edited, 20270101) && !calendar_is_workday(edited, 20270101),
              "cal-13.5");
    cr_assert_neq(db_exec(db, "INSERT INTO holiday (day, kind, name, source) VALUES "
                              "('2027-01-02', 'HOLIDAY', 'x', 'test')"), 0, "cal-13.6: CHECK");
    calendar_free(edited);
    calendar_free(ref);
    calendar_free(loaded);
    db_close(db);
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}
