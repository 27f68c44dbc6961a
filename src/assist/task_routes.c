/*
 * assist/task_routes.c — the work list (待办): GET /api/v1/tasks returns the cases within the
 * caller's scope that wait for an action the caller's roles may take, with their deadlines,
 * overdue first and then by due date; periodic reviews that fell due (复核, rules.md §1.7) and
 * 渐退 periods that ended are tasks too. Counts per state (all cases in scope) feed the
 * dashboard. Requirements: issue #10 "Work lists". A household in payment with a member recorded
 * dead is a task too (death_review: review within 3 months, rules.md §1.7).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "case_action.h"
#include "db.h"
#include "errors.h"
#include "json.h"
#include "mask.h"
#include "scope.h"

#define TASKS_MAX 500
/* A covered member of the case has been recorded dead: the household is reviewed within
 * death_review_months (rules.md §1.7; DD-2022 一(三)). */
#define DEATH "EXISTS (SELECT 1 FROM assist_case_member m JOIN person p ON p.id = m.person_id " \
              "WHERE m.case_id = assist_case.id AND m.covered = 1 AND p.alive = 0)"

static int tasks_list(struct request *rq);

const struct route task_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/tasks", .fn = tasks_list, .perm = "assist:case:read",
      .tag = "assist", .summary = "我的待办：等待本人办理的案件（逾期在前）及各状态案件数",
      .params = { { "limit", "query", "integer", "条数（1–500，默认 100）", false } } },
    { 0 },
};

/* The actions of state s (any programme) the caller may take. */
static uint32_t my_actions(const struct request *rq, enum case_state s)
{
    struct case_context own = { .actor_county = case_actor_county(rq) };
    struct case_context delegated = own;
    delegated.delegated = true;
    uint32_t mine = 0;
    for (int p = 0; p < CASE_PROGRAMME_COUNT; p++) {
        uint32_t next = case_actions_from((enum case_programme)p, s);
        for (int a = 0; a < CA_COUNT; a++) {
            if (!(next & (1u << a)))
                continue;
            enum case_actor who = case_action_actor((enum case_action)a, &own);
            enum case_actor alt = case_action_actor((enum case_action)a, &delegated);
            bool can = (principal_can(rq->who, case_actor_permission(who)) &&
                        (who != ACTOR_DECIDE || own.actor_county)) ||
                       principal_can(rq->who, case_actor_permission(alt));
            if (can)
                mine |= 1u << a;
        }
    }
    return mine;
}

/* Actions that keep a case waiting for someone: records (check, visit, appraise, review) keep
 * the state and are not what a case waits for, except that a case under inquiry waits for them. */
static bool waits_on_me(const struct request *rq, enum case_state s)
{
    if (s == CS_ACTIVE || s == CS_TAPERING || case_state_final(s))
        return false;
    return my_actions(rq, s) != 0;
}

static void write_task(struct request *rq, struct db_stmt *st, struct jw *w, int today)
{
    enum case_programme p;
    enum case_state s;
    case_programme_parse(db_col_text(st, 1, NULL), &p);
    case_state_parse(db_col_text(st, 2, NULL), &s);
    int due = db_col_null(st, 5) ? 0 : (int)db_col_int64(st, 5);
    int review = db_col_null(st, 6) ? 0 : (int)db_col_int64(st, 6);
    const char *reason = "deadline";
    if (s == CS_ACTIVE || s == CS_TAPERING) {
        bool ended = s == CS_TAPERING && !db_col_null(st, 7) && db_col_int64(st, 7) < today / 100;
        bool death = db_col_int64(st, 8) != 0;
        reason = death ? "death_review" : ended ? "taper_ended" : "review_due";
        due = ended || death ? 0 : review;
    }
    jw_obj(w);
    jw_kv_str(w, "id", arena_printf(rq->arena, "%lld", (long long)db_col_int64(st, 0)));
    jw_kv_str(w, "programme", case_programme_name(p));
    jw_kv_str(w, "programme_label", case_programme_label(p));
    jw_kv_str(w, "state", case_state_name(s));
    jw_kv_str(w, "state_label", case_state_label(s));
    jw_kv_str(w, "region", db_col_text(st, 3, NULL));
    jw_kv_str(w, "applicant_id", arena_printf(rq->arena, "%lld",
                                              (long long)db_col_int64(st, 4)));
    char name[256];
    jw_kv_str(w, "applicant_name", mask_name(db_col_text(st, 9, NULL), name, sizeof name));
    jw_kv_str(w, "reason", reason);
    if (due)
        jw_kv_str(w, "due_on", arena_printf(rq->arena, "%04d-%02d-%02d", due / 10000,
                                            due / 100 % 100, due % 100));
    else {
        jw_key(w, "due_on");
        jw_null(w);
    }
    jw_kv_bool(w, "overdue", due && today > due);
    jw_key(w, "actions");
    jw_arr(w);
    uint32_t mine = my_actions(rq, s) & case_actions_from(p, s);
    for (int a = 0; a < CA_COUNT; a++)
        if (mine & (1u << a))
            jw_str(w, case_action_name((enum case_action)a));
    jw_arr_end(w);
    jw_obj_end(w);
}

