/*
 * assist/case_routes.c — the HTTP surface of cases (case.h): take an application (受理), read a
 * case with its history and deadlines, list cases, and take an action on a case.
 *
 * Every state-changing request carries an Idempotency-Key header: the first request with a key
 * acts, a retry with the same key and body gets the same case back (replayed: true) and never
 * acts twice, the same key with another body is refused (422). An action is checked against the
 * state machine (case_fsm.c) on the state derived from the log; the wrong state, or a guard that
 * fails, is 409 with a sentence saying why. The action, the case's derived columns and the audit
 * entry are one transaction; a concurrent action on the same case loses with 409.
 * Action-specific inputs and effects (amounts, months, notices) are in case_actions.c.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "calendar.h"
#include "case.h"
#include "case_action.h"
#include "db.h"
#include "errors.h"
#include "household.h"
#include "json.h"
#include "mask.h"
#include "route_args.h"
#include "scope.h"
#include "setting.h"
#include "users.h"

#define KEY_MAX 100
#define CASE_LIST_MAX 200

static int case_create(struct request *rq);
static int case_get(struct request *rq);
static int case_list(struct request *rq);
static int case_act(struct request *rq);
static int case_payments(struct request *rq);

const struct route case_routes[] = {
    { .method = HTTP_POST, .path = "/api/v1/assist/cases", .fn = case_create,
      .perm = "assist:case:intake", .flags = R_BODY | R_WRITE, .tag = "assist",
      .summary = "受理社会救助申请（须带 Idempotency-Key 请求头）", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/cases", .fn = case_list,
      .perm = "assist:case:read", .tag = "assist",
      .summary = "查询救助案件（本人管辖范围内）",
      .params = { { "under", "query", "string", "行政区划代码（其下全部）", false },
                  { "state", "query", "string", "案件状态", false },
                  { "programme", "query", "string", "救助项目", false },
                  { "after", "query", "string", "翻页游标（上一页最后一个 id）", false },
                  { "limit", "query", "integer", "每页条数（1–200，默认 50）", false } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/cases/{id}", .fn = case_get,
      .perm = "assist:case:read", .tag = "assist",
      .summary = "救助案件详情：成员、收入财产、办理记录、各环节时限",
      .params = { { "id", "path", "string", "案件 id", true } } },
    { .method = HTTP_GET, .path = "/api/v1/assist/cases/{id}/payments", .fn = case_payments,
      .perm = "assist:case:read", .tag = "assist",
      .summary = "案件的发放台账：每月发放明细、补发、重发及银行回盘结果",
      .params = { { "id", "path", "string", "案件 id", true } } },
    { .method = HTTP_POST, .path = "/api/v1/assist/cases/{id}/actions", .fn = case_act,
      .perm = "assist:case:read", .flags = R_BODY | R_WRITE, .tag = "assist",
      .summary = "办理案件的一个环节（受理后各环节；须带 Idempotency-Key 请求头）",
      .params = { { "id", "path", "string", "案件 id", true } } },
    { 0 },
};

/* ---------------------------------------------------------------- shared */

int case_settings(struct request *rq, const char *region12, struct assist_settings *out)
{
    return assist_settings_load(rq->db, rq->arena, region12, out);
}

int case_today(const struct request *rq) { return calendar_day(rq->now); }

int case_business_day(struct request *rq, int previous, int *day)
{
    const char *on = json_string_value(json_object_get(rq->body, "on"));
    int today = case_today(rq), earliest = calendar_day(rq->now - 86400LL * CASE_BACKDATE_DAYS);
    *day = today;
    if (!json_object_get(rq->body, "on"))
        return previous > today ? http_fail(rq, MZ_ECONFLICT, "on", "上一环节的日期晚于今天") : 0;
    if (!on || calendar_date_parse(on, strlen(on), day) != 0)
        return http_fail(rq, MZ_EVALIDATE, "on", "办理日期应为 YYYY-MM-DD");
    if (*day > today || *day < earliest)
        return http_fail(rq, MZ_EVALIDATE, "on", "办理日期不能晚于今天，也不能早于一年前");
    if (*day < previous)
        return http_fail(rq, MZ_EVALIDATE, "on", "办理日期不能早于上一环节的日期");
    return 0;
}

