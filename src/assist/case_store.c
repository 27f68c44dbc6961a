/*
 * assist/case_store.c — the SQL of cases (sql/0008_assist_case.sql): assist_case, its members,
 * items and append-only action log. Reads of a case are bound to the caller's scope; the other
 * functions take a case already loaded within it.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "case.h"
#include "case_action.h"
#include "json.h"
#include "mask.h"
#include "db.h"
#include "errors.h"
#include "scope.h"
#include "users.h"

#define CASE_COLUMNS \
    "id, programme, urban, region, household_id, applicant_id, single_person, channel, " \
    "residence_permit, staff_relative, care_mode, authorised, state, action_count, " \
    "accepted_on, due_on, extended, amount_method, per_capita_income_fen, covered_members, " \
    "fixed_amount_fen, care_tier, start_month, stop_month, taper_until, next_review_on, " \
    "bank_account_id, created_by, created_at, updated_at"

static int64_t int_or(struct db_stmt *st, int col, int64_t none)
{
    return db_col_null(st, col) ? none : db_col_int64(st, col);
}

static void bind_text_or_null(struct db_stmt *st, int i, const char *s)
{
    if (s)
        db_bind_text(st, i, s, strlen(s));
    else
        db_bind_null(st, i);
}

/* 0 binds NULL: days, months and ids are never 0. */
static void bind_int_or_null(struct db_stmt *st, int i, int64_t v, int64_t none)
{
    if (v == none)
        db_bind_null(st, i);
    else
        db_bind_int64(st, i, v);
}

static int finish(struct db_stmt *st, int rc)
{
    db_reset(st);
    return rc;
}

/* The decision's nine columns, amount_method … next_review_on, from parameter i on. */
static void bind_decision(struct db_stmt *st, int i, const struct case_row *c)
{
    bind_text_or_null(st, i, c->amount_method);
    bind_int_or_null(st, i + 1, c->per_capita_income_fen, CASE_NONE);
    bind_int_or_null(st, i + 2, c->covered_members, 0);
    bind_int_or_null(st, i + 3, c->fixed_amount_fen, CASE_NONE);
    bind_int_or_null(st, i + 4, c->care_tier, 0);
    bind_int_or_null(st, i + 5, c->start_month, 0);
    bind_int_or_null(st, i + 6, c->stop_month, 0);
    bind_int_or_null(st, i + 7, c->taper_until, 0);
    bind_int_or_null(st, i + 8, c->next_review_on, 0);
}

/* Runs a statement that returns no rows: 0 or its error (MZ_ECONFLICT for a unique key). */
static int step_done(struct db_stmt *st)
{
    int rc = db_step(st);
    return finish(st, rc < 0 ? rc : 0);
}

/* ---------------------------------------------------------------- insert */

static int insert_case(struct db *db, const struct case_row *c)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_case (" CASE_COLUMNS ") VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, c->id);
    bind_text_or_null(st, 2, case_programme_name(c->programme));
    db_bind_int64(st, 3, c->urban);
    db_bind_text(st, 4, c->region, REGION_CODE_LEN);
    bind_int_or_null(st, 5, c->household_id, 0);
    db_bind_int64(st, 6, c->applicant_id);
    db_bind_int64(st, 7, c->single_person);
    bind_text_or_null(st, 8, c->channel);
    db_bind_int64(st, 9, c->residence_permit);
    db_bind_int64(st, 10, c->staff_relative);
    bind_text_or_null(st, 11, c->care_mode);
    db_bind_int64(st, 12, c->authorised);
    bind_text_or_null(st, 13, case_state_name(c->state));
    db_bind_int64(st, 14, c->action_count);
    bind_int_or_null(st, 15, c->accepted_on, 0);
    bind_int_or_null(st, 16, c->due_on, 0);
    db_bind_int64(st, 17, c->extended);
    bind_decision(st, 18, c);
    bind_int_or_null(st, 27, c->bank_account_id, 0);
    db_bind_int64(st, 28, c->created_by);
    db_bind_int64(st, 29, c->created_at);
    db_bind_int64(st, 30, c->updated_at);
    return step_done(st);
}

static int insert_member(struct db *db, int64_t case_id, const struct case_member_row *m)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_case_member (case_id, person_id, relation, "
                        "covered, excluded_reason) VALUES (?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, case_id);
    db_bind_int64(st, 2, m->person_id);
    db_bind_text(st, 3, m->relation, strlen(m->relation));
    db_bind_int64(st, 4, m->covered);
    bind_text_or_null(st, 5, m->excluded_reason);
    return step_done(st);
}

