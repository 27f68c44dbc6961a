/*
 * demo_population.c — the demo county's population (issue #5): persons (自然人), households
 * (家庭) and organisations (法人), generated deterministically and loaded in bulk.
 *
 * Exports demo_pop_new/_free/_household/_finish/_take_id (the pure generator) and
 * demo_population_load (reads the county's villages, streams the generator into the database).
 * Everything else here is static. The figures below are a plausible shape for rural Sichuan in
 * 2026, not statistics of 苍溪县; each says where it comes from.
 *
 * Households first, ages second. A household size is drawn (1–6, mean ≈ 2.57: Sichuan's 2020
 * census average for family households was 2.53), then a structure that fits it — one person,
 * couple, couple with children, lone parent, three generations, grandparents with left-behind
 * grandchildren (留守儿童, 隔代家庭), head with his or her parents — then the head's age from a
 * piecewise-uniform distribution for that structure, and everyone else's age from generation
 * gaps of 20–34 years. The age pyramid follows from that mix: old (≈ 30 % aged 60 and over,
 * ≈ 14 % under 15), as in a county whose working-age people have largely left.
 *
 * Identity numbers (GB 11643, shared/domain/reference.md §2): address code of the county
 * (of a neighbouring county for about a quarter of those who married in, 2 % of the others),
 * sequence numbers unique per (address, birth date) — odd for men, even for women — in a
 * scrambled order, check character per §2.2; each is re-checked with ids_citizen_normalize().
 * Credit codes (GB 32100, §3): registration region the county, a GB 11714 body with its check
 * character, the MOD 31 check; each re-checked with ids_credit_normalize(). The authority/type
 * code of 村（居）民委员会 is unconfirmed (§3.5): they get 59 (民政·其他), which the validator
 * accepts.
 *
 * Relations follow GB/T 4761-2008 (§5.2): 02 户主, 11 夫 / 12 妻, 20 子 / 30 女, 28 女婿,
 * 38 儿媳, 41/42 孙子/孙女, 43/44 外孙子/外孙女, 51/52 父亲/母亲. Disability (§5.3, GB/T 26341)
 * by the shares of the 2006 second national sample survey on disability, rising with age.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "demo_population.h"
#include "errors.h"
#include "ids.h"
#include "log.h"
#include "progress.h"

/* ---------------------------------------------------------------- dates */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t day_of(int yyyymmdd)
{
    int y = yyyymmdd / 10000, m = yyyymmdd / 100 % 100, d = yyyymmdd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int date_of(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400) + (m <= 2);
    return y * 10000 + m * 100 + d;
}

#define LAST_DAY 20251231  /* the day before DEMO_POP_AS_OF */

/* The date n years after date (29 February becomes 28 February in a common year). */
static int add_years(int date, int n)
{
    int y = date / 10000 + n, md = date % 10000;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (md == 229 && !leap)
        md = 228;
    return y * 10000 + md;
}

static int max_date(int a, int b)
{
    return a > b ? a : b;
}

static int min_date(int a, int b)
{
    return a < b ? a : b;
}

/* Age in whole years on DEMO_POP_AS_OF (1 January: everyone has had this year's birthday). */
static int age_of(int birth)
{
    return DEMO_POP_AS_OF / 10000 - 1 - birth / 10000;
}

/* ---------------------------------------------------------------- the generator's state */

/* Sequence counters cover birth dates from 1900-01-01 on (ages are at most 100). */
#define SEQ_FIRST_DAY (-25567)  /* day_of(19000101) */
#define SEQ_DAYS 46100
#define ORG_EVERY 400           /* persons per organisation other than the committees */
#define NORGTYPES 8

enum village_kind { V_URBAN, V_RURAL, V_OTHER };

struct town {
    char code[13];
    const char *name;
};

struct demo_pop {
    uint64_t state;
    int64_t next_id;
    struct demo_pop_setup s;
    struct demo_village *villages;  /* copy of s.villages */
    char (*place)[64];              /* village name without 村民委员会 / 居民委员会 */
    enum village_kind *kind;
    int *town_of;
    struct town *towns;
    int ntowns;
    uint32_t *weight_cum;           /* cumulative village weights for drawing a residence */
    int *rural;                     /* indices of rural villages */
    int nrural;
    uint16_t *seq;                  /* [address][day][sex] ID numbers given so far */
    long long persons;
    long long next_org_at;
    long long orgs;
    bool *committee;                /* per village: its committee has been made */
    int *name_count;                /* [place][org type] organisations named after a place */
};

/* splitmix64 (S. Vigna): one 64-bit state, good enough for synthetic data, trivially seeded. */
static uint64_t next(struct demo_pop *g)
{
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in 0 … n-1 (n > 0; the modulo bias is below 2^-40 for the n used here). */
static int below(struct demo_pop *g, int n)
{
    return (int)(next(g) % (uint64_t)n);
}

/* Uniform in lo … hi inclusive; lo when hi < lo. */
static int between(struct demo_pop *g, int lo, int hi)
{
    return hi <= lo ? lo : lo + below(g, hi - lo + 1);
}

/* True with probability p. */
static bool chance(struct demo_pop *g, double p)
{
    return (double)(next(g) >> 11) * 0x1.0p-53 < p;
}

/* An index drawn with the given integer weights. */
static int pick(struct demo_pop *g, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int r = below(g, total);
    for (int i = 0; i < n; i++) {
        if (r < w[i])
            return i;
        r -= w[i];
    }
    return n - 1;
}

#define PICK(g, w) pick(g, w, (int)(sizeof(w) / sizeof((w)[0])))
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A random date in lo … hi (yyyymmdd). */
static int date_between(struct demo_pop *g, int lo, int hi)
{
    int64_t a = day_of(lo), b = day_of(hi);
    return b <= a ? lo : date_of(a + (int64_t)below(g, (int)(b - a + 1)));
}

/* ---------------------------------------------------------------- names */

/* Common surnames, most frequent first, weighted roughly by national frequency with the
 * surnames common in 川北 (何 罗 谢 唐 邓 曾 向 苟 蒲 母 …) raised. */
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "何", "赵", "黄", "周", "吴", "罗", "谢", "徐",
    "孙", "马", "朱", "胡", "郭", "唐", "邓", "曾", "向", "林", "高", "郑", "梁", "宋",
    "许", "韩", "冯", "曹", "彭", "肖", "田", "董", "袁", "蒲", "苟", "蒋", "余", "杜",
    "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭",
    "陆", "范", "汪", "廖", "石", "金", "贾", "夏", "付", "方", "邹", "熊", "白", "孟",
    "秦", "邱", "侯", "江", "尹", "薛", "段", "雷", "龙", "史", "陶", "贺", "毛", "龚",
    "邵", "万", "严", "敬", "母", "赵", "文", "岳", "侯", "鲜",
};
#define NSURNAMES ((int)COUNT(surnames))

static int surname(struct demo_pop *g)
{
    /* weight 3 for the first 20, 2 for the next 30, 1 for the rest */
    int r = below(g, 20 * 3 + 30 * 2 + (NSURNAMES - 50));
    if (r < 60)
        return r / 3;
    if (r < 120)
        return 20 + (r - 60) / 2;
    return 50 + (r - 120);
}

/* Given-name characters by sex and birth cohort: before 1970, 1970–1999, 2000 on. */
static const char *const given_m[3][30] = {
    { "国", "建", "明", "军", "华", "德", "文", "志", "成", "兴", "贵", "福", "永", "云", "海",
      "全", "发", "强", "洪", "树", "清", "富", "学", "光", "忠", "仁", "义", "才", "安", "林" },
    { "伟", "勇", "军", "斌", "涛", "磊", "鹏", "杰", "超", "波", "辉", "刚", "平", "亮", "强",
      "峰", "明", "林", "俊", "浩", "东", "健", "飞", "宇", "龙", "江", "凯", "川", "毅", "兵" },
    { "浩", "宇", "子", "轩", "俊", "杰", "博", "涛", "鑫", "磊", "睿", "泽", "昊", "晨", "豪",
      "一", "铭", "航", "然", "宸", "逸", "皓", "梓", "嘉", "文", "瑞", "哲", "锦", "宏", "煜" },
};
static const char *const given_f[3][30] = {
    { "秀", "桂", "玉", "淑", "兰", "英", "珍", "芳", "凤", "琼", "华", "梅", "素", "翠", "群",
      "莲", "菊", "琴", "萍", "芬", "惠", "碧", "蓉", "春", "秋", "香", "花", "冬", "清", "贞" },
    { "丽", "娟", "燕", "霞", "敏", "静", "艳", "红", "芳", "婷", "雪", "莉", "琳", "倩", "丹",
      "玲", "慧", "洁", "晶", "兰", "梅", "萍", "颖", "蕾", "英", "琴", "利", "玉", "群", "艳" },
    { "欣", "怡", "梓", "涵", "雨", "萱", "佳", "琪", "思", "诗", "婷", "雪", "梦", "可", "馨",
      "悦", "瑶", "彤", "若", "汐", "语", "嫣", "芷", "妍", "清", "依", "诺", "子", "紫", "安" },
};