bool case_actor_county(const struct request *rq)
{
    return ids_region_level(rq->who->region) <= 3;
}

/* The Idempotency-Key header (1–100 printable ASCII) and the hash of what it asks: method, path
 * and the body in canonical form. */
static int idempotency(struct request *rq, const char **key, char hash[65])
{
    *key = http_header(rq, "Idempotency-Key");
    size_t len = *key ? strlen(*key) : 0;
    if (len == 0 || len > KEY_MAX)
        return http_fail(rq, MZ_EBADREQ, "Idempotency-Key",
                         "请在 Idempotency-Key 请求头中提供 1–100 个字符的幂等键，重试时使用同一个值");
    for (size_t i = 0; i < len; i++)
        if ((*key)[i] < 0x21 || (*key)[i] > 0x7e)
            return http_fail(rq, MZ_EBADREQ, "Idempotency-Key", "幂等键只能由可见 ASCII 字符组成");
    char *body = json_dumps(rq->body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!body)
        return MZ_ENOMEM;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)rq->url, strlen(rq->url) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)body, strlen(body));
    free(body);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(hash, 65, digest, sizeof digest);
    return 0;
}

/* Who acted, as stored with the action: a user's id, or minus an API token's. */
static int64_t actor_id(const struct request *rq)
{
    return rq->who->user_id ? rq->who->user_id : -rq->who->token_id;
}

/* A retry: the earlier request with this key and the same body gets its case back. *case_id is
 * 0 when the key is new. */
static int earlier(struct request *rq, const char *key, const char *hash, int64_t *case_id)
{
    char stored[65];
    int rc = case_store_by_key(rq->db, actor_id(rq), key, case_id, stored);
    if (rc == 0 && *case_id && strcmp(stored, hash) != 0)
        return http_fail(rq, MZ_EIDEMPOTENT, "Idempotency-Key",
                         "该幂等键已用于另一个不同的请求；新的操作请使用新的幂等键");
    return rc;
}

static const char *iso_day(struct arena *a, int day)
{
    return day ? arena_printf(a, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100)
               : NULL;
}

static const char *iso_month(struct arena *a, int month)
{
    return month ? arena_printf(a, "%04d-%02d", month / 100, month % 100) : NULL;
}

static void kv_str_or_null(struct jw *w, const char *key, const char *v)
{
    if (v)
        jw_kv_str(w, key, v);
    else {
        jw_key(w, key);
        jw_null(w);
    }
}

static void kv_int_or_null(struct jw *w, const char *key, int64_t v, int64_t none)
{
    if (v == none) {
        jw_key(w, key);
        jw_null(w);
    } else
        jw_kv_int(w, key, v);
}

static const char *id_text(struct request *rq, int64_t id)
{
    return arena_printf(rq->arena, "%lld", (long long)id);
}

/* The replayed summary and the context of a loaded case. */
int case_derive(struct request *rq, const struct case_row *c, const struct assist_settings *s,
                struct case_action_row **rows, int *n, struct case_summary *sum,
                struct case_context *cx)
{
    struct case_event *ev;
    int rc = case_store_actions(rq->db, rq->arena, c->id, rows, n);
    if (rc == 0)
        rc = case_events_of(rq->arena, *rows, *n, &ev);
    if (rc == 0 && case_replay(c->programme, ev, (size_t)*n, sum) != 0)
        rc = MZ_EINTERNAL;
    *cx = (struct case_context){
        .programme = c->programme, .staff_relative = c->staff_relative,
        .delegated = s->township_confirm[case_programme_family(c->programme)],
        .actor_county = case_actor_county(rq), .today = case_today(rq), .settings = s,
        .cal = calendar_current(),
    };
    return rc;
}

/* ---------------------------------------------------------------- the case as JSON */

