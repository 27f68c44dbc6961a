/*
 * tests/unit/test_demo_population.c — the demo county's generated population
 * (src/demo_population.c, issue #5).
 *
 * Rules under test: the generator is deterministic (the same seed gives the same households
 * byte for byte, another seed others); every 公民身份号码 passes ids_citizen_normalize() and
 * agrees with the person's sex and birth date, with an address code of the county or a
 * neighbour, and none repeats (GB 11643, shared/domain/reference.md §2); every 统一社会信用代码
 * passes ids_credit_normalize() with the county as registration region, none repeats (GB 32100,
 * §3); household structure (one head 02, relations of GB/T 4761 §5.2 consistent with sex and
 * age: a child at least 18 years younger than its parents, grandchildren younger still, parents
 * older; dates in order); distributions over 20 000 persons within tolerance; and the loader on
 * SQLite: counts, one "(created)" change per record, foreign keys, idempotence.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "demo_population.h"
#include "errors.h"
#include "ids.h"
#include "migrate.h"
#include "tmpdir.h"

/* A county shaped like 苍溪县: 34 townships, 93 communities (村级 001–199), 364 villages
 * (200–399) and one farm area (598). */
static struct demo_village villages[460];
static size_t nvillages;

static void make_villages(void)
{
    nvillages = 0;
    for (int t = 0; t < 34; t++) {
        int urban = t < 25 ? 3 : 2, rural = t < 24 ? 11 : 10;
        for (int k = 1; k <= urban; k++, nvillages++) {
            struct demo_village *v = &villages[nvillages];
            snprintf(v->code, sizeof v->code, "510824%03d%03d", (100 + t) % 1000, k % 1000);
            snprintf(v->town, sizeof v->town, "第%d镇", t + 1);
            snprintf(v->name, sizeof v->name, "第%d社区居民委员会", k);
        }
        for (int k = 0; k < rural; k++, nvillages++) {
            struct demo_village *v = &villages[nvillages];
            snprintf(v->code, sizeof v->code, "510824%03d%03d", (100 + t) % 1000,
                     (200 + k) % 1000);
            snprintf(v->town, sizeof v->town, "第%d镇", t + 1);
            snprintf(v->name, sizeof v->name, "第%d村村民委员会", k + 1);
        }
    }
    struct demo_village *v = &villages[nvillages++];
    snprintf(v->code, sizeof v->code, "510824400598");
    snprintf(v->town, sizeof v->town, "良种场");
    snprintf(v->name, sizeof v->name, "良种场虚拟生活区");
}

static struct demo_pop *generator(uint64_t seed)
{
    make_villages();
    struct demo_pop_setup s = { .seed = seed, .first_id = 1000, .county_name = "苍溪县",
                                .county = "510824000000", .naddress = 3,
                                .villages = villages, .nvillages = nvillages };
    strcpy(s.address6[0], "510824");
    strcpy(s.address6[1], "510802");
    strcpy(s.address6[2], "510823");
    struct demo_pop *g = NULL;
    cr_assert_eq(demo_pop_new(&s, &g), 0);
    return g;
}