static void make_name(struct demo_pop *g, struct demo_person *p, int family)
{
    int y = p->birth / 10000;
    int era = y < 1970 ? 0 : y < 2000 ? 1 : 2;
    const char *const *chars = p->sex == 'M' ? given_m[era] : given_f[era];
    bool two = chance(g, era == 0 ? 0.85 : 0.72);
    const char *a = chars[below(g, 30)];
    const char *b = two ? chars[below(g, 30)] : "";
    snprintf(p->name, sizeof p->name, "%s%s%s", surnames[family], a, b);
}

/* ---------------------------------------------------------------- identity numbers */

static char citizen_check(const char body[17])
{
    static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    static const char check[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (body[i] - '0') * weight[i];
    return check[s % 11];
}

/*
 * Gives p an identity number with address code setup.address6[addr]: the k-th person of that
 * address, birth date and sex gets sequence index (37k + h) mod 500 (men: 001, 003 … 999) or
 * mod 499 (women: 002, 004 … 998), h a hash of address and date — a permutation, so unique,
 * without every number ending in 001. When a date is full the birth date moves a day later
 * (never past LAST_DAY; then earlier).
 */
static void give_id_number(struct demo_pop *g, struct demo_person *p, int addr)
{
    int step = 1;
    for (;;) {
        int64_t day = day_of(p->birth) - SEQ_FIRST_DAY;
        assert(day >= 0 && day < SEQ_DAYS);
        uint16_t *used = &g->seq[((size_t)addr * SEQ_DAYS + (size_t)day) * 2 + (p->sex == 'F')];
        int cap = p->sex == 'M' ? 500 : 499;
        if (*used < cap) {
            uint32_t h = (uint32_t)(day * 2654435761u) ^ (uint32_t)addr * 40503u;
            int idx = (int)(((uint32_t)*used * 37u + h) % (uint32_t)cap);
            (*used)++;
            int seq = p->sex == 'M' ? 2 * idx + 1 : 2 * idx + 2;
            char body[32];
            snprintf(body, sizeof body, "%.6s%08d%03d", g->s.address6[addr], p->birth, seq);
            memcpy(p->id_number, body, 17);
            p->id_number[17] = citizen_check(body);
            p->id_number[18] = '\0';
            return;
        }
        if (p->birth >= LAST_DAY)
            step = -1;
        p->birth = date_of(day_of(p->birth) + step);
    }
}

/* ---------------------------------------------------------------- credit codes */

static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int credit_value(char c)
{
    const char *p = strchr(credit_chars, c);
    return p && c ? (int)(p - credit_chars) : -1;
}

/* 统一社会信用代码: authority and type, the county's region code, a GB 11714 body made from
 * the organisation's number k (k ↦ 73939133 k + 31415926 mod 10^8, a permutation since the
 * factor is prime to 10), its check character, then the MOD 31 check (reference.md §3.3,
 * §3.4). */
static void make_credit_code(const struct demo_pop *g, const char *kind2, long long k,
                             char out[19])
{
    static const int w11714[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    static const int w32100[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10,
                                    30, 28 };
    long long body = (k * 73939133 + 31415926) % 100000000;
    snprintf(out, 19, "%.2s%.6s%08lld", kind2, g->s.address6[0], body);
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += (out[8 + i] - '0') * w11714[i];
    int c9 = 11 - s % 11;
    out[16] = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
    s = 0;
    for (int i = 0; i < 17; i++)
        s += credit_value(out[i]) * w32100[i];
    out[17] = credit_chars[(31 - s % 31) % 31];
    out[18] = '\0';
}

/* ---------------------------------------------------------------- setup */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

int demo_pop_new(const struct demo_pop_setup *setup, struct demo_pop **out)
{
    if (setup->nvillages == 0 || setup->naddress < 1 || setup->naddress > DEMO_POP_ADDRESS_MAX)
        return MZ_EINVAL;
    size_t nv = setup->nvillages;
    struct demo_pop *g = calloc(1, sizeof *g);
    if (!g)
        return MZ_ENOMEM;
    g->s = *setup;
    g->villages = malloc(nv * sizeof *g->villages);
    g->place = malloc(nv * sizeof *g->place);
    g->kind = malloc(nv * sizeof *g->kind);
    g->town_of = malloc(nv * sizeof *g->town_of);
    g->towns = malloc(nv * sizeof *g->towns);
    g->weight_cum = malloc(nv * sizeof *g->weight_cum);
    g->rural = malloc(nv * sizeof *g->rural);
    g->committee = calloc(nv, sizeof *g->committee);
    g->name_count = calloc((nv * 2 + 1) * NORGTYPES, sizeof *g->name_count);
    g->seq = calloc((size_t)setup->naddress * SEQ_DAYS * 2, sizeof *g->seq);
    if (!g->villages || !g->place || !g->kind || !g->town_of || !g->towns || !g->weight_cum ||
        !g->rural || !g->committee || !g->name_count || !g->seq) {
        demo_pop_free(g);
        return MZ_ENOMEM;
    }
    memcpy(g->villages, setup->villages, nv * sizeof *g->villages);
    g->s.villages = g->villages;
    g->state = setup->seed;
    g->next_id = setup->first_id;
    g->next_org_at = ORG_EVERY;
    uint32_t cum = 0;
    for (size_t i = 0; i < nv; i++) {
        const struct demo_village *v = &g->villages[i];
        /* reference.md §4.2: 村级 001–199 居民委员会, 200–399 村民委员会, 400–599 类似村级单位 */
        int village3 = atoi(v->code + 9);
        g->kind[i] = village3 < 200 ? V_URBAN : village3 < 400 ? V_RURAL : V_OTHER;
        if (g->kind[i] == V_RURAL)
            g->rural[g->nrural++] = (int)i;
        /* Urban communities are denser than villages: they hold ≈ 28 % of the residents
         * (weights 15 : 10 : 1 for 93 communities, 364 villages and 3 farm areas). */
        cum += g->kind[i] == V_URBAN ? 15 : g->kind[i] == V_RURAL ? 10 : 1;
        g->weight_cum[i] = cum;
        snprintf(g->place[i], sizeof g->place[i], "%s", v->name);
        static const char *const tails[] = { "村民委员会", "居民委员会", "村委会", "居委会" };
        for (size_t t = 0; t < COUNT(tails); t++) {
            if (ends_with(g->place[i], tails[t]) && strlen(g->place[i]) > strlen(tails[t])) {
                g->place[i][strlen(g->place[i]) - strlen(tails[t])] = '\0';
                break;
            }
        }
        char town[13];
        memcpy(town, v->code, 9);
        memcpy(town + 9, "000", 4);
        int t = g->ntowns - 1;
        if (t < 0 || strcmp(g->towns[t].code, town) != 0) {
            t = g->ntowns++;
            memcpy(g->towns[t].code, town, 13);
            g->towns[t].name = v->town;
        }
        g->town_of[i] = t;
    }
    if (g->nrural == 0) /* a county of communities only: hukou moves among them */
        for (size_t i = 0; i < nv; i++)
            g->rural[g->nrural++] = (int)i;
    *out = g;
    return 0;
}

void demo_pop_free(struct demo_pop *g)
{
    if (!g)
        return;
    free(g->villages);
    free(g->place);
    free(g->kind);
    free(g->town_of);
    free(g->towns);
    free(g->weight_cum);
    free(g->rural);
    free(g->committee);
    free(g->name_count);
    free(g->seq);
    free(g);
}

int64_t demo_pop_take_id(struct demo_pop *g)
{
    return g->next_id++;
}

/* ---------------------------------------------------------------- building a household */

enum htype { H_SINGLE, H_COUPLE, H_NUCLEAR, H_LONE_PARENT, H_THREE_GEN, H_SKIP_GEN,
             H_WITH_PARENTS, NHTYPES };

/* Household sizes 1–6 (share in %): mean 2.57. Shaped on Sichuan's 2020 census (average family
 * household 2.53 persons; one- and two-person households over half of all). */
static const int size_weight[6] = { 25, 32, 19, 13, 7, 4 };

/* Structure by size (rows: size 1–6; columns: enum htype), in %. */
static const int type_weight[6][NHTYPES] = {
    { 100, 0, 0, 0, 0, 0, 0 },
    { 0, 60, 0, 16, 0, 14, 10 },
    { 0, 0, 42, 8, 20, 16, 14 },
    { 0, 0, 38, 6, 32, 10, 14 },
    { 0, 0, 15, 0, 55, 0, 30 },
    { 0, 0, 0, 0, 70, 0, 30 },
};

/* The minorities of Sichuan, in rough proportion: 彝 藏 羌 土家 苗 回. */
static const char *const minorities[] = { "07", "04", "33", "15", "06", "03" };
static const int minority_weight[] = { 30, 25, 15, 10, 10, 10 };

struct build {
    struct demo_pop *g;
    struct demo_household *h;
    int family[DEMO_POP_MEMBERS_MAX];   /* surname index of each member */
    bool married_in[DEMO_POP_MEMBERS_MAX];
    int village;
    int formed;                         /* yyyymmdd the household was set up */
    int late_husband;                   /* surname of an absent father, drawn once */
    int other_line;                     /* surname of a daughter's children, drawn once */
};

/* A birth date for someone aged `age` on DEMO_POP_AS_OF. */
static int birth_for_age(struct demo_pop *g, int age)
{
    int y = DEMO_POP_AS_OF / 10000 - 1 - age;
    return date_between(g, y * 10000 + 101, y * 10000 + 1231);
}

static int clamp_age(int age)
{
    return age < 0 ? 0 : age > 100 ? 100 : age;
}

/* Appends a member; returns its index. */
static int add(struct build *b, const char *relation, char sex, int age, int family)
{
    struct demo_household *h = b->h;
    assert(h->n < DEMO_POP_MEMBERS_MAX);
    int i = h->n++;
    struct demo_person *p = &h->m[i];
    p->relation = relation;
    p->sex = sex;
    p->birth = birth_for_age(b->g, clamp_age(age));
    b->family[i] = family;
    b->married_in[i] = false;
    return i;
}

static int age_at(const struct demo_household *h, int i)
{
    return age_of(h->m[i].birth);
}

/* The marital status of one of a married couple: 已婚, a few 再婚 / 初婚. */
static const char *married(struct demo_pop *g)
{
    static const int w[] = { 90, 7, 3 };
    static const char *const code[] = { "20", "22", "21" };
    return code[PICK(g, w)];
}

/* Spouse of the head: a wife 2 years younger on average (−2 … +6), or a husband as much older. */
static int add_spouse(struct build *b)
{
    struct demo_pop *g = b->g;
    const struct demo_person *head = &b->h->m[0];
    int gap = below(g, 5) + below(g, 5) - 2;
    int head_age = age_of(head->birth);
    int age = head->sex == 'M' ? head_age - gap : head_age + gap;
    if (age < 20)
        age = 20;
    int i = add(b, head->sex == 'M' ? "12" : "11", head->sex == 'M' ? 'F' : 'M', age, surname(g));
    b->married_in[i] = true;
    b->h->m[0].marital = married(g);
    b->h->m[i].marital = married(g);
    return i;
}

/* The surname of the head's children: the father's. */
static int children_family(const struct build *b, int spouse)
{
    if (b->h->m[0].sex == 'M')
        return b->family[0];
    if (spouse >= 0)
        return b->family[spouse];
    return b->late_husband;
}

/* Marital status of an unmarried-looking adult child or grandchild by age. */
static const char *single_status(struct demo_pop *g, int age)
{
    if (age < 22)
        return "10";
    static const int w[] = { 86, 10, 4 };
    static const char *const code[] = { "10", "40", "20" };
    return code[PICK(g, w)];
}

/* k children of the head (and spouse): the first born when the younger parent was 20–34, the
 * next 1–6 years apart (never before the first is born). */
static void add_children(struct build *b, int k, int spouse)
{
    struct demo_pop *g = b->g;
    int young = age_at(b->h, 0);
    if (spouse >= 0 && age_at(b->h, spouse) < young)
        young = age_at(b->h, spouse);
    int age = young - between(g, 20, young < 34 ? young : 34);
    for (int c = 0; c < k; c++) {
        if (age < 0)
            age = 0;
        bool boy = chance(g, 0.52);
        int i = add(b, boy ? "20" : "30", boy ? 'M' : 'F', age, children_family(b, spouse));
        b->h->m[i].marital = single_status(g, age);
        age -= between(g, 1, 6);
    }
}

/* The head's father and/or mother: 22–35 and 20–35 years older than the head. */
static void add_parents(struct build *b, bool father, bool mother)
{
    struct demo_pop *g = b->g;
    int head_age = age_at(b->h, 0);
    int fa = head_age + between(g, 22, 100 - head_age < 35 ? 100 - head_age : 35);
    int ma = fa - (below(g, 5) + below(g, 5) - 2);
    if (ma < head_age + 20)
        ma = head_age + 20;
    int fi = -1, mi = -1;
    if (father)
        fi = add(b, "51", 'M', fa, b->family[0]);
    if (mother) {
        mi = add(b, "52", 'F', ma, surname(g));
        b->married_in[mi] = true;
    }
    if (fi >= 0 && mi >= 0) {
        b->h->m[fi].marital = married(g);
        b->h->m[mi].marital = married(g);
    } else {
        b->h->m[fi >= 0 ? fi : mi].marital = chance(g, 0.8) ? "30" : "20";
    }
}

/* The head with sex and age, marital status still open. */
static void add_head(struct build *b, char sex, int age)
{
    add(b, "02", sex, age, surname(b->g));
}

/* Piecewise-uniform age: bands [lo, hi] with weights. */
struct band {
    int lo, hi, weight;
};

static int band_age(struct demo_pop *g, const struct band *bands, int n)
{
    int w[8];
    for (int i = 0; i < n; i++)
        w[i] = bands[i].weight;
    int i = pick(g, w, n);
    return between(g, bands[i].lo, bands[i].hi);
}

#define BAND_AGE(g, b) band_age(g, b, (int)COUNT(b))

static void build_single(struct build *b)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 20, 39, 14 }, { 40, 59, 22 }, { 60, 74, 38 },
                                         { 75, 92, 26 } };
    int age = BAND_AGE(g, bands);
    char sex = age >= 60 ? (chance(g, 0.55) ? 'F' : 'M') : (chance(g, 0.65) ? 'M' : 'F');
    add_head(b, sex, age);
    /* 未婚, 离婚, 丧偶, 已婚 (the spouse living elsewhere: working away, in care) */
    static const int young[] = { 68, 22, 2, 8 }, middle[] = { 30, 35, 20, 15 };
    static const int old[] = { 12, 10, 55, 23 };
    static const char *const code[] = { "10", "40", "30", "20" };
    int c = age < 40 ? PICK(g, young) : age < 60 ? PICK(g, middle) : PICK(g, old);
    b->h->m[0].marital = code[c];
}

