/*
 * registry/household.h — 家庭 (households): a head (户主), members with their relation to the
 * head (GB/T 4761-2008 家庭关系代码), a region, and whether the members live together
 * (共同生活). Requirements: issue #5, households part.
 *
 * A person belongs to at most one current household; joins and leaves are dated (joined_on,
 * left_on) and kept. A household changes only through typed requests (变更申请) — add member,
 * remove member, change head, split (分户), merge (合户), move region — that one person files
 * and a second person applies or rejects, each validated as a whole against the current state.
 *
 * Three files: household_rules.c (the pure rules: a request against a state, no I/O),
 * household_store.c (SQL, always within the caller's data scope) and household_routes.c (the
 * route table and thin handlers). Other layers use the route table only.
 */
#ifndef MZ_HOUSEHOLD_H
#define MZ_HOUSEHOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "http.h"
#include "record.h"
#include "scope.h"

extern const struct route household_routes[];

/* ---------------------------------------------------------------- rules (household_rules.c) */

#define HOUSEHOLD_MAX_MEMBERS 50   /* members of one household, the head included */
#define HOUSEHOLD_RELATION_SELF "01"  /* 本人: never a member's relation to the head */
#define HOUSEHOLD_RELATION_HEAD "02"  /* 户主: the head's own row, and only the head's */

enum household_kind {
    HOUSEHOLD_ADD_MEMBER,
    HOUSEHOLD_REMOVE_MEMBER,
    HOUSEHOLD_CHANGE_HEAD,
    HOUSEHOLD_SPLIT,
    HOUSEHOLD_MERGE,
    HOUSEHOLD_MOVE_REGION,
};

/* A current member: the person and the GB/T 4761 code of their relation to the head. */
struct household_member {
    int64_t person_id;
    const char *relation;
};

/* A household as it stands: its current members (left_on NULL), head included. */
struct household_state {
    int64_t id;
    char region[REGION_CODE_LEN + 1];
    const char *address;          /* NULL when none */
    bool living_together;
    int64_t head_person_id;
    struct household_member *members;
    int nmembers;
};

/* A person named by a household or a request, as the database sees them now. */
struct household_person {
    int64_t id;
    bool visible;                 /* exists, and lies inside the caller's scope */
    int64_t household_id;         /* their current household, 0 when none */
};

/* What the rules may look at besides the input; everything is borrowed. */
struct household_facts {
    const struct scope *scope;                /* the caller's data scope */
    const struct household_person *persons;   /* every person the input names, looked up */
    int npersons;
    const struct household_state *home;       /* a request's household; NULL on create */
    const struct household_state *other;      /* merge: the other household when visible */
    bool (*relation_known)(const char *code); /* membership of the GB/T 4761 code list */
};

/* A new household (POST /api/v1/households). members exclude the head unless listed with
 * relation 02 or none; the head's own relation is always 02. */
struct household_new {
    char region[REGION_CODE_LEN + 1];
    const char *address;          /* NULL when none */
    bool living_together;
    int64_t head_person_id;
    struct household_member *members; /* relation NULL when not given */
    int nmembers;
};

/* A typed change request, parsed. Unused members are 0 / NULL / "". */
struct household_change {
    enum household_kind kind;
    int64_t person_id;            /* add_member, remove_member, change_head */
    const char *relation;         /* add_member: the newcomer's; change_head: the old head's
                                   * relation to the new head (old_head_relation); merge: the
                                   * other head's relation to this head (other_head_relation) */
    int64_t *person_ids;          /* split: the members who leave */
    int npersons;
    int64_t new_head_person_id;   /* split */
    char region[REGION_CODE_LEN + 1]; /* move_region; split ("" = the household's) */
    const char *address;          /* move_region, split: NULL when not given */
    int64_t other_household_id;   /* merge */
};

/* Why a household or request is refused: the HTTP error, the JSON path and a zh-CN message. */
struct household_refusal {
    int code;                     /* MZ_EVALIDATE (bad input) or MZ_ECONFLICT (the state) */
    char field[64];
    char why[200];
};

/* The kind named by text ("add_member" …): 0 with *out set, or MZ_EINVAL. */
int household_kind_parse(const char *text, enum household_kind *out);
/* The wire name of a kind ("add_member" …). */
const char *household_kind_name(enum household_kind kind);

/*
 * Checks a new household as a whole: region inside scope; head and members visible persons;
 * every member relation a known code other than 01 and 02 (the head's is 02); nobody twice;
 * at most HOUSEHOLD_MAX_MEMBERS; nobody in a current household already (MZ_ECONFLICT).
 * Returns 0, or MZ_EVALIDATE / MZ_ECONFLICT with *r filled. Pure: no I/O, no clock.
 */
