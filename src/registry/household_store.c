/*
 * registry/household_store.c — SQL of 家庭 (households): the household, its dated members, its
 * change requests and its history (record_change rows, record_type 'household'). Requirements:
 * issue #5, households part; see household.h.
 *
 * Every read of household or person binds the caller's scope (`region >= ? AND region < ?`);
 * a household outside it is MZ_ENOTFOUND like one that does not exist. Writes run inside the
 * caller's transaction (db_begin … db_finish), after household_store_lock() on each household
 * touched, so concurrent requests on one household queue up on PostgreSQL as on SQLite.
 * A member joins with INSERT … ON CONFLICT DO NOTHING and a check, never by catching an error
 * (PostgreSQL aborts the transaction on any error).
 *
 * History rows: "(created)", "member+" (to "person:relation"), "member-" (from
 * "person:relation"), "relation" (from/to "person:relation"), "head" (person ids), "region",
 * "address", "split_to"/"split_from" and "merged_into"/"merged_from" (household ids).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "household.h"
#include "json.h"
#include "mask.h"
#include "users.h"

#define TYPE "household"

static void bind_text_or_null(struct db_stmt *st, int index, const char *v)
{
    if (v && *v)
        db_bind_text(st, index, v, strlen(v));
    else
        db_bind_null(st, index);
}

static void bind_id_or_null(struct db_stmt *st, int index, int64_t id)
{
    if (id)
        db_bind_int64(st, index, id);
    else
        db_bind_null(st, index);
}

/* Runs a statement that returns no rows; *changes (may be NULL) receives the rows changed. */
static int run(struct db_stmt *st, int64_t *changes)
{
    int rc = db_step(st);
    if (rc == 0 && changes)
        *changes = db_changes(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static char *id_text(char buf[24], int64_t id)
{
    snprintf(buf, 24, "%" PRId64, id);
    return buf;
}

/* "person:relation" for history rows. */
static char *member_text(char buf[40], int64_t person, const char *relation)
{
    snprintf(buf, 40, "%" PRId64 ":%s", person, relation ? relation : "");
    return buf;
}

/* ---------------------------------------------------------------- lookups */

int household_store_persons(struct db *db, struct arena *a, const struct scope *scope,
                            const int64_t *ids, int n, struct household_person **out)
{
    struct household_person *p = arena_calloc(a, (size_t)n + 1, sizeof *p);
    for (int i = 0; i < n; i++) {
        struct db_stmt *st;
        int rc = db_prepare(db, "SELECT m.household_id FROM person p LEFT JOIN household_member m "
                                "ON m.person_id = p.id AND m.left_on IS NULL "
                                "WHERE p.id = ? AND p.region >= ? AND p.region < ?", &st);
        if (rc)
            return rc;
        db_bind_int64(st, 1, ids[i]);
        scope_bind(st, 2, scope);
        rc = db_step(st);
        p[i].id = ids[i];
        p[i].visible = rc == 1;
        p[i].household_id = rc == 1 && !db_col_null(st, 0) ? db_col_int64(st, 0) : 0;
        db_reset(st);
        if (rc < 0)
            return rc;
    }
    *out = p;
    return 0;
}

static int load_members(struct db *db, struct arena *a, struct household_state *h)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT person_id, relation FROM household_member "
                            "WHERE household_id = ? AND left_on IS NULL "
                            "ORDER BY joined_on, person_id", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, h->id);
    int cap = 16;
    h->members = arena_calloc(a, (size_t)cap, sizeof *h->members);
    h->nmembers = 0;
    while ((rc = db_step(st)) == 1) {
        if (h->nmembers == cap) {
            struct household_member *more = arena_calloc(a, (size_t)cap * 2, sizeof *more);
            memcpy(more, h->members, (size_t)cap * sizeof *more);
            h->members = more;
            cap *= 2;
        }
        struct household_member *m = &h->members[h->nmembers++];
        m->person_id = db_col_int64(st, 0);
        m->relation = arena_strdup(a, db_col_text(st, 1, NULL));
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int household_store_load(struct db *db, struct arena *a, const struct scope *scope, int64_t id,
                         struct household_state *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT region, address, living_together, head_person_id "
                            "FROM household WHERE id = ? AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1) {
        memset(out, 0, sizeof *out);
        out->id = id;
        snprintf(out->region, sizeof out->region, "%s", db_col_text(st, 0, NULL));
        const char *address = db_col_text(st, 1, NULL);
        out->address = address ? arena_strdup(a, address) : NULL;
        out->living_together = db_col_int64(st, 2) != 0;
        out->head_person_id = db_col_int64(st, 3);
    }
    db_reset(st);
    if (rc != 1)
        return rc == 0 ? MZ_ENOTFOUND : rc;
    return load_members(db, a, out);
}

int household_store_lock(struct db *db, const struct scope *scope, int64_t id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household SET version = version "
                            "WHERE id = ? AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    return run(st, NULL);
}

/* Deliberately not limited to the scope: a pending request filed by a wider scope (a merge of
 * two counties' households by the city) must still block this one; only its id is reported. */
int household_store_pending(struct db *db, int64_t a, int64_t b, int64_t *rid)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM household_request WHERE status = 'pending' AND "
                            "(household_id = ? OR household_id = ? OR other_household_id = ? "
                            "OR other_household_id = ?) ORDER BY id LIMIT 1", &st);
    if (rc)
        return rc;
    for (int i = 1; i <= 4; i++)
        db_bind_int64(st, i, i % 2 ? a : b);
    rc = db_step(st);
    *rid = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- writing pieces */

