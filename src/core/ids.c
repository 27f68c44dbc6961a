/*
 * core/ids.c — region code normalisation and levels; see ids.h.
 *
 * Source: 《统计用区划代码和城乡划分代码编制规则》(国统字〔2009〕91号): digits 1–2 province,
 * 3–4 city, 5–6 county, 7–9 township, 10–12 village; normalisation and level-from-zeros as in
 * shared/domain/reference.md §4.2–4.3. Cities without counties (东莞 4419, 中山 4420, 儋州 4604,
 * 嘉峪关 6202) carry a pseudo-county xx xx 00 in the statistical data; their townships are
 * still level 4 by their own digits, which this rule gets right.
 */
#include <string.h>

#include "errors.h"
#include "ids.h"

int ids_region_normalize(const char *in, size_t len, char out[REGION_CODE_LEN + 1])
{
    if (len != 2 && len != 4 && len != 6 && len != 9 && len != 12)
        return MZ_EINVAL;
    for (size_t i = 0; i < len; i++)
        if (in[i] < '0' || in[i] > '9')
            return MZ_EINVAL;
    memcpy(out, in, len);
    memset(out + len, '0', REGION_CODE_LEN - len);
    out[REGION_CODE_LEN] = '\0';
    return 0;
}

static bool zeros(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

int ids_region_level(const char *code12)
{
    if (!zeros(code12 + 9, 3))
        return 5;
    if (!zeros(code12 + 6, 3))
        return 4;
    if (!zeros(code12 + 4, 2))
        return 3;
    if (!zeros(code12 + 2, 2))
        return 2;
    return 1;
}

int ids_region_prefix_len(int level)
{
    static const int len[] = { 0, 2, 4, 6, 9, 12 };
    return level >= 1 && level <= 5 ? len[level] : 12;
}

const char *ids_region_level_name(int level)
{
    static const char *const names[] = { "", "省级", "地级", "县级", "乡级", "村级" };
    return level >= 1 && level <= 5 ? names[level] : "";
}
