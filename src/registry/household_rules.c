/*
 * registry/household_rules.c — the rules of 家庭 (households): a new household, and a change
 * request against the current state, each checked as a whole. Pure: no I/O, no clock, no
 * globals; the caller looks up the facts (household_store.c). Requirements: issue #5
 * (households part); tests: tests/unit/registry/test_household_rules.c.
 *
 * Invariants kept by every rule (issue #5):
 * - every household with members has exactly one head, and the head's relation is 02 户主;
 * - a person is in at most one current household (also a partial unique index, 0003);
 * - relations are GB/T 4761-2008 家庭关系代码 (reference.md §5.2) other than 01 本人 and
 *   02 户主, which describe the head alone.
 * Per kind:
 * - add_member: a visible person, not yet a member here nor anywhere else, with a relation;
 * - remove_member: a current member other than the head (change the head first);
 * - change_head: a current member other than the head, visible; the old head's new relation;
 * - split: current members other than the head, each once, visible; the new head is one of
 *   them; the new household's region (if given) inside scope — so both keep a head;
 * - merge: another household, visible, with current members, its head's relation to this
 *   head; together at most HOUSEHOLD_MAX_MEMBERS;
 * - move_region: a region inside scope that differs from the current one (or a new address).
 * A household without current members (merged into another) takes no request.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "household.h"

static const char *const kind_names[] = {
    [HOUSEHOLD_ADD_MEMBER] = "add_member",
    [HOUSEHOLD_REMOVE_MEMBER] = "remove_member",
    [HOUSEHOLD_CHANGE_HEAD] = "change_head",
    [HOUSEHOLD_SPLIT] = "split",
    [HOUSEHOLD_MERGE] = "merge",
    [HOUSEHOLD_MOVE_REGION] = "move_region",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

int household_kind_parse(const char *text, enum household_kind *out)
{
    for (size_t i = 0; text && i < NKINDS; i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (enum household_kind)i;
            return 0;
        }
    }
    return MZ_EINVAL;
}

const char *household_kind_name(enum household_kind kind)
{
    return (size_t)kind < NKINDS ? kind_names[kind] : "?";
}

/* Fills r and returns its code. */
static int refuse(struct household_refusal *r, int code, const char *field, const char *why)
{
    r->code = code;
    snprintf(r->field, sizeof r->field, "%s", field);
    snprintf(r->why, sizeof r->why, "%s", why);
    return code;
}

/* Field "name[i].member" (member may be NULL). */
static const char *indexed(char *buf, size_t n, const char *name, int i, const char *member)
{
    snprintf(buf, n, "%s[%d]%s%s", name, i, member ? "." : "", member ? member : "");
    return buf;
}

static const struct household_person *person_of(const struct household_facts *f, int64_t id)
{
    for (int i = 0; i < f->npersons; i++)
        if (f->persons[i].id == id)
            return &f->persons[i];
    return NULL;
}

static bool visible(const struct household_facts *f, int64_t id)
{
    const struct household_person *p = person_of(f, id);
    return p && p->visible;
}

/* The person's current household other than `own` (0 when none). */
static int64_t elsewhere(const struct household_facts *f, int64_t id, int64_t own)
{
    const struct household_person *p = person_of(f, id);
    return p && p->household_id && p->household_id != own ? p->household_id : 0;
}

static const struct household_member *member_of(const struct household_state *h, int64_t id)
{
    for (int i = 0; h && i < h->nmembers; i++)
        if (h->members[i].person_id == id)
            return &h->members[i];
    return NULL;
}

/* A member's relation: a known code, and neither 01 nor 02. */
static int check_relation(const struct household_facts *f, const char *relation,
                          const char *field, struct household_refusal *r)
{
    char why[200];
    if (!relation || !*relation)
        return refuse(r, MZ_EVALIDATE, field, "请填写与户主关系（GB/T 4761 家庭关系代码）");
    if (!f->relation_known(relation)) {
        snprintf(why, sizeof why, "与户主关系代码“%.8s”不在 GB/T 4761 家庭关系代码表中",
                 relation);
        return refuse(r, MZ_EVALIDATE, field, why);
    }
    if (strcmp(relation, HOUSEHOLD_RELATION_HEAD) == 0 ||
        strcmp(relation, HOUSEHOLD_RELATION_SELF) == 0)
        return refuse(r, MZ_EVALIDATE, field, "01（本人）和 02（户主）只用于户主本人，"
                                              "成员请填写其与户主的关系");
    return 0;
}

static int refuse_busy(struct household_refusal *r, const char *field, int64_t person,
                       int64_t household)
{
    char why[200];
    snprintf(why, sizeof why, "人员 %" PRId64 " 已是家庭 %" PRId64 " 的现有成员，"
                              "一人只能属于一个家庭", person, household);
    return refuse(r, MZ_ECONFLICT, field, why);
}