static int add_history(struct db *db, int64_t hid, const char *region,
                       const struct record_actor *actor, int64_t now, const char *field,
                       const char *old_value, const char *new_value)
{
    return record_history_add(db, TYPE, hid, region, actor, now, field, old_value, new_value);
}

/* The person's current household, 0 when none. */
static int current_household(struct db *db, int64_t person, int64_t *hid)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT household_id FROM household_member "
                            "WHERE person_id = ? AND left_on IS NULL", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, person);
    rc = db_step(st);
    *hid = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Reopens the row of a person who left household hid earlier today and rejoins it today. */
static int member_reopen(struct db *db, int64_t hid, int64_t person, const char *relation,
                         const char *today)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household_member SET left_on = NULL, relation = ? "
                            "WHERE household_id = ? AND person_id = ? AND joined_on = ? "
                            "AND left_on IS NOT NULL", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, relation, strlen(relation));
    db_bind_int64(st, 2, hid);
    db_bind_int64(st, 3, person);
    db_bind_text(st, 4, today, strlen(today));
    int64_t changed = 0;
    rc = run(st, &changed);
    return rc ? rc : changed == 1 ? 0 : MZ_ECONFLICT;
}

/* Person joins hid today. MZ_ECONFLICT when they are in a current household already. */
static int member_join(struct db *db, int64_t hid, int64_t person, const char *relation,
                       const char *today)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO household_member (household_id, person_id, relation, "
                            "joined_on) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, hid);
    db_bind_int64(st, 2, person);
    db_bind_text(st, 3, relation, strlen(relation));
    db_bind_text(st, 4, today, strlen(today));
    int64_t inserted = 0;
    rc = run(st, &inserted);
    if (rc || inserted)
        return rc;
    int64_t busy = 0;
    rc = current_household(db, person, &busy);
    if (rc || busy)
        return rc ? rc : MZ_ECONFLICT;
    return member_reopen(db, hid, person, relation, today); /* left hid today, back today */
}

/* Person leaves hid today. MZ_ECONFLICT when they are not a current member. */
static int member_leave(struct db *db, int64_t hid, int64_t person, const char *today)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household_member SET left_on = ? "
                            "WHERE household_id = ? AND person_id = ? AND left_on IS NULL", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, today, strlen(today));
    db_bind_int64(st, 2, hid);
    db_bind_int64(st, 3, person);
    int64_t changed = 0;
    rc = run(st, &changed);
    return rc ? rc : changed == 1 ? 0 : MZ_ECONFLICT;
}

static int member_relation(struct db *db, int64_t hid, int64_t person, const char *relation)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household_member SET relation = ? "
                            "WHERE household_id = ? AND person_id = ? AND left_on IS NULL", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, relation, strlen(relation));
    db_bind_int64(st, 2, hid);
    db_bind_int64(st, 3, person);
    int64_t changed = 0;
    rc = run(st, &changed);
    return rc ? rc : changed == 1 ? 0 : MZ_ECONFLICT;
}

