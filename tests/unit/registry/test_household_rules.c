/*
 * tests/unit/registry/test_household_rules.c — the rules of 家庭 (src/registry/
 * household_rules.c): a new household and each kind of change request, checked as a whole.
 *
 * Source of the rules: issue #5 (households part) — a head and members with their GB/T 4761
 * relation to the head; a person in at most one current household; typed requests validated as
 * a whole: no household without a head, no person in two households.
 *
 * The world of every case: the caller sees township 510824100. Household 100 (510824100201):
 * head 1, wife 2 (12), son 3 (20). Household 200 (510824100202): head 4, daughter 5 (30).
 * Household 300 lies outside the scope; its member 7 lives inside it. Person 6 and 9 are free,
 * person 8 lives outside the scope. Person 10 does not exist.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "household.h"

static bool known(const char *code)
{
    static const char *const codes[] = { "01", "02", "10", "12", "20", "30", "80", "99" };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(codes[i], code) == 0)
            return true;
    return false;
}

static struct household_member home_members[] = { { 1, "02" }, { 2, "12" }, { 3, "20" } };
static struct household_member other_members[] = { { 4, "02" }, { 5, "30" } };
static const struct household_person persons[] = {
    { 1, true, 100 }, { 2, true, 100 }, { 3, true, 100 }, { 4, true, 200 }, { 5, true, 200 },
    { 6, true, 0 },   { 7, true, 300 }, { 8, false, 0 },  { 9, true, 0 },
};

static struct scope township;
static struct household_state home, other, emptied;
static struct household_facts facts;

static void setup(void)
{
    cr_assert_eq(scope_from_region("510824100", &township), 0);
    home = (struct household_state){ .id = 100, .region = "510824100201", .address = "陵江镇1号",
                                     .living_together = true, .head_person_id = 1,
                                     .members = home_members, .nmembers = 3 };
    other = (struct household_state){ .id = 200, .region = "510824100202", .living_together = true,
                                      .head_person_id = 4, .members = other_members,
                                      .nmembers = 2 };
    emptied = (struct household_state){ .id = 400, .region = "510824100202",
                                        .head_person_id = 4, .members = NULL, .nmembers = 0 };
    facts = (struct household_facts){ .scope = &township, .persons = persons,
                                      .npersons = sizeof persons / sizeof persons[0],
                                      .home = &home, .other = &other, .relation_known = known };
}

TestSuite(household_rules, .init = setup);

/* Expected outcome of one case: 0, or the error with its field. */
struct want {
    int code;
    const char *field;
};

static void expect(const char *id, int got, const struct household_refusal *r, struct want w)
{
    cr_assert_eq(got, w.code, "%s: got %d (%s: %s), want %d", id, got, r->field, r->why, w.code);
    if (w.code) {
        cr_assert_eq(r->code, w.code, "%s", id);
        cr_assert_str_eq(r->field, w.field, "%s: %s", id, r->why);
        cr_assert(r->why[0], "%s: a message", id);
    }
}

static int change(const struct household_change *c, struct household_refusal *r)
{
    memset(r, 0, sizeof *r);
    return household_rule_change(c, &facts, r);
}

/* ---------------------------------------------------------------- kinds */

Test(household_rules, kind_names)
{
    static const char *const names[] = { "add_member", "remove_member", "change_head", "split",
                                         "merge", "move_region" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum household_kind k;
        cr_assert_eq(household_kind_parse(names[i], &k), 0, "hh-0.%zu", i + 1);
        cr_assert_str_eq(household_kind_name(k), names[i], "hh-0.%zu", i + 1);
    }
    enum household_kind k;
    cr_assert_eq(household_kind_parse("delete", &k), MZ_EINVAL, "hh-0.7");
    cr_assert_eq(household_kind_parse("", &k), MZ_EINVAL, "hh-0.8");
    cr_assert_eq(household_kind_parse(NULL, &k), MZ_EINVAL, "hh-0.9");
}

/* ---------------------------------------------------------------- a new household */

