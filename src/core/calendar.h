/*
 * core/calendar.h — calendar days as China counts them (UTC+8, no daylight saving): the date a
 * record is made, joins and leaves, "not after today" checks. The official holiday calendar
 * (working days, 调休) will join this module with the social-assistance deadlines.
 */
#ifndef MZ_CALENDAR_H
#define MZ_CALENDAR_H

#include <stdint.h>

/* The China calendar day of a Unix time as YYYYMMDD, e.g. 20261126. */
int calendar_day(int64_t unix_seconds);
/* The same day as "YYYY-MM-DD" into out. Returns out. */
char *calendar_day_iso(int64_t unix_seconds, char out[11]);

#endif