/* Sets head, region and address of hid (NULL head/region: unchanged) and bumps its version. */
static int household_update(struct db *db, int64_t hid, int64_t head, const char *region,
                            const char *address, bool set_address, int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household SET head_person_id = COALESCE(CAST(? AS BIGINT), "
                            "head_person_id), region = COALESCE(CAST(? AS TEXT), region), "
                            "address = CASE WHEN CAST(? AS INTEGER) = 1 THEN CAST(? AS TEXT) "
                            "ELSE address END, version = version + 1, updated_at = ? "
                            "WHERE id = ?", &st);
    if (rc)
        return rc;
    bind_id_or_null(st, 1, head);
    bind_text_or_null(st, 2, region);
    db_bind_int64(st, 3, set_address ? 1 : 0);
    bind_text_or_null(st, 4, address);
    db_bind_int64(st, 5, now);
    db_bind_int64(st, 6, hid);
    return run(st, NULL);
}

static int household_row_insert(struct db *db, int64_t id, const char *region,
                                const char *address, bool living_together, int64_t head,
                                int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO household (id, region, address, head_person_id, "
                            "living_together, version, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, 1, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, region, strlen(region));
    bind_text_or_null(st, 3, address);
    db_bind_int64(st, 4, head);
    db_bind_int64(st, 5, living_together ? 1 : 0);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, now);
    return run(st, NULL);
}

/* Joins person to hid with its history row; *busy set on MZ_ECONFLICT. */
static int join_logged(struct db *db, int64_t hid, const char *region, int64_t person,
                       const char *relation, const struct record_actor *actor, int64_t now,
                       const char *today, int64_t *busy)
{
    char text[40];
    int rc = member_join(db, hid, person, relation, today);
    if (rc == MZ_ECONFLICT)
        *busy = person;
    if (rc == 0)
        rc = add_history(db, hid, region, actor, now, "member+", NULL,
                         member_text(text, person, relation));
    return rc;
}

static int leave_logged(struct db *db, int64_t hid, const char *region,
                        const struct household_member *m, const struct record_actor *actor,
                        int64_t now, const char *today)
{
    char text[40];
    int rc = member_leave(db, hid, m->person_id, today);
    if (rc == 0)
        rc = add_history(db, hid, region, actor, now, "member-",
                         member_text(text, m->person_id, m->relation), NULL);
    return rc;
}

static int relation_logged(struct db *db, int64_t hid, const char *region,
                           const struct household_member *m, const char *relation,
                           const struct record_actor *actor, int64_t now)
{
    char from[40], to[40];
    int rc = member_relation(db, hid, m->person_id, relation);
    if (rc == 0 && strcmp(m->relation, relation) != 0)
        rc = add_history(db, hid, region, actor, now, "relation",
                         member_text(from, m->person_id, m->relation),
                         member_text(to, m->person_id, relation));
    return rc;
}

/* ---------------------------------------------------------------- create */

int household_store_insert(struct db *db, const struct household_new *h,
                           const struct record_actor *actor, int64_t now, const char *today,
                           int64_t *id, int64_t *busy_person)
{
    int64_t hid = users_new_id();
    int rc = household_row_insert(db, hid, h->region, h->address, h->living_together,
                                  h->head_person_id, now);
    if (rc == 0)
        rc = add_history(db, hid, h->region, actor, now, "(created)", NULL, NULL);
    if (rc == 0)
        rc = join_logged(db, hid, h->region, h->head_person_id, HOUSEHOLD_RELATION_HEAD, actor,
                         now, today, busy_person);
    for (int i = 0; rc == 0 && i < h->nmembers; i++)
        if (h->members[i].person_id != h->head_person_id)
            rc = join_logged(db, hid, h->region, h->members[i].person_id,
                             h->members[i].relation, actor, now, today, busy_person);
    if (rc == 0)
        *id = hid;
    return rc;
}

/* ---------------------------------------------------------------- requests */

int household_store_request_insert(struct db *db, const struct household_state *home,
                                   const struct household_change *c, const char *payload,
                                   int64_t created_by, int64_t now, int64_t *rid)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO household_request (id, household_id, "
                            "other_household_id, kind, payload, status, region, created_by, "
                            "created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)", &st);
    if (rc)
        return rc;
    int64_t id = users_new_id();
    const char *kind = household_kind_name(c->kind);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, home->id);
    bind_id_or_null(st, 3, c->kind == HOUSEHOLD_MERGE ? c->other_household_id : 0);
    db_bind_text(st, 4, kind, strlen(kind));
    db_bind_text(st, 5, payload, strlen(payload));
    db_bind_text(st, 6, home->region, strlen(home->region));
    db_bind_int64(st, 7, created_by);
    db_bind_int64(st, 8, now);
    rc = run(st, NULL);
    if (rc == 0)
        *rid = id;
    return rc;
}

