/*
 * assist/case_fsm.c — the case workflow as one explicit state machine (case.h): names, the
 * transition table, the guards, replaying the action log, and the deadlines.
 *
 * Sources (shared/domain/rules.md): §1.5 低保 procedure (DB-57 Arts. 10, 11, 15–22, 28, 29),
 * §1.7 复核、渐退、暂停、终止 (DB-57 Arts. 31–33; DD-2022 一(三)), §2.3 and §2.6 特困 (TK-43
 * Arts. 10–18, 24–28), §3.3 临时救助 (SA-IM Art. 48; LS-23 二(二); GG-2020 item 15), §4.2–§4.3
 * (GB-39 二; GX Arts. 3–10). Pure: no I/O, no clock.
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "case.h"
#include "errors.h"

/* ---------------------------------------------------------------- names */

static const char *const PROGRAMME_NAME[CASE_PROGRAMME_COUNT] = {
    "dibao", "tekun", "lshi_urgent", "lshi_expense", "edge", "gangxing",
};
static const char *const PROGRAMME_LABEL[CASE_PROGRAMME_COUNT] = {
    "最低生活保障", "特困人员救助供养", "临时救助（急难型）", "临时救助（支出型）",
    "低保边缘家庭认定", "刚性支出困难家庭认定",
};
static const char *const STATE_NAME[CS_COUNT] = {
    "incomplete", "accepted", "investigating", "publicity", "disputed", "deciding", "refused",
    "rejected", "active", "tapering", "suspended", "terminated", "granted", "prior_paid",
    "recognised", "withdrawn",
};
static const char *const STATE_LABEL[CS_COUNT] = {
    "待补正材料", "已受理", "调查核对中", "公示中", "公示有异议", "待审批确认", "不予批准（待送达）",
    "不予批准", "在保", "渐退期", "暂停发放", "已终止", "已批准", "已先行救助（待补办手续）",
    "已认定", "已撤回",
};
static const char *const ACTION_NAME[CA_COUNT] = {
    "accept", "supplement", "start_investigation", "request_check", "record_check",
    "record_visit", "submit_opinion", "object", "appraise", "end_publicity", "approve", "refuse",
    "send_back", "notify_refusal", "withdraw", "review", "start_taper", "suspend", "resume",
    "terminate", "pay_first", "complete_record", "adjust", "propose_stop",
};
static const char *const ACTION_LABEL[CA_COUNT] = {
    "受理", "补正材料", "启动调查", "发起家庭经济状况核对", "录入核对结果", "入户调查",
    "乡镇（街道）初审意见", "公示异议", "民主评议", "公示期满", "审批确认", "不予批准",
    "退回补充调查", "送达不予批准通知书", "撤回（终止办理）", "复核", "渐退", "暂停发放",
    "恢复发放", "终止救助", "先行救助", "补办手续", "补发或扣回", "拟终止公示",
};

static int parse_name(const char *const *names, int count, const char *name, int *out)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return 0;
        }
    return MZ_EINVAL;
}

const char *case_programme_name(enum case_programme p) { return PROGRAMME_NAME[p]; }
const char *case_programme_label(enum case_programme p) { return PROGRAMME_LABEL[p]; }
const char *case_state_name(enum case_state s) { return STATE_NAME[s]; }
const char *case_state_label(enum case_state s) { return STATE_LABEL[s]; }
const char *case_action_name(enum case_action a) { return ACTION_NAME[a]; }
const char *case_action_label(enum case_action a) { return ACTION_LABEL[a]; }

int case_programme_parse(const char *name, enum case_programme *out)
{
    int i, rc = parse_name(PROGRAMME_NAME, CASE_PROGRAMME_COUNT, name, &i);
    if (rc == 0)
        *out = (enum case_programme)i;
    return rc;
}

int case_state_parse(const char *name, enum case_state *out)
{
    int i, rc = parse_name(STATE_NAME, CS_COUNT, name, &i);
    if (rc == 0)
        *out = (enum case_state)i;
    return rc;
}

