/*
 * assist/case.h — 社会救助 cases (申请与审核确认): one application of a household (or a
 * single-person household, 单人户) for a programme, followed from 受理 to 在保 and its end
 * (issue #10 "Applications and the case workflow"; shared/domain/rules.md §1.5, §1.7, §2.3,
 * §2.6, §3.3, §4).
 *
 * A case is its append-only list of actions. Each programme's workflow is the one explicit
 * state machine of case_fsm.c: a table of actions, the states each may be taken from, the state
 * it leads to and the permission it needs. case_replay() derives the state and the facts the
 * guards need (visits, 核对, 公示 dates, objections, the decision) from the actions alone;
 * case_deadlines() computes every deadline of §1.5 / §2.3 in working days on the official
 * calendar. assist_case keeps the derived state for lists (written in the same transaction).
 *
 * Files: case_fsm.c (pure: states, actions, guards, replay, deadlines), case_store.c (SQL),
 * case_routes.c (POST/GET /api/v1/assist/cases, POST …/{id}/actions), task_routes.c
 * (GET /api/v1/tasks). Tests: tests/unit/assist/test_case_fsm.c, tests/api/cases/
 * assist_cases.json, tests/api/scenarios/assist.mjs.
 */
#ifndef MZ_ASSIST_CASE_H
#define MZ_ASSIST_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist_rules.h"
#include "http.h"
#include "ids.h"

struct calendar;

enum case_programme {
    CASE_DIBAO,          /* 最低生活保障 (城市 / 农村 by the case's urban flag) */
    CASE_TEKUN,          /* 特困人员救助供养 (集中 / 分散 by care_mode) */
    CASE_LSHI_URGENT,    /* 临时救助 急难型 */
    CASE_LSHI_EXPENSE,   /* 临时救助 支出型 */
    CASE_EDGE,           /* 低保边缘家庭认定 */
    CASE_GANGXING,       /* 刚性支出困难家庭认定 */
    CASE_PROGRAMME_COUNT
};

enum case_state {
    CS_INCOMPLETE,       /* 待补正: 一次性告知 given, materials missing */
    CS_ACCEPTED,         /* 已受理 */
    CS_INVESTIGATING,    /* 调查核对中 */
    CS_PUBLICITY,        /* 公示中 */
    CS_DISPUTED,         /* 公示有异议: re-investigation or 民主评议, then a new opinion */
    CS_DECIDING,         /* 待审批确认 (county, or the township where delegated) */
    CS_REFUSED,          /* 不予批准, the written notice not yet served */
    CS_REJECTED,         /* 不予批准, notice served (final) */
    CS_ACTIVE,           /* 在保 */
    CS_TAPERING,         /* 渐退期 */
    CS_SUSPENDED,        /* 暂停发放 */
    CS_TERMINATED,       /* 终止 (final) */
    CS_GRANTED,          /* 临时救助 approved (one-off; final) */
    CS_PRIOR_PAID,       /* 急难型 先行救助 paid, the record to be completed */
    CS_RECOGNISED,       /* 低保边缘 / 刚性支出 recognised (final until it lapses) */
    CS_WITHDRAWN,        /* 撤回或终止办理 before a decision (final) */
    CS_COUNT
};

enum case_action {
    CA_ACCEPT,           /* 受理 — the first action, taken by creating the case */
    CA_SUPPLEMENT,       /* 补正材料 */
    CA_START_INVESTIGATION, /* 启动调查 */
    CA_REQUEST_CHECK,    /* 发起家庭经济状况核对 */
    CA_RECORD_CHECK,     /* 录入核对结果 */
    CA_RECORD_VISIT,     /* 入户调查 (≥ min_investigators) */
    CA_SUBMIT_OPINION,   /* 乡镇初审意见 */
    CA_OBJECT,           /* 公示异议 */
    CA_APPRAISE,         /* 民主评议 */
    CA_END_PUBLICITY,    /* 公示期满无异议 */
    CA_APPROVE,          /* 审批确认 */
    CA_REFUSE,           /* 不予批准 */
    CA_SEND_BACK,        /* 退回补充调查 (not a refusal) */
    CA_NOTIFY_REFUSAL,   /* 送达不予批准通知书 */
    CA_WITHDRAW,         /* 撤回 / 终止办理 */
    CA_REVIEW,           /* 复核 */
    CA_START_TAPER,      /* 渐退 */
    CA_SUSPEND,          /* 暂停 */
    CA_RESUME,           /* 恢复 */
    CA_TERMINATE,        /* 终止 */
    CA_PAY_FIRST,        /* 先行救助 */
    CA_COMPLETE_RECORD,  /* 补办手续 */
    CA_ADJUST,           /* 补发或扣回: an amount owed or overpaid, settled by the payroll */
    CA_PROPOSE_STOP,     /* 拟终止公示 (特困: 7 days before the termination, TK-43 Art. 26) */
    CA_COUNT
};