int household_store_request_load(struct db *db, struct arena *a, const struct scope *scope,
                                 int64_t hid, int64_t rid, struct household_request *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT r.other_household_id, r.kind, r.payload, r.status, "
                            "r.created_by, h.region FROM household_request r JOIN household h "
                            "ON h.id = r.household_id WHERE r.id = ? AND r.household_id = ? "
                            "AND h.region >= ? AND h.region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, rid);
    db_bind_int64(st, 2, hid);
    scope_bind(st, 3, scope);
    rc = db_step(st);
    if (rc == 1) {
        out->id = rid;
        out->household_id = hid;
        out->other_household_id = db_col_null(st, 0) ? 0 : db_col_int64(st, 0);
        if (household_kind_parse(db_col_text(st, 1, NULL), &out->kind) != 0)
            rc = MZ_EINTERNAL;
        out->payload = arena_strdup(a, db_col_text(st, 2, NULL));
        out->status = arena_strdup(a, db_col_text(st, 3, NULL));
        out->created_by = db_col_int64(st, 4);
        snprintf(out->region, sizeof out->region, "%s", db_col_text(st, 5, NULL));
    }
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

int household_store_request_decide(struct db *db, int64_t rid, const char *status,
                                   int64_t by, int64_t now, const char *reason, int64_t other_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE household_request SET status = ?, decided_by = ?, "
                            "decided_at = ?, reason = ?, other_household_id = "
                            "COALESCE(CAST(? AS BIGINT), other_household_id) "
                            "WHERE id = ? AND status = 'pending'", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, status, strlen(status));
    db_bind_int64(st, 2, by);
    db_bind_int64(st, 3, now);
    bind_text_or_null(st, 4, reason);
    bind_id_or_null(st, 5, other_id);
    db_bind_int64(st, 6, rid);
    int64_t changed = 0;
    rc = run(st, &changed);
    return rc ? rc : changed == 1 ? 0 : MZ_ECONFLICT;
}

/* ---------------------------------------------------------------- applying a change */

/* What every apply step needs. */
struct apply_ctx {
    struct db *db;
    const struct household_state *home;
    const struct household_state *other;
    const struct household_change *c;
    const struct record_actor *actor;
    int64_t now;
    const char *today;
    int64_t *busy;
};

static const struct household_member *find_member(const struct household_state *h, int64_t id)
{
    for (int i = 0; i < h->nmembers; i++)
        if (h->members[i].person_id == id)
            return &h->members[i];
    return NULL;
}

static int apply_add(const struct apply_ctx *x)
{
    const struct household_state *home = x->home;
    int rc = join_logged(x->db, home->id, home->region, x->c->person_id, x->c->relation,
                         x->actor, x->now, x->today, x->busy);
    return rc ? rc : household_update(x->db, home->id, 0, NULL, NULL, false, x->now);
}

static int apply_remove(const struct apply_ctx *x)
{
    const struct household_state *home = x->home;
    const struct household_member *m = find_member(home, x->c->person_id);
    int rc = m ? leave_logged(x->db, home->id, home->region, m, x->actor, x->now, x->today)
               : MZ_ECONFLICT;
    return rc ? rc : household_update(x->db, home->id, 0, NULL, NULL, false, x->now);
}

/* The old head takes the given relation, the new head 02, the household the new head. */
static int apply_change_head(const struct apply_ctx *x)
{
    const struct household_state *home = x->home;
    const struct household_member *old_head = find_member(home, home->head_person_id);
    const struct household_member *new_head = find_member(home, x->c->person_id);
    if (!old_head || !new_head)
        return MZ_ECONFLICT;
    char from[24], to[24];
    int rc = relation_logged(x->db, home->id, home->region, old_head, x->c->relation, x->actor,
                             x->now);
    if (rc == 0)
        rc = relation_logged(x->db, home->id, home->region, new_head, HOUSEHOLD_RELATION_HEAD,
                             x->actor, x->now);
    if (rc == 0)
        rc = household_update(x->db, home->id, new_head->person_id, NULL, NULL, false, x->now);
    if (rc == 0)
        rc = add_history(x->db, home->id, home->region, x->actor, x->now, "head",
                         id_text(from, home->head_person_id), id_text(to, new_head->person_id));
    return rc;
}