int case_action_parse(const char *name, enum case_action *out)
{
    int i, rc = parse_name(ACTION_NAME, CA_COUNT, name, &i);
    if (rc == 0)
        *out = (enum case_action)i;
    return rc;
}

enum assist_program case_programme_family(enum case_programme p)
{
    switch (p) {
    case CASE_DIBAO: return ASSIST_PROG_DIBAO;
    case CASE_TEKUN: return ASSIST_PROG_TEKUN;
    case CASE_LSHI_URGENT:
    case CASE_LSHI_EXPENSE: return ASSIST_PROG_LSHI;
    case CASE_EDGE: return ASSIST_PROG_EDGE;
    default: return ASSIST_PROG_GANGXING;
    }
}

#define BIT(x) (1u << (x))
#define FINAL (BIT(CS_REJECTED) | BIT(CS_TERMINATED) | BIT(CS_GRANTED) | BIT(CS_WITHDRAWN))

bool case_state_final(enum case_state s) { return (FINAL & BIT(s)) != 0; }

const char *case_actor_permission(enum case_actor a)
{
    static const char *const PERM[] = {
        [ACTOR_INTAKE] = "assist:case:intake", [ACTOR_INVESTIGATE] = "assist:case:investigate",
        [ACTOR_REVIEW] = "assist:case:review", [ACTOR_DECIDE] = "assist:case:decide",
    };
    return PERM[a];
}

/* ---------------------------------------------------------------- the transition table */

#define ALL_PROGRAMMES (BIT(CASE_PROGRAMME_COUNT) - 1)
#define MONTHLY (BIT(CASE_DIBAO) | BIT(CASE_TEKUN))
#define PRE_DECISION (BIT(CS_INCOMPLETE) | BIT(CS_ACCEPTED) | BIT(CS_INVESTIGATING) | \
                      BIT(CS_PUBLICITY) | BIT(CS_DISPUTED) | BIT(CS_DECIDING))
#define INQUIRY (BIT(CS_INVESTIGATING) | BIT(CS_DISPUTED))

struct transition {
    uint32_t from;            /* states it may be taken from */
    uint32_t programmes;
    enum case_actor actor;
};

