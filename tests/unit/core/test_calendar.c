/*
 * tests/unit/core/test_calendar.c — China calendar days (src/core/calendar.c).
 *
 * China uses one time zone, UTC+8, without daylight saving (国务院 1992 停止夏令时): the day
 * changes at 16:00 UTC.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "calendar.h"

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