static void build_couple(struct build *b)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 22, 34, 8 }, { 35, 54, 14 }, { 55, 74, 58 },
                                         { 75, 88, 20 } };
    add_head(b, chance(g, 0.88) ? 'M' : 'F', BAND_AGE(g, bands));
    add_spouse(b);
}

static void build_nuclear(struct build *b, int kids)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 24, 34, 15 }, { 35, 44, 35 }, { 45, 56, 50 } };
    add_head(b, chance(g, 0.9) ? 'M' : 'F', BAND_AGE(g, bands));
    int spouse = add_spouse(b);
    add_children(b, kids, spouse);
}

static void build_lone_parent(struct build *b, int kids)
{
    struct demo_pop *g = b->g;
    add_head(b, chance(g, 0.6) ? 'F' : 'M', between(g, 32, 58));
    b->h->m[0].marital = chance(g, 0.65) ? "40" : "30";
    add_children(b, kids, -1);
}

/* Head of the old generation; a married son (or, 12 %, a daughter with a 上门女婿) and their
 * children: `rest` members besides the head. */
static void build_three_gen(struct build *b, int rest)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 52, 66, 50 }, { 67, 79, 45 }, { 80, 88, 5 } };
    int spouse = -1;
    bool with_spouse = rest >= 3 && chance(g, 0.7);
    add_head(b, with_spouse ? (chance(g, 0.9) ? 'M' : 'F') : (chance(g, 0.6) ? 'F' : 'M'),
             BAND_AGE(g, bands));
    if (with_spouse) {
        spouse = add_spouse(b);
        rest--;
    } else {
        b->h->m[0].marital = chance(g, 0.8) ? "30" : "40";
    }
    int old = age_at(b->h, 0);
    if (spouse >= 0 && age_at(b->h, spouse) < old)
        old = age_at(b->h, spouse);
    int mid_age = old - between(g, 20, old - 22 < 32 ? old - 22 : 32);
    bool son = chance(g, 0.88);
    int mid = add(b, son ? "20" : "30", son ? 'M' : 'F', mid_age, children_family(b, spouse));
    int gap = below(g, 5) + below(g, 5) - 2;
    int in_age = son ? mid_age - gap : mid_age + gap;
    if (in_age < 20)
        in_age = 20;
    int in = add(b, son ? "38" : "28", son ? 'F' : 'M', in_age, surname(g));
    b->married_in[in] = true;
    b->h->m[mid].marital = married(g);
    b->h->m[in].marital = married(g);
    rest -= 2;
    int young = mid_age < in_age ? mid_age : in_age;
    int age = young - between(g, 20, young < 34 ? young : 34);
    int line = son ? b->family[mid] : b->family[in];
    for (int c = 0; c < rest; c++) {
        if (age < 0)
            age = 0;
        bool boy = chance(g, 0.52);
        const char *rel = son ? (boy ? "41" : "42") : (boy ? "43" : "44");
        int i = add(b, rel, boy ? 'M' : 'F', age, line);
        b->h->m[i].marital = single_status(g, age);
        age -= between(g, 1, 5);
    }
}