/* Where each action may be taken, for which programmes, by whom (rules.md § in case.h). */
static const struct transition TABLE[CA_COUNT] = {
    [CA_ACCEPT] = { 0, ALL_PROGRAMMES, ACTOR_INTAKE },
    [CA_SUPPLEMENT] = { BIT(CS_INCOMPLETE), ALL_PROGRAMMES, ACTOR_INTAKE },
    [CA_START_INVESTIGATION] = { BIT(CS_ACCEPTED), ALL_PROGRAMMES, ACTOR_INVESTIGATE },
    [CA_REQUEST_CHECK] = { INQUIRY, ALL_PROGRAMMES, ACTOR_INVESTIGATE },
    [CA_RECORD_CHECK] = { INQUIRY, ALL_PROGRAMMES, ACTOR_INVESTIGATE },
    [CA_RECORD_VISIT] = { INQUIRY | BIT(CS_DECIDING), ALL_PROGRAMMES, ACTOR_INVESTIGATE },
    [CA_SUBMIT_OPINION] = { INQUIRY, ALL_PROGRAMMES, ACTOR_REVIEW },
    [CA_OBJECT] = { BIT(CS_PUBLICITY), ALL_PROGRAMMES, ACTOR_REVIEW },
    [CA_APPRAISE] = { BIT(CS_DISPUTED), ALL_PROGRAMMES, ACTOR_REVIEW },
    [CA_END_PUBLICITY] = { BIT(CS_PUBLICITY), ALL_PROGRAMMES, ACTOR_REVIEW },
    [CA_APPROVE] = { BIT(CS_DECIDING), ALL_PROGRAMMES, ACTOR_DECIDE },
    [CA_REFUSE] = { BIT(CS_DECIDING), ALL_PROGRAMMES, ACTOR_DECIDE },
    [CA_SEND_BACK] = { BIT(CS_DECIDING), ALL_PROGRAMMES, ACTOR_DECIDE },
    [CA_NOTIFY_REFUSAL] = { BIT(CS_REFUSED), ALL_PROGRAMMES, ACTOR_REVIEW },
    [CA_WITHDRAW] = { PRE_DECISION, ALL_PROGRAMMES, ACTOR_INTAKE },
    [CA_REVIEW] = { BIT(CS_ACTIVE) | BIT(CS_TAPERING), MONTHLY, ACTOR_REVIEW },
    [CA_START_TAPER] = { BIT(CS_ACTIVE), BIT(CASE_DIBAO), ACTOR_DECIDE },
    [CA_SUSPEND] = { BIT(CS_ACTIVE) | BIT(CS_TAPERING), MONTHLY, ACTOR_DECIDE },
    [CA_RESUME] = { BIT(CS_SUSPENDED), MONTHLY, ACTOR_DECIDE },
    [CA_TERMINATE] = { BIT(CS_ACTIVE) | BIT(CS_TAPERING) | BIT(CS_SUSPENDED) |
                       BIT(CS_RECOGNISED), ALL_PROGRAMMES, ACTOR_DECIDE },
    [CA_PAY_FIRST] = { BIT(CS_ACCEPTED) | BIT(CS_INVESTIGATING), BIT(CASE_LSHI_URGENT),
                       ACTOR_REVIEW },
    [CA_COMPLETE_RECORD] = { BIT(CS_PRIOR_PAID), BIT(CASE_LSHI_URGENT), ACTOR_REVIEW },
    [CA_ADJUST] = { BIT(CS_ACTIVE) | BIT(CS_TAPERING) | BIT(CS_SUSPENDED) | BIT(CS_TERMINATED),
                    MONTHLY, ACTOR_DECIDE },
    [CA_PROPOSE_STOP] = { BIT(CS_ACTIVE) | BIT(CS_SUSPENDED), BIT(CASE_TEKUN), ACTOR_REVIEW },
};

uint32_t case_actions_from(enum case_programme p, enum case_state s)
{
    uint32_t mask = 0;
    for (int a = 0; a < CA_COUNT; a++)
        if ((TABLE[a].from & BIT(s)) && (TABLE[a].programmes & BIT(p)))
            mask |= BIT(a);
    return mask;
}

/* Decisions may be taken by the township's reviewer where the county delegated them
 * (DB-57 Art. 2; TK-43 Art. 28; LS-23 二(二)). */
enum case_actor case_action_actor(enum case_action a, const struct case_context *cx)
{
    bool decision = a == CA_APPROVE || a == CA_REFUSE || a == CA_SEND_BACK;
    if (decision && cx->delegated && !cx->actor_county)
        return ACTOR_REVIEW;
    return TABLE[a].actor;
}

