/*
 * tests/unit/assist/test_case_fsm.c — the case state machine (src/assist/case_fsm.c): which
 * action is allowed from which state, the guards of shared/domain/rules.md §1.5 / §2.3 / §3.3,
 * replaying a log into its state, and the deadlines in working days on the official calendar
 * (the 2026 National Day holiday of 国办发明电〔2025〕7号, reference.md §1).
 */
#include <criterion/criterion.h>

#include "calendar.h"
#include "case.h"
#include "errors.h"

static struct calendar *cal;
static struct assist_settings settings;

/* 国庆 2026: 10-01 … 10-07 off, 10-10 (Saturday) a working day; 中秋 09-25 … 09-27 off. */
static void setup(void)
{
    static const struct calendar_entry e[] = {
        { 20260920, CALENDAR_WORK }, { 20260925, CALENDAR_OFF }, { 20260926, CALENDAR_OFF },
        { 20260927, CALENDAR_OFF }, { 20261001, CALENDAR_OFF }, { 20261002, CALENDAR_OFF },
        { 20261003, CALENDAR_OFF }, { 20261004, CALENDAR_OFF }, { 20261005, CALENDAR_OFF },
        { 20261006, CALENDAR_OFF }, { 20261007, CALENDAR_OFF }, { 20261010, CALENDAR_WORK },
    };
    cr_assert_eq(calendar_new(e, sizeof e / sizeof e[0], &cal), 0);
    assist_settings_default(&settings);
}

static void teardown(void) { calendar_free(cal); }

TestSuite(case_fsm, .init = setup, .fini = teardown);

static struct case_context context(enum case_programme p, int today)
{
    return (struct case_context){ .programme = p, .actor_county = true, .today = today,
                                  .settings = &settings, .cal = cal };
}

static struct case_event ev(enum case_action a, enum case_state to, int day)
{
    return (struct case_event){ .action = a, .to = to, .day = day };
}

/* A 低保 log up to the decision stage: accepted 09-29, investigated and visited by two, 核对
 * passed, opinion 10-12, publicity closed 10-20. */
static size_t dibao_to_deciding(struct case_event *e)
{
    size_t n = 0;
    e[n++] = ev(CA_ACCEPT, CS_ACCEPTED, 20260929);
    e[n++] = ev(CA_START_INVESTIGATION, CS_INVESTIGATING, 20261009);
    e[n++] = ev(CA_REQUEST_CHECK, CS_INVESTIGATING, 20261009);
    e[n] = ev(CA_RECORD_CHECK, CS_INVESTIGATING, 20261010);
    e[n++].positive = true;
    e[n] = ev(CA_RECORD_VISIT, CS_INVESTIGATING, 20261010);
    e[n++].investigators = 2;
    e[n] = ev(CA_SUBMIT_OPINION, CS_PUBLICITY, 20261012);
    e[n++].positive = true;
    e[n++] = ev(CA_END_PUBLICITY, CS_DECIDING, 20261020);
    return n;
}

static int try_step(const struct case_summary *s, const struct case_context *cx,
                    enum case_action a, enum case_state *to)
{
    const char *why;
    char buf[300];
    struct case_step step = { .action = a, .positive = true };
    return case_transition(s, cx, &step, to, &why, buf, sizeof buf);
}

Test(case_fsm, names_round_trip)
{
    for (int a = 0; a < CA_COUNT; a++) {
        enum case_action back;
        cr_assert_eq(case_action_parse(case_action_name((enum case_action)a), &back), 0);
        cr_assert_eq((int)back, a);
    }
    for (int s = 0; s < CS_COUNT; s++) {
        enum case_state back;
        cr_assert_eq(case_state_parse(case_state_name((enum case_state)s), &back), 0);
        cr_assert_eq((int)back, s);
    }
    enum case_programme p;
    cr_assert_eq(case_programme_parse("fly", &p), MZ_EINVAL);
}

/* A replayed log gives the state of its last action and the dates the deadlines need. */
Test(case_fsm, replay_derives_state_and_dates)
{
    struct case_event e[16];
    size_t n = dibao_to_deciding(e);
    struct case_summary s;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(s.state, CS_DECIDING);
    cr_assert_eq(s.accepted_on, 20260929);
    cr_assert_eq(s.visit_investigators, 2);
    cr_assert(s.check_passed);
    cr_assert_eq(s.publicity_on, 20261012);
    cr_assert_eq(s.deciding_on, 20261020);
}