/* Grandparents with grandchildren under 17 whose parents work away (留守儿童). */
static void build_skip_gen(struct build *b, int rest)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 55, 64, 45 }, { 65, 74, 42 }, { 75, 85, 13 } };
    bool with_spouse = rest >= 2 && chance(g, 0.6);
    add_head(b, with_spouse ? (chance(g, 0.9) ? 'M' : 'F') : (chance(g, 0.6) ? 'F' : 'M'),
             BAND_AGE(g, bands));
    int spouse = -1;
    if (with_spouse) {
        spouse = add_spouse(b);
        rest--;
    } else { /* widowed, or the spouse works away too */
        b->h->m[0].marital = chance(g, 0.7) ? "30" : "20";
    }
    int old = age_at(b->h, 0);
    if (spouse >= 0 && age_at(b->h, spouse) < old)
        old = age_at(b->h, spouse);
    bool sons_line = chance(g, 0.8);
    int line = sons_line ? children_family(b, spouse) : b->other_line;
    for (int c = 0; c < rest; c++) {
        int age = between(g, 0, old - 40 < 16 ? old - 40 : 16);
        bool boy = chance(g, 0.52);
        const char *rel = sons_line ? (boy ? "41" : "42") : (boy ? "43" : "44");
        int i = add(b, rel, boy ? 'M' : 'F', age, line);
        b->h->m[i].marital = "10";
    }
}

/* A head of 30–60 with one or both parents, maybe a spouse and children. */
static void build_with_parents(struct build *b, int size)
{
    struct demo_pop *g = b->g;
    static const struct band bands[] = { { 30, 44, 30 }, { 45, 58, 70 } };
    int parents = 1, kids = 0;
    bool with_spouse = true;
    switch (size) {
    case 2: with_spouse = false; break;
    case 3: with_spouse = chance(g, 0.85); parents = with_spouse ? 1 : 2; break;
    case 4: parents = chance(g, 0.6) ? 1 : 2; kids = 2 - parents; break;
    case 5: parents = chance(g, 0.5) ? 1 : 2; kids = 3 - parents; break;
    default: parents = 2; kids = 2; break;
    }
    add_head(b, chance(g, 0.85) ? 'M' : 'F', BAND_AGE(g, bands));
    int spouse = -1;
    if (with_spouse)
        spouse = add_spouse(b);
    else
        b->h->m[0].marital = chance(g, 0.6) ? "10" : "40";
    bool mother_only = chance(g, 0.65);
    add_parents(b, parents == 2 || !mother_only, parents == 2 || mother_only);
    if (kids)
        add_children(b, kids, spouse);
}

/* A member who died (2010 on, at 40 or older), kept as a former member: the late spouse of a
 * widowed head (relation 11/12) or the other parent of a widowed parent (51/52). */
static void add_deceased(struct build *b, int widow)
{
    struct demo_pop *g = b->g;
    struct demo_household *h = b->h;
    const struct demo_person *w = &h->m[widow];
    bool head = widow == 0;
    char sex = w->sex == 'M' ? 'F' : 'M';
    const char *rel = head ? (sex == 'M' ? "11" : "12") : (sex == 'M' ? "51" : "52");
    int gap = below(g, 5) + below(g, 5) - 2;
    int age = sex == 'M' ? age_at(h, widow) + gap : age_at(h, widow) - gap;
    if (!head && age < age_at(h, 0) + 20)
        age = age_at(h, 0) + 20;
    int family = sex == 'M' ? (head ? b->late_husband : b->family[0]) : surname(g);
    int i = add(b, rel, sex, age, family);
    struct demo_person *p = &h->m[i];
    p->joined_on = max_date(b->formed, p->birth);
    int lo = max_date(max_date(add_years(p->birth, 40), 20100101),
                      date_of(day_of(p->joined_on) + 1));
    if (lo > LAST_DAY || age > 100) {
        memset(p, 0, sizeof *p);
        h->n--;
        return;
    }
    p->death = date_between(g, lo, LAST_DAY);
    p->left_on = p->death;
    p->marital = married(g);
    b->married_in[i] = sex == 'F';
}

/* ---------------------------------------------------------------- a person's attributes */

static bool severe_disability(char cat, char grade)
{
    /* 特困人员认定办法 (民发〔2021〕43号) 第五条, reference.md §5.3: 无劳动能力 includes 智力、精神
     * 一至三级, 肢体 一、二级, 视力 一级; 多重 一、二级 is an assumption made here */
    return ((cat == '5' || cat == '6') && grade <= '3') || (cat == '4' && grade <= '2') ||
           (cat == '1' && grade == '1') || (cat == '7' && grade <= '2');
}

/* Disability, serious illness and chronic illness by age band (<15, 15–44, 45–59, 60–74, 75+),
 * in per mille. Disability: the 2006 survey found 6.34 % of the population disabled, over half
 * of them 60 and older; serious illness ≈ 2 % overall; chronic illness rising with age. */
static const int disabled_pm[5] = { 18, 28, 60, 105, 170 };
static const int serious_pm[5] = { 6, 8, 20, 35, 50 };
static const int chronic_pm[5] = { 15, 50, 180, 350, 500 };
/* Categories 1 视力 … 7 多重 by the 2006 survey's shares (per ten thousand): 视力 1486, 听力
 * 2416, 言语 153, 肢体 2907, 智力 668, 精神 740, 多重 1630. Grades 1–4: about 30 % severe
 * (一、二级), 70 % moderate or mild — an approximation of the survey's severity split. */
static const int category_weight[7] = { 1486, 2416, 153, 2907, 668, 740, 1630 };
static const int grade_weight[4] = { 12, 18, 30, 40 };

static int age_band(int age)
{
    return age < 15 ? 0 : age < 45 ? 1 : age < 60 ? 2 : age < 75 ? 3 : 4;
}

/* Highest education (GB/T 4658) by age and birth cohort; urban hukou draws twice, keeps the
 * better (smaller code). */
static const char *education(struct demo_pop *g, int age, int birth_year, bool rural)
{
    if (age < 6)
        return "90";
    if (age < 12)
        return "80";
    if (age < 15)
        return "70";
    if (age < 18) {
        static const int w[] = { 65, 25, 10 };
        static const char *const code[] = { "60", "40", "70" };
        return code[PICK(g, w)];
    }
    static const char *const code[] = { "10", "20", "30", "40", "60", "70", "80", "90" };
    static const int young[] = { 1, 12, 17, 14, 14, 38, 4, 0 };   /* born 1990 on */
    static const int mid[] = { 0, 4, 6, 8, 12, 52, 18, 0 };      /* 1975–1989 */
    static const int older[] = { 0, 1, 2, 2, 10, 40, 40, 5 };    /* 1960–1974 */
    static const int oldest[] = { 0, 0, 0, 0, 5, 15, 50, 30 };   /* before 1960 */
    const int *w = birth_year >= 1990 ? young : birth_year >= 1975 ? mid
                                      : birth_year >= 1960 ? older : oldest;
    int c = pick(g, w, 8);
    if (!rural) {
        int d = pick(g, w, 8);
        if (d < c)
            c = d;
    }
    return code[c];
}

