/*
 * core/calendar.c — China calendar days and the official holiday calendar; see calendar.h.
 *
 * Dates are turned into day numbers (days since 1970-01-01, proleptic Gregorian, after
 * H. Hinnant's days_from_civil) for arithmetic and weekdays. A calendar is its entries sorted by
 * date, looked up by binary search; it is built once and only read afterwards, so one calendar
 * may be shared by every thread.
 * Requirements: shared/domain/reference.md §1.6 (data) and §1.7 (counting rules).
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "db.h"
#include "errors.h"

#define CHINA_UTC_OFFSET (8 * 3600)

struct calendar {
    size_t n;
    struct calendar_entry *e; /* sorted by day, no date twice */
};

int calendar_day(int64_t unix_seconds)
{
    time_t t = (time_t)(unix_seconds + CHINA_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

char *calendar_day_iso(int64_t unix_seconds, char out[11])
{
    unsigned d = (unsigned)calendar_day(unix_seconds);
    snprintf(out, 11, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
    return out;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool calendar_date_valid(int yyyymmdd)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    if (yyyymmdd < 0 || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

int calendar_date_parse(const char *iso, size_t len, int *yyyymmdd)
{
    if (!iso || len != 10 || iso[4] != '-' || iso[7] != '-')
        return MZ_EINVAL;
    int v = 0;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (iso[i] < '0' || iso[i] > '9')
            return MZ_EINVAL;
        v = v * 10 + (iso[i] - '0');
    }
    if (!calendar_date_valid(v))
        return MZ_EINVAL;
    *yyyymmdd = v;
    return 0;
}

/* Day number of a valid date: days since 1970-01-01 (negative before). */
static long to_daynum(int yyyymmdd)
{
    long y = yyyymmdd / 10000;
    unsigned m = (unsigned)(yyyymmdd / 100 % 100), d = (unsigned)(yyyymmdd % 100);
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

/* The date YYYYMMDD of a day number. */
static int from_daynum(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return (int)(y * 10000 + (long)m * 100 + (long)d);
}

/* Monday to Friday? (1970-01-01 was a Thursday.) */
static bool weekday_daynum(long z)
{
    long w = ((z % 7) + 7 + 4) % 7; /* 0 = Sunday */
    return w >= 1 && w <= 5;
}

/* Index of the first entry whose day is >= day (c->n when none). */
static size_t lower_bound(const struct calendar *c, int day)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->e[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int by_day(const void *a, const void *b)
{
    int x = ((const struct calendar_entry *)a)->day, y = ((const struct calendar_entry *)b)->day;
    return (x > y) - (x < y);
}

int calendar_new(const struct calendar_entry *entries, size_t n, struct calendar **out)
{
    for (size_t i = 0; i < n; i++)
        if (!calendar_date_valid(entries[i].day) ||
            (entries[i].kind != CALENDAR_OFF && entries[i].kind != CALENDAR_WORK))
            return MZ_EINVAL;
    struct calendar *c = calloc(1, sizeof *c);
    if (!c)
        return MZ_ENOMEM;
    if (n > 0) {
        c->e = malloc(n * sizeof *c->e);
        if (!c->e) {
            free(c);
            return MZ_ENOMEM;
        }
        memcpy(c->e, entries, n * sizeof *c->e);
        qsort(c->e, n, sizeof *c->e, by_day);
    }
    c->n = n;
    for (size_t i = 1; i < n; i++)
        if (c->e[i].day == c->e[i - 1].day) {
            calendar_free(c);
            return MZ_EINVAL;
        }
    *out = c;
    return 0;
}

int calendar_load(struct db *db, struct calendar **out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT day, kind FROM holiday ORDER BY day", &st);
    if (rc != 0)
        return rc;
    struct calendar_entry *v = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st)) == 1) {
        size_t dlen = 0, klen = 0;
        const char *day = db_col_text(st, 0, &dlen);
        const char *kind = db_col_text(st, 1, &klen);
        struct calendar_entry e = { 0 };
        if (calendar_date_parse(day, dlen, &e.day) != 0 || !kind) {
            rc = MZ_EINVAL;
            break;
        }
        if (klen == 3 && memcmp(kind, "OFF", 3) == 0)
            e.kind = CALENDAR_OFF;
        else if (klen == 4 && memcmp(kind, "WORK", 4) == 0)
            e.kind = CALENDAR_WORK;
        else {
            rc = MZ_EINVAL;
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 128;
            struct calendar_entry *nv = realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = MZ_ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[n++] = e;
    }
    db_reset(st);
    if (rc == 0)
        rc = calendar_new(v, n, out);
    free(v);
    return rc;
}

void calendar_free(struct calendar *c)
{
    if (!c)
        return;
    free(c->e);
    free(c);
}

/* The server's calendar: installed at start-up and again after an administrator's edit, read
 * by every worker. A replaced calendar is kept (retired), never freed while the process runs,
 * since a worker may still be counting days on it; edits are rare and a calendar is small. */
struct retired {
    struct calendar *c;
    struct retired *next;
};
static _Atomic(struct calendar *) current;
static struct retired *retired;
static pthread_mutex_t retire_lock = PTHREAD_MUTEX_INITIALIZER;

void calendar_set_current(struct calendar *c)
{
    struct calendar *old = atomic_exchange(&current, c);
    struct retired *r = old ? malloc(sizeof *r) : NULL;
    if (!r)
        return;  /* nothing to keep, or no memory to keep it: then it is lost, never freed */
    pthread_mutex_lock(&retire_lock);
    *r = (struct retired){ old, retired };
    retired = r;
    pthread_mutex_unlock(&retire_lock);
}

const struct calendar *calendar_current(void)
{
    static const struct calendar empty = { 0 };
    struct calendar *c = atomic_load(&current);
    return c ? c : &empty;
}

bool calendar_covers(const struct calendar *c, int yyyymmdd)
{
    int y = yyyymmdd / 10000;
    size_t i = lower_bound(c, y * 10000 + 101);
    return i < c->n && c->e[i].day <= y * 10000 + 1231;
}

int calendar_kind(const struct calendar *c, int yyyymmdd)
{
    size_t i = lower_bound(c, yyyymmdd);
    return i < c->n && c->e[i].day == yyyymmdd ? (int)c->e[i].kind : 0;
}

/* reference.md §1.7: is_working_day(d) = d ∈ WORK ? true : d ∈ OFF ? false : Mon..Fri. */
static bool workday(const struct calendar *c, int yyyymmdd, long daynum)
{
    int k = calendar_kind(c, yyyymmdd);
    if (k == CALENDAR_WORK)
        return true;
    if (k == CALENDAR_OFF)
        return false;
    return weekday_daynum(daynum);
}

bool calendar_is_workday(const struct calendar *c, int yyyymmdd)
{
    assert(calendar_date_valid(yyyymmdd));
    return workday(c, yyyymmdd, to_daynum(yyyymmdd));
}

/* reference.md §1.7: x = D; k = 0; while k < N { x = x + 1 day; if is_working_day(x) k++ }. */
int calendar_add_workdays(const struct calendar *c, int start, int n)
{
    assert(calendar_date_valid(start) && n >= 0);
    long z = to_daynum(start);
    int x = start;
    for (int k = 0; k < n;) {
        x = from_daynum(++z);
        assert(calendar_date_valid(x));
        if (workday(c, x, z))
            k++;
    }
    return x;
}

/* 民法典 第二百零一条 (start not counted) and 第二百零三条 (期间的最后一日是法定休假日的，以法定休假日
 * 结束的次日为期间的最后一日). 法定休假日 is read as every day off under the calendar — OFF dates
 * and weekend days not made working days — as the courts read it (最高人民法院 民通意见 第198条:
 * "星期日或者其他法定休假日"); a 调休上班 Saturday is a working day and ends a period. */
int calendar_add_days(const struct calendar *c, int start, int n)
{
    assert(calendar_date_valid(start) && n >= 0);
    if (n == 0)
        return start;
    long z = to_daynum(start) + n;
    int x = from_daynum(z);
    assert(calendar_date_valid(x));
    while (!workday(c, x, z))
        x = from_daynum(++z);
    return x;
}

/* Weekdays (Mon..Fri) among day numbers (a, b], b >= a. */
static long weekdays_between(long a, long b)
{
    long n = b - a, full = n / 7, count = full * 5;
    for (long z = a + full * 7 + 1; z <= b; z++)
        count += weekday_daynum(z);
    return count;
}

int calendar_workdays_between(const struct calendar *c, int from, int to)
{
    assert(calendar_date_valid(from) && calendar_date_valid(to));
    if (to <= from)
        return 0;
    long count = weekdays_between(to_daynum(from), to_daynum(to));
    /* then the listed dates in (from, to] that change a day's weekday default */
    for (size_t i = lower_bound(c, from + 1); i < c->n && c->e[i].day <= to; i++) {
        bool wd = weekday_daynum(to_daynum(c->e[i].day));
        if (c->e[i].kind == CALENDAR_OFF && wd)
            count--;
        else if (c->e[i].kind == CALENDAR_WORK && !wd)
            count++;
    }
    return (int)count;
}
