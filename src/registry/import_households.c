/*
 * registry/import_households.c — the CSV import of 家庭 (households); see import.h (what it
 * guarantees) and household.h (the rules a new household must pass).
 *
 * Unlike persons and organisations a household spans several rows that need not be adjacent,
 * so the whole file is read into memory (at most IMPORT_HOUSEHOLD_BYTES_MAX bytes and
 * IMPORT_HOUSEHOLD_ROWS_MAX rows: a county), decoded (UTF-8, or GB18030 through iconv),
 * split with csv.c and planned (import_household_plan: the checks that need no database).
 * Then each household still standing is looked up (its persons inside the caller's scope,
 * their current households), checked with household_rule_create, and inserted with
 * household_store_insert — in batches (mode valid) or one transaction (mode all).
 */
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "audit.h"
#include "calendar.h"
#include "csv.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "household.h"
#include "ids.h"
#include "import.h"
#include "json.h"
#include "log.h"
#include "progress.h"
#include "region_store.h"

#define KEY_MAX 64
#define ADDRESS_MAX 200        /* characters */

static const char *const canonical[IH_NCOLS] = { "household", "id_number", "relation", "region",
                                                 "address", "living_together" };
static const char *const aliases[IH_NCOLS][3] = {
    { "户号", "家庭", "家庭编号" },
    { "公民身份号码", "身份证号", "身份证号码" },
    { "与户主关系", "关系", NULL },
    { "所属区划", "区划", NULL },
    { "地址", "住址", NULL },
    { "共同生活", "是否共同生活", NULL },
};

/* ---------------------------------------------------------------- header */

static int column_of(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (int c = 0; c < IH_NCOLS; c++) {
        if (strlen(canonical[c]) == n && strncasecmp(s, canonical[c], n) == 0)
            return c;
        for (int k = 0; k < 3 && aliases[c][k]; k++)
            if (strlen(aliases[c][k]) == n && memcmp(s, aliases[c][k], n) == 0)
                return c;
    }
    return -1;
}

int import_household_header(struct arena *a, char *const *names, const size_t *lens, int n,
                            int *col, const char **why)
{
    bool seen[IH_NCOLS] = { false };
    for (int i = 0; i < n; i++) {
        int c = column_of(names[i], lens[i]);
        if (c < 0) {
            *why = arena_printf(a, "未知的列“%.*s”（家庭导入的列：household、id_number、relation，"
                                   "可选 region、address、living_together）",
                                (int)(lens[i] > 60 ? 60 : lens[i]), names[i]);
            return MZ_EVALIDATE;
        }
        if (seen[c]) {
            *why = arena_printf(a, "列“%s”重复", canonical[c]);
            return MZ_EVALIDATE;
        }
        seen[c] = true;
        col[i] = c;
    }
    for (int c = IH_HOUSEHOLD; c <= IH_RELATION; c++)
        if (!seen[c]) {
            *why = arena_printf(a, "缺少必需的列“%s”（%s）", canonical[c], aliases[c][0]);
            return MZ_EVALIDATE;
        }
    return 0;
}

/* ---------------------------------------------------------------- the plan (pure) */

void import_household_reject(struct import_household_plan *p, struct arena *a,
                             struct import_household_group *g, long line, int field,
                             const char *why)
{
    if (p->nrej == p->caprej) {
        p->caprej = p->caprej ? p->caprej * 2 : 64;
        p->rej = realloc(p->rej, (size_t)p->caprej * sizeof *p->rej);
        if (!p->rej) {
            log_error(NULL, "out of memory in a household import");
            abort();
        }
    }
    const char *name = field < 0 ? "" : p->column[field] ? p->column[field] : canonical[field];
    p->rej[p->nrej++] = (struct import_household_rejection){ line, name, arena_strdup(a, why) };
    if (g && !g->rejected) {
        g->rejected = true;
        p->rejected++;
    }
}

void import_household_plan_free(struct import_household_plan *p)
{
    free(p->rej);
    p->rej = NULL;
    p->nrej = p->caprej = 0;
}

/* -1 unknown, else 0/1. */
static int parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "true", "y", "yes", "是", NULL };
    static const char *const no[] = { "0", "false", "n", "no", "否", NULL };
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    return -1;
}