int household_rule_create(const struct household_new *h, const struct household_facts *f,
                          struct household_refusal *r);

/*
 * Checks a change request against f->home (and f->other for a merge) as a whole, so that the
 * result still has a head in every household and nobody in two: see household_rules.c for the
 * rules of each kind. Fields are named "payload.…". Returns 0, or MZ_EVALIDATE / MZ_ECONFLICT
 * with *r filled. Pure: no I/O, no clock.
 */
int household_rule_change(const struct household_change *c, const struct household_facts *f,
                          struct household_refusal *r);

/* ---------------------------------------------------------------- store (household_store.c) */

struct arena;
struct db;
struct jw;

/* A change request as stored. */
struct household_request {
    int64_t id;
    int64_t household_id;
    int64_t other_household_id;   /* 0 when none */
    enum household_kind kind;
    const char *payload;          /* compact JSON */
    const char *status;           /* "pending", "applied", "rejected" */
    int64_t created_by;
    char region[REGION_CODE_LEN + 1]; /* the household's */
};

struct household_query {
    const char *under;            /* 12-digit subtree root, or NULL */
    int64_t person_id;            /* a current member, 0 for any */
    const char *head_name;        /* prefix of the head's name, or NULL */
    int64_t after;                /* keyset cursor (id) */
    long limit;
};

/* Looks up n persons (ids may repeat) for the rules; *out (n entries, in the arena) is in the
 * same order. Returns 0 or a database error. */
int household_store_persons(struct db *db, struct arena *a, const struct scope *scope,
                            const int64_t *ids, int n, struct household_person **out);
/* Loads household id within scope with its current members (into the arena). Returns 0,
 * MZ_ENOTFOUND, or a database error. */
int household_store_load(struct db *db, struct arena *a, const struct scope *scope, int64_t id,
                         struct household_state *out);
/* Takes the write lock on household id within scope (a no-op UPDATE) so that concurrent
 * requests touching it wait for each other; lock several in ascending id order. Returns 0 or a
 * database error (0 also when it is not visible: the load that follows says so). */
int household_store_lock(struct db *db, const struct scope *scope, int64_t id);
/* The id of a pending request touching household a or b (either column) into *rid, 0 when
 * none. Returns 0 or a database error. */
int household_store_pending(struct db *db, int64_t a, int64_t b, int64_t *rid);

/* Inserts a checked household with its members (joined today, "YYYY-MM-DD") and history rows.
 * MZ_ECONFLICT with *busy_person set when a member joined another household meanwhile.
 * Returns 0 with *id set, or MZ_E…. */
int household_store_insert(struct db *db, const struct household_new *h,
                           const struct record_actor *actor, int64_t now, const char *today,
                           int64_t *id, int64_t *busy_person);
/* Inserts a pending request. Returns 0 with *rid set, or a database error. */
int household_store_request_insert(struct db *db, const struct household_state *home,
                                   const struct household_change *c, const char *payload,
                                   int64_t created_by, int64_t now, int64_t *rid);
/* Loads request rid of household hid, the household within scope. Returns 0, MZ_ENOTFOUND, or
 * a database error. */
int household_store_request_load(struct db *db, struct arena *a, const struct scope *scope,
                                 int64_t hid, int64_t rid, struct household_request *out);
/* Marks a pending request applied or rejected (reason may be NULL); other_id (0: unchanged)
 * records a split's new household. MZ_ECONFLICT when it is no longer pending. */
int household_store_request_decide(struct db *db, int64_t rid, const char *status,
                                   int64_t by, int64_t now, const char *reason, int64_t other_id);
/* Performs a checked change in the caller's transaction: dated member rows, the household
 * columns, history rows. *new_id receives a split's new household (else 0). MZ_ECONFLICT with
 * *busy_person set when a member joined another household meanwhile. */
int household_store_apply(struct db *db, const struct household_state *home,
                          const struct household_state *other, const struct household_change *c,
                          const struct record_actor *actor, int64_t now, const char *today,
                          int64_t *new_id, int64_t *busy_person);

/* The household as JSON (members masked, past members, pending requests, history); its region
 * into region (13 bytes). Returns 0, MZ_ENOTFOUND, or a database error. */
int household_store_get(struct db *db, const struct scope *scope, int64_t id, struct jw *w,
                        char *region);
/* "items":[…],"next":…,"total":N inside an open object, within scope. MZ_EINVAL when under is
 * not a region code. */
int household_store_search(struct db *db, const struct scope *scope,
                           const struct household_query *q, struct jw *w);
/* One request as a JSON object. Returns 0, MZ_ENOTFOUND, or a database error. */
int household_store_request_get(struct db *db, int64_t rid, struct jw *w);

#endif