static int age_of(int birth)
{
    return 2025 - birth / 10000;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* ---------------------------------------------------------------- determinism */

Test(demo_population, same_seed_same_households)
{
    struct demo_pop *a = generator(DEMO_POP_SEED), *b = generator(DEMO_POP_SEED);
    struct demo_pop *c = generator(DEMO_POP_SEED + 1);
    static struct demo_household ha, hb, hc;
    int differ = 0;
    for (int i = 0; i < 3000; i++) {
        demo_pop_household(a, 8, &ha);
        demo_pop_household(b, 8, &hb);
        demo_pop_household(c, 8, &hc);
        cr_assert_eq(memcmp(&ha, &hb, sizeof ha), 0, "household %d differs", i);
        differ += strcmp(ha.m[0].id_number, hc.m[0].id_number) != 0;
    }
    static struct demo_org oa[460], ob[460];
    size_t na = demo_pop_finish(a, oa, 460), nb = demo_pop_finish(b, ob, 460);
    cr_assert_eq(na, nb);
    cr_assert_eq(memcmp(oa, ob, na * sizeof oa[0]), 0);
    cr_assert_gt(differ, 2900, "another seed gives other households");
    demo_pop_free(a);
    demo_pop_free(b);
    demo_pop_free(c);
}

/* max_persons bounds a household, deceased former members included. */
Test(demo_population, max_persons)
{
    struct demo_pop *g = generator(7);
    static struct demo_household h;
    for (int max = 1; max <= 8; max++) {
        for (int i = 0; i < 500; i++) {
            demo_pop_household(g, max, &h);
            cr_assert(h.n >= 1 && h.n <= max && h.ncurrent <= DEMO_POP_HOUSEHOLD_MAX,
                      "max %d: %d members", max, h.n);
        }
    }
    demo_pop_free(g);
}

/* ---------------------------------------------------------------- one big sample */

#define SAMPLE 20000

static struct demo_household *sample;
static int nsample;
static struct demo_org finish_orgs[460];
static size_t nfinish;

static void make_sample(void)
{
    struct demo_pop *g = generator(DEMO_POP_SEED);
    sample = calloc(SAMPLE, sizeof *sample);
    cr_assert_not_null(sample);
    int persons = 0;
    nsample = 0;
    while (persons < SAMPLE) {
        int left = SAMPLE - persons;
        demo_pop_household(g, left < 8 ? left : 8, &sample[nsample]);
        persons += sample[nsample++].n;
    }
    cr_assert_eq(persons, SAMPLE);
    nfinish = demo_pop_finish(g, finish_orgs, 460);
    demo_pop_free(g);
}

static void free_sample(void)
{
    free(sample);
}

TestSuite(demo_population_sample, .init = make_sample, .fini = free_sample);

Test(demo_population_sample, id_numbers_valid_and_unique)
{
    static uint64_t packed[SAMPLE];
    int n = 0, home = 0;
    for (int k = 0; k < nsample; k++) {
        for (int i = 0; i < sample[k].n; i++) {
            const struct demo_person *p = &sample[k].m[i];
            char out[19];
            struct ids_citizen info;
            const char *why = NULL;
            cr_assert_eq(ids_citizen_normalize(p->id_number, strlen(p->id_number), 20260101,
                                               out, &info, &why), 0, "%s: %s", p->id_number, why);
            cr_assert_str_eq(out, p->id_number);
            cr_assert_eq(info.sex, p->sex, "%s", p->id_number);
            cr_assert_eq(info.birth_yyyymmdd, p->birth, "%s", p->id_number);
            cr_assert(strcmp(info.address6, "510824") == 0 ||
                      strcmp(info.address6, "510802") == 0 ||
                      strcmp(info.address6, "510823") == 0, "%s", p->id_number);
            home += strcmp(info.address6, "510824") == 0;
            packed[n++] = ids_citizen_pack(p->id_number);
        }
    }
    qsort(packed, (size_t)n, sizeof packed[0], cmp_u64);
    for (int i = 1; i < n; i++)
        cr_assert_neq(packed[i], packed[i - 1], "an ID number repeats");
    cr_assert_gt(home, n * 9 / 10, "most are born in the county: %d of %d", home, n);
    cr_assert_lt(home, n, "some are born in a neighbouring county");
}

Test(demo_population_sample, credit_codes_valid_and_unique)
{
    static char codes[SAMPLE / 100 + 1000][19];
    int n = 0, committees = 0, others = 0;
    for (int k = 0; k <= nsample; k++) {
        const struct demo_org *orgs = k < nsample ? sample[k].orgs : finish_orgs;
        int norgs = k < nsample ? sample[k].norgs : (int)nfinish;
        for (int i = 0; i < norgs; i++) {
            const struct demo_org *o = &orgs[i];
            char out[19];
            struct ids_credit info;
            const char *why = NULL;
            cr_assert_eq(ids_credit_normalize(o->credit_code, 18, out, &info, &why), 0, "%s: %s",
                         o->credit_code, why);
            cr_assert_str_eq(info.region6, "510824");
            cr_assert_eq(strncmp(o->region, "510824", 6), 0);
            cr_assert(o->name[0] && o->org_type && o->status && o->registered_on <= 20251231);
            bool committee = strstr(o->org_type, "committee") != NULL;
            committees += committee;
            others += !committee;
            if (k < nsample) { /* led by an adult of the household that brings it */
                bool found = false;
                for (int m = 0; m < sample[k].ncurrent; m++)
                    if (sample[k].m[m].id == o->legal_rep) {
                        int age = age_of(sample[k].m[m].birth);
                        found = age >= 25 && age <= 70;
                    }
                cr_assert(found, "%s: legal representative", o->name);
            } else {
                cr_assert_eq(o->legal_rep, 0);
            }
            memcpy(codes[n++], o->credit_code, 19);
        }
    }
    qsort(codes, (size_t)n, sizeof codes[0], cmp_str);
    for (int i = 1; i < n; i++)
        cr_assert_str_neq(codes[i], codes[i - 1], "a credit code repeats");
    cr_assert_eq(committees, 457, "one committee per community and village, none for the farm");
    cr_assert(others >= SAMPLE / 400 - 2 && others <= SAMPLE / 400, "%d others", others);
}

static bool is(const char *rel, const char *code)
{
    return strcmp(rel, code) == 0;
}

/* GB/T 4761 relations consistent with sex, age and each other; dates in order. */
static void check_household(const struct demo_household *h)
{
    const struct demo_person *head = &h->m[0];
    cr_assert_str_eq(head->relation, "02");
    cr_assert_eq(head->death, 0);
    cr_assert(h->ncurrent >= 1 && h->ncurrent <= DEMO_POP_HOUSEHOLD_MAX);
    cr_assert(h->n >= h->ncurrent && h->n <= DEMO_POP_MEMBERS_MAX);
    int spouse = -1, in_law = -1, heads = 0;
    for (int i = 0; i < h->n; i++) {
        const struct demo_person *p = &h->m[i];
        const char *r = p->relation;
        heads += is(r, "02");
        cr_assert_str_eq(p->region, h->region);
        cr_assert_eq(p->left_on != 0, i >= h->ncurrent, "former members come last");
        cr_assert_eq(p->left_on, p->death, "only the deceased have left");
        cr_assert(p->joined_on >= p->birth && p->joined_on <= 20251231, "%s joined", p->name);
        if (p->death)
            cr_assert(p->death > p->joined_on && p->death <= 20251231 && !p->phone[0] &&
                      !p->labour && !p->health && !p->employment);
        else
            cr_assert(p->labour && p->health && p->employment && p->education && p->marital);
        if (is(r, "11") || is(r, "12")) {
            cr_assert_eq(p->sex, is(r, "11") ? 'M' : 'F');
            cr_assert_neq(p->sex, head->sex);
            cr_assert_geq(age_of(p->birth), 20);
            cr_assert_eq(p->marital[0], '2', "a spouse is married");
            if (!p->death) {
                cr_assert_eq(spouse, -1, "one spouse");
                spouse = i;
            }
        } else if (is(r, "28") || is(r, "38")) {
            cr_assert_eq(p->sex, is(r, "28") ? 'M' : 'F');
            cr_assert_eq(in_law, -1);
            in_law = i;
        } else if (is(r, "51") || is(r, "52")) {
            cr_assert_eq(p->sex, is(r, "51") ? 'M' : 'F');
            cr_assert_geq(age_of(p->birth) - age_of(head->birth), 18, "a parent is older");
        } else {
            cr_assert(is(r, "02") || is(r, "20") || is(r, "30") || is(r, "41") || is(r, "42") ||
                      is(r, "43") || is(r, "44"), "relation %s", r);
        }
        if (is(r, "20") || is(r, "41") || is(r, "43"))
            cr_assert_eq(p->sex, 'M');
        if (is(r, "30") || is(r, "42") || is(r, "44"))
            cr_assert_eq(p->sex, 'F');
    }
    cr_assert_eq(heads, 1);
    if (spouse >= 0)
        cr_assert_eq(head->marital[0], '2', "the head of a couple is married");
    for (int i = 0; i < h->n; i++) {
        const struct demo_person *p = &h->m[i];
        const char *r = p->relation;
        int age = age_of(p->birth);
        if (is(r, "20") || is(r, "30")) {
            cr_assert_geq(age_of(head->birth) - age, 18, "a child is younger than the head");
            if (spouse >= 0)
                cr_assert_geq(age_of(h->m[spouse].birth) - age, 18, "and than the spouse");
        }
        if (r[0] == '4') {
            cr_assert_geq(age_of(head->birth) - age, 36, "a grandchild is younger still");
            if (in_law >= 0)
                cr_assert_geq(age_of(h->m[in_law].birth) - age, 18);
            for (int j = 0; j < h->n; j++)
                if (in_law >= 0 && (is(h->m[j].relation, "20") || is(h->m[j].relation, "30")))
                    cr_assert_geq(age_of(h->m[j].birth) - age, 18);
        }
        if (in_law >= 0 && i == in_law) {
            bool partner = false;
            for (int j = 0; j < h->n; j++)
                partner |= is(h->m[j].relation, is(r, "38") ? "20" : "30");
            cr_assert(partner, "an in-law is married to a child of the head");
        }
        if (!p->death && age < 16)
            cr_assert_str_eq(p->labour, "none");
        if (!p->death && age < 18)
            cr_assert(!p->phone[0], "no phone under 18");
        if (age < 20)
            cr_assert_str_eq(p->marital, "10");
        cr_assert_eq(!p->disability_category, !p->disability_grade);
        if (p->disability_category)
            cr_assert(p->disability_category >= '1' && p->disability_category <= '7' &&
                      p->disability_grade >= '1' && p->disability_grade <= '4');
    }
}

Test(demo_population_sample, household_structure)
{
    for (int k = 0; k < nsample; k++)
        check_household(&sample[k]);
}

/* Shares over the 20 000 persons, with the tolerances the issue names. */
Test(demo_population_sample, distributions)
{
    int alive = 0, dead = 0, rural = 0, disabled = 0, serious = 0, old = 0, young = 0, men = 0;
    int limb = 0, han = 0, current = 0;
    for (int k = 0; k < nsample; k++) {
        current += sample[k].ncurrent;
        for (int i = 0; i < sample[k].n; i++) {
            const struct demo_person *p = &sample[k].m[i];
            if (p->death) {
                dead++;
                continue;
            }
            alive++;
            int age = age_of(p->birth);
            rural += p->hukou_rural;
            disabled += p->disability_category != 0;
            limb += p->disability_category == '4';
            serious += strcmp(p->health, "serious") == 0;
            old += age >= 60;
            young += age < 15;
            men += p->sex == 'M';
            han += strcmp(p->ethnicity, "01") == 0;
        }
    }
    double mean = (double)current / nsample;
    cr_assert(rural >= alive * 70 / 100 && rural <= alive * 80 / 100, "rural %d / %d", rural,
              alive);
    cr_assert(disabled >= alive * 4 / 100 && disabled <= alive * 8 / 100, "disabled %d", disabled);
    cr_assert(limb * 4 > disabled && limb * 3 < disabled, "肢体 ≈ 29 %% of the disabled: %d", limb);
    cr_assert(serious >= alive / 100 && serious <= alive * 3 / 100, "serious %d", serious);
    cr_assert(dead >= SAMPLE / 200 && dead <= SAMPLE * 15 / 1000, "deceased %d", dead);
    cr_assert(mean >= 2.4 && mean <= 2.8, "mean household size %.2f", mean);
    cr_assert(old >= alive / 4 && old <= alive * 35 / 100, "60 and older %d", old);
    cr_assert(young >= alive / 10 && young <= alive * 18 / 100, "under 15 %d", young);
    cr_assert(men >= alive * 45 / 100 && men <= alive * 55 / 100, "men %d", men);
    cr_assert(han >= alive * 98 / 100 && han < alive, "汉族 %d", han);
}

/* ---------------------------------------------------------------- the loader, on SQLite */

static char tmpdir[64], dbpath[128];

static void remove_db(void)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

static long long count(struct db *db, const char *sql)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s", sql);
    cr_assert_eq(db_step(st), 1, "%s", sql);
    long long n = db_col_int64(st, 0);
    db_reset(st);
    return n;
}