/* At most ADDRESS_MAX characters (valid UTF-8 already), no control characters: as the API's
 * households take it. */
static bool address_ok(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return false;
        chars += (*p & 0xC0) != 0x80;
    }
    return chars <= ADDRESS_MAX;
}

/* One row's cells on their own; the row is marked bad (and reported) when one fails. */
static void check_row(struct import_household_plan *p, struct arena *a,
                      struct import_household_row *r, int today, const struct scope *scope,
                      bool (*relation_known)(const char *))
{
    const char *why = NULL;
    int field = -1;
    for (int c = 0; c < IH_NCOLS && !why; c++)
        if (!json_utf8_valid(r->cell[c], strlen(r->cell[c]))) {
            why = "不是有效的 UTF-8 文本（文件可能是 GB18030/GBK 编码，请将编码设为 auto 或 gb18030）";
            field = c;
        }
    const char *id_why = NULL;
    if (r->bad || why) {
        /* reported already (the row's shape), or below */
    } else if (!*r->cell[IH_HOUSEHOLD] || strlen(r->cell[IH_HOUSEHOLD]) > KEY_MAX) {
        why = "请填写户号（本文件内标识同一家庭的编号，至多 64 字节）";
        field = IH_HOUSEHOLD;
    } else if (ids_citizen_normalize(r->cell[IH_ID_NUMBER], strlen(r->cell[IH_ID_NUMBER]), today,
                                     r->id18, NULL, &id_why) != 0) {
        why = id_why ? id_why : "公民身份号码不正确";
        field = IH_ID_NUMBER;
    } else if (!*r->cell[IH_RELATION]) {
        why = "请填写与户主关系（GB/T 4761 家庭关系代码，户主填 02）";
        field = IH_RELATION;
    } else if (relation_known && !relation_known(r->cell[IH_RELATION])) {
        why = arena_printf(a, "与户主关系代码“%.8s”不在 GB/T 4761 家庭关系代码表中",
                           r->cell[IH_RELATION]);
        field = IH_RELATION;
    } else if (strcmp(r->cell[IH_RELATION], HOUSEHOLD_RELATION_SELF) == 0) {
        why = "01（本人）不用于家庭成员；户主填 02，成员填其与户主的关系";
        field = IH_RELATION;
    } else if (*r->cell[IH_REGION]) {
        char code[REGION_CODE_LEN + 1];
        if (ids_region_normalize(r->cell[IH_REGION], strlen(r->cell[IH_REGION]), code) != 0)
            why = "行政区划代码应为 2、4、6、9 或 12 位数字";
        else if (scope && !scope_contains(scope, code))
            why = "所属区划超出您的管辖范围";
        field = IH_REGION;
    }
    if (!why && !r->bad && !address_ok(r->cell[IH_ADDRESS])) {
        why = "地址须为至多 200 个字符的文本，不含控制字符";
        field = IH_ADDRESS;
    }
    if (!why && !r->bad && *r->cell[IH_LIVING] && parse_bool(r->cell[IH_LIVING]) < 0) {
        why = "是否共同生活须为 1 或 0（是/否）";
        field = IH_LIVING;
    }
    if (why) {
        r->bad = true;
        import_household_reject(p, a, NULL, r->line, field, why);
    }
}