/* A log that skips a step (approval straight after acceptance) is corrupt. */
Test(case_fsm, replay_refuses_an_impossible_log)
{
    struct case_event e[] = { ev(CA_ACCEPT, CS_ACCEPTED, 20261012),
                              ev(CA_APPROVE, CS_ACTIVE, 20261013) };
    struct case_summary s;
    cr_assert_eq(case_replay(CASE_DIBAO, e, 2, &s), MZ_EINVAL);
    struct case_event first[] = { ev(CA_START_INVESTIGATION, CS_INVESTIGATING, 20261012) };
    cr_assert_eq(case_replay(CASE_DIBAO, first, 1, &s), MZ_EINVAL);
}

/* Every action not in the table for a state is refused with 409 (issue #10). */
Test(case_fsm, wrong_state_is_conflict)
{
    struct case_event e[] = { ev(CA_ACCEPT, CS_ACCEPTED, 20261012) };
    struct case_summary s;
    cr_assert_eq(case_replay(CASE_DIBAO, e, 1, &s), 0);
    struct case_context cx = context(CASE_DIBAO, 20261013);
    uint32_t allowed = case_actions_from(CASE_DIBAO, CS_ACCEPTED);
    cr_assert_eq(allowed, (1u << CA_START_INVESTIGATION) | (1u << CA_WITHDRAW));
    for (int a = 1; a < CA_COUNT; a++) {
        enum case_state to;
        int rc = try_step(&s, &cx, (enum case_action)a, &to);
        cr_assert_eq(rc, (allowed & (1u << a)) ? 0 : MZ_ECONFLICT, "action %s",
                     case_action_name((enum case_action)a));
    }
}

/* rules.md §1.5 step 5, DB-57 Art. 16: at least two investigators before the opinion; step 4,
 * Art. 17: a 核对 result; not for 急难型 临时救助 (LS-23 二(二): 核对 may be skipped). */
Test(case_fsm, opinion_needs_two_investigators_and_a_check)
{
    struct case_event e[16];
    size_t n = dibao_to_deciding(e) - 2;   /* before the opinion */
    struct case_summary s;
    enum case_state to;
    struct case_context cx = context(CASE_DIBAO, 20261012);
    e[n - 1].investigators = 1;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_SUBMIT_OPINION, &to), MZ_ECONFLICT);
    e[n - 1].investigators = 2;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_SUBMIT_OPINION, &to), 0);
    cr_assert_eq(to, CS_PUBLICITY);
    struct case_event no_check[] = { e[0], e[1], e[4] };
    cr_assert_eq(case_replay(CASE_DIBAO, no_check, 3, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_SUBMIT_OPINION, &to), MZ_ECONFLICT);
    struct case_context urgent = context(CASE_LSHI_URGENT, 20261012);
    cr_assert_eq(case_replay(CASE_LSHI_URGENT, no_check, 3, &s), 0);
    cr_assert_eq(try_step(&s, &urgent, CA_SUBMIT_OPINION, &to), 0);
}

/* DB-57 Art. 19: 公示 7 days from the opinion of 10-12 — the period ends 10-19; it may be
 * closed from 10-20 on, not on its last day. */
Test(case_fsm, publicity_lasts_seven_days)
{
    struct case_event e[16];
    size_t n = dibao_to_deciding(e) - 1;
    struct case_summary s;
    enum case_state to;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    struct case_context last_day = context(CASE_DIBAO, 20261019);
    struct case_context after = context(CASE_DIBAO, 20261020);
    cr_assert_eq(try_step(&s, &last_day, CA_END_PUBLICITY, &to), MZ_ECONFLICT);
    cr_assert_eq(try_step(&s, &after, CA_END_PUBLICITY, &to), 0);
    cr_assert_eq(to, CS_DECIDING);
}

/* DB-57 Arts. 11, 20: a caseworker's relative is approved only after a county home visit. */
Test(case_fsm, staff_relative_needs_county_visit)
{
    struct case_event e[16];
    size_t n = dibao_to_deciding(e);
    struct case_summary s;
    enum case_state to;
    struct case_context cx = context(CASE_DIBAO, 20261022);
    cx.staff_relative = true;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), MZ_ECONFLICT);
    e[n] = ev(CA_RECORD_VISIT, CS_DECIDING, 20261021);
    e[n].investigators = 2;
    e[n++].county_level = true;
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), 0);
    cr_assert_eq(to, CS_ACTIVE);
}