static int check_region(const struct household_facts *f, const char *region, const char *field,
                        struct household_refusal *r)
{
    if (!scope_contains(f->scope, region))
        return refuse(r, MZ_EVALIDATE, field, "所属区划超出您的管辖范围");
    return 0;
}

/* ---------------------------------------------------------------- a new household */

/* Member i of a new household on its own (the head listed again is allowed with 02 or none). */
static int check_new_member(const struct household_new *h, const struct household_facts *f,
                            int i, struct household_refusal *r)
{
    char field[64];
    const struct household_member *m = &h->members[i];
    if (!visible(f, m->person_id))
        return refuse(r, MZ_EVALIDATE, indexed(field, sizeof field, "members", i, "person_id"),
                      "该人员不在自然人登记中（或不在您的管辖范围内）");
    for (int j = 0; j < i; j++)
        if (h->members[j].person_id == m->person_id)
            return refuse(r, MZ_EVALIDATE,
                          indexed(field, sizeof field, "members", i, "person_id"),
                          "成员重复：同一人员只能列出一次");
    if (m->person_id == h->head_person_id) {
        if (m->relation && strcmp(m->relation, HOUSEHOLD_RELATION_HEAD) != 0)
            return refuse(r, MZ_EVALIDATE, indexed(field, sizeof field, "members", i, "relation"),
                          "户主与户主的关系代码只能是 02（户主）");
        return 0;
    }
    return check_relation(f, m->relation, indexed(field, sizeof field, "members", i, "relation"),
                          r);
}

int household_rule_create(const struct household_new *h, const struct household_facts *f,
                          struct household_refusal *r)
{
    int rc = check_region(f, h->region, "region", r);
    if (rc)
        return rc;
    if (!visible(f, h->head_person_id))
        return refuse(r, MZ_EVALIDATE, "head_person_id",
                      "户主不在自然人登记中（或不在您的管辖范围内）");
    int count = 1;
    for (int i = 0; i < h->nmembers; i++) {
        rc = check_new_member(h, f, i, r);
        if (rc)
            return rc;
        count += h->members[i].person_id != h->head_person_id;
    }
    if (count > HOUSEHOLD_MAX_MEMBERS) {
        char why[200];
        snprintf(why, sizeof why, "一个家庭最多 %d 名成员", HOUSEHOLD_MAX_MEMBERS);
        return refuse(r, MZ_EVALIDATE, "members", why);
    }
    int64_t busy = elsewhere(f, h->head_person_id, 0);
    if (busy)
        return refuse_busy(r, "head_person_id", h->head_person_id, busy);
    for (int i = 0; i < h->nmembers; i++) {
        char field[64];
        busy = elsewhere(f, h->members[i].person_id, 0);
        if (busy)
            return refuse_busy(r, indexed(field, sizeof field, "members", i, "person_id"),
                               h->members[i].person_id, busy);
    }
    return 0;
}

/* ---------------------------------------------------------------- change requests */

static int add_member(const struct household_change *c, const struct household_facts *f,
                      struct household_refusal *r)
{
    const struct household_state *home = f->home;
    if (!visible(f, c->person_id))
        return refuse(r, MZ_EVALIDATE, "payload.person_id",
                      "该人员不在自然人登记中（或不在您的管辖范围内）");
    if (member_of(home, c->person_id))
        return refuse(r, MZ_EVALIDATE, "payload.person_id", "该人员已是本户现有成员");
    int rc = check_relation(f, c->relation, "payload.relation", r);
    if (rc)
        return rc;
    if (home->nmembers >= HOUSEHOLD_MAX_MEMBERS) {
        char why[200];
        snprintf(why, sizeof why, "一个家庭最多 %d 名成员", HOUSEHOLD_MAX_MEMBERS);
        return refuse(r, MZ_EVALIDATE, "payload.person_id", why);
    }
    int64_t busy = elsewhere(f, c->person_id, home->id);
    return busy ? refuse_busy(r, "payload.person_id", c->person_id, busy) : 0;
}

static int remove_member(const struct household_change *c, const struct household_facts *f,
                         struct household_refusal *r)
{
    if (!member_of(f->home, c->person_id))
        return refuse(r, MZ_EVALIDATE, "payload.person_id", "该人员不是本户现有成员");
    if (c->person_id == f->home->head_person_id)
        return refuse(r, MZ_EVALIDATE, "payload.person_id",
                      "不能移除户主：请先提交变更户主申请，家庭不能没有户主");
    return 0;
}

