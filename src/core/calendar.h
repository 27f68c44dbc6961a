/*
 * core/calendar.h — calendar days as China counts them (UTC+8, no daylight saving), and the
 * official holiday calendar with its make-up working days (调休上班) for deadlines counted in
 * working days (工作日) or calendar days.
 *
 * Dates are ints YYYYMMDD (20261126). The holiday calendar is data: the `holiday` table
 * (sql/0006_calendar.sql, from data/holidays.tsv, reference.md §1.3–1.6), built once at start-up
 * and only read afterwards. A date the calendar lists as WORK is a working day, one it lists as
 * OFF is not, any other date is a working day when it falls Monday to Friday
 * (reference.md §1.7). A year the calendar has no entry for (before 2024, after 2026 with the
 * shipped data) therefore falls back to plain Monday to Friday: reference.md §1.7 asks callers
 * not to guess there, so check calendar_covers() and warn or refuse.
 */
#ifndef MZ_CALENDAR_H
#define MZ_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct calendar;

/* The China calendar day of a Unix time as YYYYMMDD, e.g. 20261126. */
int calendar_day(int64_t unix_seconds);
/* The same day as "YYYY-MM-DD" into out. Returns out. */
char *calendar_day_iso(int64_t unix_seconds, char out[11]);

/* The kind of a listed date: 放假 (OFF) or 调休上班 (WORK); 0 for a date not listed. */
enum calendar_kind { CALENDAR_OFF = 1, CALENDAR_WORK = 2 };

struct calendar_entry {
    int day; /* YYYYMMDD */
    enum calendar_kind kind;
};

/* True when yyyymmdd is a real Gregorian date in years 1..9999. */
bool calendar_date_valid(int yyyymmdd);
/* Parses "YYYY-MM-DD" (exactly ten characters) into *yyyymmdd. 0, or MZ_EINVAL. */
int calendar_date_parse(const char *iso, size_t len, int *yyyymmdd);

/* Builds a calendar from n entries in any order (copied). Returns 0 with *out to be freed with
 * calendar_free(); MZ_EINVAL when a date is invalid, a kind unknown or a date listed twice;
 * MZ_ENOMEM. */
int calendar_new(const struct calendar_entry *entries, size_t n, struct calendar **out);
/* Builds the calendar from the holiday table. Returns 0 with *out to be freed with
 * calendar_free(); the db error (MZ_EDB …), MZ_EINVAL for a row that is not a date and a kind,
 * or MZ_ENOMEM. */
int calendar_load(struct db *db, struct calendar **out);
/* Frees a calendar; NULL is allowed. */
void calendar_free(struct calendar *c);

/* Installs c (taken) as the process's calendar: serve loads it at start-up, and the calendar
 * routes after an edit. The previous one stays allocated (a worker may still be reading it). */
void calendar_set_current(struct calendar *c);
/* The installed calendar; before one is installed, an empty one (plain Monday to Friday). */
const struct calendar *calendar_current(void);

/* True when c has entries for the year of yyyymmdd, i.e. that year's notice is loaded. */
bool calendar_covers(const struct calendar *c, int yyyymmdd);
/* CALENDAR_OFF or CALENDAR_WORK when c lists yyyymmdd, else 0. */
int calendar_kind(const struct calendar *c, int yyyymmdd);
/* True when yyyymmdd (a valid date) is a working day: WORK, not OFF, else Monday to Friday. */
bool calendar_is_workday(const struct calendar *c, int yyyymmdd);

/* The date of the n-th working day after start (reference.md §1.7, 民法典 第二百零一条): start
 * itself is never counted, whatever kind of day it is; counting begins the next day. n = 0
 * returns start. start must be a valid date and n >= 0 (asserted). */
int calendar_add_workdays(const struct calendar *c, int start, int n);
/* The last day of a period of n calendar days from start (民法典 第二百零一条: start not
 * counted, so start + n days), moved by 第二百零三条 when it is a 法定休假日 — a day off,
 * that is an OFF date or a weekend day not made a working day — to the day after the rest
 * ends (the next working day). n = 0 returns start. start must be a valid date, n >= 0. */
int calendar_add_days(const struct calendar *c, int start, int n);
/* Working days in (from, to]: from not counted, to counted; 0 when to <= from. So
 * calendar_workdays_between(c, d, calendar_add_workdays(c, d, n)) == n. Both valid dates. */
int calendar_workdays_between(const struct calendar *c, int from, int to);

#endif