/* A failed 核对 cannot be approved; the file is sent back or refused (DB-57 Art. 18). */
Test(case_fsm, failed_check_cannot_be_approved)
{
    struct case_event e[16];
    size_t n = dibao_to_deciding(e);
    e[3].positive = false;
    struct case_summary s;
    enum case_state to;
    struct case_context cx = context(CASE_DIBAO, 20261022);
    cr_assert_eq(case_replay(CASE_DIBAO, e, n, &s), 0);
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), MZ_ECONFLICT);
    cr_assert_eq(try_step(&s, &cx, CA_REFUSE, &to), 0);
    cr_assert_eq(to, CS_REFUSED);
    cr_assert_eq(try_step(&s, &cx, CA_SEND_BACK, &to), 0);
    cr_assert_eq(to, CS_INVESTIGATING);
}

/* DB-57 Art. 2; TK-43 Art. 28: where the county delegated, the township reviewer decides. */
Test(case_fsm, delegation_moves_the_decision_to_the_township)
{
    struct case_context township = context(CASE_DIBAO, 20261022);
    township.actor_county = false;
    cr_assert_eq(case_action_actor(CA_APPROVE, &township), ACTOR_DECIDE);
    township.delegated = true;
    cr_assert_eq(case_action_actor(CA_APPROVE, &township), ACTOR_REVIEW);
    cr_assert_eq(case_action_actor(CA_REFUSE, &township), ACTOR_REVIEW);
    cr_assert_eq(case_action_actor(CA_TERMINATE, &township), ACTOR_DECIDE);
}

/* Outcomes by programme: 临时救助 is granted once, 低保边缘 recognised, 特困 active. */
Test(case_fsm, approval_leads_by_programme)
{
    struct case_summary s = { .state = CS_DECIDING, .check_passed = true, .check_recorded = true };
    enum case_state to;
    struct case_context cx = context(CASE_LSHI_EXPENSE, 20261022);
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), 0);
    cr_assert_eq(to, CS_GRANTED);
    cx.programme = CASE_EDGE;
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), 0);
    cr_assert_eq(to, CS_RECOGNISED);
    cx.programme = CASE_TEKUN;
    cr_assert_eq(try_step(&s, &cx, CA_APPROVE, &to), 0);
    cr_assert_eq(to, CS_ACTIVE);
    /* 先行救助 only for 急难型 (LS-23 二(二)) */
    struct case_summary accepted = { .state = CS_ACCEPTED };
    cr_assert_eq(try_step(&accepted, &cx, CA_PAY_FIRST, &to), MZ_ECONFLICT);
    cx.programme = CASE_LSHI_URGENT;
    cr_assert_eq(try_step(&accepted, &cx, CA_PAY_FIRST, &to), 0);
    cr_assert_eq(to, CS_PRIOR_PAID);
}

/* TK-43 Art. 26: a 特困 person's support ends only after 7 days of 公示 of the proposal; a
 * 低保 case may be stopped at once with written reasons (DB-57 Art. 32). */
Test(case_fsm, tekun_termination_needs_publicity)
{
    struct case_summary s = { .state = CS_ACTIVE, .decided_on = 20261023 };
    enum case_state to;
    struct case_context tk = context(CASE_TEKUN, 20261102);
    cr_assert_eq(try_step(&s, &tk, CA_TERMINATE, &to), MZ_ECONFLICT);
    cr_assert_eq(try_step(&s, &tk, CA_PROPOSE_STOP, &to), 0);
    cr_assert_eq(to, CS_ACTIVE, "support goes on during the publicity");
    s.stop_publicity_on = 20261102;
    tk.today = 20261109;
    cr_assert_eq(try_step(&s, &tk, CA_TERMINATE, &to), MZ_ECONFLICT, "the 7th day is still in");
    tk.today = 20261110;
    cr_assert_eq(try_step(&s, &tk, CA_TERMINATE, &to), 0);
    cr_assert_eq(to, CS_TERMINATED);
    struct case_context db = context(CASE_DIBAO, 20261102);
    cr_assert_eq(try_step(&s, &db, CA_PROPOSE_STOP, &to), MZ_ECONFLICT, "not a 低保 step");
    s.stop_publicity_on = 0;
    cr_assert_eq(try_step(&s, &db, CA_TERMINATE, &to), 0);
}