Test(household_rules, create)
{
    static struct household_member alone[] = { { 0, NULL } };
    static struct household_member good[] = { { 9, "10" } };
    static struct household_member head_listed[] = { { 6, "02" }, { 9, "20" } };
    static struct household_member head_listed_bare[] = { { 6, NULL }, { 9, "20" } };
    static struct household_member head_wrong[] = { { 6, "20" } };
    static struct household_member dup[] = { { 9, "20" }, { 9, "30" } };
    static struct household_member no_rel[] = { { 9, NULL } };
    static struct household_member rel_head[] = { { 9, "02" } };
    static struct household_member rel_self[] = { { 9, "01" } };
    static struct household_member rel_unknown[] = { { 9, "98" } };
    static struct household_member outside[] = { { 8, "20" } };
    static struct household_member missing[] = { { 10, "20" } };
    static struct household_member busy[] = { { 9, "20" }, { 3, "20" } };
    static struct household_member busy_elsewhere[] = { { 7, "99" } };
    static const struct {
        const char *id;
        const char *region;
        int64_t head;
        struct household_member *members;
        int n;
        struct want want;
    } c[] = {
        { "hh-1.1", "510824100203", 6, alone, 0, { 0, NULL } },
        { "hh-1.2", "510824100203", 6, good, 1, { 0, NULL } },
        { "hh-1.3", "510824100203", 6, head_listed, 2, { 0, NULL } },
        { "hh-1.4", "510824100203", 6, head_listed_bare, 2, { 0, NULL } },
        { "hh-1.5", "510824200000", 6, good, 1, { MZ_EVALIDATE, "region" } },
        { "hh-1.6", "510824100203", 8, good, 1, { MZ_EVALIDATE, "head_person_id" } },
        { "hh-1.7", "510824100203", 10, good, 1, { MZ_EVALIDATE, "head_person_id" } },
        { "hh-1.8", "510824100203", 6, head_wrong, 1, { MZ_EVALIDATE, "members[0].relation" } },
        { "hh-1.9", "510824100203", 6, dup, 2, { MZ_EVALIDATE, "members[1].person_id" } },
        { "hh-1.10", "510824100203", 6, no_rel, 1, { MZ_EVALIDATE, "members[0].relation" } },
        { "hh-1.11", "510824100203", 6, rel_head, 1, { MZ_EVALIDATE, "members[0].relation" } },
        { "hh-1.12", "510824100203", 6, rel_self, 1, { MZ_EVALIDATE, "members[0].relation" } },
        { "hh-1.13", "510824100203", 6, rel_unknown, 1, { MZ_EVALIDATE, "members[0].relation" } },
        { "hh-1.14", "510824100203", 6, outside, 1, { MZ_EVALIDATE, "members[0].person_id" } },
        { "hh-1.15", "510824100203", 6, missing, 1, { MZ_EVALIDATE, "members[0].person_id" } },
        /* person in two households: the head, a member, a member of a household out of sight */
        { "hh-1.16", "510824100203", 1, good, 1, { MZ_ECONFLICT, "head_person_id" } },
        { "hh-1.17", "510824100203", 6, busy, 2, { MZ_ECONFLICT, "members[1].person_id" } },
        { "hh-1.18", "510824100203", 6, busy_elsewhere, 1,
          { MZ_ECONFLICT, "members[0].person_id" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_new h = { .living_together = true, .head_person_id = c[i].head,
                                   .members = c[i].members, .nmembers = c[i].n };
        snprintf(h.region, sizeof h.region, "%s", c[i].region);
        struct household_refusal r = { 0 };
        expect(c[i].id, household_rule_create(&h, &facts, &r), &r, c[i].want);
    }
}

Test(household_rules, create_conflict_names_household)
{
    static struct household_member busy[] = { { 3, "20" } };
    struct household_new h = { .region = "510824100203", .head_person_id = 6, .members = busy,
                               .nmembers = 1 };
    struct household_refusal r = { 0 };
    cr_assert_eq(household_rule_create(&h, &facts, &r), MZ_ECONFLICT, "hh-1.19");
    cr_assert(strstr(r.why, "3") && strstr(r.why, "100"), "hh-1.19: %s", r.why);
}

Test(household_rules, create_size)
{
    struct household_member many[HOUSEHOLD_MAX_MEMBERS];
    struct household_person people[HOUSEHOLD_MAX_MEMBERS + 1];
    for (int i = 0; i < HOUSEHOLD_MAX_MEMBERS; i++) {
        many[i] = (struct household_member){ 1000 + i, "80" };
        people[i] = (struct household_person){ 1000 + i, true, 0 };
    }
    people[HOUSEHOLD_MAX_MEMBERS] = (struct household_person){ 6, true, 0 };
    facts.persons = people;
    facts.npersons = HOUSEHOLD_MAX_MEMBERS + 1;
    struct household_new h = { .region = "510824100203", .head_person_id = 6, .members = many,
                               .nmembers = HOUSEHOLD_MAX_MEMBERS - 1 };
    struct household_refusal r = { 0 };
    expect("hh-1.20", household_rule_create(&h, &facts, &r), &r, (struct want){ 0, NULL });
    h.nmembers = HOUSEHOLD_MAX_MEMBERS; /* 50 members and the head */
    expect("hh-1.21", household_rule_create(&h, &facts, &r), &r,
           (struct want){ MZ_EVALIDATE, "members" });
}

/* ---------------------------------------------------------------- add_member */

Test(household_rules, add_member)
{
    static const struct {
        const char *id;
        int64_t person;
        const char *relation;
        struct want want;
    } c[] = {
        { "hh-2.1", 6, "30", { 0, NULL } },
        { "hh-2.2", 9, "99", { 0, NULL } },
        { "hh-2.3", 2, "30", { MZ_EVALIDATE, "payload.person_id" } },  /* already here */
        { "hh-2.4", 8, "30", { MZ_EVALIDATE, "payload.person_id" } },  /* outside the scope */
        { "hh-2.5", 10, "30", { MZ_EVALIDATE, "payload.person_id" } }, /* no such person */
        { "hh-2.6", 6, NULL, { MZ_EVALIDATE, "payload.relation" } },
        { "hh-2.7", 6, "02", { MZ_EVALIDATE, "payload.relation" } },   /* a second head */
        { "hh-2.8", 6, "01", { MZ_EVALIDATE, "payload.relation" } },
        { "hh-2.9", 6, "98", { MZ_EVALIDATE, "payload.relation" } },
        { "hh-2.10", 4, "30", { MZ_ECONFLICT, "payload.person_id" } }, /* in household 200 */
        { "hh-2.11", 7, "30", { MZ_ECONFLICT, "payload.person_id" } }, /* in 300, unseen */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_change ch = { .kind = HOUSEHOLD_ADD_MEMBER, .person_id = c[i].person,
                                       .relation = c[i].relation };
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

Test(household_rules, add_member_full)
{
    struct household_member many[HOUSEHOLD_MAX_MEMBERS];
    for (int i = 0; i < HOUSEHOLD_MAX_MEMBERS; i++)
        many[i] = (struct household_member){ i ? 1000 + i : 1, i ? "80" : "02" };
    home.members = many;
    home.nmembers = HOUSEHOLD_MAX_MEMBERS;
    struct household_change ch = { .kind = HOUSEHOLD_ADD_MEMBER, .person_id = 6,
                                   .relation = "30" };
    struct household_refusal r;
    expect("hh-2.12", change(&ch, &r), &r, (struct want){ MZ_EVALIDATE, "payload.person_id" });
}

/* ---------------------------------------------------------------- remove_member */

Test(household_rules, remove_member)
{
    static const struct {
        const char *id;
        int64_t person;
        struct want want;
    } c[] = {
        { "hh-3.1", 3, { 0, NULL } },
        { "hh-3.2", 2, { 0, NULL } },
        { "hh-3.3", 1, { MZ_EVALIDATE, "payload.person_id" } },  /* headless household */
        { "hh-3.4", 4, { MZ_EVALIDATE, "payload.person_id" } },  /* member of another */
        { "hh-3.5", 6, { MZ_EVALIDATE, "payload.person_id" } },  /* nobody's member */
        { "hh-3.6", 10, { MZ_EVALIDATE, "payload.person_id" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_change ch = { .kind = HOUSEHOLD_REMOVE_MEMBER, .person_id = c[i].person };
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

/* ---------------------------------------------------------------- change_head */

Test(household_rules, change_head)
{
    static const struct {
        const char *id;
        int64_t person;
        const char *old_head_relation;
        struct want want;
    } c[] = {
        { "hh-4.1", 2, "10", { 0, NULL } },
        { "hh-4.2", 3, "80", { 0, NULL } },
        { "hh-4.3", 1, "10", { MZ_EVALIDATE, "payload.person_id" } },  /* already the head */
        { "hh-4.4", 6, "10", { MZ_EVALIDATE, "payload.person_id" } },  /* not a member */
        { "hh-4.5", 4, "10", { MZ_EVALIDATE, "payload.person_id" } },  /* another's member */
        { "hh-4.6", 2, NULL, { MZ_EVALIDATE, "payload.old_head_relation" } },
        { "hh-4.7", 2, "02", { MZ_EVALIDATE, "payload.old_head_relation" } }, /* two heads */
        { "hh-4.8", 2, "01", { MZ_EVALIDATE, "payload.old_head_relation" } },
        { "hh-4.9", 2, "98", { MZ_EVALIDATE, "payload.old_head_relation" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_change ch = { .kind = HOUSEHOLD_CHANGE_HEAD, .person_id = c[i].person,
                                       .relation = c[i].old_head_relation };
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

Test(household_rules, change_head_to_member_out_of_scope)
{
    static const struct household_person moved[] = { { 2, false, 100 } };
    facts.persons = moved;
    facts.npersons = 1;
    struct household_change ch = { .kind = HOUSEHOLD_CHANGE_HEAD, .person_id = 2,
                                   .relation = "10" };
    struct household_refusal r;
    expect("hh-4.10", change(&ch, &r), &r, (struct want){ MZ_EVALIDATE, "payload.person_id" });
}

/* ---------------------------------------------------------------- split */

Test(household_rules, split)
{
    static int64_t son[] = { 3 };
    static int64_t both[] = { 2, 3 };
    static int64_t with_head[] = { 3, 1 };
    static int64_t twice[] = { 3, 3 };
    static int64_t stranger[] = { 3, 6 };
    static int64_t foreign[] = { 4 };
    static const struct {
        const char *id;
        int64_t *ids;
        int n;
        int64_t new_head;
        const char *region;
        struct want want;
    } c[] = {
        { "hh-5.1", son, 1, 3, "", { 0, NULL } },
        { "hh-5.2", both, 2, 2, "510824100203", { 0, NULL } },
        { "hh-5.3", both, 2, 3, "", { 0, NULL } },
        { "hh-5.4", son, 0, 3, "", { MZ_EVALIDATE, "payload.person_ids" } },
        /* the head leaves: the old household would have none */
        { "hh-5.5", with_head, 2, 3, "", { MZ_EVALIDATE, "payload.person_ids[1]" } },
        /* the new household's head stays behind: the new one would have none */
        { "hh-5.6", son, 1, 2, "", { MZ_EVALIDATE, "payload.new_head_person_id" } },
        { "hh-5.7", son, 1, 6, "", { MZ_EVALIDATE, "payload.new_head_person_id" } },
        { "hh-5.8", twice, 2, 3, "", { MZ_EVALIDATE, "payload.person_ids[1]" } },
        { "hh-5.9", stranger, 2, 3, "", { MZ_EVALIDATE, "payload.person_ids[1]" } },
        { "hh-5.10", foreign, 1, 4, "", { MZ_EVALIDATE, "payload.person_ids[0]" } },
        { "hh-5.11", son, 1, 3, "510824200000", { MZ_EVALIDATE, "payload.region" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_change ch = { .kind = HOUSEHOLD_SPLIT, .person_ids = c[i].ids,
                                       .npersons = c[i].n, .new_head_person_id = c[i].new_head };
        snprintf(ch.region, sizeof ch.region, "%s", c[i].region);
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

/* ---------------------------------------------------------------- merge */

Test(household_rules, merge)
{
    static const struct {
        const char *id;
        int64_t other_id;
        const char *relation;
        bool other_visible;
        struct want want;
    } c[] = {
        { "hh-6.1", 200, "80", true, { 0, NULL } },
        { "hh-6.2", 100, "80", true, { MZ_EVALIDATE, "payload.other_household_id" } }, /* self */
        { "hh-6.3", 300, "80", false, { MZ_EVALIDATE, "payload.other_household_id" } },
        { "hh-6.4", 200, NULL, true, { MZ_EVALIDATE, "payload.other_head_relation" } },
        { "hh-6.5", 200, "02", true, { MZ_EVALIDATE, "payload.other_head_relation" } },
        { "hh-6.6", 200, "98", true, { MZ_EVALIDATE, "payload.other_head_relation" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        facts.other = c[i].other_visible ? &other : NULL;
        struct household_change ch = { .kind = HOUSEHOLD_MERGE,
                                       .other_household_id = c[i].other_id,
                                       .relation = c[i].relation };
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

Test(household_rules, merge_emptied_and_too_big)
{
    facts.other = &emptied;
    struct household_change ch = { .kind = HOUSEHOLD_MERGE, .other_household_id = 400,
                                   .relation = "80" };
    struct household_refusal r;
    expect("hh-6.7", change(&ch, &r), &r,
           (struct want){ MZ_EVALIDATE, "payload.other_household_id" });

    struct household_member many[HOUSEHOLD_MAX_MEMBERS - 2];
    for (int i = 0; i < HOUSEHOLD_MAX_MEMBERS - 2; i++)
        many[i] = (struct household_member){ i ? 1000 + i : 1, i ? "80" : "02" };
    home.members = many;
    home.nmembers = HOUSEHOLD_MAX_MEMBERS - 2;
    facts.other = &other;
    ch.other_household_id = 200;
    expect("hh-6.8", change(&ch, &r), &r, (struct want){ 0, NULL }); /* 48 + 2 = 50 */
    home.nmembers = HOUSEHOLD_MAX_MEMBERS - 1;
    struct household_member more[HOUSEHOLD_MAX_MEMBERS - 1];
    memcpy(more, many, sizeof many);
    more[HOUSEHOLD_MAX_MEMBERS - 2] = (struct household_member){ 2000, "80" };
    home.members = more;
    expect("hh-6.9", change(&ch, &r), &r,
           (struct want){ MZ_EVALIDATE, "payload.other_household_id" });
}

/* ---------------------------------------------------------------- move_region */

Test(household_rules, move_region)
{
    static const struct {
        const char *id;
        const char *region, *address;
        struct want want;
    } c[] = {
        { "hh-7.1", "510824100203", NULL, { 0, NULL } },
        { "hh-7.2", "510824100201", "陵江镇2号", { 0, NULL } },  /* same region, new address */
        { "hh-7.3", "510824100201", NULL, { MZ_EVALIDATE, "payload.region" } },
        { "hh-7.4", "510824100201", "陵江镇1号", { MZ_EVALIDATE, "payload.region" } },
        { "hh-7.5", "510824200000", NULL, { MZ_EVALIDATE, "payload.region" } },
        { "hh-7.6", "110000000000", NULL, { MZ_EVALIDATE, "payload.region" } },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct household_change ch = { .kind = HOUSEHOLD_MOVE_REGION, .address = c[i].address };
        snprintf(ch.region, sizeof ch.region, "%s", c[i].region);
        struct household_refusal r;
        expect(c[i].id, change(&ch, &r), &r, c[i].want);
    }
}

/* ---------------------------------------------------------------- any kind */

Test(household_rules, emptied_household_takes_no_request)
{
    facts.home = &emptied;
    struct household_change ch = { .kind = HOUSEHOLD_ADD_MEMBER, .person_id = 6,
                                   .relation = "30" };
    struct household_refusal r;
    expect("hh-8.1", change(&ch, &r), &r, (struct want){ MZ_ECONFLICT, "id" });
}

Test(household_rules, national_scope_sees_everywhere)
{
    struct scope national;
    cr_assert_eq(scope_from_region("000000000000", &national), 0);
    facts.scope = &national;
    struct household_change ch = { .kind = HOUSEHOLD_MOVE_REGION };
    snprintf(ch.region, sizeof ch.region, "%s", "110101001001");
    struct household_refusal r;
    expect("hh-8.2", change(&ch, &r), &r, (struct want){ 0, NULL });
}