static int change_head(const struct household_change *c, const struct household_facts *f,
                       struct household_refusal *r)
{
    if (!member_of(f->home, c->person_id))
        return refuse(r, MZ_EVALIDATE, "payload.person_id", "新户主须是本户现有成员");
    if (c->person_id == f->home->head_person_id)
        return refuse(r, MZ_EVALIDATE, "payload.person_id", "该人员已是户主");
    if (!visible(f, c->person_id))
        return refuse(r, MZ_EVALIDATE, "payload.person_id",
                      "新户主不在自然人登记中（或不在您的管辖范围内）");
    return check_relation(f, c->relation, "payload.old_head_relation", r);
}

/* One leaving member of a split. */
static int check_split_person(const struct household_change *c, const struct household_facts *f,
                              int i, struct household_refusal *r)
{
    char field[64];
    int64_t id = c->person_ids[i];
    indexed(field, sizeof field, "payload.person_ids", i, NULL);
    if (!member_of(f->home, id))
        return refuse(r, MZ_EVALIDATE, field, "分出的人员须是本户现有成员");
    if (id == f->home->head_person_id)
        return refuse(r, MZ_EVALIDATE, field,
                      "户主不能分出：原家庭须保留户主，如需分出户主请先变更户主");
    if (!visible(f, id))
        return refuse(r, MZ_EVALIDATE, field, "该人员不在您的管辖范围内");
    for (int j = 0; j < i; j++)
        if (c->person_ids[j] == id)
            return refuse(r, MZ_EVALIDATE, field, "人员重复：同一人员只能列出一次");
    return 0;
}

static int split(const struct household_change *c, const struct household_facts *f,
                 struct household_refusal *r)
{
    if (c->npersons < 1)
        return refuse(r, MZ_EVALIDATE, "payload.person_ids", "请列出分出的成员");
    bool head_leaves = false;
    for (int i = 0; i < c->npersons; i++) {
        int rc = check_split_person(c, f, i, r);
        if (rc)
            return rc;
        head_leaves |= c->person_ids[i] == c->new_head_person_id;
    }
    if (!head_leaves)
        return refuse(r, MZ_EVALIDATE, "payload.new_head_person_id",
                      "新家庭的户主须是分出的成员之一，分出的家庭不能没有户主");
    return c->region[0] ? check_region(f, c->region, "payload.region", r) : 0;
}

static int merge(const struct household_change *c, const struct household_facts *f,
                 struct household_refusal *r)
{
    const struct household_state *other = f->other;
    if (c->other_household_id == f->home->id)
        return refuse(r, MZ_EVALIDATE, "payload.other_household_id", "不能与本户自身合并");
    if (!other || other->id != c->other_household_id)
        return refuse(r, MZ_EVALIDATE, "payload.other_household_id",
                      "要并入的家庭不存在（或不在您的管辖范围内）");
    if (other->nmembers == 0)
        return refuse(r, MZ_EVALIDATE, "payload.other_household_id",
                      "要并入的家庭已无现有成员（可能已并入其他家庭）");
    int rc = check_relation(f, c->relation, "payload.other_head_relation", r);
    if (rc)
        return rc;
    if (f->home->nmembers + other->nmembers > HOUSEHOLD_MAX_MEMBERS) {
        char why[200];
        snprintf(why, sizeof why, "合并后超过一个家庭最多 %d 名成员", HOUSEHOLD_MAX_MEMBERS);
        return refuse(r, MZ_EVALIDATE, "payload.other_household_id", why);
    }
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static int move_region(const struct household_change *c, const struct household_facts *f,
                       struct household_refusal *r)
{
    int rc = check_region(f, c->region, "payload.region", r);
    if (rc)
        return rc;
    if (strcmp(c->region, f->home->region) == 0 &&
        (!c->address || same_text(c->address, f->home->address)))
        return refuse(r, MZ_EVALIDATE, "payload.region", "新区划与现区划相同，没有要变更的内容");
    return 0;
}

int household_rule_change(const struct household_change *c, const struct household_facts *f,
                          struct household_refusal *r)
{
    if (f->home->nmembers == 0)
        return refuse(r, MZ_ECONFLICT, "id", "该家庭已无现有成员（可能已并入其他家庭），不能再变更");
    switch (c->kind) {
    case HOUSEHOLD_ADD_MEMBER:
        return add_member(c, f, r);
    case HOUSEHOLD_REMOVE_MEMBER:
        return remove_member(c, f, r);
    case HOUSEHOLD_CHANGE_HEAD:
        return change_head(c, f, r);
    case HOUSEHOLD_SPLIT:
        return split(c, f, r);
    case HOUSEHOLD_MERGE:
        return merge(c, f, r);
    case HOUSEHOLD_MOVE_REGION:
        return move_region(c, f, r);
    }
    return refuse(r, MZ_EVALIDATE, "kind", "未知的变更类型");
}
