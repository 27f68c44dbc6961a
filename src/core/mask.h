/*
 * core/mask.h — masking of personal data in lists, search results and exports
 * (shared/domain/security.md §3.4): 公民身份号码 as its first 6 and last 4 characters with '*'
 * between (510824********1234), phone numbers as 3 + "****" + 4 (138****5678), names as their
 * first character and one '*' per further character (张**). The full value is only shown by an
 * explicit, audited reveal.
 *
 * The ID and phone masks hide at least 4 characters of any value, so a short or odd value (an
 * 8-digit landline, an 11-character permit number) is never shown all but one character. A
 * value with a non-ASCII byte is not a number of either kind and is masked entirely, one '*'
 * per character; their result is ASCII. Every result is cut to fit out and NUL-terminated.
 */
#ifndef MZ_MASK_H
#define MZ_MASK_H

#include <stddef.h>

/* Writes the masked form of an ID number into out (complete when outlen ≥ strlen(id) + 1).
 * 18 characters → 6 + 8 '*' + 4; 15 → 6 + 5 '*' + 4; 11 to 13 keep fewer leading characters
 * (len − 8) so 4 stay hidden; shorter values (< 11) are masked entirely; NULL → "". Returns out;
 * with outlen 0, out is untouched. */
char *mask_id_number(const char *id, char *out, size_t outlen);
/* Writes the masked form of a phone number into out (complete when outlen ≥ 12): 8 characters
 * or more → the first 3 (fewer below 11, so 4 stay hidden) + "****" + the last 4, whatever the
 * length; shorter → '*' for all but at most the last 2 (none below 5); NULL → "". Returns out;
 * with outlen 0, out is untouched. */
char *mask_phone(const char *phone, char *out, size_t outlen);
/* Writes the masked form of a person's name into out (complete when outlen ≥ strlen(name) + 1):
 * its first character (UTF-8) and one '*' per further character (张三丰 → 张**); a name of one
 * character is "*" entirely; NULL → "". A first character that does not fit is left out, never
 * cut. Returns out; with outlen 0, out is untouched. */
char *mask_name(const char *name, char *out, size_t outlen);

#endif