static const char *employment(struct demo_pop *g, int age, bool rural, const char *labour)
{
    if (age < 6)
        return "none";
    if (age < 16 || (age < 18 && chance(g, 0.85)) || (age <= 22 && chance(g, 0.35)))
        return "student";
    if (age < 60 && strcmp(labour, "none") == 0)
        return "none";
    static const char *const code[] = { "employed", "farming", "unemployed", "student",
                                        "retired", "none" };
    if (age < 60) {
        static const int urban[] = { 72, 0, 8, 0, 0, 12 }, urban50[] = { 40, 0, 4, 0, 46, 10 };
        static const int rural_w[] = { 42, 40, 5, 0, 0, 13 };
        return code[rural ? PICK(g, rural_w) : age >= 50 ? PICK(g, urban50) : PICK(g, urban)];
    }
    static const int urban[] = { 4, 0, 0, 0, 78, 18 };
    static const int rural60[] = { 5, 55, 0, 0, 0, 40 }, rural70[] = { 0, 18, 0, 0, 0, 82 };
    return code[!rural ? PICK(g, urban) : age < 70 ? PICK(g, rural60) : PICK(g, rural70)];
}

static void phone_number(struct demo_pop *g, char out[12])
{
    static const char *const prefix[] = { "130", "131", "132", "133", "135", "136", "137", "138",
                                          "139", "150", "151", "152", "155", "157", "158", "159",
                                          "173", "177", "180", "181", "182", "183", "187", "188",
                                          "189", "191", "199" };
    snprintf(out, 12, "%s%08d", prefix[below(g, (int)COUNT(prefix))], below(g, 100000000));
}

/* Fills what depends on the person alone: ID number, name, health, work, phone. */
static void finish_person(struct build *b, int i, const char *family_ethnicity, bool rural,
                          const char *hukou_region)
{
    struct demo_pop *g = b->g;
    struct demo_household *h = b->h;
    struct demo_person *p = &h->m[i];
    p->id = g->next_id++;
    memcpy(p->region, g->villages[b->village].code, 13);
    memcpy(p->hukou_region, hukou_region, 13);
    p->hukou_rural = rural;
    if (!p->ethnicity[0])
        memcpy(p->ethnicity, family_ethnicity, 3);
    int addr = 0;
    if (g->s.naddress > 1 && chance(g, b->married_in[i] ? 0.25 : 0.02))
        addr = 1 + below(g, g->s.naddress - 1);
    give_id_number(g, p, addr);
    make_name(g, p, b->family[i]);
    if (!p->marital)
        p->marital = single_status(g, age_of(p->birth));
    if (p->joined_on == 0) {
        int joined = max_date(b->formed, p->birth);
        if (b->married_in[i] && i != 0) /* married in: on the wedding, at 20–26 */
            joined = max_date(joined, min_date(date_of(day_of(add_years(p->birth,
                                                    between(g, 20, 25))) + below(g, 365)),
                                               LAST_DAY));
        p->joined_on = joined;
    }
    int age = age_of(p->birth);
    p->education = education(g, age, p->birth / 10000, rural);
    if (p->death)
        return; /* no health, work or phone for the deceased */
    int band = age_band(age);
    if (below(g, 1000) < disabled_pm[band]) {
        p->disability_category = (char)('1' + PICK(g, category_weight));
        p->disability_grade = (char)('1' + PICK(g, grade_weight));
    }
    bool serious = below(g, 1000) < serious_pm[band];
    bool chronic = !serious && below(g, 1000) < chronic_pm[band];
    p->health = serious ? "serious" : p->disability_category ? "disabled"
              : chronic ? "chronic" : "healthy";
    if (age < 16 || age >= 70 ||
        (p->disability_category && severe_disability(p->disability_category,
                                                      p->disability_grade)))
        p->labour = "none";
    else if (age >= 60)
        p->labour = "partial";
    else if (serious)
        p->labour = chance(g, 0.6) ? "none" : "partial";
    else if (p->disability_category)
        p->labour = p->disability_grade == '3' || chance(g, 0.5) ? "partial" : "full";
    else if (chronic && age >= 45 && chance(g, 0.2))
        p->labour = "partial";
    else
        p->labour = "full";
    p->employment = employment(g, age, rural, p->labour);
    if (age >= 18 && chance(g, age < 70 ? 0.93 : 0.6))
        phone_number(g, p->phone);
}

/* ---------------------------------------------------------------- organisations */

enum org_kind { O_SOCIAL_GROUP, O_SOCIAL_SERVICE, O_FOUNDATION, O_ELDERLY_CARE, O_CHILD_WELFARE,
                O_FUNERAL, O_SOCIAL_WORK, O_OTHER };

enum org_level { L_COUNTY, L_TOWN, L_VILLAGE };

static const struct org_type {
    const char *dict;       /* dict org_type */
    int weight;             /* share of the organisations other than committees, in % */
    int level[3];           /* weights of county, township and village level */
    const char *kind2;      /* authority and type (GB 32100 §3.5) */
    const char *names[3][8];/* name endings by level, NULL-terminated */
} org_types[NORGTYPES] = {
    [O_SOCIAL_GROUP] = { "social_group", 38, { 15, 45, 40 }, "51", {
        { "老年人体育协会", "书法家协会", "摄影家协会", "红心猕猴桃产业协会", "雪梨产业协会",
          "志愿者协会", "诗词楹联学会", "家庭教育研究会" },
        { "老年协会", "商会", "志愿者协会", "残疾人协会", "文化体育协会", "中药材种植协会",
          "农村专业技术协会", "个体劳动者协会" },
        { "老年协会", "猕猴桃协会", "雪梨协会", "养殖协会", "志愿服务协会", "文体协会" } } },
    [O_SOCIAL_SERVICE] = { "social_service", 20, { 30, 70, 0 }, "52", {
        { "阳光职业技能培训学校", "康复服务中心", "心理咨询服务中心", "启明星幼儿园" },
        { "阳光幼儿园", "启明星幼儿园", "社区居家养老服务中心", "职业技能培训学校",
          "康复服务中心" } } },
    [O_FOUNDATION] = { "foundation", 3, { 100, 0, 0 }, "53", {
        { "教育发展基金会", "慈善基金会", "助学基金会", "乡村振兴基金会" } } },
    [O_ELDERLY_CARE] = { "elderly_care", 12, { 0, 100, 0 }, "52", {
        { NULL },
        { "中心敬老院", "颐养院", "康乐养老院", "福寿养老院", "夕阳红养老服务中心",
          "长寿老年公寓" } } },
    [O_CHILD_WELFARE] = { "child_welfare", 2, { 100, 0, 0 }, "12", {
        { "儿童福利院", "未成年人救助保护中心" } } },
    [O_FUNERAL] = { "funeral", 3, { 30, 70, 0 }, "12", {
        { "殡仪馆", "公墓" }, { "公益性公墓", "殡葬服务站" } } },
    [O_SOCIAL_WORK] = { "social_work", 10, { 40, 60, 0 }, "52", {
        { "阳光社会工作服务中心", "同心社会工作服务中心", "春晖社会工作服务中心",
          "乐邻社会工作服务中心", "益民社会工作服务中心" },
        { "社会工作服务站" } } },
    /* 村股份经济合作联合社: a village collective economic organisation, registered by 农业 (N2) */
    [O_OTHER] = { "other", 12, { 0, 0, 100 }, "N2", {
        { NULL }, { NULL }, { "股份经济合作联合社" } } },
};

static const char *const streets[] = { "红军路", "解放路", "北门路", "东城路", "江南路",
                                       "滨江路", "少屏路", "杜里路", "文昌路", "新街" };

/* Index of a current, living member aged lo–hi (a random one of them), or -1. */
static int adult(struct demo_pop *g, const struct demo_household *h, int lo, int hi)
{
    int idx[DEMO_POP_MEMBERS_MAX], n = 0;
    for (int i = 0; i < h->ncurrent; i++) {
        int age = age_of(h->m[i].birth);
        if (age >= lo && age <= hi)
            idx[n++] = i;
    }
    return n ? idx[below(g, n)] : -1;
}

static void committee(struct demo_pop *g, int v, int64_t rep, struct demo_org *o)
{
    memset(o, 0, sizeof *o);
    o->id = g->next_id++;
    make_credit_code(g, "59", g->orgs++, o->credit_code);
    snprintf(o->name, sizeof o->name, "%s", g->villages[v].name);
    o->org_type = g->kind[v] == V_URBAN ? "residents_committee" : "villagers_committee";
    memcpy(o->region, g->villages[v].code, 13);
    o->legal_rep = rep;
    o->registered_on = date_between(g, 20170601, 20181231);
    o->status = "active";
    snprintf(o->address, sizeof o->address, "%s%s%s", g->s.county_name, g->villages[v].town,
             g->place[v]);
    g->committee[v] = true;
}