static void add_region(struct db *db, const char *code, const char *name, int level,
                       const char *parent, const char *names)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, "INSERT INTO region (code, name, level, parent, path_codes, "
                                "path_names, valid_from, source) VALUES (?, ?, ?, ?, ?, ?, "
                                "'2023-06-30', 'test')", &st), 0);
    db_bind_text(st, 1, code, 12);
    db_bind_text(st, 2, name, strlen(name));
    db_bind_int64(st, 3, level);
    db_bind_text(st, 4, parent, strlen(parent));
    db_bind_text(st, 5, code, 12);
    db_bind_text(st, 6, names, strlen(names));
    cr_assert_eq(db_step(st), 0);
    db_reset(st);
}

Test(demo_population, load_sqlite, .fini = remove_db)
{
    test_tmpdir_template(tmpdir, sizeof tmpdir, "demo-pop");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/test.db", tmpdir);
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(dbpath, &db, err, sizeof err), 0, "%s", err);
    cr_assert_eq(migrate_run(db, NULL), 0);
    add_region(db, "510800000000", "广元市", 2, "510000000000", "四川省/广元市");
    add_region(db, "510802000000", "利州区", 3, "510800000000", "四川省/广元市/利州区");
    add_region(db, "510824000000", "苍溪县", 3, "510800000000", "四川省/广元市/苍溪县");
    add_region(db, "510824100001", "金穗社区居民委员会", 5, "510824100000",
               "四川省/广元市/苍溪县/陵江镇/金穗社区居民委员会");
    add_region(db, "510824100205", "白观村村民委员会", 5, "510824100000",
               "四川省/广元市/苍溪县/陵江镇/白观村村民委员会");
    add_region(db, "510824102201", "龙王村村民委员会", 5, "510824102000",
               "四川省/广元市/苍溪县/东青镇/龙王村村民委员会");

    struct demo_population_stats st;
    cr_assert_eq(demo_population_load(db, "510824000000", 3000, &st), 0, "%s", db_errmsg(db));
    cr_assert(!st.skipped);
    cr_assert_eq(st.persons, 3000);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM person"), 3000);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM household"), st.households);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM household_member"), 3000);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM household_member WHERE left_on IS NULL"),
                 count(db, "SELECT COUNT(*) FROM person WHERE alive = 1"));
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM person WHERE alive = 0"), st.deceased);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM organisation"), st.orgs);
    cr_assert_geq(st.orgs, 3 + 3000 / 400 - 1, "three committees and one per 400 persons");
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM record_change WHERE field = '(created)'"),
                 3000 + st.households + st.orgs);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM person WHERE address LIKE '苍溪县%'"), 3000);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM organisation WHERE name = '白观村村民委员会' "
                           "AND org_type = 'villagers_committee'"), 1);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM household h JOIN household_member m ON "
                           "m.household_id = h.id AND m.person_id = h.head_person_id "
                           "AND m.relation = '02'"), st.households);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);

    /* idempotent: the county has persons now */
    cr_assert_eq(demo_population_load(db, "510824000000", 3000, &st), 0);
    cr_assert(st.skipped);
    cr_assert_eq(count(db, "SELECT COUNT(*) FROM person"), 3000);
    /* a county without villages */
    cr_assert_eq(demo_population_load(db, "510802000000", 10, &st), MZ_ENOTFOUND);
    db_close(db);
}