static int by_key_line(const void *x, const void *y)
{
    const struct import_household_row *a = *(struct import_household_row *const *)x,
                                      *b = *(struct import_household_row *const *)y;
    int c = strcmp(a->cell[IH_HOUSEHOLD], b->cell[IH_HOUSEHOLD]);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

static int by_first_line(const void *x, const void *y)
{
    long a = ((const struct import_household_group *)x)->first_line,
         b = ((const struct import_household_group *)y)->first_line;
    return (a > b) - (a < b);
}

/* A row of a group, for the duplicate check across the file. */
struct person_ref {
    const char *id18;
    long line;
    long group;
};

static int by_id_line(const void *x, const void *y)
{
    const struct person_ref *a = x, *b = y;
    int c = strcmp(a->id18, b->id18);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

/* region/address/living_together of the group: the values written must agree. */
static void group_attributes(struct import_household_plan *p, struct arena *a,
                             struct import_household_group *g)
{
    const char *region = NULL, *address = NULL, *living = NULL;
    long region_line = 0, address_line = 0, living_line = 0;
    g->living_together = true;
    for (int i = 0; i < g->nrows && !g->rejected; i++) {
        struct import_household_row *r = g->rows[i];
        char code[REGION_CODE_LEN + 1];
        if (*r->cell[IH_REGION]) {
            ids_region_normalize(r->cell[IH_REGION], strlen(r->cell[IH_REGION]), code);
            if (!region) {
                region = r->cell[IH_REGION];
                region_line = r->line;
                memcpy(g->region, code, sizeof code);
            } else if (strcmp(code, g->region) != 0) {
                import_household_reject(p, a, g, r->line, IH_REGION,
                    arena_printf(a, "同一户的所属区划与第 %ld 行不一致", region_line));
            }
        }
        if (!g->rejected && *r->cell[IH_ADDRESS]) {
            if (!address) {
                address = r->cell[IH_ADDRESS];
                address_line = r->line;
            } else if (strcmp(address, r->cell[IH_ADDRESS]) != 0) {
                import_household_reject(p, a, g, r->line, IH_ADDRESS,
                    arena_printf(a, "同一户的地址与第 %ld 行不一致", address_line));
            }
        }
        if (!g->rejected && *r->cell[IH_LIVING]) {
            int v = parse_bool(r->cell[IH_LIVING]);
            if (!living) {
                living = r->cell[IH_LIVING];
                living_line = r->line;
                g->living_together = v == 1;
            } else if ((v == 1) != g->living_together) {
                import_household_reject(p, a, g, r->line, IH_LIVING,
                    arena_printf(a, "同一户的是否共同生活与第 %ld 行不一致", living_line));
            }
        }
    }
    g->address = address;
}

void import_household_plan(struct arena *a, struct import_household_row *rows, long n,
                           int today, const struct scope *scope,
                           bool (*relation_known)(const char *code),
                           struct import_household_plan *p)
{
    p->groups = NULL;
    p->ngroups = 0;
    p->rejected = 0;
    for (long i = 0; i < n; i++)
        check_row(p, a, &rows[i], today, scope, relation_known);
    /* group by key; rows with no usable key were reported and stay out */
    struct import_household_row **sorted = arena_calloc(a, (size_t)n + 1, sizeof *sorted);
    long m = 0;
    for (long i = 0; i < n; i++)
        if (*rows[i].cell[IH_HOUSEHOLD] && strlen(rows[i].cell[IH_HOUSEHOLD]) <= KEY_MAX &&
            json_utf8_valid(rows[i].cell[IH_HOUSEHOLD], strlen(rows[i].cell[IH_HOUSEHOLD])))
            sorted[m++] = &rows[i];
    qsort(sorted, (size_t)m, sizeof *sorted, by_key_line);
    long ngroups = 0;
    for (long i = 0; i < m; i++)
        ngroups += i == 0 || strcmp(sorted[i]->cell[IH_HOUSEHOLD],
                                    sorted[i - 1]->cell[IH_HOUSEHOLD]) != 0;
    p->groups = arena_calloc(a, (size_t)ngroups + 1, sizeof *p->groups);
    for (long i = 0, j; i < m; i = j) {
        for (j = i + 1; j < m && strcmp(sorted[j]->cell[IH_HOUSEHOLD],
                                        sorted[i]->cell[IH_HOUSEHOLD]) == 0; j++)
            ;
        struct import_household_group *g = &p->groups[p->ngroups++];
        g->key = sorted[i]->cell[IH_HOUSEHOLD];
        g->first_line = sorted[i]->line;
        g->rows = &sorted[i];
        g->nrows = (int)(j - i);
        g->head = -1;
    }
    qsort(p->groups, (size_t)p->ngroups, sizeof *p->groups, by_first_line);
    /* each group on its own */
    for (long k = 0; k < p->ngroups; k++) {
        struct import_household_group *g = &p->groups[k];
        for (int i = 0; i < g->nrows; i++)
            if (g->rows[i]->bad && !g->rejected) {
                g->rejected = true; /* its rows were reported */
                p->rejected++;
            }
        if (g->rejected)
            continue;
        for (int i = 0; i < g->nrows && !g->rejected; i++) {
            if (strcmp(g->rows[i]->cell[IH_RELATION], HOUSEHOLD_RELATION_HEAD) != 0)
                continue;
            if (g->head < 0)
                g->head = i;
            else
                import_household_reject(p, a, g, g->rows[i]->line, IH_RELATION,
                    arena_printf(a, "户号“%s”有多名户主（第 %ld 行已是户主），每户只能有一行与户主关系为 02",
                                 g->key, g->rows[g->head]->line));
        }
        if (!g->rejected && g->head < 0)
            import_household_reject(p, a, g, g->first_line, IH_RELATION,
                arena_printf(a, "户号“%s”没有户主：须有一行与户主关系为 02", g->key));
        if (!g->rejected && g->nrows > HOUSEHOLD_MAX_MEMBERS)
            import_household_reject(p, a, g, g->rows[HOUSEHOLD_MAX_MEMBERS]->line, IH_HOUSEHOLD,
                arena_printf(a, "户号“%s”超过 %d 名成员", g->key, HOUSEHOLD_MAX_MEMBERS));
        if (!g->rejected)
            group_attributes(p, a, g);
    }
    /* nobody twice in the file */
    struct person_ref *refs = arena_calloc(a, (size_t)m + 1, sizeof *refs);
    long nrefs = 0;
    for (long k = 0; k < p->ngroups; k++)
        for (int i = 0; i < p->groups[k].nrows; i++)
            if (!p->groups[k].rows[i]->bad)
                refs[nrefs++] = (struct person_ref){ p->groups[k].rows[i]->id18,
                                                     p->groups[k].rows[i]->line, k };
    qsort(refs, (size_t)nrefs, sizeof *refs, by_id_line);
    for (long i = 1; i < nrefs; i++) {
        if (strcmp(refs[i].id18, refs[i - 1].id18) != 0)
            continue;
        struct person_ref *first = &refs[i - 1], *again = &refs[i];
        struct import_household_group *g1 = &p->groups[first->group],
                                      *g2 = &p->groups[again->group];
        if (g1 == g2) {
            import_household_reject(p, a, g2, again->line, IH_ID_NUMBER,
                arena_printf(a, "同一人员在户号“%s”中重复（见第 %ld 行）", g2->key, first->line));
            continue;
        }
        import_household_reject(p, a, g2, again->line, IH_ID_NUMBER,
            arena_printf(a, "该人员已列在第 %ld 行（户号“%s”），一人只能属于一个家庭", first->line,
                         g1->key));
        import_household_reject(p, a, g1, first->line, IH_ID_NUMBER,
            arena_printf(a, "该人员又列在第 %ld 行（户号“%s”），一人只能属于一个家庭", again->line,
                         g2->key));
    }
}

/* ---------------------------------------------------------------- reading */

/* The whole file as UTF-8 (malloc'd) into *out, *len; NULL error (res->error set). */
static int read_all(FILE *in, enum import_encoding want, struct import_result *res, char **out,
                    size_t *outlen)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            if (cap >= (size_t)IMPORT_HOUSEHOLD_BYTES_MAX) {
                free(buf);
                res->error = "文件超过 512 MiB，请按区划分批导入";
                return MZ_EVALIDATE;
            }
            char *more = realloc(buf, cap * 2);
            if (!more) {
                free(buf);
                res->error = "内存不足";
                return MZ_ENOMEM;
            }
            buf = more;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, in);
        len += got;
        if (got == 0)
            break;
    }
    if (!buf) {
        res->error = "内存不足";
        return MZ_ENOMEM;
    }
    if (ferror(in)) {
        free(buf);
        res->error = "读取文件失败";
        return MZ_EIO;
    }
    if (want == IMPORT_ENC_AUTO)
        want = import_detect_encoding((const unsigned char *)buf, len, true);
    if (want == IMPORT_ENC_AUTO)
        want = IMPORT_ENC_UTF8;
    res->encoding = want;
    if (want == IMPORT_ENC_UTF8) {
        *out = buf;
        *outlen = len;
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    size_t ocap = len * 2 + 16;
    char *u = cd == (iconv_t)-1 ? NULL : malloc(ocap);
    if (!u) {
        if (cd != (iconv_t)-1)
            iconv_close(cd);
        free(buf);
        res->error = "无法读取文件（编码转换不可用）";
        return MZ_EIO;
    }
    char *ip = buf, *op = u;
    size_t il = len, ol = ocap - 1;
    while (il > 0) {
        if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
            break;
        if (errno == E2BIG || ol == 0)
            break; /* cannot happen: GB18030 grows at most 2× */
        *op++ = (char)0xFF; /* not GB18030: a byte no UTF-8 check accepts */
        ol--;
        ip++;
        il--;
    }
    iconv_close(cd);
    free(buf);
    *out = u;
    *outlen = (size_t)(op - u);
    return 0;
}