/* ---------------------------------------------------------------- names (case_fsm.c) */

const char *case_programme_name(enum case_programme p);   /* "dibao" … */
const char *case_programme_label(enum case_programme p);  /* zh-CN */
int case_programme_parse(const char *name, enum case_programme *out);
const char *case_state_name(enum case_state s);           /* "accepted" … */
const char *case_state_label(enum case_state s);          /* zh-CN */
int case_state_parse(const char *name, enum case_state *out);
const char *case_action_name(enum case_action a);
const char *case_action_label(enum case_action a);
int case_action_parse(const char *name, enum case_action *out);
/* The programme family whose settings (delegation, first month) apply. */
enum assist_program case_programme_family(enum case_programme p);
/* True for the states no action leaves. */
bool case_state_final(enum case_state s);

/* ---------------------------------------------------------------- the action log, replayed */

/* One action as the guards and deadlines need it (parsed from its row by case_store.c). */
struct case_event {
    enum case_action action;
    enum case_state to;
    int day;                  /* yyyymmdd, China time */
    int investigators;        /* CA_RECORD_VISIT: distinct investigators named */
    bool county_level;        /* CA_RECORD_VISIT: by a county (or higher) actor */
    bool positive;            /* CA_RECORD_CHECK: passed; CA_SUBMIT_OPINION: agrees */
};

/* What the log says about a case now. */
struct case_summary {
    enum case_state state;
    int accepted_on;          /* day of CA_ACCEPT / CA_SUPPLEMENT that made it accepted */
    int investigation_on;     /* CA_START_INVESTIGATION, 0 when none */
    int check_requested_on;   /* the latest CA_REQUEST_CHECK */
    int check_done_on;        /* the latest CA_RECORD_CHECK */
    bool check_recorded;      /* a 核对 result since investigation (re)started */
    bool check_passed;        /* … and it found the household within the conditions */
    int visit_investigators;  /* most investigators of one visit since investigation (re)started */
    bool county_visit;        /* a county-level visit at any time (§1.5 step 9) */
    int opinion_on;           /* the latest 初审意见 */
    int publicity_on;         /* the latest publicity's start (the opinion's day) */
    int objected_on;          /* the latest objection, 0 when none */
    bool objection_ever;      /* an objection extends the 低保 limit to 45 (DB-57 Art. 22) */
    int deciding_on;          /* the day the file reached the decision stage */
    int decided_on;           /* approval or refusal day */
    int notified_on;          /* refusal notice served */
    int stop_publicity_on;    /* 特困: the latest termination publicity's start */
    int terminated_on;        /* the termination decision */
    enum case_state before_suspension; /* where CA_RESUME returns: active or tapering */
};

/* Replays n events in order into *out. Returns 0, or MZ_EINVAL when an event could not have
 * been taken in the state the earlier ones leave (a corrupt log). */
int case_replay(enum case_programme p, const struct case_event *ev, size_t n,
                struct case_summary *out);

/* ---------------------------------------------------------------- transitions */

/* Who takes an action. */
enum case_actor {
    ACTOR_INTAKE,        /* assist:case:intake — the township window */
    ACTOR_INVESTIGATE,   /* assist:case:investigate */
    ACTOR_REVIEW,        /* assist:case:review — township 审核 */
    ACTOR_DECIDE,        /* assist:case:decide — county 审批 (or ACTOR_REVIEW where delegated) */
};

const char *case_actor_permission(enum case_actor a);

/* The facts a guard looks at besides the summary. */
struct case_context {
    enum case_programme programme;
    bool staff_relative;      /* 近亲属 of a caseworker: county visit before the decision */
    bool delegated;           /* the county delegated confirmation of this programme */
    bool actor_county;        /* the actor's scope is a county or wider */
    int today;                /* yyyymmdd */
    const struct assist_settings *settings;
    const struct calendar *cal;
};

/* Parameters of an action that change where it leads. */
struct case_step {
    enum case_action action;
    bool positive;            /* CA_SUBMIT_OPINION: agree; CA_RECORD_CHECK: passed */
    bool incomplete;          /* CA_ACCEPT: missing items were listed (一次性告知) */
};

/* The actor kinds that may take action a for programme p where delegated or not. */
enum case_actor case_action_actor(enum case_action a, const struct case_context *cx);

/*
 * Checks that step may be taken now and gives the state it leads to. 0 with *to set;
 * MZ_ECONFLICT when the case's state does not allow the action, or a guard fails (publicity
 * not over, too few investigators, no 核对 result, a required county visit missing …), with
 * *why a zh-CN sentence naming what is missing (static storage or from the guard's buffer).
 */
int case_transition(const struct case_summary *s, const struct case_context *cx,
                    const struct case_step *step, enum case_state *to, const char **why,
                    char *buf, size_t buflen);

