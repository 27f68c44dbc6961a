/*
 * core/ids.h — identifiers: region codes (行政区划代码 / 统计用区划代码).
 *
 * (公民身份号码 and 统一社会信用代码 join this file with the registry issue.)
 */
#ifndef MZ_IDS_H
#define MZ_IDS_H

#include <stdbool.h>
#include <stddef.h>

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
/* Chinese name of a level: 省级, 地级, 县级, 乡级, 村级. */
const char *ids_region_level_name(int level);

#endif
