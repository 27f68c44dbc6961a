/*
 * bench/import/gen_persons.c — N synthetic persons as CSV on standard output, for
 * bench/import/run.sh and the import tests.
 *
 *   gen_persons N [--start I] [--labels]
 *
 * Row i (I ≤ i < I + N) is a function of i alone, so a file is the same on every run and two
 * files with disjoint ranges share no ID number. Every 公民身份号码 is valid per GB 11643-1999
 * (reference.md §2): the address code of one of eight real counties (广元市 and 成都市锦江区),
 * a birth date from 1940-01-01 on (25 000 days), a sequence code whose parity gives the sex,
 * and the ISO 7064 MOD 11-2 check character; (county, birth date, sequence) is a bijection of
 * i up to 100 M rows. Sex and birth date are written too (they must agree with the number),
 * with codes from the registry's code lists. --labels writes the zh-CN column labels as the
 * header instead of the field names. About 150 bytes a row; 1 M rows take well under a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTIES 8
#define DAYS 25000
#define MAX_ROWS 100000000LL

static const char *const counties[COUNTIES] = { "510824", "510802", "510811", "510812",
                                                "510821", "510822", "510823", "510104" };
static const char *const county_names[COUNTIES] = { "苍溪县", "利州区", "昭化区", "朝天区",
                                                    "旺苍县", "青川县", "剑阁县", "锦江区" };
static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                        "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗" };
static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                     "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                     "刚", "桂", "英", "华", "建", "文", "玉", "兰", "红", "春" };
static const char *const marital[] = { "10", "20", "21", "22", "30", "40" };
static const char *const labour[] = { "full", "partial", "none" };
static const char *const health[] = { "healthy", "chronic", "serious" };
static const char *const education[] = { "20", "30", "40", "60", "70", "80", "90" };
static const char *const employment[] = { "employed", "farming", "unemployed", "retired",
                                           "none" };
#define N_OF(a) (sizeof a / sizeof a[0])

/* Days since 1970-01-01 → y, m, d (Howard Hinnant's civil_from_days). */
static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static char check_char(const char *id17)
{
    static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static unsigned long long mix(unsigned long long x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

int main(int argc, char **argv)
{
    long long n = argc > 1 ? atoll(argv[1]) : 0, start = 0;
    int labels = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--labels") == 0)
            labels = 1;
        else if (strcmp(argv[i], "--start") == 0 && i + 1 < argc)
            start = atoll(argv[++i]);
        else
            n = -1;
    }
    if (n <= 0 || start < 0 || start + n > MAX_ROWS) {
        fprintf(stderr, "usage: gen_persons N [--start I] [--labels]   (I + N <= %lld)\n",
                MAX_ROWS);
        return 2;
    }
    static char buf[1 << 20];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    fputs(labels ? "公民身份号码,姓名,性别,出生日期,民族,户籍地区划,户口性质,居住地区划,居住地址,联系电话,"
                   "婚姻状况,是否健在,劳动能力,健康状况,文化程度,就业状况\n"
                 : "id_number,name,sex,birth_date,ethnicity,hukou_region,hukou_type,region,address,"
                   "phone,marital_status,alive,labour_ability,health,education,employment\n",
          stdout);
    const long epoch1940 = -10958; /* 1940-01-01 */
    for (long long i = start; i < start + n; i++) {
        int c = (int)(i % COUNTIES);
        long long q = i / COUNTIES;
        long day = (long)(q % DAYS);
        int seq = (int)(q / DAYS) * 2 + (int)(day & 1);
        int y, m, d;
        civil(epoch1940 + day, &y, &m, &d);
        char id[32];
        snprintf(id, sizeof id, "%s%04d%02d%02d%03d", counties[c], y, m, d, seq);
        id[17] = check_char(id);
        id[18] = '\0';
        unsigned long long h = mix((unsigned long long)i + 0x9e3779b97f4a7c15ULL);
        const char *sex = seq % 2 ? "M" : "F";
        printf("%s,%s%s%s,%s,%04d-%02d-%02d,%s,%s000000,%s,%s000000,%s第%d组%d号,1%010llu,%s,1,%s,"
               "%s,%s,%s\n",
               id, surnames[h % N_OF(surnames)], given[(h >> 8) % N_OF(given)],
               (h >> 16) % 3 ? given[(h >> 24) % N_OF(given)] : "", sex, y, m, d,
               (h >> 32) % 10 ? "01" : "15", counties[c], (h >> 36) % 3 ? "rural" : "urban",
               counties[c], county_names[c], (int)((h >> 40) % 12) + 1, (int)((h >> 44) % 200) + 1,
               3000000000ULL + (h >> 20) % 6999999999ULL, marital[(h >> 48) % N_OF(marital)],
               labour[(h >> 51) % N_OF(labour)], health[(h >> 53) % N_OF(health)],
               education[(h >> 55) % N_OF(education)], employment[(h >> 58) % N_OF(employment)]);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