/* Splits the text into rows (header mapped into p->column). */
static int parse_rows(struct arena *a, char *text, size_t len, struct import_result *res,
                      struct import_household_plan *p, struct import_household_row **rows,
                      long *nrows)
{
    struct csv c;
    memset(&c, 0, sizeof c);
    c.in = fmemopen(text, len ? len : 1, "rb");
    if (!c.in) {
        res->error = "内存不足";
        return MZ_ENOMEM;
    }
    if (len == 0) {
        fclose(c.in);
        c.in = NULL;
    }
    int rc = c.in ? csv_next(&c) : 0;
    int col[CSV_MAX_FIELDS];
    const char *why = NULL;
    if (rc == 0) {
        res->error = "文件为空（没有表头行）";
        rc = MZ_EVALIDATE;
    } else if (rc < 0) {
        res->error = "第 1 行（表头）格式不正确：引号不成对，或超过 64 列";
        rc = MZ_EVALIDATE;
    } else {
        for (int i = 0; i < c.nfields && !why; i++)
            if (!json_utf8_valid(c.field[i], c.len[i]))
                why = "表头不是文本：文件可能是 GB18030/GBK 编码，请将编码设为 auto 或 gb18030";
        rc = why ? MZ_EVALIDATE : import_household_header(a, c.field, c.len, c.nfields, col, &why);
        if (rc)
            res->error = arena_printf(a, "第 %ld 行（表头）：%s", c.lineno, why);
    }
    int ncols = c.nfields;
    for (int i = 0; rc == 0 && i < ncols; i++)
        p->column[col[i]] = arena_strndup(a, c.field[i], c.len[i]);
    long cap = 1024, n = 0;
    struct import_household_row *r = NULL;
    if (rc == 0)
        r = malloc((size_t)cap * sizeof *r);
    if (rc == 0 && !r)
        rc = MZ_ENOMEM;
    while (rc == 0) {
        int got = csv_next(&c);
        if (got == 0)
            break;
        if (got == MZ_EIO) {
            res->error = "读取文件失败";
            rc = MZ_EIO;
            break;
        }
        if (n == IMPORT_HOUSEHOLD_ROWS_MAX) {
            res->error = arena_printf(a, "文件超过 %ld 行，请按区划分批导入",
                                      IMPORT_HOUSEHOLD_ROWS_MAX);
            rc = MZ_EVALIDATE;
            break;
        }
        if (n == cap) {
            struct import_household_row *more = realloc(r, (size_t)cap * 2 * sizeof *r);
            if (!more) {
                rc = MZ_ENOMEM;
                break;
            }
            r = more;
            cap *= 2;
        }
        struct import_household_row *row = &r[n++];
        memset(row, 0, sizeof *row);
        row->line = c.lineno;
        for (int k = 0; k < IH_NCOLS; k++)
            row->cell[k] = "";
        if (got < 0) {
            row->bad = true;
            import_household_reject(p, a, NULL, row->line, -1,
                                    "格式不正确：引号不成对，或超过 64 列");
            row->cell[IH_HOUSEHOLD] = "";
            continue;
        }
        if (c.nfields != ncols) {
            row->bad = true;
            import_household_reject(p, a, NULL, row->line, -1,
                arena_printf(a, "本行有 %d 列，表头有 %d 列", c.nfields, ncols));
        }
        for (int i = 0; i < c.nfields && i < ncols; i++) {
            const char *s = c.field[i];
            size_t l = c.len[i];
            while (l && (*s == ' ' || *s == '\t')) {
                s++;
                l--;
            }
            while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
                l--;
            row->cell[col[i]] = memchr(s, '\0', l) ? "\xff" : arena_strndup(a, s, l);
        }
    }
    if (rc == MZ_ENOMEM && !res->error)
        res->error = "内存不足";
    if (c.in)
        csv_close(&c);
    else
        free(c.line);
    res->read = n;
    if (rc) {
        free(r);
        return rc;
    }
    *rows = r;
    *nrows = n;
    return 0;
}