static int insert_item(struct db *db, int64_t case_id, int seq, const struct case_item_row *it)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_case_item (case_id, seq, kind, type, person_id, "
                        "amount_fen, months, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, case_id);
    db_bind_int64(st, 2, seq);
    db_bind_text(st, 3, it->kind, strlen(it->kind));
    db_bind_text(st, 4, it->type, strlen(it->type));
    bind_int_or_null(st, 5, it->person_id, 0);
    db_bind_int64(st, 6, it->amount_fen);
    db_bind_int64(st, 7, it->months);
    bind_text_or_null(st, 8, it->note);
    return step_done(st);
}

int case_store_insert(struct db *db, const struct case_row *c, const struct case_member_row *m,
                      int nm, const struct case_item_row *items, int ni)
{
    int rc = insert_case(db, c);
    for (int i = 0; rc == 0 && i < nm; i++)
        rc = insert_member(db, c->id, &m[i]);
    for (int i = 0; rc == 0 && i < ni; i++)
        rc = insert_item(db, c->id, i + 1, &items[i]);
    return rc;
}

/* ---------------------------------------------------------------- reading */

static void read_case(struct db_stmt *st, struct arena *a, struct case_row *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_col_int64(st, 0);
    case_programme_parse(db_col_text(st, 1, NULL), &c->programme);
    c->urban = db_col_int64(st, 2) != 0;
    snprintf(c->region, sizeof c->region, "%s", db_col_text(st, 3, NULL));
    c->household_id = int_or(st, 4, 0);
    c->applicant_id = db_col_int64(st, 5);
    c->single_person = db_col_int64(st, 6) != 0;
    c->channel = db_col_dup(st, a, 7);
    c->residence_permit = db_col_int64(st, 8) != 0;
    c->staff_relative = db_col_int64(st, 9) != 0;
    c->care_mode = db_col_dup(st, a, 10);
    c->authorised = db_col_int64(st, 11) != 0;
    case_state_parse(db_col_text(st, 12, NULL), &c->state);
    c->action_count = (int)db_col_int64(st, 13);
    c->accepted_on = (int)int_or(st, 14, 0);
    c->due_on = (int)int_or(st, 15, 0);
    c->extended = db_col_int64(st, 16) != 0;
    c->amount_method = db_col_dup(st, a, 17);
    c->per_capita_income_fen = int_or(st, 18, CASE_NONE);
    c->covered_members = (int)int_or(st, 19, 0);
    c->fixed_amount_fen = int_or(st, 20, CASE_NONE);
    c->care_tier = (int)int_or(st, 21, 0);
    c->start_month = (int)int_or(st, 22, 0);
    c->stop_month = (int)int_or(st, 23, 0);
    c->taper_until = (int)int_or(st, 24, 0);
    c->next_review_on = (int)int_or(st, 25, 0);
    c->bank_account_id = int_or(st, 26, 0);
    c->created_by = db_col_int64(st, 27);
    c->created_at = db_col_int64(st, 28);
    c->updated_at = db_col_int64(st, 29);
}

int case_store_load(struct db *db, struct arena *a, const struct scope *scope, int64_t id,
                    struct case_row *out)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT " CASE_COLUMNS " FROM assist_case WHERE id = ? "
                        "AND region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    scope_bind(st, 2, scope);
    rc = db_step(st);
    if (rc == 1)
        read_case(st, a, out);
    return finish(st, rc == 1 ? 0 : rc == 0 ? MZ_ENOTFOUND : rc);
}

/* Grows *arr (elements of size sz) in the arena when full. */
static void *grow(struct arena *a, void *arr, int n, int *cap, size_t sz)
{
    if (n < *cap)
        return arr;
    int bigger = *cap ? *cap * 2 : 8;
    void *p = arena_alloc(a, (size_t)bigger * sz);
    if (n)
        memcpy(p, arr, (size_t)n * sz);
    *cap = bigger;
    return p;
}

int case_store_members(struct db *db, struct arena *a, int64_t id, struct case_member_row **out,
                       int *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT m.person_id, m.relation, m.covered, m.excluded_reason, "
                        "p.name, p.id_number FROM assist_case_member m "
                        "JOIN person p ON p.id = m.person_id WHERE m.case_id = ? "
                        "ORDER BY m.person_id", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    int cap = 0;
    struct case_member_row *m = NULL;
    *n = 0;
    while ((rc = db_step(st)) == 1) {
        m = grow(a, m, *n, &cap, sizeof *m);
        m[*n] = (struct case_member_row){ db_col_int64(st, 0), db_col_dup(st, a, 1),
                                          db_col_int64(st, 2) != 0, db_col_dup(st, a, 3),
                                          db_col_dup(st, a, 4), db_col_dup(st, a, 5) };
        (*n)++;
    }
    *out = m;
    return finish(st, rc < 0 ? rc : 0);
}

