/*
 * tests/unit/registry/test_import_households.c — the pure part of the household import,
 * registry/import_households.c: the header, and import_household_plan().
 *
 * Rules under test (import.h, households): columns by name or zh-CN alias, household, id_number
 * and relation required; rows grouped by the file's key whether adjacent or not, in order of
 * their first line; exactly one 02 row per group; a bad row rejects its group; nobody twice in
 * the file (both groups rejected, each report line naming the other line); region, address and
 * living_together must agree within a group; every report line points at the offending row.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "errors.h"
#include "import.h"

#define TODAY 20260315

/* A valid 18-character number: 510824 + 1970-01-01 + sequence seq (3 digits) + check. */
static const char *idn(struct arena *a, int seq)
{
    static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
    char *s = arena_printf(a, "51082419700101%03dX", seq);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    s[17] = "10X98765432"[sum % 11];
    return s;
}

static struct import_household_row row(long line, const char *key, const char *id,
                                       const char *relation)
{
    struct import_household_row r;
    memset(&r, 0, sizeof r);
    r.line = line;
    for (int c = 0; c < IH_NCOLS; c++)
        r.cell[c] = "";
    r.cell[IH_HOUSEHOLD] = key;
    r.cell[IH_ID_NUMBER] = id;
    r.cell[IH_RELATION] = relation;
    return r;
}

static bool known(const char *code)
{
    return strcmp(code, "01") == 0 || strcmp(code, "02") == 0 || strcmp(code, "10") == 0 ||
           strcmp(code, "20") == 0;
}

/* The rejection of line, or NULL. */
static const struct import_household_rejection *rejection(const struct import_household_plan *p,
                                                          long line)
{
    for (long i = 0; i < p->nrej; i++)
        if (p->rej[i].line == line)
            return &p->rej[i];
    return NULL;
}

Test(import_households, header)
{
    struct arena *a = arena_new();
    char *names[] = { "户号", " ID_Number ", "与户主关系", "region" };
    size_t lens[] = { strlen(names[0]), strlen(names[1]), strlen(names[2]), strlen(names[3]) };
    int col[4];
    const char *why = NULL;
    cr_assert_eq(import_household_header(a, names, lens, 4, col, &why), 0, "hh-h.1");
    cr_assert_eq(col[0], IH_HOUSEHOLD);
    cr_assert_eq(col[1], IH_ID_NUMBER);
    cr_assert_eq(col[2], IH_RELATION);
    cr_assert_eq(col[3], IH_REGION);
    cr_assert_eq(import_household_header(a, names, lens, 2, col, &why), MZ_EVALIDATE, "hh-h.2");
    cr_assert(strstr(why, "relation"), "hh-h.2 names the missing column: %s", why);
    char *twice[] = { "household", "id_number", "relation", "家庭" };
    size_t tl[] = { 9, 9, 8, strlen("家庭") };
    cr_assert_eq(import_household_header(a, twice, tl, 4, col, &why), MZ_EVALIDATE, "hh-h.3");
    char *unknown[] = { "household", "id_number", "relation", "name" };
    size_t ul[] = { 9, 9, 8, 4 };
    cr_assert_eq(import_household_header(a, unknown, ul, 4, col, &why), MZ_EVALIDATE, "hh-h.4");
    cr_assert(strstr(why, "name"), "hh-h.4: %s", why);
    arena_free(a);
}

Test(import_households, groups_not_adjacent)
{
    struct arena *a = arena_new();
    struct import_household_row rows[] = {
        row(2, "b", idn(a, 1), "02"), row(3, "a", idn(a, 2), "02"), row(4, "b", idn(a, 3), "10"),
        row(5, "a", idn(a, 4), "20"), row(6, "b", idn(a, 5), "20"),
    };
    struct import_household_plan p;
    memset(&p, 0, sizeof p);
    import_household_plan(a, rows, 5, TODAY, NULL, known, &p);
    cr_assert_eq(p.ngroups, 2, "hh-g.1");
    cr_assert_eq(p.rejected, 0, "hh-g.1");
    cr_assert_eq(p.nrej, 0, "hh-g.1");
    cr_assert_str_eq(p.groups[0].key, "b", "hh-g.2: in order of the first line");
    cr_assert_eq(p.groups[0].nrows, 3, "hh-g.2");
    cr_assert_eq(p.groups[0].rows[p.groups[0].head]->line, 2, "hh-g.2: the 02 row is the head");
    cr_assert_eq(p.groups[0].rows[2]->line, 6, "hh-g.2: rows in line order");
    cr_assert_str_eq(p.groups[1].key, "a", "hh-g.3");
    cr_assert_eq(p.groups[1].nrows, 2, "hh-g.3");
    cr_assert(p.groups[1].living_together, "hh-g.3: living together by default");
    import_household_plan_free(&p);
    arena_free(a);
}