static int write_tasks(struct request *rq, struct jw *w, long limit, int today)
{
    struct db_stmt *st;
    int rc = db_prepare(rq->db,
        "SELECT id, programme, state, region, applicant_id, due_on, next_review_on, taper_until, "
        " CASE WHEN state IN ('active', 'tapering', 'suspended') AND " DEATH " THEN 1 ELSE 0 END, "
        " (SELECT name FROM person WHERE person.id = assist_case.applicant_id) "
        "FROM assist_case WHERE region >= ? AND region < ? AND ("
        " state IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " OR (? = 1 AND state IN ('active', 'tapering') AND (next_review_on <= ? OR " DEATH "))"
        " OR (? = 1 AND state = 'tapering' AND taper_until < ?)) "
        "ORDER BY CASE WHEN COALESCE(due_on, next_review_on) IS NULL THEN 1 ELSE 0 END, "
        "COALESCE(due_on, next_review_on), id LIMIT ?", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, &rq->who->scope);
    int k = 3;
    for (int s = 0; s < CS_COUNT; s++) {
        const char *name = waits_on_me(rq, (enum case_state)s) ? case_state_name(s) : "";
        db_bind_text(st, k++, name, strlen(name));
    }
    bool reviews = (my_actions(rq, CS_ACTIVE) & (1u << CA_REVIEW)) != 0;
    bool stops = (my_actions(rq, CS_TAPERING) & (1u << CA_TERMINATE)) != 0;
    db_bind_int64(st, k++, reviews);
    db_bind_int64(st, k++, today);
    db_bind_int64(st, k++, stops);
    db_bind_int64(st, k++, today / 100);
    db_bind_int64(st, k, limit);
    jw_key(w, "items");
    jw_arr(w);
    while ((rc = db_step(st)) == 1)
        write_task(rq, st, w, today);
    jw_arr_end(w);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int write_counts(struct request *rq, struct jw *w, int today)
{
    struct db_stmt *st;
    int rc = db_prepare(rq->db, "SELECT state, COUNT(*), SUM(CASE WHEN due_on < ? THEN 1 "
                        "ELSE 0 END) FROM assist_case WHERE region >= ? AND region < ? "
                        "GROUP BY state ORDER BY state", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, today);
    scope_bind(st, 2, &rq->who->scope);
    int64_t overdue = 0;
    jw_key(w, "counts");
    jw_obj(w);
    while ((rc = db_step(st)) == 1) {
        jw_kv_int(w, db_col_text(st, 0, NULL), db_col_int64(st, 1));
        overdue += db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
    }
    jw_obj_end(w);
    jw_kv_int(w, "overdue", overdue);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int tasks_list(struct request *rq)
{
    long limit;
    int rc = http_query_long(rq, "limit", 100, 1, TASKS_MAX, &limit);
    if (rc)
        return rc;
    int today = case_today(rq);
    struct jw w;
    jw_init(&w, 4u << 20);
    jw_obj(&w);
    rc = write_tasks(rq, &w, limit, today);
    if (rc == 0)
        rc = write_counts(rq, &w, today);
    if (rc == 0)
        rc = http_audit(rq, "assist.tasks.read", "assist_case", "-", NULL, "success", NULL);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}