static void write_deadlines(struct request *rq, struct jw *w, const struct case_summary *sum,
                            const struct case_context *cx)
{
    struct case_deadline d[CASE_MAX_DEADLINES];
    int n, due;
    case_deadlines(sum, cx, d, &n, &due);
    jw_key(w, "deadlines");
    jw_arr(w);
    for (int i = 0; i < n; i++) {
        jw_obj(w);
        jw_kv_str(w, "name", d[i].name);
        jw_kv_str(w, "label", d[i].label);
        jw_kv_str(w, "basis", d[i].basis);
        jw_kv_str(w, "due", iso_day(rq->arena, d[i].due));
        kv_str_or_null(w, "done", iso_day(rq->arena, d[i].done));
        jw_kv_bool(w, "overdue", d[i].done ? d[i].done > d[i].due : cx->today > d[i].due);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_decision(struct request *rq, struct jw *w, const struct case_row *c)
{
    jw_key(w, "decision");
    jw_obj(w);
    kv_str_or_null(w, "amount_method", c->amount_method);
    kv_int_or_null(w, "per_capita_income_fen", c->per_capita_income_fen, CASE_NONE);
    kv_int_or_null(w, "covered_members", c->covered_members, 0);
    kv_int_or_null(w, "fixed_amount_fen", c->fixed_amount_fen, CASE_NONE);
    kv_int_or_null(w, "care_tier", c->care_tier, 0);
    kv_str_or_null(w, "start_month", iso_month(rq->arena, c->start_month));
    kv_str_or_null(w, "stop_month", iso_month(rq->arena, c->stop_month));
    kv_str_or_null(w, "taper_until", iso_month(rq->arena, c->taper_until));
    kv_str_or_null(w, "next_review_on", iso_day(rq->arena, c->next_review_on));
    jw_obj_end(w);
}

static void write_actions(struct request *rq, struct jw *w, const struct case_action_row *a,
                          int n)
{
    jw_key(w, "actions");
    jw_arr(w);
    for (int i = 0; i < n; i++) {
        jw_obj(w);
        jw_kv_int(w, "seq", a[i].seq);
        jw_kv_str(w, "action", case_action_name(a[i].action));
        jw_kv_str(w, "label", case_action_label(a[i].action));
        kv_str_or_null(w, "from", a[i].from_state);
        jw_kv_str(w, "to", case_state_name(a[i].to));
        jw_kv_str(w, "actor", a[i].actor_login);
        jw_kv_int(w, "at", a[i].at);
        jw_kv_str(w, "day", iso_day(rq->arena, a[i].day));
        kv_str_or_null(w, "comment", a[i].comment);
        jw_key(w, "data");
        if (a[i].data)
            jw_raw(w, a[i].data, strlen(a[i].data));
        else
            jw_null(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_next(struct jw *w, const struct case_row *c)
{
    uint32_t next = case_actions_from(c->programme, c->state);
    jw_key(w, "next_actions");
    jw_arr(w);
    for (int a = 0; a < CA_COUNT; a++)
        if (next & (1u << a))
            jw_str(w, case_action_name((enum case_action)a));
    jw_arr_end(w);
}

static int write_members(struct request *rq, struct jw *w, const struct case_row *c)
{
    struct case_member_row *m;
    struct case_item_row *it;
    int nm, ni;
    int rc = case_store_members(rq->db, rq->arena, c->id, &m, &nm);
    if (rc == 0)
        rc = case_store_items(rq->db, rq->arena, c->id, &it, &ni);
    if (rc)
        return rc;
    jw_key(w, "members");
    jw_arr(w);
    for (int i = 0; i < nm; i++) {
        jw_obj(w);
        char masked[32];
        jw_kv_str(w, "person_id", id_text(rq, m[i].person_id));
        jw_kv_str(w, "name", m[i].name);
        jw_kv_str(w, "id_number", mask_id_number(m[i].id_number, masked, sizeof masked));
        jw_kv_str(w, "relation", m[i].relation);
        jw_kv_bool(w, "covered", m[i].covered);
        kv_str_or_null(w, "excluded_reason", m[i].excluded_reason);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_key(w, "items");
    jw_arr(w);
    for (int i = 0; i < ni; i++) {
        jw_obj(w);
        jw_kv_str(w, "kind", it[i].kind);
        jw_kv_str(w, "type", it[i].type);
        kv_str_or_null(w, "person_id", it[i].person_id ? id_text(rq, it[i].person_id) : NULL);
        jw_kv_int(w, "amount_fen", it[i].amount_fen);
        jw_kv_int(w, "months", it[i].months);
        kv_str_or_null(w, "note", it[i].note);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    return 0;
}

/* The whole case: facts, decision, members and items, deadlines, history, next actions. */
static int reply_case(struct request *rq, int status, int64_t id, bool replayed)
{
    struct case_row c;
    struct assist_settings s;
    struct case_action_row *rows;
    struct case_summary sum;
    struct case_context cx;
    int n;
    int rc = case_store_load(rq->db, rq->arena, &rq->who->scope, id, &c);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "案件不存在");
    if (rc == 0)
        rc = case_settings(rq, c.region, &s);
    if (rc == 0)
        rc = case_derive(rq, &c, &s, &rows, &n, &sum, &cx);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    jw_kv_str(&w, "id", id_text(rq, c.id));
    jw_kv_str(&w, "programme", case_programme_name(c.programme));
    jw_kv_str(&w, "programme_label", case_programme_label(c.programme));
    jw_kv_bool(&w, "urban", c.urban);
    jw_kv_str(&w, "region", c.region);
    kv_str_or_null(&w, "household_id", c.household_id ? id_text(rq, c.household_id) : NULL);
    jw_kv_str(&w, "applicant_id", id_text(rq, c.applicant_id));
    jw_kv_bool(&w, "single_person", c.single_person);
    jw_kv_str(&w, "channel", c.channel);
    jw_kv_bool(&w, "residence_permit", c.residence_permit);
    jw_kv_bool(&w, "staff_relative", c.staff_relative);
    jw_kv_bool(&w, "authorised", c.authorised);
    kv_str_or_null(&w, "care_mode", c.care_mode);
    jw_kv_str(&w, "state", case_state_name(c.state));
    jw_kv_str(&w, "state_label", case_state_label(c.state));
    kv_str_or_null(&w, "accepted_on", iso_day(rq->arena, c.accepted_on));
    kv_str_or_null(&w, "due_on", iso_day(rq->arena, c.due_on));
    jw_kv_bool(&w, "overdue", c.due_on && cx.today > c.due_on);
    jw_kv_bool(&w, "extended", c.extended);
    jw_kv_bool(&w, "bank_account", c.bank_account_id != 0);
    if (replayed)
        jw_kv_bool(&w, "replayed", true);
    write_decision(rq, &w, &c);
    rc = write_members(rq, &w, &c);
    write_deadlines(rq, &w, &sum, &cx);
    write_actions(rq, &w, rows, n);
    write_next(&w, &c);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, status, &w);
}

static int case_get(struct request *rq)
{
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = reply_case(rq, 200, id, false);
    if (rc == 0)
        rc = http_audit(rq, "assist.case.read", "assist_case", id_text(rq, id), NULL, "success",
                        NULL);
    return rc;
}

/* ---------------------------------------------------------------- appending an action */

/*
 * Appends the action of `step` to case *c (loaded, summary sum, context cx) with its data and
 * comment, updates the derived columns (state, deadline) from the replayed log, and audits it.
 * In the caller's transaction.
 */
int case_append(struct request *rq, struct case_row *c, const struct case_summary *sum,
                struct case_context *cx, const struct case_action_row *prior, int nprior,
                const struct case_step *step, enum case_state to, const char *comment,
                json_t *data, const char *key, const char *hash)
{
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    struct case_action_row r = {
        .id = users_new_id(), .case_id = c->id, .seq = nprior + 1, .action = step->action,
        .from_state = sum ? case_state_name(sum->state) : NULL, .to = to,
        .actor_id = actor_id(rq), .actor_login = rq->who->login, .at = rq->now,
        .day = cx->today, .comment = comment, .data = text ? arena_strdup(rq->arena, text) : NULL,
        .idempotency_key = key, .request_hash = hash,
    };
    free(text);
    struct case_action_row *all = arena_alloc(rq->arena, (size_t)(nprior + 1) * sizeof *all);
    if (nprior)
        memcpy(all, prior, (size_t)nprior * sizeof *all);
    all[nprior] = r;
    struct case_event *ev;
    struct case_summary next;
    int rc = case_events_of(rq->arena, all, nprior + 1, &ev);
    if (rc == 0 && case_replay(c->programme, ev, (size_t)nprior + 1, &next) != 0)
        rc = MZ_EINTERNAL;
    if (rc)
        return rc;
    struct case_deadline d[CASE_MAX_DEADLINES];
    int n, due;
    case_deadlines(&next, cx, d, &n, &due);
    int expected = c->action_count;
    c->state = to;
    c->action_count = nprior + 1;
    c->due_on = due;
    c->accepted_on = next.accepted_on;
    c->extended = next.objection_ever;
    c->updated_at = rq->now;
    rc = nprior == 0 ? 0 : case_store_update(rq->db, c, expected);
    if (rc == 0)
        rc = case_store_append(rq->db, &r);
    if (rc == 0)
        rc = http_audit(rq, arena_printf(rq->arena, "assist.case.%s",
                                         case_action_name(step->action)),
                        "assist_case", id_text(rq, c->id), c->region, "success",
                        arena_printf(rq->arena, "%s→%s", sum ? case_state_name(sum->state) : "-",
                                     case_state_name(to)));
    return rc;
}

/* ---------------------------------------------------------------- create (受理) */

static int case_create(struct request *rq)
{
    const char *key;
    char hash[65];
    int64_t existing = 0;
    int rc = idempotency(rq, &key, hash);
    if (rc == 0)
        rc = earlier(rq, key, hash, &existing);
    if (rc)
        return rc;
    if (existing)
        return reply_case(rq, 200, existing, true);
    struct case_application app;
    rc = case_application_parse(rq, &app);
    if (rc)
        return rc;
    struct assist_settings s;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = case_application_check(rq, &app);
    if (rc == 0)
        rc = case_settings(rq, app.row.region, &s);
    if (rc == 0 && app.row.residence_permit && !s.apply_at_residence_permit)
        rc = http_fail(rq, MZ_EVALIDATE, "residence_permit",
                       "本地尚未开放持居住证在居住地申请（《最低生活保障审核确认办法》第五条）");
    int64_t open = 0;
    if (rc == 0)
        rc = case_store_open(rq->db, app.row.applicant_id, app.row.programme, &open);
    if (rc == 0 && open) {
        rq->err.record_id = id_text(rq, open);
        rc = http_fail(rq, MZ_ECONFLICT, "applicant_id", "该申请人已有同一项目正在办理或在保的案件");
    }
    int accepted_on = 0;
    if (rc == 0)
        rc = case_business_day(rq, 0, &accepted_on);
    struct case_context cx = { .programme = app.row.programme,
                               .staff_relative = app.row.staff_relative,
                               .delegated = s.township_confirm[case_programme_family(
                                   app.row.programme)],
                               .actor_county = case_actor_county(rq), .today = accepted_on,
                               .settings = &s, .cal = calendar_current() };
    struct case_step step = { .action = CA_ACCEPT, .incomplete = app.nmissing > 0 };
    enum case_state to = CS_ACCEPTED;
    const char *why;
    char buf[256];
    if (rc == 0)
        rc = case_transition(NULL, &cx, &step, &to, &why, buf, sizeof buf);
    if (rc == 0)
        rc = case_store_insert(rq->db, &app.row, app.members, app.nmembers, app.items,
                               app.nitems);
    if (rc == 0)
        rc = case_append(rq, &app.row, NULL, &cx, NULL, 0, &step, to, app.comment, app.data,
                         key, hash);
    if (rc == 0)
        rc = case_store_update(rq->db, &app.row, 0);
    json_decref(app.data);
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT && !rq->err.code) {
        /* a concurrent request won: the same key replays, another application is refused */
        if (earlier(rq, key, hash, &existing) == 0 && existing)
            return reply_case(rq, 200, existing, true);
        rc = http_fail(rq, rc, "applicant_id", "该申请人已有同一项目正在办理或在保的案件");
    }
    return rc ? rc : reply_case(rq, 201, app.row.id, false);
}

/* ---------------------------------------------------------------- an action */

static int case_act(struct request *rq)
{
    int64_t id, existing = 0;
    const char *key, *name;
    char hash[65];
    enum case_action action;
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = arg_body_string(rq, "action", 40, 0, &name);
    if (rc == 0 && (case_action_parse(name, &action) != 0 || action == CA_ACCEPT))
        rc = http_fail(rq, MZ_EVALIDATE, "action", "未知的办理环节");
    if (rc == 0)
        rc = idempotency(rq, &key, hash);
    if (rc == 0)
        rc = earlier(rq, key, hash, &existing);
    if (rc)
        return rc;
    if (existing)
        return reply_case(rq, 200, existing, true);
    if (!case_action_permitted_any(rq->who, action))
        return http_fail(rq, MZ_EPERM, "action",
                         arena_printf(rq->arena, "您的角色不能办理“%s”", case_action_label(action)));
    struct case_row c;
    struct assist_settings s;
    struct case_action_row *rows;
    struct case_summary sum;
    struct case_context cx;
    int n;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = case_store_load(rq->db, rq->arena, &rq->who->scope, id, &c);
    if (rc == MZ_ENOTFOUND)
        rc = http_fail(rq, rc, "id", "案件不存在");
    if (rc == 0)
        rc = case_settings(rq, c.region, &s);
    if (rc == 0)
        rc = case_derive(rq, &c, &s, &rows, &n, &sum, &cx);
    if (rc == 0)
        rc = case_action_take(rq, &c, &sum, &cx, rows, n, action, key, hash);
    rc = db_finish(rq->db, rc);
    if (rc == MZ_ECONFLICT && !rq->err.code) {
        /* a concurrent request won: the same key replays, another action is refused */
        if (earlier(rq, key, hash, &existing) == 0 && existing)
            return reply_case(rq, 200, existing, true);
        return http_fail(rq, rc, NULL, "案件刚被他人办理，请刷新后重试");
    }
    return rc ? rc : reply_case(rq, 200, id, false);
}

/* ---------------------------------------------------------------- payments (台账) */

/* Every payment line of the case in every batch that was not cancelled, oldest month first,
 * with its batch, kind and the bank's result: what the household was paid. */
static int case_payments(struct request *rq)
{
    int64_t id;
    struct case_row c;
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = case_store_load(rq->db, rq->arena, &rq->who->scope, id, &c);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "案件不存在");
    struct jw w;
    jw_init(&w, 1u << 20);
    if (rc == 0)
        rc = case_store_payments(rq->db, id, &w);
    if (rc == 0)
        rc = http_audit(rq, "assist.case.payments", "assist_case", id_text(rq, id), c.region,
                        "success", NULL);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* ---------------------------------------------------------------- list */

static int case_query_parse(struct request *rq, struct case_query *q)
{
    const char *under = http_query(rq, "under");
    if (under) {
        char *code = arena_alloc(rq->arena, REGION_CODE_LEN + 1);
        if (ids_region_normalize(under, strlen(under), code) != 0)
            return http_fail(rq, MZ_EINVAL, "under", "行政区划代码应为 2、4、6、9 或 12 位数字");
        q->under = code;
    }
    enum case_state st;
    enum case_programme p;
    q->state = http_query(rq, "state");
    if (q->state && case_state_parse(q->state, &st) != 0)
        return http_fail(rq, MZ_EINVAL, "state", "未知的案件状态");
    q->programme = http_query(rq, "programme");
    if (q->programme && case_programme_parse(q->programme, &p) != 0)
        return http_fail(rq, MZ_EINVAL, "programme", "未知的救助项目");
    int rc = arg_query_id(rq, "after", &q->after);
    if (rc == 0)
        rc = http_query_long(rq, "limit", 50, 1, CASE_LIST_MAX, &q->limit);
    return rc;
}

static int case_list(struct request *rq)
{
    struct case_query q = { 0 };
    int rc = case_query_parse(rq, &q);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, 4u << 20);
    rc = case_store_search(rq->db, rq->arena, &rq->who->scope, &q, case_today(rq), &w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    rc = http_audit(rq, "assist.case.search", "assist_case", "-", NULL, "success",
                    arena_printf(rq->arena, "under=%s state=%s", q.under ? q.under : "-",
                                 q.state ? q.state : "-"));
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}