/* A case suspended during 渐退 returns to 渐退 when resumed (DD-2022 一(三)). */
Test(case_fsm, resume_returns_to_tapering)
{
    struct case_event e[] = { ev(CA_ACCEPT, CS_ACCEPTED, 20260901),
                              ev(CA_START_INVESTIGATION, CS_INVESTIGATING, 20260902),
                              ev(CA_SUBMIT_OPINION, CS_DECIDING, 20260903),
                              ev(CA_APPROVE, CS_ACTIVE, 20260910),
                              ev(CA_START_TAPER, CS_TAPERING, 20261001),
                              ev(CA_SUSPEND, CS_SUSPENDED, 20261010) };
    struct case_summary s;
    enum case_state to;
    cr_assert_eq(case_replay(CASE_DIBAO, e, 6, &s), 0);
    struct case_context cx = context(CASE_DIBAO, 20261020);
    cr_assert_eq(try_step(&s, &cx, CA_RESUME, &to), 0);
    cr_assert_eq(to, CS_TAPERING);
}

static const struct case_deadline *find(const struct case_deadline *d, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(d[i].name, name) == 0)
            return &d[i];
    return NULL;
}

/* DB-57 Art. 15: 3 working days from a 09-29 acceptance skip 国庆 → 10-09; Art. 22: 30 working
 * days overall; DD-2022 四(一): 20 when delegated; 45 after an objection. */
Test(case_fsm, deadlines_cross_national_day)
{
    struct case_event e[] = { ev(CA_ACCEPT, CS_ACCEPTED, 20260929) };
    struct case_summary s;
    struct case_deadline d[CASE_MAX_DEADLINES];
    int n, due;
    struct case_context cx = context(CASE_DIBAO, 20261001);
    cr_assert_eq(case_replay(CASE_DIBAO, e, 1, &s), 0);
    case_deadlines(&s, &cx, d, &n, &due);
    cr_assert_eq(find(d, n, "start_investigation")->due, 20261009);
    cr_assert_eq(due, 20261009);
    /* 30 working days from 09-29: 09-30, 10-08, 10-09, 10-10 (Saturday worked), … → 11-16 */
    cr_assert_eq(find(d, n, "dibao_total")->due, 20261116);
    cx.delegated = true;
    case_deadlines(&s, &cx, d, &n, &due);
    cr_assert_eq(find(d, n, "dibao_total")->due, calendar_add_workdays(cal, 20260929, 20));
    s.objection_ever = true;
    case_deadlines(&s, &cx, d, &n, &due);
    cr_assert_eq(find(d, n, "dibao_total")->due, calendar_add_workdays(cal, 20260929, 45));
}

/* TK-43 Art. 13: 15 working days for the township; Art. 16: 15 for the county; DB-57 Art. 20:
 * 10 for a 低保 county review; Arts. 21 / TK-43 Art. 18: 3 to serve a refusal. */
Test(case_fsm, stage_deadlines)
{
    struct case_summary s = { .state = CS_DECIDING, .accepted_on = 20261012,
                              .investigation_on = 20261013, .opinion_on = 20261014,
                              .deciding_on = 20261020 };
    struct case_deadline d[CASE_MAX_DEADLINES];
    int n, due;
    struct case_context tk = context(CASE_TEKUN, 20261021);
    case_deadlines(&s, &tk, d, &n, &due);
    cr_assert_eq(find(d, n, "township_opinion")->due, 20261102);
    cr_assert_eq(find(d, n, "county_review")->due, calendar_add_workdays(cal, 20261020, 15));
    struct case_context db = context(CASE_DIBAO, 20261021);
    case_deadlines(&s, &db, d, &n, &due);
    cr_assert_eq(find(d, n, "county_review")->due, 20261103);
    cr_assert_null(find(d, n, "township_opinion"));
    s.state = CS_REFUSED;
    s.decided_on = 20261023;
    case_deadlines(&s, &db, d, &n, &due);
    cr_assert_eq(find(d, n, "refusal_notice")->due, 20261028);
    cr_assert_eq(due, 20261028);
    s.state = CS_REJECTED;
    s.notified_on = 20261026;
    case_deadlines(&s, &db, d, &n, &due);
    cr_assert_eq(due, 0, "nothing is due once the case is final");
}