int case_store_items(struct db *db, struct arena *a, int64_t id, struct case_item_row **out,
                     int *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT kind, type, person_id, amount_fen, months, note "
                        "FROM assist_case_item WHERE case_id = ? ORDER BY seq", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    int cap = 0;
    struct case_item_row *it = NULL;
    *n = 0;
    while ((rc = db_step(st)) == 1) {
        it = grow(a, it, *n, &cap, sizeof *it);
        it[*n] = (struct case_item_row){ db_col_dup(st, a, 0), db_col_dup(st, a, 1),
                                         int_or(st, 2, 0),
                                         db_col_int64(st, 3), (int)db_col_int64(st, 4),
                                         db_col_dup(st, a, 5) };
        (*n)++;
    }
    *out = it;
    return finish(st, rc < 0 ? rc : 0);
}

int case_store_actions(struct db *db, struct arena *a, int64_t id, struct case_action_row **out,
                       int *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id, seq, action, from_state, to_state, actor_id, "
                        "actor_login, at, day, comment, data, idempotency_key, request_hash "
                        "FROM assist_case_action WHERE case_id = ? ORDER BY seq", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    int cap = 0;
    struct case_action_row *r = NULL;
    *n = 0;
    while ((rc = db_step(st)) == 1) {
        r = grow(a, r, *n, &cap, sizeof *r);
        struct case_action_row *x = &r[*n];
        memset(x, 0, sizeof *x);
        x->id = db_col_int64(st, 0);
        x->case_id = id;
        x->seq = (int)db_col_int64(st, 1);
        if (case_action_parse(db_col_text(st, 2, NULL), &x->action) != 0 ||
            case_state_parse(db_col_text(st, 4, NULL), &x->to) != 0) {
            rc = MZ_EINVAL;
            break;
        }
        x->from_state = db_col_dup(st, a, 3);
        x->actor_id = db_col_int64(st, 5);
        x->actor_login = db_col_dup(st, a, 6);
        x->at = db_col_int64(st, 7);
        x->day = (int)db_col_int64(st, 8);
        x->comment = db_col_dup(st, a, 9);
        x->data = db_col_dup(st, a, 10);
        x->idempotency_key = db_col_dup(st, a, 11);
        x->request_hash = db_col_dup(st, a, 12);
        (*n)++;
    }
    *out = r;
    return finish(st, rc < 0 ? rc : 0);
}

/* The facts the guards read from an action's data: investigators, county level, outcome. */
static void event_data(const char *data, struct case_event *e)
{
    json_t *j = data ? json_loads(data, 0, NULL) : NULL;
    if (!j)
        return;
    json_t *inv = json_object_get(j, "investigators");
    e->investigators = json_is_array(inv) ? (int)json_array_size(inv) : 0;
    e->county_level = json_is_true(json_object_get(j, "county_level"));
    e->positive = json_is_true(json_object_get(j, "passed")) ||
                  json_is_true(json_object_get(j, "agree"));
    json_decref(j);
}

int case_events_of(struct arena *a, const struct case_action_row *rows, int n,
                   struct case_event **out)
{
    struct case_event *ev = arena_alloc(a, (size_t)(n ? n : 1) * sizeof *ev);
    for (int i = 0; i < n; i++) {
        ev[i] = (struct case_event){ .action = rows[i].action, .to = rows[i].to,
                                     .day = rows[i].day };
        event_data(rows[i].data, &ev[i]);
    }
    *out = ev;
    return 0;
}

/* ---------------------------------------------------------------- writing */

int case_store_append(struct db *db, const struct case_action_row *r)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_case_action (id, case_id, seq, action, "
                        "from_state, to_state, actor_id, actor_login, at, day, comment, data, "
                        "idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, r->case_id);
    db_bind_int64(st, 3, r->seq);
    bind_text_or_null(st, 4, case_action_name(r->action));
    bind_text_or_null(st, 5, r->from_state);
    bind_text_or_null(st, 6, case_state_name(r->to));
    db_bind_int64(st, 7, r->actor_id);
    bind_text_or_null(st, 8, r->actor_login);
    db_bind_int64(st, 9, r->at);
    db_bind_int64(st, 10, r->day);
    bind_text_or_null(st, 11, r->comment);
    bind_text_or_null(st, 12, r->data);
    bind_text_or_null(st, 13, r->idempotency_key);
    bind_text_or_null(st, 14, r->request_hash);
    rc = db_step(st);
    return finish(st, rc < 0 ? rc : 0);
}