Test(import_households, heads_and_bad_rows)
{
    struct arena *a = arena_new();
    struct import_household_row rows[] = {
        row(2, "two", idn(a, 11), "02"), row(3, "two", idn(a, 12), "02"),   /* two heads */
        row(4, "none", idn(a, 13), "10"),                                    /* no head */
        row(5, "bad", idn(a, 14), "02"), row(6, "bad", "510824197001010000", "10"), /* bad id */
        row(7, "rel", idn(a, 15), "02"), row(8, "rel", idn(a, 16), "99"),    /* unknown code */
        row(9, "self", idn(a, 17), "02"), row(10, "self", idn(a, 18), "01"), /* 01 */
        row(11, "ok", idn(a, 19), "02"),
        row(12, "", idn(a, 20), "02"), /* no key */
    };
    struct import_household_plan p;
    memset(&p, 0, sizeof p);
    import_household_plan(a, rows, 11, TODAY, NULL, known, &p);
    cr_assert_eq(p.ngroups, 6, "hh-r.1");
    cr_assert_eq(p.rejected, 5, "hh-r.1: every group but ok");
    cr_assert(!p.groups[5].rejected && strcmp(p.groups[5].key, "ok") == 0, "hh-r.1");
    const struct import_household_rejection *r = rejection(&p, 3);
    cr_assert(r && strstr(r->why, "多名户主") && strstr(r->why, "第 2 行"), "hh-r.2");
    cr_assert_str_eq(r->field, "relation", "hh-r.2");
    r = rejection(&p, 4);
    cr_assert(r && strstr(r->why, "没有户主"), "hh-r.3");
    r = rejection(&p, 6);
    cr_assert(r && strcmp(r->field, "id_number") == 0, "hh-r.4");
    cr_assert(!rejection(&p, 5), "hh-r.4: the good row of a bad group is not listed");
    r = rejection(&p, 8);
    cr_assert(r && strstr(r->why, "“99”"), "hh-r.5");
    r = rejection(&p, 10);
    cr_assert(r && strstr(r->why, "01"), "hh-r.6");
    r = rejection(&p, 12);
    cr_assert(r && strcmp(r->field, "household") == 0, "hh-r.7");
    import_household_plan_free(&p);
    arena_free(a);
}

Test(import_households, nobody_twice_and_agreeing_cells)
{
    struct arena *a = arena_new();
    const char *same = idn(a, 31);
    struct import_household_row rows[] = {
        row(2, "x", idn(a, 32), "02"), row(3, "x", same, "10"),
        row(4, "y", idn(a, 33), "02"), row(5, "y", same, "20"),   /* same person again */
        row(6, "z", idn(a, 34), "02"), row(7, "z", idn(a, 35), "20"), row(8, "z", idn(a, 35), "20"),
        row(9, "r", idn(a, 36), "02"), row(10, "r", idn(a, 37), "20"),
        row(11, "q", idn(a, 38), "02"), row(12, "q", idn(a, 39), "20"),
    };
    rows[7].cell[IH_REGION] = "510824";
    rows[8].cell[IH_REGION] = "510802";
    rows[9].cell[IH_REGION] = "5108241";  /* not a region code */
    rows[9].cell[IH_REGION] = "510824";
    rows[9].cell[IH_LIVING] = "否";
    rows[9].cell[IH_ADDRESS] = "陵江镇";
    struct import_household_plan p;
    memset(&p, 0, sizeof p);
    import_household_plan(a, rows, 11, TODAY, NULL, known, &p);
    cr_assert_eq(p.ngroups, 5, "hh-d.1");
    cr_assert_eq(p.rejected, 4, "hh-d.1");
    const struct import_household_rejection *r = rejection(&p, 5);
    cr_assert(r && strstr(r->why, "第 3 行"), "hh-d.2: the later line names the earlier");
    r = rejection(&p, 3);
    cr_assert(r && strstr(r->why, "第 5 行"), "hh-d.2: and the earlier the later");
    r = rejection(&p, 8);
    cr_assert(r && strstr(r->why, "重复") && strstr(r->why, "第 7 行"), "hh-d.3");
    r = rejection(&p, 10);
    cr_assert(r && strstr(r->why, "第 9 行") && strcmp(r->field, "region") == 0, "hh-d.4");
    struct import_household_group *q = &p.groups[4];
    cr_assert(!q->rejected, "hh-d.5");
    cr_assert_str_eq(q->region, "510824000000", "hh-d.5: the region normalised");
    cr_assert(!q->living_together, "hh-d.5");
    cr_assert_str_eq(q->address, "陵江镇", "hh-d.5");
    import_household_plan_free(&p);
    arena_free(a);
}
