/*
 * core/ids.h — identifiers: region codes (行政区划代码 / 统计用区划代码), the citizen
 * identity number (公民身份号码, GB 11643-1999) and the unified social credit code
 * (统一社会信用代码, GB 32100-2015).
 *
 * Exports ids_region_*() (normalise and classify region codes), ids_citizen_normalize() with
 * ids_citizen_pack()/_unpack() (a normalised identity number as one 64-bit integer), and
 * ids_credit_normalize(). All are pure: no I/O, no clock (today is a parameter), no allocation.
 * Requirements: shared/domain/reference.md §2 (citizen), §3 (credit code), §4 (regions).
 */
#ifndef MZ_IDS_H
#define MZ_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGION_CODE_LEN 12

/*
 * Normalises a region code of 2, 4, 6, 9 or 12 digits to 12 digits by right-padding zeros
 * (shared/domain/reference.md §4.3). in has len bytes (need not be NUL-terminated). Returns 0
 * with out (13 bytes) filled, or MZ_EINVAL for any other length or a non-digit.
 */
int ids_region_normalize(const char *in, size_t len, char out[REGION_CODE_LEN + 1]);
/* Level of a normalised code from its trailing zeros: 1 province … 5 village (§4.3). */
int ids_region_level(const char *code12);
/* Number of significant leading digits of a level: 2, 4, 6, 9 or 12. */
int ids_region_prefix_len(int level);
/* The codes of code12's ancestors of levels 1 … max_level, and itself when its level is at most
 * max_level, from the province down, 12 digits each, into out (max_level entries). Returns how
 * many. */
int ids_region_ancestors(const char *code12, int max_level, char out[][REGION_CODE_LEN + 1]);
/* Chinese name of a level: 省级, 地级, 县级, 乡级, 村级. */
const char *ids_region_level_name(int level);

/* Length of a normalised 公民身份号码 and of a 统一社会信用代码 (without the NUL). */
#define IDS_CITIZEN_LEN 18
#define IDS_CREDIT_LEN 18

/* What a valid 公民身份号码 says about its holder (reference.md §2.1). */
struct ids_citizen {
    int birth_yyyymmdd;    /* positions 7–14, e.g. 19850312 */
    char sex;              /* 'M' or 'F': position 17 odd (男) or even (女) */
    char address6[7];      /* positions 1–6, the 地址码, NUL-terminated */
    bool upgraded_from15;  /* the input was a 15-digit GB 11643-1989 number (§2.3) */
};

/*
 * Validates and normalises a 公民身份号码 per reference.md §2.4: surrounding ASCII whitespace
 * is stripped, a final lower-case x is read as X; 18 characters, positions 1–17 digits and 18 a
 * digit or X; the ISO 7064 MOD 11-2 check (§2.2); the birth date a real Gregorian date not after
 * today_yyyymmdd (the caller's date, e.g. 20260315); the first two digits a mainland
 * province-level code. Unknown county codes are accepted (§2.4 rules 6–7). A 15-digit number is
 * upgraded per §2.3 ("19" inserted, check computed) and checked the same way. in has len bytes
 * and need not be NUL-terminated.
 * Returns 0 with out (the 18 characters and a NUL) and, unless NULL, *info filled; or MZ_EINVAL
 * with, unless why is NULL, *why set to a static one-line zh-CN message naming the problem.
 * Nothing else is written on failure.
 */
int ids_citizen_normalize(const char *in, size_t len, int64_t today_yyyymmdd, char out[19],
                          struct ids_citizen *info, const char **why);

/*
 * The normalised number id18 (18 characters as written by ids_citizen_normalize; 17 digits and
 * a digit or X, asserted) as one integer for fast matching: the 17-digit body × 11 + the check
 * value (X = 10). One-to-one and order-keeping (strcmp order of the strings); every value is
 * below 11 × 10^17 < 2^64. Cannot fail.
 */
uint64_t ids_citizen_pack(const char id18[18]);
/* Writes the 18 characters and a NUL of packed, a value from ids_citizen_pack() (so below
 * 11 × 10^17, asserted), into out. Cannot fail. */
void ids_citizen_unpack(uint64_t packed, char out[19]);

/* What a valid 统一社会信用代码 says about its holder (reference.md §3.1, §3.5). */
struct ids_credit {
    char authority;     /* position 1, 登记管理部门代码, e.g. '5' 民政 */
    char type;          /* position 2, 机构类别代码, e.g. '1' 社会团体 */
    char region6[7];    /* positions 3–8, 登记管理机关行政区划码, NUL-terminated; 100000 = 国家级 */
    const char *kind;   /* static zh-CN name of authority and type, e.g. "民政·社会团体" */
};

/*
 * Validates and normalises a 统一社会信用代码 per reference.md §3: surrounding ASCII whitespace
 * is stripped and lower-case letters are upper-cased; 18 characters from the 31-character set of
 * §3.1 (0–9, A–Z without I O S V Z); positions 1–2 one of the authority/type combinations of
 * §3.5; positions 3–8 digits; the MOD 31 check character at position 18 (§3.3); and the
 * GB 11714 check character of the embedded 组织机构代码 at position 17 (§3.4). in has len bytes
 * and need not be NUL-terminated.
 * Returns 0 with out (the 18 characters and a NUL) and, unless NULL, *info filled; or MZ_EINVAL
 * with, unless why is NULL, *why set to a static one-line zh-CN message naming the problem.
 * Nothing else is written on failure.
 */
int ids_credit_normalize(const char *in, size_t len, char out[19], struct ids_credit *info,
                         const char **why);

#endif