int case_store_update(struct db *db, const struct case_row *c, int expected)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE assist_case SET state = ?, action_count = ?, due_on = ?, "
                        "extended = ?, amount_method = ?, per_capita_income_fen = ?, "
                        "covered_members = ?, fixed_amount_fen = ?, care_tier = ?, "
                        "start_month = ?, stop_month = ?, taper_until = ?, next_review_on = ?, "
                        "care_mode = ?, updated_at = ?, accepted_on = ? "
                        "WHERE id = ? AND action_count = ?", &st);
    if (rc)
        return rc;
    bind_text_or_null(st, 1, case_state_name(c->state));
    db_bind_int64(st, 2, c->action_count);
    bind_int_or_null(st, 3, c->due_on, 0);
    db_bind_int64(st, 4, c->extended);
    bind_decision(st, 5, c);
    bind_text_or_null(st, 14, c->care_mode);
    db_bind_int64(st, 15, c->updated_at);
    bind_int_or_null(st, 16, c->accepted_on, 0);
    db_bind_int64(st, 17, c->id);
    db_bind_int64(st, 18, expected);
    rc = db_step(st);
    if (rc < 0)
        return finish(st, rc);
    int64_t changed = db_changes(st);
    return finish(st, changed == 1 ? 0 : MZ_ECONFLICT);
}

int case_store_by_key(struct db *db, int64_t actor_id, const char *key, int64_t *case_id,
                      char hash[65])
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT case_id, request_hash FROM assist_case_action "
                        "WHERE actor_id = ? AND idempotency_key = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, actor_id);
    db_bind_text(st, 2, key, strlen(key));
    *case_id = 0;
    hash[0] = '\0';
    rc = db_step(st);
    if (rc == 1) {
        *case_id = db_col_int64(st, 0);
        snprintf(hash, 65, "%s", db_col_text(st, 1, NULL));
    }
    return finish(st, rc < 0 ? rc : 0);
}

int case_store_open(struct db *db, int64_t applicant_id, enum case_programme p, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM assist_case WHERE applicant_id = ? AND programme = ? "
                        "AND state NOT IN ('rejected', 'terminated', 'granted', 'withdrawn')",
                        &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, applicant_id);
    const char *name = case_programme_name(p);
    db_bind_text(st, 2, name, strlen(name));
    *id = 0;
    rc = db_step(st);
    if (rc == 1)
        *id = db_col_int64(st, 0);
    return finish(st, rc < 0 ? rc : 0);
}

int case_store_adjustment(struct db *db, int64_t case_id, int32_t for_month, int64_t amount_fen,
                          const char *reason, int64_t created_by, int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_adjustment (id, case_id, for_month, amount_fen, "
                        "reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, users_new_id());
    db_bind_int64(st, 2, case_id);
    db_bind_int64(st, 3, for_month);
    db_bind_int64(st, 4, amount_fen);
    db_bind_text(st, 5, reason, strlen(reason));
    db_bind_int64(st, 6, created_by);
    db_bind_int64(st, 7, now);
    return step_done(st);
}

/* ---------------------------------------------------------------- payments */

int case_store_payments(struct db *db, int64_t case_id, struct jw *w)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT p.id, p.payroll_id, b.month, b.status, p.for_month, p.kind, "
                        "p.amount_fen, p.status, p.fail_reason, p.reissue_of "
                        "FROM assist_payment p JOIN assist_payroll b ON b.id = p.payroll_id "
                        "WHERE p.case_id = ? AND p.status <> 'cancelled' "
                        "ORDER BY p.for_month, p.id", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, case_id);
    int64_t paid = 0;
    char buf[32];
    jw_obj(w);
    jw_key(w, "items");
    jw_arr(w);
    while ((rc = db_step(st)) == 1) {
        int month = (int)db_col_int64(st, 2), for_month = (int)db_col_int64(st, 4);
        const char *status = db_col_text(st, 7, NULL);
        jw_obj(w);
        snprintf(buf, sizeof buf, "%lld", (long long)db_col_int64(st, 0));
        jw_kv_str(w, "id", buf);
        snprintf(buf, sizeof buf, "%lld", (long long)db_col_int64(st, 1));
        jw_kv_str(w, "payroll_id", buf);
        snprintf(buf, sizeof buf, "%04d-%02d", month / 100, month % 100);
        jw_kv_str(w, "payroll_month", buf);
        jw_kv_str(w, "payroll_status", db_col_text(st, 3, NULL));
        snprintf(buf, sizeof buf, "%04d-%02d", for_month / 100, for_month % 100);
        jw_kv_str(w, "for_month", buf);
        jw_kv_str(w, "kind", db_col_text(st, 5, NULL));
        jw_kv_int(w, "amount_fen", db_col_int64(st, 6));
        jw_kv_str(w, "status", status);
        jw_key(w, "fail_reason");
        if (db_col_null(st, 8))
            jw_null(w);
        else
            jw_str(w, db_col_text(st, 8, NULL));
        jw_key(w, "reissue_of");
        snprintf(buf, sizeof buf, "%lld", (long long)db_col_int64(st, 9));
        if (db_col_null(st, 9))
            jw_null(w);
        else
            jw_str(w, buf);
        jw_obj_end(w);
        if (strcmp(status, "paid") == 0)
            paid += db_col_int64(st, 6);
    }
    db_reset(st);
    jw_arr_end(w);
    jw_kv_int(w, "paid_fen", paid);
    jw_obj_end(w);
    return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- search */