/* The leaving members move from home to a new household headed by the new head; the others
 * keep their relation codes. Region and address default to the household's (the address only
 * when the region is the same). */
static int apply_split(const struct apply_ctx *x, int64_t *new_id)
{
    const struct household_state *home = x->home;
    const struct household_change *c = x->c;
    const char *region = c->region[0] ? c->region : home->region;
    const char *address = c->address ? c->address
                          : strcmp(region, home->region) == 0 ? home->address : NULL;
    int64_t nid = users_new_id();
    char text[24];
    int rc = household_row_insert(x->db, nid, region, address, home->living_together,
                                  c->new_head_person_id, x->now);
    if (rc == 0)
        rc = add_history(x->db, nid, region, x->actor, x->now, "(created)", NULL, NULL);
    if (rc == 0)
        rc = add_history(x->db, nid, region, x->actor, x->now, "split_from", NULL,
                         id_text(text, home->id));
    for (int i = 0; rc == 0 && i < c->npersons; i++) {
        const struct household_member *m = find_member(home, c->person_ids[i]);
        rc = m ? leave_logged(x->db, home->id, home->region, m, x->actor, x->now, x->today)
               : MZ_ECONFLICT;
        if (rc == 0)
            rc = join_logged(x->db, nid, region, m->person_id,
                             m->person_id == c->new_head_person_id ? HOUSEHOLD_RELATION_HEAD
                                                                   : m->relation,
                             x->actor, x->now, x->today, x->busy);
    }
    if (rc == 0)
        rc = add_history(x->db, home->id, home->region, x->actor, x->now, "split_to", NULL,
                         id_text(text, nid));
    if (rc == 0)
        rc = household_update(x->db, home->id, 0, NULL, NULL, false, x->now);
    if (rc == 0)
        *new_id = nid;
    return rc;
}

/* Every member of the other household moves here; its head takes the given relation, the
 * others keep theirs. The other household stays, without current members. */
static int apply_merge(const struct apply_ctx *x)
{
    const struct household_state *home = x->home, *other = x->other;
    if (!other)
        return MZ_ECONFLICT;
    int rc = 0;
    char text[24];
    for (int i = 0; rc == 0 && i < other->nmembers; i++) {
        const struct household_member *m = &other->members[i];
        rc = leave_logged(x->db, other->id, other->region, m, x->actor, x->now, x->today);
        if (rc == 0)
            rc = join_logged(x->db, home->id, home->region, m->person_id,
                             m->person_id == other->head_person_id ? x->c->relation
                                                                   : m->relation,
                             x->actor, x->now, x->today, x->busy);
    }
    if (rc == 0)
        rc = add_history(x->db, other->id, other->region, x->actor, x->now, "merged_into", NULL,
                         id_text(text, home->id));
    if (rc == 0)
        rc = add_history(x->db, home->id, home->region, x->actor, x->now, "merged_from", NULL,
                         id_text(text, other->id));
    if (rc == 0)
        rc = household_update(x->db, other->id, 0, NULL, NULL, false, x->now);
    if (rc == 0)
        rc = household_update(x->db, home->id, 0, NULL, NULL, false, x->now);
    return rc;
}

