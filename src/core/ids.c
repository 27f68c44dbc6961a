/*
 * core/ids.c — identifiers: region codes, 公民身份号码 and 统一社会信用代码; see ids.h.
 *
 * Region codes. Source: 《统计用区划代码和城乡划分代码编制规则》(国统字〔2009〕91号): digits 1–2
 * province, 3–4 city, 5–6 county, 7–9 township, 10–12 village; normalisation and
 * level-from-zeros as in shared/domain/reference.md §4.2–4.3. Cities without counties (东莞 4419,
 * 中山 4420, 儋州 4604, 嘉峪关 6202) carry a pseudo-county xx xx 00 in the statistical data;
 * their townships are still level 4 by their own digits, which this rule gets right.
 *
 * 公民身份号码 (citizen identity number). Source: GB 11643-1999 as summarised in reference.md
 * §2.1–2.3 (structure, ISO 7064 MOD 11-2 check, 15 → 18 upgrade); the validation rules are
 * reference.md §2.4. The address code is checked only for a mainland province (§2.4 rule 6):
 * numbers never change (居民身份证法 第三条) while county codes are abolished.
 *
 * 统一社会信用代码 (unified social credit code). Source: GB 32100-2015 as reproduced in
 * reference.md §3.1–3.3 (31-character set, MOD 31 check), GB 11714-1997 for the embedded
 * 组织机构代码 check (§3.4) and the authority/type table of §3.5 [secondary there].
 */
#include <assert.h>
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

int ids_region_ancestors(const char *code12, int max_level, char out[][REGION_CODE_LEN + 1])
{
    int own = ids_region_level(code12), n = 0;
    for (int level = 1; level <= max_level && level <= own; level++) {
        int len = ids_region_prefix_len(level);
        memcpy(out[n], code12, (size_t)len);
        memset(out[n] + len, '0', (size_t)(REGION_CODE_LEN - len));
        out[n][REGION_CODE_LEN] = '\0';
        n++;
    }
    return n;
}

const char *ids_region_level_name(int level)
{
    static const char *const names[] = { "", "省级", "地级", "县级", "乡级", "村级" };
    return level >= 1 && level <= 5 ? names[level] : "";
}

/* ---- shared helpers ---------------------------------------------------------------------- */

static int fail(const char **why, const char *message)
{
    if (why)
        *why = message;
    return MZ_EINVAL;
}