/* An organisation based where household h lives, led by member rep. */
static void organisation(struct demo_pop *g, const struct demo_household *h, int v, int rep,
                         struct demo_org *o)
{
    memset(o, 0, sizeof *o);
    int type_w[NORGTYPES];
    for (int t = 0; t < NORGTYPES; t++)
        type_w[t] = org_types[t].weight;
    int t = pick(g, type_w, NORGTYPES);
    const struct org_type *ot = &org_types[t];
    int level = pick(g, ot->level, 3);
    int town = g->town_of[v];
    int place = level == L_VILLAGE ? v
              : level == L_TOWN ? (int)g->s.nvillages + town : 2 * (int)g->s.nvillages;
    int *count = &g->name_count[(size_t)place * NORGTYPES + (size_t)t];
    int nnames = 0;
    while (nnames < 8 && ot->names[level][nnames])
        nnames++;
    assert(nnames > 0);
    int k = (*count)++;
    char ordinal[32] = "";
    if (k >= nnames)
        snprintf(ordinal, sizeof ordinal, "（%d）", k / nnames + 1);
    const char *ending = ot->names[level][k % nnames];
    const char *county = g->s.county_name;
    if (level == L_COUNTY)
        snprintf(o->name, sizeof o->name, "%s%s%s", county, ending, ordinal);
    else if (level == L_TOWN)
        snprintf(o->name, sizeof o->name, "%s%s%s%s", county, g->villages[v].town, ending,
                 ordinal);
    else
        snprintf(o->name, sizeof o->name, "%s%s%s%s", g->villages[v].town, g->place[v], ending,
                 ordinal);
    /* a township's first 敬老院 is public (事业单位, 机构编制 12), the others private (52) */
    const char *kind2 = t == O_ELDERLY_CARE && k == 0 ? "12" : ot->kind2;
    o->id = g->next_id++;
    make_credit_code(g, kind2, g->orgs++, o->credit_code);
    o->org_type = ot->dict;
    memcpy(o->region, level == L_VILLAGE ? g->villages[v].code
                      : level == L_TOWN ? g->towns[town].code : g->s.county, 13);
    o->legal_rep = h->m[rep].id;
    o->registered_on = kind2[0] == '1' ? date_between(g, 19900101, 20101231)
                                       : date_between(g, 20000101, LAST_DAY);
    static const int status_w[] = { 92, 2, 5, 1 };
    static const char *const status[] = { "active", "suspended", "deregistered", "revoked" };
    o->status = kind2[0] == '1' || kind2[0] == 'N' ? "active" : status[PICK(g, status_w)];
    if (level == L_VILLAGE)
        snprintf(o->address, sizeof o->address, "%s%s%s", county, g->villages[v].town,
                 g->place[v]);
    else
        snprintf(o->address, sizeof o->address, "%s%s%s%d号", county, g->villages[v].town,
                 streets[below(g, (int)COUNT(streets))], between(g, 1, 299));
}

/* ---------------------------------------------------------------- a household */

static int pick_village(struct demo_pop *g)
{
    uint32_t total = g->weight_cum[g->s.nvillages - 1];
    uint32_t r = (uint32_t)(next(g) % total);
    size_t lo = 0, hi = g->s.nvillages - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->weight_cum[mid] > r)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (int)lo;
}

void demo_pop_household(struct demo_pop *g, int max_persons, struct demo_household *out)
{
    memset(out, 0, sizeof *out);
    if (max_persons < 1)
        max_persons = 1;
    struct build b = { .g = g, .h = out };
    b.late_husband = surname(g);
    b.other_line = surname(g);
    int v = b.village = pick_village(g);
    const struct demo_village *village = &g->villages[v];
    out->id = g->next_id++;
    memcpy(out->region, village->code, 13);

    /* Hukou (reference.md §4.2 codes): in a community mostly urban, but 12 % are villagers who
     * moved to town with their hukou still in a village; in a village rural, 1.5 % urban. About
     * 75 % of persons end up rural. 5 % of rural households are registered in another village. */
    bool rural = g->kind[v] != V_URBAN ? !chance(g, 0.015) : chance(g, 0.12);
    const char *hukou_region = village->code;
    if (g->kind[v] == V_URBAN && rural)
        hukou_region = g->villages[g->rural[below(g, g->nrural)]].code;
    else if (rural && chance(g, 0.05))
        hukou_region = g->villages[g->rural[below(g, g->nrural)]].code;

    int size = 1 + PICK(g, size_weight);
    if (size > max_persons)
        size = max_persons;
    int type = pick(g, type_weight[size - 1], NHTYPES);
    switch (type) {
    case H_SINGLE: build_single(&b); break;
    case H_COUPLE: build_couple(&b); break;
    case H_NUCLEAR: build_nuclear(&b, size - 2); break;
    case H_LONE_PARENT: build_lone_parent(&b, size - 1); break;
    case H_THREE_GEN: build_three_gen(&b, size - 1); break;
    case H_SKIP_GEN: build_skip_gen(&b, size - 1); break;
    default: build_with_parents(&b, size); break;
    }
    out->ncurrent = out->n;

    /* Set up when the head was 20–30 (or later, for a young head: by the end of 2025). */
    int head_birth = out->m[0].birth;
    int formed = date_of(day_of(add_years(head_birth, between(g, 20, 29))) + below(g, 365));
    if (formed > LAST_DAY)
        formed = date_between(g, min_date(add_years(head_birth, 18), LAST_DAY), LAST_DAY);
    b.formed = formed;

    /* A widowed head, or a widowed parent of the head, may have the late spouse as a former
     * member (died 2010 or later); 9.4 % of them gives ≈ 1 % of all persons deceased. */
    for (int i = 0; i < out->ncurrent && out->n < max_persons; i++) {
        const char *r = out->m[i].relation;
        bool can = strcmp(r, "02") == 0 || strcmp(r, "51") == 0 || strcmp(r, "52") == 0;
        if (can && strcmp(out->m[i].marital, "30") == 0 && chance(g, 0.094))
            add_deceased(&b, i);
    }

    /* Ethnicity: 0.5 % of families are of a minority; 1.5 % of those who married in are; half
     * of the children of a minority spouse follow him or her. */
    const char *family_eth = chance(g, 0.005) ? minorities[PICK(g, minority_weight)] : "01";
    int spouse = -1, in_law = -1;
    for (int i = 0; i < out->n; i++) {
        const char *r = out->m[i].relation;
        if (b.married_in[i] && chance(g, 0.015))
            memcpy(out->m[i].ethnicity, minorities[PICK(g, minority_weight)], 3);
        if (out->m[i].left_on == 0 && (strcmp(r, "11") == 0 || strcmp(r, "12") == 0))
            spouse = i;
        if (strcmp(r, "28") == 0 || strcmp(r, "38") == 0)
            in_law = i;
    }
    for (int i = 0; i < out->n; i++) {
        const char *r = out->m[i].relation;
        int from = r[0] == '2' || r[0] == '3' ? spouse : r[0] == '4' ? in_law : -1;
        if (strcmp(r, "28") != 0 && strcmp(r, "38") != 0 && from >= 0 &&
            out->m[from].ethnicity[0] && chance(g, 0.5))
            memcpy(out->m[i].ethnicity, out->m[from].ethnicity, 3);
    }
    for (int i = 0; i < out->n; i++)
        finish_person(&b, i, family_eth, rural, hukou_region);

    /* Address: 组 and 号 in a village, 栋 单元 室 in a community. */
    const char *county = g->s.county_name;
    if (g->kind[v] == V_RURAL)
        snprintf(out->address, sizeof out->address, "%s%s%s%d组%d号", county, village->town,
                 g->place[v], between(g, 1, 12), between(g, 1, 99));
    else if (g->kind[v] == V_URBAN)
        snprintf(out->address, sizeof out->address, "%s%s%s%d栋%d单元%d%02d室", county,
                 village->town, g->place[v], between(g, 1, 30), between(g, 1, 4),
                 between(g, 1, 18), between(g, 1, 4));
    else
        snprintf(out->address, sizeof out->address, "%s%s%s%d号", county, village->town,
                 g->place[v], between(g, 1, 99));
    out->living_together = !chance(g, 0.05);
    g->persons += out->n;

    /* Organisations: the village's committee, led by an adult of 30–65, and one other per
     * ORG_EVERY persons, led by an adult of 25–70 of this household. */
    if (g->kind[v] != V_OTHER && !g->committee[v]) {
        int rep = adult(g, out, 30, 65);
        if (rep >= 0)
            committee(g, v, out->m[rep].id, &out->orgs[out->norgs++]);
    }
    if (g->persons >= g->next_org_at) {
        int rep = adult(g, out, 25, 70);
        if (rep >= 0) {
            organisation(g, out, v, rep, &out->orgs[out->norgs++]);
            g->next_org_at += ORG_EVERY;
        }
    }
}