/* ---------------------------------------------------------------- writing */

struct hh_import {
    struct db *db;
    struct arena *a;
    const struct import_options *o;
    struct import_household_plan *p;
    const char *today;                    /* YYYY-MM-DD */
    long long inserted, unchanged, rejected; /* of the transaction being written */
};

static bool relation_known(const char *code) { return dict_has("relation", code); }

/* The person with id18 inside the scope: *id and region, or *id = 0. */
static int find_person(struct hh_import *im, const char *id18, int64_t *id, char *region)
{
    struct db_stmt *st;
    int rc = db_prepare(im->db, "SELECT id, region FROM person WHERE id_number = ? "
                                "AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, id18, strlen(id18));
    scope_bind(st, 2, im->o->scope);
    rc = db_step(st);
    *id = rc == 1 ? db_col_int64(st, 0) : 0;
    if (rc == 1)
        snprintf(region, REGION_CODE_LEN + 1, "%s", db_col_text(st, 1, NULL));
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* True when the stored household has exactly these members with these relations. */
static bool same_members(const struct household_state *s, const struct household_new *h)
{
    if (s->head_person_id != h->head_person_id || s->nmembers != h->nmembers + 1)
        return false;
    for (int i = 0; i < s->nmembers; i++) {
        const struct household_member *m = &s->members[i];
        if (m->person_id == h->head_person_id)
            continue;
        bool found = false;
        for (int j = 0; j < h->nmembers && !found; j++)
            found = h->members[j].person_id == m->person_id &&
                    strcmp(h->members[j].relation, m->relation) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* Checks and writes one household of the plan (in the open transaction). Rejections go to the
 * plan; returns 0 or an error that stops the import. */
static int write_group(struct hh_import *im, struct import_household_group *g)
{
    struct import_household_plan *p = im->p;
    struct arena *a = im->a;
    int64_t *ids = arena_calloc(a, (size_t)g->nrows, sizeof *ids);
    char head_region[REGION_CODE_LEN + 1] = "";
    for (int i = 0; i < g->nrows; i++) {
        char region[REGION_CODE_LEN + 1];
        int rc = find_person(im, g->rows[i]->id18, &ids[i], region);
        if (rc)
            return rc;
        if (!ids[i])
            import_household_reject(p, a, g, g->rows[i]->line, IH_ID_NUMBER,
                                    "该人员不在自然人登记中（或不在您的管辖范围内），请先登记");
        else if (i == g->head)
            memcpy(head_region, region, sizeof region);
    }
    if (g->rejected)
        return 0;
    struct household_person *persons = NULL;
    int rc = household_store_persons(im->db, a, im->o->scope, ids, g->nrows, &persons);
    if (rc)
        return rc;
    struct household_new h;
    memset(&h, 0, sizeof h);
    snprintf(h.region, sizeof h.region, "%s", g->region[0] ? g->region : head_region);
    h.address = g->address;
    h.living_together = g->living_together;
    h.head_person_id = ids[g->head];
    h.members = arena_calloc(a, (size_t)g->nrows, sizeof *h.members);
    long *line_of = arena_calloc(a, (size_t)g->nrows, sizeof *line_of);
    for (int i = 0; i < g->nrows; i++)
        if (i != g->head) {
            line_of[h.nmembers] = g->rows[i]->line;
            h.members[h.nmembers++] = (struct household_member){ ids[i],
                                                                 g->rows[i]->cell[IH_RELATION] };
        }
    long head_line = g->rows[g->head]->line;
    /* the head in a household already: unchanged when identical, else the change workflow */
    int64_t head_home = persons[g->head].household_id;
    if (head_home) {
        struct household_state s;
        rc = household_store_load(im->db, a, im->o->scope, head_home, &s);
        if (rc && rc != MZ_ENOTFOUND)
            return rc;
        if (rc == 0 && s.head_person_id == h.head_person_id && same_members(&s, &h)) {
            im->unchanged++;
            return 0;
        }
        import_household_reject(p, a, g, head_line, IH_ID_NUMBER,
            rc == 0 && s.head_person_id == h.head_person_id
                ? "该户主已有家庭，请用家庭变更申请修改"
                : arena_printf(a, "第 %ld 行的户主已是另一家庭（%" PRId64 "）的成员，一人只能属于一个"
                                  "家庭；请用家庭变更申请修改", head_line, head_home));
        return 0;
    }
    for (int i = 0; i < g->nrows; i++)
        if (i != g->head && persons[i].household_id)
            import_household_reject(p, a, g, g->rows[i]->line, IH_ID_NUMBER,
                arena_printf(a, "第 %ld 行的人员已属于另一家庭（%" PRId64 "），一人只能属于一个家庭；"
                                "请用家庭变更申请修改", g->rows[i]->line, persons[i].household_id));
    if (g->rejected)
        return 0;
    rc = region_store_exists(im->db, h.region);
    if (rc == MZ_ENOTFOUND) {
        import_household_reject(p, a, g, head_line, IH_REGION, "所属区划代码不存在");
        return 0;
    }
    if (rc)
        return rc;
    struct household_facts f = { .scope = im->o->scope, .persons = persons,
                                 .npersons = g->nrows, .relation_known = relation_known };
    struct household_refusal why = { 0 };
    if (household_rule_create(&h, &f, &why) != 0) {
        int member = -1;
        long line = head_line;
        int field = strstr(why.field, "relation") ? IH_RELATION
                    : strcmp(why.field, "region") == 0 ? IH_REGION : IH_ID_NUMBER;
        if (sscanf(why.field, "members[%d]", &member) == 1 && member >= 0 && member < h.nmembers)
            line = line_of[member];
        import_household_reject(p, a, g, line, field, why.why);
        return 0;
    }
    int64_t hid = 0, busy = 0;
    struct record_actor actor = *im->o->actor;
    rc = household_store_insert(im->db, &h, &actor, im->o->now, im->today, &hid, &busy);
    if (rc == MZ_ECONFLICT)
        log_error(im->o->auditor->request_id, "household import %lld: person %" PRId64
                  " joined another household meanwhile (line %ld)",
                  (long long)im->o->import_id, busy, g->first_line);
    if (rc == 0)
        im->inserted++;
    return rc;
}

static int audit(struct hh_import *im, const char *outcome, const char *detail)
{
    char object[24];
    snprintf(object, sizeof object, "%lld", (long long)im->o->import_id);
    struct audit_event ev = { .action = "household.import", .object_type = "import",
                              .object_id = object, .region = im->o->region, .outcome = outcome,
                              .detail = detail };
    return audit_append(im->db, im->o->auditor, &ev);
}

static int by_rej_line(const void *x, const void *y)
{
    long a = ((const struct import_household_rejection *)x)->line,
         b = ((const struct import_household_rejection *)y)->line;
    return (a > b) - (a < b);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes the groups in batches (mode valid) or one transaction (mode all). */
static int write_all(struct hh_import *im, struct import_result *res)
{
    struct import_household_plan *p = im->p;
    const struct import_options *o = im->o;
    long batch_rows = o->batch_rows > 0 ? o->batch_rows : IMPORT_BATCH_ROWS;
    bool all = o->mode == IMPORT_MODE_ALL;
    int rc = 0;
    long k = 0;
    while (rc == 0 && k < p->ngroups) {
        long first = k, rows = 0;
        im->inserted = im->unchanged = 0;
        rc = db_begin(im->db);
        for (; rc == 0 && k < p->ngroups && (all || rows < batch_rows); k++) {
            struct import_household_group *g = &p->groups[k];
            rows += g->nrows;
            if (!g->rejected)
                rc = write_group(im, g);
        }
        if (all)
            break;
        long rejected = 0;
        for (long j = first; j < k; j++)
            rejected += p->groups[j].rejected;
        if (rc == 0)
            rc = audit(im, "success", arena_printf(im->a,
                "import=%lld households=%ld-%ld first_lines=%ld-%ld inserted=%lld unchanged=%lld rejected=%ld",
                (long long)o->import_id, first + 1, k, p->groups[first].first_line,
                p->groups[k - 1].first_line, im->inserted, im->unchanged, rejected));
        rc = db_finish(im->db, rc);
        if (rc) {
            res->error = arena_printf(im->a, "从第 %ld 行起的一批家庭写入数据库失败，该批及其后各户均未"
                                             "导入；此前各批已提交，重新导入本文件即可补齐",
                                      p->groups[first].first_line);
            import_household_reject(p, im->a, NULL, p->groups[first].first_line, -1, res->error);
            break;
        }
        res->inserted += im->inserted;
        res->unchanged += im->unchanged;
        for (long j = first; j < k; j++)
            res->committed += p->groups[j].nrows;
    }
    if (!all)
        return rc;
    const char *counts = arena_printf(im->a, "import=%lld mode=all read=%lld inserted=%lld "
                                             "unchanged=%lld rejected=%lld",
                                      (long long)o->import_id, res->read, im->inserted,
                                      im->unchanged, p->rejected);
    if (rc == 0 && p->rejected == 0) {
        if (!db_in_transaction(im->db))
            rc = db_begin(im->db);
        if (rc == 0)
            rc = audit(im, "success", counts);
        rc = db_finish(im->db, rc);
        if (rc == 0) {
            res->inserted = im->inserted;
            res->unchanged = im->unchanged;
            res->committed = res->read;
            return 0;
        }
        res->error = "提交失败，未导入任何数据";
    }
    if (rc && !res->error)
        res->error = "写入数据库失败，未导入任何数据";
    if (db_in_transaction(im->db))
        db_rollback(im->db);
    res->rolled_back = true;
    audit(im, "failure", arena_printf(im->a, "%s rolled_back", counts));
    return rc;
}

int import_households_run(struct db *db, struct arena *a, const struct import_options *o,
                          FILE *in, long long size, struct import_report *report,
                          struct import_result *res)
{
    double started = seconds_now();
    memset(res, 0, sizeof *res);
    struct progress bar;
    if (o->progress)
        progress_begin(&bar, "import households", size);
    char *text = NULL;
    size_t len = 0;
    struct import_household_plan plan;
    memset(&plan, 0, sizeof plan);
    struct import_household_row *rows = NULL;
    long n = 0;
    int rc = read_all(in, o->encoding, res, &text, &len);
    if (rc == 0)
        rc = parse_rows(a, text, len, res, &plan, &rows, &n);
    if (o->progress)
        progress_done(&bar, res->read);
    if (rc) {
        free(text);
        import_household_plan_free(&plan);
        res->rolled_back = true;
        res->read = 0;
        res->seconds = seconds_now() - started;
        return rc;
    }
    import_household_plan(a, rows, n, o->today, o->scope, relation_known, &plan);
    struct hh_import im = { .db = db, .a = a, .o = o, .p = &plan,
                            .today = calendar_day_iso(o->now, arena_alloc(a, 11)) };
    rc = write_all(&im, res);
    if (o->mode == IMPORT_MODE_VALID)
        audit(&im, rc ? "failure" : "success", arena_printf(a,
              "import=%lld mode=valid read=%lld inserted=%lld unchanged=%lld rejected=%lld "
              "committed=%lld", (long long)o->import_id, res->read, res->inserted,
              res->unchanged, plan.rejected, res->committed));
    res->rejected = plan.rejected;
    if (plan.nrej > 1)
        qsort(plan.rej, (size_t)plan.nrej, sizeof *plan.rej, by_rej_line);
    for (long i = 0; i < plan.nrej; i++)
        import_report_add(report, plan.rej[i].line, plan.rej[i].field, plan.rej[i].why);
    import_household_plan_free(&plan);
    free(rows);
    free(text);
    res->seconds = seconds_now() - started;
    if (import_report_finish(report) != 0 && rc == 0) {
        res->error = "写入报告失败";
        rc = MZ_EIO;
    }
    return rc;
}
