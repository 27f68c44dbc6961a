/*
 * assist/case_action.h — what the case files share inside assist/: reading an application
 * (case_intake.c), the inputs and effects of each action (case_actions.c), and the helpers of
 * case_routes.c they call back. Not for other domains: they use the routes.
 */
#ifndef MZ_ASSIST_CASE_ACTION_H
#define MZ_ASSIST_CASE_ACTION_H

#include <jansson.h>

#include "case.h"

struct principal;

/* An application as read from POST /api/v1/assist/cases. */
struct case_application {
    struct case_row row;
    struct case_member_row *members;
    int nmembers;
    struct case_item_row *items;
    int nitems;
    int nmissing;                 /* items of the 一次性告知 (missing materials) */
    const char *comment;
    json_t *data;                 /* the accept action's data (owned) */
};

/* Reads and validates the body (types, sizes, code lists). 0 or the recorded error. */
int case_application_parse(struct request *rq, struct case_application *app);
/* Checks the applicant and household within the caller's scope and fills the members and the
 * region from the household (§1.2, §1.4). In the caller's transaction. */
int case_application_check(struct request *rq, struct case_application *app);

/* The assist_income_type of an income item's type name ("wage" …). 0 or MZ_EINVAL. */
int case_income_type_parse(const char *name, enum assist_income_type *out);

/* True when the principal holds a permission that can take action a anywhere. */
bool case_action_permitted_any(const struct principal *p, enum case_action a);
/* Reads the action's inputs from the body, checks actor, state and guards, applies its effects
 * to *c and appends it (case_append). In the caller's transaction. */
int case_action_take(struct request *rq, struct case_row *c, const struct case_summary *sum,
                     struct case_context *cx, const struct case_action_row *rows, int n,
                     enum case_action action, const char *key, const char *hash);

/* case_routes.c */
/* The business day of an action: the body's "on" (YYYY-MM-DD: a step done on paper and entered
 * later) or today. Not in the future, not before `previous` (the last action's day, 0 for
 * none), at most CASE_BACKDATE_DAYS ago. */
#define CASE_BACKDATE_DAYS 366
int case_business_day(struct request *rq, int previous, int *day);
int case_settings(struct request *rq, const char *region12, struct assist_settings *out);
int case_today(const struct request *rq);
bool case_actor_county(const struct request *rq);
int case_derive(struct request *rq, const struct case_row *c, const struct assist_settings *s,
                struct case_action_row **rows, int *n, struct case_summary *sum,
                struct case_context *cx);
int case_append(struct request *rq, struct case_row *c, const struct case_summary *sum,
                struct case_context *cx, const struct case_action_row *prior, int nprior,
                const struct case_step *step, enum case_state to, const char *comment,
                json_t *data, const char *key, const char *hash);

/* A case search (GET /api/v1/assist/cases). */
struct case_query {
    const char *under;            /* 12-digit subtree root, or NULL */
    const char *state;            /* a state name, or NULL */
    const char *programme;        /* a programme name, or NULL */
    int64_t after;
    long limit;
};
/* Writes {"items":[…],"paid_fen":…} of the case's payment lines outside cancelled batches. */
int case_store_payments(struct db *db, int64_t case_id, struct jw *w);
/* Writes {"items":[…],"next":…} of the cases within scope matching q. */
int case_store_search(struct db *db, struct arena *a, const struct scope *scope,
                      const struct case_query *q, int today, struct jw *w);

#endif