size_t demo_pop_finish(struct demo_pop *g, struct demo_org *out, size_t cap)
{
    size_t n = 0;
    for (size_t v = 0; v < g->s.nvillages; v++) {
        if (g->kind[v] == V_OTHER || g->committee[v])
            continue;
        if (n < cap)
            committee(g, (int)v, 0, &out[n]);
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------- loading */

/* Households buffered for one transaction: 50 000 persons make ≈ 19 500 households; a chunk
 * of unusually small ones is cut here (2.4 KB each, ≈ 58 MB). */
#define HOUSEHOLDS_MAX 24000
#define REQUEST_ID "demo-population"

struct loader {
    struct db *db;
    struct demo_pop *g;
    struct demo_household *hh;  /* the chunk being written */
    int nhh;
    struct demo_population_stats chunk;  /* rows of the chunk being written */
    struct demo_population_stats *stats; /* rows committed */
};

static void ymd_text(int date, char out[11])
{
    char text[40];
    snprintf(text, sizeof text, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
    memcpy(out, text, 10);
    out[10] = '\0';
}

static int copy_persons(struct loader *ld)
{
    static const char *const cols[] = {
        "id", "id_number", "name", "sex", "birth_date", "ethnicity", "hukou_region",
        "hukou_type", "region", "address", "phone", "marital_status", "alive", "death_date",
        "labour_ability", "health", "disability_category", "disability_grade", "education",
        "employment", "version", "created_at", "updated_at" };
    char created[24];
    snprintf(created, sizeof created, "%lld", DEMO_POP_AS_OF_UNIX);
    int rc = db_copy_begin(ld->db, "person", cols, (int)COUNT(cols));
    for (int k = 0; rc == 0 && k < ld->nhh; k++) {
        const struct demo_household *h = &ld->hh[k];
        for (int i = 0; rc == 0 && i < h->n; i++) {
            const struct demo_person *p = &h->m[i];
            char id[24], birth[11], death[11], sex[2] = { p->sex, 0 };
            char cat[2] = { p->disability_category, 0 }, grade[2] = { p->disability_grade, 0 };
            snprintf(id, sizeof id, "%" PRId64, p->id);
            ymd_text(p->birth, birth);
            if (p->death)
                ymd_text(p->death, death);
            char checked[19];
            if (ids_citizen_normalize(p->id_number, 18, DEMO_POP_AS_OF, checked, NULL, NULL)) {
                log_error(NULL, "demo population: generated an invalid ID number %s",
                          p->id_number);
                rc = MZ_EINTERNAL;
                break;
            }
            const char *v[] = {
                id, p->id_number, p->name, sex, birth, p->ethnicity, p->hukou_region,
                p->hukou_rural ? "rural" : "urban", p->region, h->address,
                p->phone[0] ? p->phone : NULL, p->marital, p->death ? "0" : "1",
                p->death ? death : NULL, p->labour, p->health, cat[0] ? cat : NULL,
                grade[0] ? grade : NULL, p->education, p->employment, "1", created, created };
            rc = db_copy_row(ld->db, v, NULL);
            ld->chunk.persons++;
            ld->chunk.deceased += p->death != 0;
        }
    }
    int end = db_copy_end(ld->db);
    return rc ? rc : end;
}

static int copy_households(struct loader *ld)
{
    static const char *const cols[] = { "id", "region", "address", "head_person_id",
                                        "living_together", "version", "created_at",
                                        "updated_at" };
    char created[24];
    snprintf(created, sizeof created, "%lld", DEMO_POP_AS_OF_UNIX);
    int rc = db_copy_begin(ld->db, "household", cols, (int)COUNT(cols));
    for (int k = 0; rc == 0 && k < ld->nhh; k++) {
        const struct demo_household *h = &ld->hh[k];
        char id[24], head[24];
        snprintf(id, sizeof id, "%" PRId64, h->id);
        snprintf(head, sizeof head, "%" PRId64, h->m[0].id);
        const char *v[] = { id, h->region, h->address, head, h->living_together ? "1" : "0",
                            "1", created, created };
        rc = db_copy_row(ld->db, v, NULL);
        ld->chunk.households++;
    }
    int end = db_copy_end(ld->db);
    return rc ? rc : end;
}

static int copy_members(struct loader *ld)
{
    static const char *const cols[] = { "household_id", "person_id", "relation", "joined_on",
                                        "left_on" };
    int rc = db_copy_begin(ld->db, "household_member", cols, (int)COUNT(cols));
    for (int k = 0; rc == 0 && k < ld->nhh; k++) {
        const struct demo_household *h = &ld->hh[k];
        char hid[24];
        snprintf(hid, sizeof hid, "%" PRId64, h->id);
        for (int i = 0; rc == 0 && i < h->n; i++) {
            const struct demo_person *p = &h->m[i];
            char pid[24], joined[11], left[11];
            snprintf(pid, sizeof pid, "%" PRId64, p->id);
            ymd_text(p->joined_on, joined);
            if (p->left_on)
                ymd_text(p->left_on, left);
            const char *v[] = { hid, pid, p->relation, joined, p->left_on ? left : NULL };
            rc = db_copy_row(ld->db, v, NULL);
            ld->chunk.members++;
        }
    }
    int end = db_copy_end(ld->db);
    return rc ? rc : end;
}

static int org_row(struct loader *ld, const struct demo_org *o)
{
    char checked[19];
    if (ids_credit_normalize(o->credit_code, 18, checked, NULL, NULL) != 0) {
        log_error(NULL, "demo population: generated an invalid credit code %s", o->credit_code);
        return MZ_EINTERNAL;
    }
    char id[24], rep[24], registered[11], created[24];
    snprintf(id, sizeof id, "%" PRId64, o->id);
    snprintf(rep, sizeof rep, "%" PRId64, o->legal_rep);
    ymd_text(o->registered_on, registered);
    snprintf(created, sizeof created, "%lld", DEMO_POP_AS_OF_UNIX);
    const char *v[] = { id, o->credit_code, o->name, o->org_type, o->region,
                        o->legal_rep ? rep : NULL, registered, o->status, o->address, "1",
                        created, created };
    ld->chunk.orgs++;
    return db_copy_row(ld->db, v, NULL);
}

static const char *const org_cols[] = { "id", "credit_code", "name", "org_type", "region",
                                        "legal_rep_person_id", "registered_on", "status",
                                        "address", "version", "created_at", "updated_at" };

static int copy_orgs(struct loader *ld, const struct demo_org *extra, size_t nextra)
{
    int rc = db_copy_begin(ld->db, "organisation", org_cols, (int)COUNT(org_cols));
    for (int k = 0; rc == 0 && k < ld->nhh; k++)
        for (int i = 0; rc == 0 && i < ld->hh[k].norgs; i++)
            rc = org_row(ld, &ld->hh[k].orgs[i]);
    for (size_t i = 0; rc == 0 && i < nextra; i++)
        rc = org_row(ld, &extra[i]);
    int end = db_copy_end(ld->db);
    return rc ? rc : end;
}

static int change_row(struct loader *ld, const char *type, int64_t record, const char *region)
{
    char id[24], rid[24], at[24];
    snprintf(id, sizeof id, "%" PRId64, demo_pop_take_id(ld->g));
    snprintf(rid, sizeof rid, "%" PRId64, record);
    snprintf(at, sizeof at, "%lld", DEMO_POP_AS_OF_UNIX);
    const char *v[] = { id, type, rid, region, at, NULL, "cli", "(created)", NULL, NULL,
                        REQUEST_ID };
    ld->chunk.changes++;
    return db_copy_row(ld->db, v, NULL);
}

/* One "(created)" row per record, as the registry's own inserts leave (record.c). */
static int copy_changes(struct loader *ld, const struct demo_org *extra, size_t nextra)
{
    static const char *const cols[] = { "id", "record_type", "record_id", "region", "at",
                                        "actor_id", "actor_login", "field", "old_value",
                                        "new_value", "request_id" };
    int rc = db_copy_begin(ld->db, "record_change", cols, (int)COUNT(cols));
    for (int k = 0; rc == 0 && k < ld->nhh; k++) {
        const struct demo_household *h = &ld->hh[k];
        for (int i = 0; rc == 0 && i < h->n; i++)
            rc = change_row(ld, "person", h->m[i].id, h->m[i].region);
        if (rc == 0)
            rc = change_row(ld, "household", h->id, h->region);
        for (int i = 0; rc == 0 && i < h->norgs; i++)
            rc = change_row(ld, "organisation", h->orgs[i].id, h->orgs[i].region);
    }
    for (size_t i = 0; rc == 0 && i < nextra; i++)
        rc = change_row(ld, "organisation", extra[i].id, extra[i].region);
    int end = db_copy_end(ld->db);
    return rc ? rc : end;
}

/* Writes the buffered households (and extra organisations) in one transaction. */
static int write_chunk(struct loader *ld, const struct demo_org *extra, size_t nextra)
{
    memset(&ld->chunk, 0, sizeof ld->chunk);
    int rc = db_begin(ld->db);
    if (rc)
        return rc;
    rc = copy_persons(ld);
    if (rc == 0)
        rc = copy_households(ld);
    if (rc == 0)
        rc = copy_members(ld);
    if (rc == 0)
        rc = copy_orgs(ld, extra, nextra);
    if (rc == 0)
        rc = copy_changes(ld, extra, nextra);
    ld->nhh = 0;
    rc = db_finish(ld->db, rc);
    if (rc == 0) {
        struct demo_population_stats *st = ld->stats;
        st->persons += ld->chunk.persons;
        st->deceased += ld->chunk.deceased;
        st->households += ld->chunk.households;
        st->members += ld->chunk.members;
        st->orgs += ld->chunk.orgs;
        st->changes += ld->chunk.changes;
    }
    return rc;
}

/* [lo, hi) of the codes under a 6-digit prefix: "510824", "510825". */
static void prefix_range(const char *code, int len, char lo[13], char hi[13])
{
    memcpy(lo, code, (size_t)len);
    lo[len] = '\0';
    memcpy(hi, lo, (size_t)len + 1);
    hi[len - 1]++;
}

static int county_has_persons(struct db *db, const char *lo, const char *hi, bool *has)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM person WHERE region >= ? AND region < ? LIMIT 1", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, lo, strlen(lo));
    db_bind_text(st, 2, hi, strlen(hi));
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    *has = rc == 1;
    return 0;
}

/* Copies the n-th '/'-separated part of path into out (cap bytes); "" when missing. */
static void path_part(const char *path, int n, char *out, size_t cap)
{
    for (; n > 0 && path; n--) {
        path = strchr(path, '/');
        if (path)
            path++;
    }
    const char *end = path ? strchr(path, '/') : NULL;
    size_t len = !path ? 0 : end ? (size_t)(end - path) : strlen(path);
    if (len >= cap)
        len = cap - 1;
    memcpy(out, path ? path : "", len);
    out[len] = '\0';
}

/* The county's villages (level 5, current) in code order, its name, and the address codes:
 * the county, then the other counties of its city. */
static int read_setup(struct db *db, const char *county12, struct demo_pop_setup *s,
                      struct demo_village **villages)
{
    char lo[13], hi[13];
    prefix_range(county12, 6, lo, hi);
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT code, path_names FROM region WHERE code >= ? AND code < ? "
                            "AND level = 5 AND valid_to IS NULL ORDER BY code", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, lo, strlen(lo));
    db_bind_text(st, 2, hi, strlen(hi));
    size_t n = 0, cap = 0;
    struct demo_village *v = NULL;
    while ((rc = db_step(st)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 512;
            struct demo_village *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                rc = MZ_ENOMEM;
                break;
            }
            v = grown;
        }
        const char *code = db_col_text(st, 0, NULL), *path = db_col_text(st, 1, NULL);
        memset(&v[n], 0, sizeof v[n]);
        snprintf(v[n].code, sizeof v[n].code, "%s", code ? code : "");
        path_part(path, 3, v[n].town, sizeof v[n].town);
        path_part(path, 4, v[n].name, sizeof v[n].name);
        if (n == 0)
            path_part(path, 2, s->county_name, sizeof s->county_name);
        n++;
    }
    db_reset(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    if (n == 0) {
        free(v);
        return MZ_ENOTFOUND;
    }
    s->villages = *villages = v;
    s->nvillages = n;
    memcpy(s->county, county12, 12);
    s->county[12] = '\0';
    memcpy(s->address6[0], county12, 6);
    s->address6[0][6] = '\0';
    s->naddress = 1;

    char city[13];
    memcpy(city, county12, 4);
    memcpy(city + 4, "00000000", 9);
    rc = db_prepare(db, "SELECT code FROM region WHERE parent = ? AND level = 3 AND code <> ? "
                        "AND valid_to IS NULL ORDER BY code", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, city, 12);
    db_bind_text(st, 2, county12, 12);
    while ((rc = db_step(st)) == 1 && s->naddress < DEMO_POP_ADDRESS_MAX) {
        const char *code = db_col_text(st, 0, NULL);
        if (code && strlen(code) >= 6) {
            memcpy(s->address6[s->naddress], code, 6);
            s->address6[s->naddress++][6] = '\0';
        }
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Ids of the demo rows: those users_new_id() would have made at 2020-01-01 00:00 China time
 * (milliseconds × 65536), counted up — same magnitude as every other id, and never made by
 * users_new_id() again, since its clock has moved on. */
#define DEMO_POP_FIRST_ID (1577808000000LL * 65536)

int demo_population_load(struct db *db, const char *county12, long long persons,
                         struct demo_population_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    if (persons < 0 || persons > DEMO_POP_MAX_PERSONS || strlen(county12) != 12)
        return MZ_EINVAL;
    char lo[13], hi[13];
    prefix_range(county12, 6, lo, hi);
    bool has = false;
    int rc = county_has_persons(db, lo, hi, &has);
    if (rc)
        return rc;
    if (has || persons == 0) {
        stats->skipped = has;
        return 0;
    }
    struct demo_pop_setup setup = { .seed = DEMO_POP_SEED, .first_id = DEMO_POP_FIRST_ID };
    struct demo_village *villages = NULL;
    rc = read_setup(db, county12, &setup, &villages);
    struct demo_pop *g = NULL;
    if (rc == 0)
        rc = demo_pop_new(&setup, &g);
    struct loader ld = { .db = db, .g = g, .stats = stats };
    if (rc == 0) {
        ld.hh = malloc(HOUSEHOLDS_MAX * sizeof *ld.hh);
        if (!ld.hh)
            rc = MZ_ENOMEM;
    }
    if (rc) {
        log_error(NULL, "demo population: %s", rc == MZ_ENOTFOUND
                  ? "the county has no villages in the region table" : db_errmsg(db));
        demo_pop_free(g);
        free(villages);
        return rc;
    }
    struct progress bar;
    progress_begin(&bar, "demo population", persons);
    long long made = 0;
    int chunk = 0;
    while (rc == 0 && made < persons) {
        long long left = persons - made;
        struct demo_household *h = &ld.hh[ld.nhh++];
        demo_pop_household(g, left < DEMO_POP_MEMBERS_MAX ? (int)left : DEMO_POP_MEMBERS_MAX, h);
        made += h->n;
        chunk += h->n;
        progress_update(&bar, made, stats->persons + stats->households + stats->members +
                                        stats->orgs + stats->changes);
        if (chunk >= DEMO_POP_CHUNK_PERSONS || ld.nhh == HOUSEHOLDS_MAX || made == persons) {
            rc = write_chunk(&ld, NULL, 0);
            chunk = 0;
        }
    }
    if (rc == 0) {
        size_t n = demo_pop_finish(g, NULL, 0);
        struct demo_org *extra = n ? malloc(n * sizeof *extra) : NULL;
        if (n && !extra) {
            rc = MZ_ENOMEM;
        } else if (n) {
            demo_pop_finish(g, extra, n);
            rc = write_chunk(&ld, extra, n);
        }
        free(extra);
    }
    stats->seconds = progress_done(&bar, stats->persons + stats->households + stats->members +
                                             stats->orgs + stats->changes);
    if (rc)
        log_error(NULL, "demo population failed after %lld persons (committed chunks stay): %s",
                  stats->persons, db_errmsg(db));
    free(ld.hh);
    demo_pop_free(g);
    free(villages);
    return rc;
}
