/*
 * core/calendar.c — China calendar days; see calendar.h.
 */
#include <stdio.h>
#include <time.h>

#include "calendar.h"

#define CHINA_UTC_OFFSET (8 * 3600)

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