static bool same_text(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

static int apply_move(const struct apply_ctx *x)
{
    const struct household_state *home = x->home;
    const struct household_change *c = x->c;
    int rc = household_update(x->db, home->id, 0, c->region, c->address, c->address != NULL,
                              x->now);
    if (rc == 0 && strcmp(c->region, home->region) != 0)
        rc = add_history(x->db, home->id, c->region, x->actor, x->now, "region", home->region,
                         c->region);
    if (rc == 0 && c->address && !same_text(c->address, home->address))
        rc = add_history(x->db, home->id, c->region, x->actor, x->now, "address", home->address,
                         c->address);
    return rc;
}

int household_store_apply(struct db *db, const struct household_state *home,
                          const struct household_state *other, const struct household_change *c,
                          const struct record_actor *actor, int64_t now, const char *today,
                          int64_t *new_id, int64_t *busy_person)
{
    struct apply_ctx x = { db, home, other, c, actor, now, today, busy_person };
    *new_id = 0;
    switch (c->kind) {
    case HOUSEHOLD_ADD_MEMBER:
        return apply_add(&x);
    case HOUSEHOLD_REMOVE_MEMBER:
        return apply_remove(&x);
    case HOUSEHOLD_CHANGE_HEAD:
        return apply_change_head(&x);
    case HOUSEHOLD_SPLIT:
        return apply_split(&x, new_id);
    case HOUSEHOLD_MERGE:
        return apply_merge(&x);
    case HOUSEHOLD_MOVE_REGION:
        return apply_move(&x);
    }
    return MZ_EINTERNAL;
}

/* ---------------------------------------------------------------- reading as JSON */

static void kv_id(struct jw *w, const char *key, int64_t id)
{
    char buf[24];
    jw_key(w, key);
    if (id)
        jw_str(w, id_text(buf, id));
    else
        jw_null(w);
}

static void kv_masked_id_number(struct jw *w, const char *id_number)
{
    char buf[32];
    jw_kv_str(w, "id_number", mask_id_number(id_number, buf, sizeof buf));
}

/* The household row and its head (inside an open object). */
static int write_household(struct db *db, const struct scope *scope, int64_t id, struct jw *w,
                           char *region)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT h.region, h.address, h.living_together, h.head_person_id, "
                            "h.version, h.created_at, h.updated_at, p.name, p.id_number "
                            "FROM household h JOIN person p ON p.id = h.head_person_id "
                            "WHERE h.id = ? AND h.region >= ? AND h.region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1) {
        kv_id(w, "id", id);
        jw_kv_str(w, "region", db_col_text(st, 0, NULL));
        jw_kv_str(w, "address", db_col_text(st, 1, NULL));
        jw_kv_bool(w, "living_together", db_col_int64(st, 2) != 0);
        jw_key(w, "head");
        jw_obj(w);
        kv_id(w, "person_id", db_col_int64(st, 3));
        jw_kv_str(w, "name", db_col_text(st, 7, NULL));
        kv_masked_id_number(w, db_col_text(st, 8, NULL));
        jw_obj_end(w);
        jw_kv_int(w, "version", db_col_int64(st, 4));
        jw_kv_int(w, "created_at", db_col_int64(st, 5));
        jw_kv_int(w, "updated_at", db_col_int64(st, 6));
        snprintf(region, REGION_CODE_LEN + 1, "%s", db_col_text(st, 0, NULL));
    }
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