/* The actions possible from the summary's state for the programme (for the UI): a bitmask of
 * 1u << enum case_action, guards not applied. */
uint32_t case_actions_from(enum case_programme p, enum case_state s);

/* ---------------------------------------------------------------- deadlines */

#define CASE_MAX_DEADLINES 6

struct case_deadline {
    const char *name;         /* "start_investigation" … */
    const char *label;        /* zh-CN */
    const char *basis;        /* "DB-57 Art. 15" … */
    int due;                  /* yyyymmdd */
    int done;                 /* the day it was met, 0 while open */
};

/*
 * The deadlines of the case's current and past stages (rules.md §1.5 steps 3, 4, 7, 9–11;
 * §2.3; closing table), each with its basis; n written to *n. The current stage's open
 * deadline with the earliest date is the case's due date: *due (0 when none).
 */
void case_deadlines(const struct case_summary *s, const struct case_context *cx,
                    struct case_deadline out[CASE_MAX_DEADLINES], int *n, int *due);

/* ---------------------------------------------------------------- store (case_store.c) */

struct db;
struct arena;
struct scope;
struct jw;

#define CASE_NONE (-1)        /* an amount not decided */

/* One row of assist_case. Days and months are 0 when not set. */
struct case_row {
    int64_t id;
    enum case_programme programme;
    bool urban, single_person, residence_permit, staff_relative, authorised, extended;
    char region[REGION_CODE_LEN + 1];
    int64_t household_id;     /* 0 for a 单人户 without a household record */
    int64_t applicant_id;
    const char *channel;
    const char *care_mode;    /* NULL unless 特困 */
    enum case_state state;
    int action_count;
    int accepted_on, due_on;
    /* the decision, read by the payroll */
    const char *amount_method; /* NULL, "gap", "fixed", "tekun", "once" */
    int64_t per_capita_income_fen, fixed_amount_fen;   /* CASE_NONE when not set */
    int covered_members, care_tier;
    int start_month, stop_month, taper_until, next_review_on;
    int64_t bank_account_id;
    int64_t created_by, created_at, updated_at;
};

struct case_member_row {
    int64_t person_id;
    const char *relation;
    bool covered;
    const char *excluded_reason;  /* NULL when covered */
    const char *name, *id_number; /* from the registry when read back; NULL when written */
};

struct case_item_row {
    const char *kind;             /* "income" or "property" */
    const char *type;
    int64_t person_id;            /* 0 when for the household */
    int64_t amount_fen;
    int months;
    const char *note;
};

struct case_action_row {
    int64_t id, case_id;
    int seq;
    enum case_action action;
    const char *from_state;       /* NULL for the first */
    enum case_state to;
    int64_t actor_id;
    const char *actor_login;
    int64_t at;
    int day;
    const char *comment, *data;   /* data: a JSON object text or NULL */
    const char *idempotency_key, *request_hash;
};

int case_store_insert(struct db *db, const struct case_row *c, const struct case_member_row *m,
                      int nm, const struct case_item_row *items, int ni);
/* The case within scope. 0, MZ_ENOTFOUND or a database error. */
int case_store_load(struct db *db, struct arena *a, const struct scope *scope, int64_t id,
                    struct case_row *out);
int case_store_members(struct db *db, struct arena *a, int64_t id, struct case_member_row **out,
                       int *n);
int case_store_items(struct db *db, struct arena *a, int64_t id, struct case_item_row **out,
                     int *n);
int case_store_actions(struct db *db, struct arena *a, int64_t id, struct case_action_row **out,
                       int *n);
/* The parsed events of n action rows (into the arena). */
int case_events_of(struct arena *a, const struct case_action_row *rows, int n,
                   struct case_event **out);
int case_store_append(struct db *db, const struct case_action_row *r);
/* Writes the case's derived and decided columns when its action count is still `expected`;
 * MZ_ECONFLICT when another action came first. */
int case_store_update(struct db *db, const struct case_row *c, int expected);
/* The action an actor took with an idempotency key: 0 with *case_id (0 when none) and the
 * request's hash copied into hash (65 bytes). */
int case_store_by_key(struct db *db, int64_t actor_id, const char *key, int64_t *case_id,
                      char hash[65]);
/* The open case of applicant for programme, 0 when none. */
int case_store_open(struct db *db, int64_t applicant_id, enum case_programme p, int64_t *id);
/* Records an amount owed (positive, paid by the next payroll) or overpaid (negative, for
 * review) for a month of the case (assist_adjustment). */
int case_store_adjustment(struct db *db, int64_t case_id, int32_t for_month, int64_t amount_fen,
                          const char *reason, int64_t created_by, int64_t now);

/* The route table (case_routes.c) and the work list (task_routes.c). */
extern const struct route case_routes[];
extern const struct route task_routes[];

#endif