static void write_list_item(struct db_stmt *st, struct jw *w, int today)
{
    char id[24];
    jw_obj(w);
    snprintf(id, sizeof id, "%lld", (long long)db_col_int64(st, 0));
    jw_kv_str(w, "id", id);
    enum case_programme p;
    enum case_state s;
    case_programme_parse(db_col_text(st, 1, NULL), &p);
    case_state_parse(db_col_text(st, 2, NULL), &s);
    jw_kv_str(w, "programme", case_programme_name(p));
    jw_kv_str(w, "programme_label", case_programme_label(p));
    jw_kv_str(w, "state", case_state_name(s));
    jw_kv_str(w, "state_label", case_state_label(s));
    jw_kv_str(w, "region", db_col_text(st, 3, NULL));
    snprintf(id, sizeof id, "%lld", (long long)db_col_int64(st, 4));
    jw_kv_str(w, "applicant_id", id);
    char name[256];
    jw_kv_str(w, "applicant_name", mask_name(db_col_text(st, 6, NULL), name, sizeof name));
    int due = (int)int_or(st, 5, 0);
    if (due) {
        char day[32];
        snprintf(day, sizeof day, "%04d-%02d-%02d", due / 10000, due / 100 % 100, due % 100);
        jw_kv_str(w, "due_on", day);
    } else {
        jw_key(w, "due_on");
        jw_null(w);
    }
    jw_kv_bool(w, "overdue", due && today > due);
    jw_obj_end(w);
}

int case_store_search(struct db *db, struct arena *a, const struct scope *scope,
                      const struct case_query *q, int today, struct jw *w)
{
    (void)a;
    struct scope under = *scope;
    if (q->under && scope_from_region(q->under, &under) != 0)
        return MZ_EINVAL;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT c.id, c.programme, c.state, c.region, c.applicant_id, "
                        "c.due_on, p.name FROM assist_case c "
                        "JOIN person p ON p.id = c.applicant_id "
                        "WHERE c.region >= ? AND c.region < ? AND c.region >= ? AND c.region < ? "
                        "AND (CAST(? AS TEXT) IS NULL OR c.state = CAST(? AS TEXT)) "
                        "AND (CAST(? AS TEXT) IS NULL OR c.programme = CAST(? AS TEXT)) "
                        "AND c.id > ? ORDER BY c.id LIMIT ?", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, scope);
    scope_bind(st, 3, &under);
    bind_text_or_null(st, 5, q->state);
    bind_text_or_null(st, 6, q->state);
    bind_text_or_null(st, 7, q->programme);
    bind_text_or_null(st, 8, q->programme);
    db_bind_int64(st, 9, q->after);
    db_bind_int64(st, 10, q->limit + 1);
    jw_obj(w);
    jw_key(w, "items");
    jw_arr(w);
    long n = 0;
    int64_t last = 0;
    while ((rc = db_step(st)) == 1 && n < q->limit) {
        write_list_item(st, w, today);
        last = db_col_int64(st, 0);
        n++;
    }
    bool more = rc == 1;
    jw_arr_end(w);
    if (more) {
        char next[24];
        snprintf(next, sizeof next, "%lld", (long long)last);
        jw_kv_str(w, "next", next);
    } else {
        jw_key(w, "next");
        jw_null(w);
    }
    jw_obj_end(w);
    return finish(st, rc < 0 ? rc : 0);
}