/* The state an allowed step leads to. */
static enum case_state target(enum case_programme p, const struct case_summary *s,
                              enum case_state from, const struct case_step *step)
{
    switch (step->action) {
    case CA_ACCEPT: return step->incomplete ? CS_INCOMPLETE : CS_ACCEPTED;
    case CA_SUPPLEMENT: return CS_ACCEPTED;
    case CA_START_INVESTIGATION: return CS_INVESTIGATING;
    case CA_SUBMIT_OPINION: return step->positive ? CS_PUBLICITY : CS_DECIDING;
    case CA_OBJECT: return CS_DISPUTED;
    case CA_END_PUBLICITY: return CS_DECIDING;
    case CA_APPROVE:
        if (p == CASE_DIBAO || p == CASE_TEKUN)
            return CS_ACTIVE;
        return p == CASE_EDGE || p == CASE_GANGXING ? CS_RECOGNISED : CS_GRANTED;
    case CA_REFUSE: return CS_REFUSED;
    case CA_SEND_BACK: return CS_INVESTIGATING;
    case CA_NOTIFY_REFUSAL: return CS_REJECTED;
    case CA_WITHDRAW: return CS_WITHDRAWN;
    case CA_START_TAPER: return CS_TAPERING;
    case CA_SUSPEND: return CS_SUSPENDED;
    case CA_RESUME: return s && s->before_suspension == CS_TAPERING ? CS_TAPERING : CS_ACTIVE;
    case CA_TERMINATE: return CS_TERMINATED;
    case CA_PAY_FIRST: return CS_PRIOR_PAID;
    case CA_COMPLETE_RECORD: return CS_GRANTED;
    default: return from;  /* records that keep the state: check, visit, appraise, review */
    }
}

/* The last day of the 公示 that began on `from`: 7 calendar days, start not counted, moved off
 * a holiday (DB-57 Art. 19; 民法典 Arts. 201, 203 as adopted in rules.md §1.5). */
static int publicity_end(const struct case_context *cx, int from)
{
    return calendar_add_days(cx->cal, from, cx->settings->publicity_days);
}

