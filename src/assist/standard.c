/*
 * assist/standard.c — the pure part of 救助标准: kinds, regions, months, and which row is in
 * force (standard.h). Source: shared/domain/rules.md §8 (amount_fen + period, effective_from,
 * yearly → monthly), §2.4 (three 照料护理 tiers), §2.5 (特困 basic vs 低保); issue #10.
 */
#include <string.h>

#include "errors.h"
#include "standard.h"

static const char *const KINDS[] = {
    "dibao_urban", "dibao_rural", "tekun_basic_urban", "tekun_basic_rural",
    "tekun_care_1", "tekun_care_2", "tekun_care_3",
};

bool standard_kind_valid(const char *kind)
{
    if (!kind)
        return false;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strcmp(kind, KINDS[i]) == 0)
            return true;
    return false;
}

const char *standard_dibao_kind_of(const char *kind)
{
    if (kind && strcmp(kind, "tekun_basic_urban") == 0)
        return "dibao_urban";
    if (kind && strcmp(kind, "tekun_basic_rural") == 0)
        return "dibao_rural";
    return NULL;
}

bool standard_region_ok(const char *region12)
{
    if (!region12 || strlen(region12) != REGION_CODE_LEN || memcmp(region12, "00", 2) == 0)
        return false;
    return ids_region_level(region12) <= 3;
}

int standard_month_parse(const char *text, size_t len, int32_t *yyyymm)
{
    if (!text || len != 7 || text[4] != '-')
        return MZ_EINVAL;
    int32_t v = 0;
    for (size_t i = 0; i < 7; i++) {
        if (i == 4)
            continue;
        if (text[i] < '0' || text[i] > '9')
            return MZ_EINVAL;
        v = v * 10 + (text[i] - '0');
    }
    if (v / 100 < 1900 || v % 100 < 1 || v % 100 > 12)
        return MZ_EINVAL;
    *yyyymm = v;
    return 0;
}

/* Significant digits of a row's region (2, 4 or 6; more for a lower level). */
static int significant(const char *region12)
{
    return ids_region_prefix_len(ids_region_level(region12));
}

int standard_resolve(const struct standard_row *rows, size_t n, const char *region12,
                     int32_t yyyymm)
{
    int best = -1, best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct standard_row *r = &rows[i];
        int len = significant(r->region);
        if (r->effective_from > yyyymm || memcmp(r->region, region12, (size_t)len) != 0)
            continue;
        if (best >= 0) {
            const struct standard_row *b = &rows[best];
            if (len < best_len)
                continue;
            if (len == best_len && (r->effective_from < b->effective_from ||
                                    (r->effective_from == b->effective_from && r->id < b->id)))
                continue;
        }
        best = (int)i;
        best_len = len;
    }
    return best;
}

int standard_monthly(const struct assist_settings *s, const struct standard_row *row,
                     int64_t *monthly_fen)
{
    if (row->amount_fen < 0)
        return MZ_EINVAL;
    if (!row->yearly) {
        *monthly_fen = row->amount_fen;
        return 0;
    }
    return assist_rule_monthly_from_yearly(s, row->amount_fen, monthly_fen);
}