/* "members" (current, the head first) or "past_members"; *count receives their number. */
static int write_members(struct db *db, int64_t id, bool current, struct jw *w, int *count)
{
    static const char *const sql[2] = {
        "SELECT m.person_id, p.name, p.id_number, m.relation, m.joined_on, m.left_on "
        "FROM household_member m JOIN person p ON p.id = m.person_id "
        "WHERE m.household_id = ? AND m.left_on IS NOT NULL "
        "ORDER BY m.left_on DESC, m.joined_on DESC, m.person_id",
        "SELECT m.person_id, p.name, p.id_number, m.relation, m.joined_on, m.left_on "
        "FROM household_member m JOIN person p ON p.id = m.person_id "
        "WHERE m.household_id = ? AND m.left_on IS NULL "
        "ORDER BY CASE WHEN m.relation = '02' THEN 0 ELSE 1 END, m.joined_on, m.person_id",
    };
    struct db_stmt *st;
    int rc = db_prepare(db, sql[current], &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    jw_key(w, current ? "members" : "past_members");
    jw_arr(w);
    *count = 0;
    while ((rc = db_step(st)) == 1) {
        const char *relation = db_col_text(st, 3, NULL);
        jw_obj(w);
        kv_id(w, "person_id", db_col_int64(st, 0));
        jw_kv_str(w, "name", db_col_text(st, 1, NULL));
        kv_masked_id_number(w, db_col_text(st, 2, NULL));
        jw_kv_str(w, "relation", relation);
        jw_kv_str(w, "relation_label", dict_label("relation", relation));
        jw_kv_str(w, "joined_on", db_col_text(st, 4, NULL));
        if (!current)
            jw_kv_str(w, "left_on", db_col_text(st, 5, NULL));
        jw_obj_end(w);
        (*count)++;
    }
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

#define REQUEST_COLUMNS                                                                        \
    "SELECT r.id, r.household_id, r.other_household_id, r.kind, r.payload, r.status, "        \
    "r.created_by, u.login, r.created_at, r.decided_by, d.login, r.decided_at, r.reason "     \
    "FROM household_request r JOIN household h ON h.id = r.household_id "                     \
    "LEFT JOIN app_user u ON u.id = r.created_by LEFT JOIN app_user d ON d.id = r.decided_by "

/* One row of REQUEST_COLUMNS as an object. */
static void write_request_row(struct db_stmt *st, struct jw *w)
{
    size_t n = 0;
    const char *payload = db_col_text(st, 4, &n);
    jw_obj(w);
    kv_id(w, "id", db_col_int64(st, 0));
    kv_id(w, "household_id", db_col_int64(st, 1));
    kv_id(w, "other_household_id", db_col_null(st, 2) ? 0 : db_col_int64(st, 2));
    jw_kv_str(w, "kind", db_col_text(st, 3, NULL));
    jw_key(w, "payload");
    jw_raw(w, payload, n); /* written by household_routes.c as compact JSON */
    jw_kv_str(w, "status", db_col_text(st, 5, NULL));
    kv_id(w, "created_by", db_col_int64(st, 6));
    jw_kv_str(w, "created_by_login", db_col_text(st, 7, NULL));
    jw_kv_int(w, "created_at", db_col_int64(st, 8));
    kv_id(w, "decided_by", db_col_null(st, 9) ? 0 : db_col_int64(st, 9));
    jw_kv_str(w, "decided_by_login", db_col_text(st, 10, NULL));
    jw_key(w, "decided_at");
    if (db_col_null(st, 11))
        jw_null(w);
    else
        jw_int(w, db_col_int64(st, 11));
    jw_kv_str(w, "reason", db_col_text(st, 12, NULL));
    jw_obj_end(w);
}

/* "requests": the pending requests touching household id (either column). */
static int write_pending(struct db *db, int64_t id, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, REQUEST_COLUMNS "WHERE r.status = 'pending' AND "
                            "(r.household_id = ? OR r.other_household_id = ?) ORDER BY r.id",
                        &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, id);
    jw_key(w, "requests");
    jw_arr(w);
    while ((rc = db_step(st)) == 1)
        write_request_row(st, w);
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int household_store_request_get(struct db *db, int64_t rid, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, REQUEST_COLUMNS "WHERE r.id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, rid);
    rc = db_step(st);
    if (rc == 1)
        write_request_row(st, w);
    db_reset(st);
    return rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc;
}

static const char *history_label(const char *field)
{
    static const struct { const char *field, *label; } labels[] = {
        { "(created)", "创建" },         { "member+", "成员加入" },
        { "member-", "成员离开" },       { "relation", "与户主关系" },
        { "head", "户主" },              { "region", "所属区划" },
        { "address", "地址" },           { "split_to", "分出新户" },
        { "split_from", "由原户分出" },  { "merged_into", "并入其他家庭" },
        { "merged_from", "并入本户" },
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].field, field) == 0)
            return labels[i].label;
    return field;
}

/* "history" rows; *merged_into receives the household this one was merged into, 0 if none. */
static int write_history(struct db *db, int64_t id, struct jw *w, int64_t *merged_into)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT at, actor_login, field, old_value, new_value "
                            "FROM record_change WHERE record_type = ? AND record_id = ? "
                            "ORDER BY id", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, TYPE, strlen(TYPE));
    db_bind_int64(st, 2, id);
    *merged_into = 0;
    jw_key(w, "history");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        const char *field = db_col_text(st, 2, NULL);
        jw_obj(w);
        jw_kv_int(w, "at", db_col_int64(st, 0));
        jw_kv_str(w, "by", db_col_text(st, 1, NULL));
        jw_kv_str(w, "field", field);
        jw_kv_str(w, "label", history_label(field));
        jw_kv_str(w, "from", db_col_text(st, 3, NULL));
        jw_kv_str(w, "to", db_col_text(st, 4, NULL));
        jw_obj_end(w);
        if (strcmp(field, "merged_into") == 0)
            *merged_into = db_col_int64(st, 4);
    }
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int household_store_get(struct db *db, const struct scope *scope, int64_t id, struct jw *w,
                        char *region)
{
    jw_obj(w);
    int current = 0, past = 0;
    int64_t merged_into = 0;
    int rc = write_household(db, scope, id, w, region);
    if (rc == 0)
        rc = write_members(db, id, true, w, &current);
    if (rc == 0)
        rc = write_members(db, id, false, w, &past);
    if (rc == 0)
        rc = write_pending(db, id, w);
    if (rc == 0)
        rc = write_history(db, id, w, &merged_into);
    if (rc == 0) {
        jw_kv_bool(w, "active", current > 0);
        kv_id(w, "merged_into", current > 0 ? 0 : merged_into);
    }
    jw_obj_end(w);
    return rc;
}