static const char *format_day(char *buf, size_t len, int day)
{
    snprintf(buf, len, "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
    return buf;
}

/* Guards beyond the state (rules.md §1.5 steps 5, 7–9; §3.3): *why when one fails. */
static const char *guard(const struct case_summary *s, const struct case_context *cx,
                         const struct case_step *step, char *buf, size_t buflen)
{
    bool needs_check = cx->programme != CASE_LSHI_URGENT;
    switch (step->action) {
    case CA_SUBMIT_OPINION:
        if (s->visit_investigators < cx->settings->min_investigators) {
            snprintf(buf, buflen, "出具初审意见前须完成入户调查，且调查人员不少于 %d 人"
                     "（《最低生活保障审核确认办法》第十六条）", cx->settings->min_investigators);
            return buf;
        }
        if (needs_check && !s->check_recorded)
            return "出具初审意见前须录入家庭经济状况核对结果（《最低生活保障审核确认办法》第十七条）";
        return NULL;
    case CA_END_PUBLICITY: {
        int end = publicity_end(cx, s->publicity_on);
        if (cx->today <= end) {
            char day[32];
            snprintf(buf, buflen, "公示期 %d 天，至 %s 届满，届满后方可结束公示"
                     "（《最低生活保障审核确认办法》第十九条）", cx->settings->publicity_days,
                     format_day(day, sizeof day, end));
            return buf;
        }
        return NULL;
    }
    case CA_APPROVE:
        if (cx->staff_relative && !s->county_visit)
            return "申请人为经办人员近亲属，须经县级入户调查后方可审批"
                   "（《最低生活保障审核确认办法》第十一条、第二十条）";
        if (needs_check && !s->check_passed)
            return "家庭经济状况核对结果不符合条件，不能批准；可退回补充调查或作出不予批准决定";
        return NULL;
    case CA_TERMINATE:
        if (cx->programme == CASE_TEKUN) {
            int end = s->stop_publicity_on ? publicity_end(cx, s->stop_publicity_on) : 0;
            if (!end || cx->today <= end)
                return "终止特困人员救助供养前须在村（居）公示 7 天，公示期满后方可作出终止决定"
                       "（《特困人员认定办法》第二十六条）";
        }
        return NULL;
    default:
        return NULL;
    }
}

int case_transition(const struct case_summary *s, const struct case_context *cx,
                    const struct case_step *step, enum case_state *to, const char **why,
                    char *buf, size_t buflen)
{
    const struct transition *t = &TABLE[step->action];
    if (!(t->programmes & BIT(cx->programme))) {
        *why = "该救助项目没有此办理环节";
        return MZ_ECONFLICT;
    }
    if (step->action == CA_ACCEPT ? s != NULL : !(s && (t->from & BIT(s->state)))) {
        snprintf(buf, buflen, "案件当前状态为“%s”，不能%s",
                 s ? case_state_label(s->state) : "未受理", case_action_label(step->action));
        *why = buf;
        return MZ_ECONFLICT;
    }
    const char *failed = s ? guard(s, cx, step, buf, buflen) : NULL;
    if (failed) {
        *why = failed;
        return MZ_ECONFLICT;
    }
    *to = target(cx->programme, s, s ? s->state : CS_ACCEPTED, step);
    return 0;
}

/* ---------------------------------------------------------------- replay */

static void apply_event(struct case_summary *s, const struct case_event *e)
{
    switch (e->action) {
    case CA_ACCEPT:
    case CA_SUPPLEMENT:
        if (e->to == CS_ACCEPTED)
            s->accepted_on = e->day;
        break;
    case CA_START_INVESTIGATION:
        s->investigation_on = e->day;
        break;
    case CA_SEND_BACK:
        s->check_recorded = s->check_passed = false;
        s->visit_investigators = 0;
        s->deciding_on = 0;
        break;
    case CA_REQUEST_CHECK:
        s->check_requested_on = e->day;
        break;
    case CA_RECORD_CHECK:
        s->check_recorded = true;
        s->check_passed = e->positive;
        s->check_done_on = e->day;
        break;
    case CA_RECORD_VISIT:
        if (e->investigators > s->visit_investigators)
            s->visit_investigators = e->investigators;
        s->county_visit = s->county_visit || e->county_level;
        break;
    case CA_SUBMIT_OPINION:
        s->opinion_on = e->day;
        if (e->to == CS_PUBLICITY)
            s->publicity_on = e->day;
        else
            s->deciding_on = e->day;
        break;
    case CA_OBJECT:
        s->objected_on = e->day;
        s->objection_ever = true;
        break;
    case CA_END_PUBLICITY:
        s->deciding_on = e->day;
        break;
    case CA_APPROVE:
    case CA_REFUSE:
        s->decided_on = e->day;
        break;
    case CA_TERMINATE:
        s->terminated_on = e->day;
        break;
    case CA_NOTIFY_REFUSAL:
        s->notified_on = e->day;
        break;
    case CA_PROPOSE_STOP:
        s->stop_publicity_on = e->day;
        break;
    case CA_SUSPEND:
        s->before_suspension = s->state;
        break;
    default:
        break;
    }
    s->state = e->to;
}

int case_replay(enum case_programme p, const struct case_event *ev, size_t n,
                struct case_summary *out)
{
    struct case_summary s = { 0 };
    for (size_t i = 0; i < n; i++) {
        const struct transition *t = &TABLE[ev[i].action];
        bool first = i == 0;
        if ((unsigned)ev[i].action >= CA_COUNT || (unsigned)ev[i].to >= CS_COUNT ||
            first != (ev[i].action == CA_ACCEPT) || !(t->programmes & BIT(p)) ||
            (!first && !(t->from & BIT(s.state))))
            return MZ_EINVAL;
        apply_event(&s, &ev[i]);
    }
    *out = s;
    return 0;
}

/* ---------------------------------------------------------------- deadlines */

static void add_deadline(struct case_deadline *out, int *n, const char *name, const char *label,
                         const char *basis, int due, int done)
{
    if (*n < CASE_MAX_DEADLINES && due > 0)
        out[(*n)++] = (struct case_deadline){ name, label, basis, due, done };
}

/* The overall 低保 limit from acceptance: 30, 20 when delegated, 45 after an objection
 * (DB-57 Art. 22; DD-2022 四(一)). */
static int dibao_total_wd(const struct case_summary *s, const struct case_context *cx)
{
    if (s->objection_ever)
        return cx->settings->dibao_total_extended_wd;
    return cx->delegated ? cx->settings->dibao_total_delegated_wd : cx->settings->dibao_total_wd;
}

static int after_or_zero(int day, int since) { return day >= since ? day : 0; }

/* The day the latest 公示 closed: the file went on to the decision, or an objection stopped it. */
static int publicity_closed(const struct case_summary *s)
{
    int decided = after_or_zero(s->deciding_on, s->publicity_on);
    int objected = after_or_zero(s->objected_on, s->publicity_on);
    return decided ? decided : objected;
}

void case_deadlines(const struct case_summary *s, const struct case_context *cx,
                    struct case_deadline out[CASE_MAX_DEADLINES], int *n, int *due)
{
    const struct assist_settings *st = cx->settings;
    const struct calendar *cal = cx->cal;
    bool tekun = cx->programme == CASE_TEKUN;
    *n = 0;
    *due = 0;
    if (!s->accepted_on)
        return;
    add_deadline(out, n, "start_investigation", "启动调查", "DB-57 Art. 15",
                 calendar_add_workdays(cal, s->accepted_on, st->start_investigation_wd),
                 s->investigation_on);
    if (s->check_requested_on)
        add_deadline(out, n, "hedui_start", "县级启动家庭经济状况核对", "DB-57 Art. 17",
                     calendar_add_workdays(cal, s->check_requested_on, st->hedui_start_wd),
                     after_or_zero(s->check_done_on, s->check_requested_on));
    if (tekun)
        add_deadline(out, n, "township_opinion", "乡镇调查并提出初审意见", "TK-43 Art. 13",
                     calendar_add_workdays(cal, s->accepted_on, st->tekun_township_wd),
                     s->opinion_on);
    else if (st->township_opinion_wd > 0)
        add_deadline(out, n, "township_opinion", "乡镇提出初审意见", "DD-2022 四(一)",
                     calendar_add_workdays(cal, s->accepted_on, st->township_opinion_wd),
                     s->opinion_on);
    if (s->publicity_on)
        add_deadline(out, n, "publicity_end", "公示期满", "DB-57 Art. 19; TK-43 Art. 15",
                     publicity_end(cx, s->publicity_on), publicity_closed(s));
    if (tekun && s->objected_on)
        add_deadline(out, n, "objection_opinion", "异议核实后重新提出初审意见", "TK-43 Art. 15",
                     calendar_add_workdays(cal, s->objected_on, st->objection_wd),
                     after_or_zero(s->opinion_on, s->objected_on + 1));
    if (s->deciding_on)
        add_deadline(out, n, "county_review", tekun ? "县级确认" : "县级审核确认",
                     tekun ? "TK-43 Art. 16" : "DB-57 Art. 20",
                     calendar_add_workdays(cal, s->deciding_on,
                                           tekun ? st->tekun_county_wd : st->county_review_wd),
                     s->decided_on);
    if (cx->programme == CASE_DIBAO)
        add_deadline(out, n, "dibao_total", "受理至审核确认办结",
                     "DB-57 Art. 22; DD-2022 四(一)",
                     calendar_add_workdays(cal, s->accepted_on, dibao_total_wd(s, cx)),
                     s->decided_on);
    if (s->stop_publicity_on)
        add_deadline(out, n, "stop_publicity_end", "终止公示期满", "TK-43 Art. 26",
                     publicity_end(cx, s->stop_publicity_on),
                     s->terminated_on);
    if (s->state == CS_REFUSED || s->state == CS_REJECTED)
        add_deadline(out, n, "refusal_notice", "书面告知不予批准理由",
                     "DB-57 Art. 21; TK-43 Art. 18",
                     calendar_add_workdays(cal, s->decided_on, st->refusal_notice_wd),
                     s->notified_on);
    if (case_state_final(s->state))
        return;
    for (int i = 0; i < *n; i++)
        if (!out[i].done && (*due == 0 || out[i].due < *due))
            *due = out[i].due;
}