/* Drops leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r) from in[0..len). */
static void trim(const char **in, size_t *len)
{
    static const char ws[] = " \t\n\v\f\r";
    while (*len > 0 && memchr(ws, (*in)[0], sizeof ws - 1)) {
        (*in)++;
        (*len)--;
    }
    while (*len > 0 && memchr(ws, (*in)[*len - 1], sizeof ws - 1))
        (*len)--;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- 公民身份号码 ------------------------------------------------------------------------- */

/* GB 11643-1999 check character of the 17-digit body (reference.md §2.2): weights
 * 2^(i−1) mod 11 counted from the right, R = S mod 11 mapped through "10X98765432". */
static char citizen_check(const char *body17)
{
    static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (body17[i] - '0') * weight[i];
    return "10X98765432"[s % 11];
}

/* A real date of the Gregorian calendar (reference.md §2.4 rule 5): month 1–12, day within the
 * month, 29 February only in years divisible by 4 and not by 100 unless by 400. There is no
 * year 0 in the calendar, so 0000xxxx is refused; §2.4 imposes no other lower bound. */
static bool gregorian_ok(int yyyymmdd)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

/* The 31 mainland province-level codes (reference.md §2.4 rule 6): 11–15, 21–23, 31–37,
 * 41–46, 50–54, 61–65. 71 台湾, 81 香港 and 82 澳门 are [secondary] there and left out. */
static bool mainland_province(const char *two)
{
    int p = (two[0] - '0') * 10 + (two[1] - '0');
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
           (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65);
}

int ids_citizen_normalize(const char *in, size_t len, int64_t today_yyyymmdd, char out[19],
                          struct ids_citizen *info, const char **why)
{
    char id[IDS_CITIZEN_LEN + 1];

    trim(&in, &len);
    if (len == 0)
        return fail(why, "公民身份号码不能为空");
    for (size_t i = 0; i < len; i++)
        if (!is_digit(in[i]) && in[i] != 'X' && in[i] != 'x')
            return fail(why, "公民身份号码含有非法字符，只能由数字和末位的 X 组成");
    if (len != 18 && len != 15)
        return fail(why, "公民身份号码长度不正确，应为18位");
    if (len == 15) {
        /* reference.md §2.3: insert "19" after the address code, append the check */
        for (size_t i = 0; i < 15; i++)
            if (!is_digit(in[i]))
                return fail(why, "15位公民身份号码只能由数字组成");
        memcpy(id, in, 6);
        memcpy(id + 6, "19", 2);
        memcpy(id + 8, in + 6, 9);
        id[17] = citizen_check(id);
    } else {
        for (size_t i = 0; i < 17; i++)
            if (!is_digit(in[i]))
                return fail(why, "公民身份号码前17位只能是数字，X 只能出现在最后一位");
        memcpy(id, in, 18);
        if (id[17] == 'x')
            id[17] = 'X';   /* §2.4 rule 1: accept, store upper case */
        if (id[17] != citizen_check(id))
            return fail(why, "公民身份号码校验位不正确");
    }
    id[18] = '\0';

    int birth = 0;
    for (int i = 6; i < 14; i++)
        birth = birth * 10 + (id[i] - '0');
    if (!gregorian_ok(birth))
        return fail(why, "公民身份号码中的出生日期不存在");
    if (birth > today_yyyymmdd)
        return fail(why, "公民身份号码中的出生日期晚于今天");
    if (!mainland_province(id))
        return fail(why, "公民身份号码地址码的省份不正确");

    memcpy(out, id, sizeof id);
    if (info) {
        info->birth_yyyymmdd = birth;
        info->sex = (id[16] - '0') % 2 ? 'M' : 'F';
        memcpy(info->address6, id, 6);
        info->address6[6] = '\0';
        info->upgraded_from15 = len == 15;
    }
    return 0;
}

uint64_t ids_citizen_pack(const char id18[18])
{
    uint64_t body = 0;
    for (int i = 0; i < 17; i++) {
        assert(is_digit(id18[i]));
        body = body * 10 + (uint64_t)(id18[i] - '0');
    }
    assert(is_digit(id18[17]) || id18[17] == 'X');
    return body * 11 + (id18[17] == 'X' ? 10 : (uint64_t)(id18[17] - '0'));
}

void ids_citizen_unpack(uint64_t packed, char out[19])
{
    assert(packed < UINT64_C(100000000000000000) * 11);
    unsigned check = (unsigned)(packed % 11);
    uint64_t body = packed / 11;
    out[17] = check == 10 ? 'X' : (char)('0' + check);
    for (int i = 16; i >= 0; i--) {
        out[i] = (char)('0' + body % 10);
        body /= 10;
    }
    out[18] = '\0';
}

/* ---- 统一社会信用代码 --------------------------------------------------------------------- */

/* The 31 characters in value order (reference.md §3.1–3.2): 0–9, then A–Z without I O S V Z. */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Value of c in credit_alphabet, or -1. */
static int credit_value(char c)
{
    const char *p = c ? strchr(credit_alphabet, c) : NULL;
    return p ? (int)(p - credit_alphabet) : -1;
}

/* MOD 31 check character over positions 1–17 (reference.md §3.3): weights 3^(i−1) mod 31,
 * check value (31 − S mod 31) mod 31. code17 holds only characters of credit_alphabet. */
static char credit_check(const char *code17)
{
    static const int weight[17] = { 1,  3,  9,  27, 19, 26, 16, 17, 20,
                                    29, 25, 13, 8,  24, 10, 30, 28 };
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += credit_value(code17[i]) * weight[i];
    return credit_alphabet[(31 - s % 31) % 31];
}

/* GB 11714-1997 check character C9 of an 8-character 组织机构代码 body (reference.md §3.4):
 * weights 3 7 9 10 5 8 4 2, digits at face value and letters A = 10 … Z = 35 [secondary];
 * C9 = 11 − S mod 11, written X for 10 and 0 for 11. These letter values differ from §3.2's
 * from J onwards. body8 holds only digits and upper-case letters. */
static char org_check(const char *body8)
{
    static const int weight[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += (is_digit(body8[i]) ? body8[i] - '0' : body8[i] - 'A' + 10) * weight[i];
    int c9 = 11 - s % 11;
    return c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
}

/* reference.md §3.5 [secondary there: osuse.cn and ddrv.cn, identical text]: the
 * registration-authority codes and the type codes each authority defines. */
static const struct credit_kind {
    char authority, type;
    const char *kind;
} credit_kinds[] = {
    { '1', '1', "机构编制·机关" },
    { '1', '2', "机构编制·事业单位" },
    { '1', '3', "机构编制·中央编办直接管理机构编制的群众团体" },
    { '1', '9', "机构编制·其他" },
    { '2', '1', "外交·外国常住新闻机构" },
    { '2', '9', "外交·其他" },
    { '3', '1', "司法行政·律师执业机构" },
    { '3', '2', "司法行政·公证处" },
    { '3', '3', "司法行政·基层法律服务所" },
    { '3', '4', "司法行政·司法鉴定机构" },
    { '3', '5', "司法行政·仲裁委员会" },
    { '3', '9', "司法行政·其他" },
    { '4', '1', "文化·外国在华文化中心" },
    { '4', '9', "文化·其他" },
    { '5', '1', "民政·社会团体" },
    /* §3.5 notes: the code table's name, with the 慈善法/民法典 term [recommendation] */
    { '5', '2', "民政·民办非企业单位（社会服务机构）" },
    { '5', '3', "民政·基金会" },
    { '5', '9', "民政·其他" },
    { '6', '1', "旅游·外国旅游部门常驻代表机构" },
    { '6', '2', "旅游·港澳台地区旅游部门常驻内地（大陆）代表机构" },
    { '6', '9', "旅游·其他" },
    { '7', '1', "宗教·宗教活动场所" },
    { '7', '2', "宗教·宗教院校" },
    { '7', '9', "宗教·其他" },
    { '8', '1', "工会·基层工会" },
    { '8', '9', "工会·其他" },
    { '9', '1', "工商（市场监管）·企业" },
    { '9', '2', "工商（市场监管）·个体工商户" },
    { '9', '3', "工商（市场监管）·农民专业合作社" },
    { 'A', '1', "中央军委改革和编制办公室·军队事业单位" },
    { 'A', '9', "中央军委改革和编制办公室·其他" },
    { 'N', '1', "农业·组级集体经济组织" },
    { 'N', '2', "农业·村级集体经济组织" },
    { 'N', '3', "农业·乡镇级集体经济组织" },
    { 'N', '9', "农业·其他" },
    { 'Y', '1', "其他·不再具体划分机构类别" },
};

int ids_credit_normalize(const char *in, size_t len, char out[19], struct ids_credit *info,
                         const char **why)
{
    char code[IDS_CREDIT_LEN + 1];

    trim(&in, &len);
    if (len == 0)
        return fail(why, "统一社会信用代码不能为空");
    for (size_t i = 0; i < len; i++) {
        char c = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 'a' + 'A') : in[i];
        if (credit_value(c) < 0)
            return fail(why, "统一社会信用代码含有非法字符，只能由数字和除 I、O、S、V、Z 以外的"
                             "大写字母组成");
        if (i < IDS_CREDIT_LEN)
            code[i] = c;
    }
    if (len != IDS_CREDIT_LEN)
        return fail(why, "统一社会信用代码长度不正确，应为18位");
    code[IDS_CREDIT_LEN] = '\0';

    for (int i = 2; i < 8; i++)
        if (!is_digit(code[i]))
            return fail(why, "统一社会信用代码第3至8位（登记管理机关行政区划码）只能是数字");
    const struct credit_kind *kind = NULL;
    bool authority_known = false;
    for (size_t i = 0; i < sizeof credit_kinds / sizeof credit_kinds[0]; i++) {
        if (credit_kinds[i].authority != code[0])
            continue;
        authority_known = true;
        if (credit_kinds[i].type == code[1])
            kind = &credit_kinds[i];
    }
    if (!authority_known)
        return fail(why, "统一社会信用代码第1位（登记管理部门代码）不正确");
    if (!kind)
        return fail(why, "统一社会信用代码第2位（机构类别代码）与登记管理部门不对应");
    if (code[17] != credit_check(code))
        return fail(why, "统一社会信用代码校验码不正确");
    if (code[16] != org_check(code + 8))
        return fail(why, "统一社会信用代码中的组织机构代码（第9至17位）校验码不正确");

    memcpy(out, code, sizeof code);
    if (info) {
        info->authority = code[0];
        info->type = code[1];
        memcpy(info->region6, code + 2, 6);
        info->region6[6] = '\0';
        info->kind = kind->kind;
    }
    return 0;
}