/* ---------------------------------------------------------------- search */

#define SEARCH_WHERE                                                                           \
    "FROM household h JOIN person p ON p.id = h.head_person_id "                              \
    "WHERE h.region >= ? AND h.region < ? AND h.region >= ? AND h.region < ? "                \
    "AND (CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM household_member m "             \
    "WHERE m.household_id = h.id AND m.person_id = ? AND m.left_on IS NULL)) "                \
    "AND (CAST(? AS TEXT) IS NULL OR p.name LIKE ? ESCAPE '\\') "

/* The LIKE pattern "prefix%" with % _ \ escaped, or NULL. */
static char *like_prefix(struct arena *a, const char *prefix)
{
    if (!prefix)
        return NULL;
    size_t n = strlen(prefix);
    char *like = arena_alloc(a, 2 * n + 2), *o = like;
    for (size_t i = 0; i < n; i++) {
        if (strchr("%_\\", prefix[i]))
            *o++ = '\\';
        *o++ = prefix[i];
    }
    *o++ = '%';
    *o = '\0';
    return like;
}

/* Binds SEARCH_WHERE's parameters from 1; returns the next free index. */
static int bind_search(struct db_stmt *st, const struct scope *scope, const struct scope *under,
                       const struct household_query *q, const char *like)
{
    scope_bind(st, 1, scope);
    scope_bind(st, 3, under);
    bind_id_or_null(st, 5, q->person_id);
    bind_id_or_null(st, 6, q->person_id);
    bind_text_or_null(st, 7, like);
    bind_text_or_null(st, 8, like);
    return 9;
}

static int search_total(struct db *db, const struct scope *scope, const struct scope *under,
                        const struct household_query *q, const char *like, int64_t *total)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) " SEARCH_WHERE, &st);
    if (rc)
        return rc;
    bind_search(st, scope, under, q, like);
    rc = db_step(st);
    *total = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static void write_search_row(struct db_stmt *st, struct jw *w)
{
    jw_obj(w);
    kv_id(w, "id", db_col_int64(st, 0));
    jw_kv_str(w, "region", db_col_text(st, 1, NULL));
    jw_kv_str(w, "address", db_col_text(st, 2, NULL));
    jw_kv_bool(w, "living_together", db_col_int64(st, 3) != 0);
    jw_key(w, "head");
    jw_obj(w);
    kv_id(w, "person_id", db_col_int64(st, 4));
    jw_kv_str(w, "name", db_col_text(st, 5, NULL));
    jw_obj_end(w);
    jw_kv_int(w, "member_count", db_col_int64(st, 6));
    jw_obj_end(w);
}

int household_store_search(struct db *db, const struct scope *scope,
                           const struct household_query *q, struct jw *w)
{
    struct scope under = *scope;
    if (q->under && scope_from_region(q->under, &under) != 0)
        return MZ_EINVAL;
    struct arena *a = arena_new();
    const char *like = like_prefix(a, q->head_name);
    int64_t total = 0;
    int rc = search_total(db, scope, &under, q, like, &total);
    struct db_stmt *st = NULL;
    if (rc == 0)
        rc = db_prepare(db, "SELECT h.id, h.region, h.address, h.living_together, "
                            "h.head_person_id, p.name, (SELECT COUNT(*) FROM household_member c "
                            "WHERE c.household_id = h.id AND c.left_on IS NULL) "
                            SEARCH_WHERE "AND h.id > ? ORDER BY h.id LIMIT ?", &st);
    if (rc == 0) {
        int k = bind_search(st, scope, &under, q, like);
        db_bind_int64(st, k, q->after);
        db_bind_int64(st, k + 1, q->limit + 1);
    }
    long n = 0;
    int64_t last = 0;
    jw_key(w, "items");
    jw_arr(w);
    while (rc == 0 && (rc = db_step(st)) == 1 && n < q->limit) {
        last = db_col_int64(st, 0);
        write_search_row(st, w);
        n++;
        rc = 0;
    }
    jw_arr_end(w);
    kv_id(w, "next", rc == 1 ? last : 0);
    jw_kv_int(w, "total", total);
    if (st)
        db_reset(st);
    arena_free(a);
    return rc < 0 ? rc : 0;
}
