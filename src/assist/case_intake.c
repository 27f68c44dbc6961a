/*
 * assist/case_intake.c — reading an application (受理, POST /api/v1/assist/cases): programme,
 * household and applicant, members with their exclusions (§1.2), declared income items
 * (DB-57 Art. 13) and property items (Art. 14), the 核对 authorisation (DB-57 Art. 9; for 特困
 * also the legal supporters', TK-43 Art. 10), the channel, the caseworker-relative flag
 * (DB-57 Art. 11) and the 一次性告知 list of missing materials (DB-57 Art. 10).
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "case_action.h"
#include "errors.h"
#include "household.h"
#include "route_args.h"
#include "users.h"

#define MAX_ITEMS 100
#define MAX_MISSING 30

static const char *const INCOME_TYPES[ASSIST_INC_TYPE_COUNT] = {
    [ASSIST_INC_WAGE] = "wage", [ASSIST_INC_BUSINESS] = "business",
    [ASSIST_INC_PROPERTY] = "property", [ASSIST_INC_TRANSFER] = "transfer",
    [ASSIST_INC_OTHER] = "other", [ASSIST_INC_YOUFU] = "youfu",
    [ASSIST_INC_FAMILY_PLANNING] = "family_planning",
    [ASSIST_INC_SCHOLARSHIP] = "scholarship", [ASSIST_INC_REWARD] = "reward",
    [ASSIST_INC_ASSISTANCE] = "assistance", [ASSIST_INC_PENSION_BASE] = "pension_base",
    [ASSIST_INC_LOCAL_EXCLUDED] = "local_excluded",
    [ASSIST_DED_TRANSFER_EXPENSE] = "transfer_expense",
    [ASSIST_DED_EMPLOYMENT_COST] = "employment_cost",
    [ASSIST_DED_RIGID_MEDICAL] = "rigid_medical",
};

static const char *const PROPERTY_TYPES[] = {
    "deposit", "securities", "insurance", "claim", "internet_finance", "vehicle", "housing",
    "business", "other",
};

static const char *const CHANNELS[] = { "window", "online", "proxy", "discovered" };
static const char *const EXCLUSIONS[] = { "religious", "prison", "detox", "missing", "provincial",
                                          "single_person" };

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && strcmp(list[i], s) == 0)
            return true;
    return false;
}
#define IN(list, s) in_list(list, sizeof list / sizeof list[0], s)

int case_income_type_parse(const char *name, enum assist_income_type *out)
{
    for (int i = 0; i < ASSIST_INC_TYPE_COUNT; i++)
        if (strcmp(INCOME_TYPES[i], name) == 0) {
            *out = (enum assist_income_type)i;
            return 0;
        }
    return MZ_EINVAL;
}

/* A boolean member: absent → def. */
static int body_bool(struct request *rq, json_t *obj, const char *name, bool def, bool *out)
{
    json_t *v = json_object_get(obj, name);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return http_fail(rq, MZ_EVALIDATE, name, arena_printf(rq->arena, "%s 应为 true 或 false",
                                                              name));
    *out = json_is_true(v);
    return 0;
}

/* An id written as a decimal string (ids exceed JavaScript's safe integers). */
static int id_member(struct request *rq, json_t *obj, const char *name, const char *field,
                     bool optional, int64_t *out)
{
    json_t *v = json_object_get(obj, name);
    *out = 0;
    if (!v && optional)
        return 0;
    const char *s = json_string_value(v);
    char *end = NULL;
    long long id = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || id <= 0 || strlen(s) > 19)
        return http_fail(rq, MZ_EVALIDATE, field, arena_printf(rq->arena, "%s 应为记录 id（数字字符串）",
                                                               name));
    *out = id;
    return 0;
}

static int text_member(struct request *rq, json_t *obj, const char *name, const char *field,
                       size_t max, bool optional, const char **out)
{
    json_t *v = json_object_get(obj, name);
    *out = NULL;
    if (!v && optional)
        return 0;
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > max || strlen(s) != json_string_length(v))
        return http_fail(rq, MZ_EVALIDATE, field,
                         arena_printf(rq->arena, "%s 应为 1–%zu 字节的文本", name, max));
    *out = arena_strdup(rq->arena, s);
    return 0;
}

static int amount_member(struct request *rq, json_t *obj, const char *field, int64_t *out)
{
    json_t *v = json_object_get(obj, "amount_fen");
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > ASSIST_AMOUNT_MAX)
        return http_fail(rq, MZ_EVALIDATE, field, "金额须为不小于 0 的整数（分）");
    *out = json_integer_value(v);
    return 0;
}

static json_t *array_member(struct request *rq, const char *name, size_t max, int *rc)
{
    json_t *v = json_object_get(rq->body, name);
    *rc = 0;
    if (!v)
        return NULL;
    if (!json_is_array(v) || json_array_size(v) > max)
        *rc = http_fail(rq, MZ_EVALIDATE, name,
                        arena_printf(rq->arena, "%s 应为不超过 %zu 项的数组", name, max));
    return v;
}

static int parse_item(struct request *rq, json_t *o, const char *kind, size_t i,
                      struct case_item_row *it)
{
    const char *field = arena_printf(rq->arena, "%s[%zu]", kind[0] == 'i' ? "incomes" :
                                     "properties", i);
    enum assist_income_type t;
    if (!json_is_object(o))
        return http_fail(rq, MZ_EVALIDATE, field, "每一项应为对象");
    it->kind = kind;
    int rc = text_member(rq, o, "type", field, 40, false, &it->type);
    if (rc == 0 && kind[0] == 'i' && case_income_type_parse(it->type, &t) != 0)
        rc = http_fail(rq, MZ_EVALIDATE, field, "收入类型应为 wage、business、property、transfer、"
                       "other、youfu、family_planning、scholarship、reward、assistance、"
                       "pension_base、local_excluded、transfer_expense、employment_cost 或 "
                       "rigid_medical");
    if (rc == 0 && kind[0] == 'p' && !IN(PROPERTY_TYPES, it->type))
        rc = http_fail(rq, MZ_EVALIDATE, field, "财产类型应为 deposit、securities、insurance、"
                       "claim、internet_finance、vehicle、housing、business 或 other");
    if (rc == 0)
        rc = amount_member(rq, o, field, &it->amount_fen);
    if (rc == 0)
        rc = id_member(rq, o, "person_id", field, true, &it->person_id);
    json_t *months = json_object_get(o, "months");
    it->months = 1;
    if (rc == 0 && months) {
        if (!json_is_integer(months) || json_integer_value(months) < 1 ||
            json_integer_value(months) > ASSIST_MAX_MONTHS)
            rc = http_fail(rq, MZ_EVALIDATE, field, "months 应为 1–120 的整数");
        else
            it->months = (int)json_integer_value(months);
    }
    if (rc == 0)
        rc = text_member(rq, o, "note", field, 500, true, &it->note);
    return rc;
}

static int parse_items(struct request *rq, struct case_application *app)
{
    int rc;
    json_t *inc = array_member(rq, "incomes", MAX_ITEMS, &rc);
    json_t *prop = rc ? NULL : array_member(rq, "properties", MAX_ITEMS, &rc);
    if (rc)
        return rc;
    size_t ni = inc ? json_array_size(inc) : 0, np = prop ? json_array_size(prop) : 0;
    app->items = arena_alloc(rq->arena, (ni + np + 1) * sizeof *app->items);
    app->nitems = 0;
    for (size_t i = 0; rc == 0 && i < ni; i++)
        rc = parse_item(rq, json_array_get(inc, i), "income", i, &app->items[app->nitems++]);
    for (size_t i = 0; rc == 0 && i < np; i++)
        rc = parse_item(rq, json_array_get(prop, i), "property", i, &app->items[app->nitems++]);
    return rc;
}

/* members: [{person_id, covered, excluded_reason}] — the exclusions of §1.2. */
static int parse_members(struct request *rq, struct case_application *app)
{
    int rc;
    json_t *arr = array_member(rq, "members", HOUSEHOLD_MAX_MEMBERS, &rc);
    app->nmembers = 0;
    if (rc || !arr)
        return rc;
    app->members = arena_alloc(rq->arena, (json_array_size(arr) + 1) * sizeof *app->members);
    for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        struct case_member_row *m = &app->members[app->nmembers++];
        const char *field = arena_printf(rq->arena, "members[%zu]", i);
        memset(m, 0, sizeof *m);
        if (!json_is_object(o))
            return http_fail(rq, MZ_EVALIDATE, field, "每一项应为对象");
        rc = id_member(rq, o, "person_id", field, false, &m->person_id);
        if (rc == 0)
            rc = body_bool(rq, o, "covered", true, &m->covered);
        if (rc == 0)
            rc = text_member(rq, o, "excluded_reason", field, 40, m->covered, &m->excluded_reason);
        if (rc == 0 && !m->covered && !IN(EXCLUSIONS, m->excluded_reason))
            rc = http_fail(rq, MZ_EVALIDATE, field, "不计入家庭成员的原因应为 religious（宗教教职人员）、"
                           "prison（服刑）、detox（强制隔离戒毒）、missing（宣告失踪）、provincial"
                           "（省级规定的其他情形）或 single_person（单人户）");
    }
    return rc;
}

static int parse_missing(struct request *rq, struct case_application *app, json_t *data)
{
    int rc;
    json_t *arr = array_member(rq, "missing", MAX_MISSING, &rc);
    app->nmissing = 0;
    if (rc || !arr)
        return rc;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s || !*s || strlen(s) > 200)
            return http_fail(rq, MZ_EVALIDATE, "missing", "缺少的材料应逐项写明（每项 1–200 字节）");
    }
    app->nmissing = (int)json_array_size(arr);
    if (app->nmissing)
        json_object_set(data, "missing", arr);
    return 0;
}

static int parse_flags(struct request *rq, struct case_application *app)
{
    struct case_row *r = &app->row;
    json_t *b = rq->body;
    bool supporters = false;
    int rc = body_bool(rq, b, "urban", false, &r->urban);
    if (rc == 0)
        rc = body_bool(rq, b, "single_person", false, &r->single_person);
    if (rc == 0)
        rc = body_bool(rq, b, "residence_permit", false, &r->residence_permit);
    if (rc == 0)
        rc = body_bool(rq, b, "staff_relative", false, &r->staff_relative);
    if (rc == 0)
        rc = body_bool(rq, b, "authorised", false, &r->authorised);
    if (rc == 0 && !r->authorised)
        rc = http_fail(rq, MZ_EVALIDATE, "authorised", "申请人须签署家庭经济状况核对授权书"
                       "（《最低生活保障审核确认办法》第九条）");
    if (rc == 0 && r->programme == CASE_TEKUN) {
        rc = body_bool(rq, b, "supporters_authorised", false, &supporters);
        if (rc == 0 && !supporters)
            rc = http_fail(rq, MZ_EVALIDATE, "supporters_authorised",
                           "特困人员申请须由申请人及其法定赡养、抚养、扶养义务人签署核对授权（无义务人的填 "
                           "true 并在备注中说明）（《特困人员认定办法》第十条）");
    }
    return rc;
}

int case_application_parse(struct request *rq, struct case_application *app)
{
    memset(app, 0, sizeof *app);
    struct case_row *r = &app->row;
    const char *programme, *channel, *care;
    int rc = arg_body_string(rq, "programme", 20, 0, &programme);
    if (rc == 0 && case_programme_parse(programme, &r->programme) != 0)
        rc = http_fail(rq, MZ_EVALIDATE, "programme", "救助项目应为 dibao、tekun、lshi_urgent、"
                       "lshi_expense、edge 或 gangxing");
    if (rc == 0)
        rc = id_member(rq, rq->body, "applicant_id", "applicant_id", false, &r->applicant_id);
    if (rc == 0)
        rc = id_member(rq, rq->body, "household_id", "household_id", false, &r->household_id);
    if (rc == 0)
        rc = arg_body_string(rq, "channel", 20, 0, &channel);
    if (rc == 0 && !IN(CHANNELS, channel))
        rc = http_fail(rq, MZ_EVALIDATE, "channel", "申请渠道应为 window（窗口）、online（网上）、"
                       "proxy（代为申请）或 discovered（主动发现）");
    if (rc == 0)
        rc = arg_body_string(rq, "care_mode", 20, r->programme != CASE_TEKUN, &care);
    if (rc == 0 && care && (r->programme != CASE_TEKUN ||
                            (strcmp(care, "central") != 0 && strcmp(care, "dispersed") != 0)))
        rc = http_fail(rq, MZ_EVALIDATE, "care_mode", "特困人员供养方式应为 central（集中供养）或 "
                       "dispersed（分散供养）；其他项目不填");
    if (rc == 0)
        rc = parse_flags(rq, app);
    if (rc == 0)
        rc = arg_body_string(rq, "comment", 2000, 1, &app->comment);
    if (rc == 0)
        rc = parse_members(rq, app);
    if (rc == 0)
        rc = parse_items(rq, app);
    app->data = json_object();
    if (rc == 0)
        rc = parse_missing(rq, app, app->data);
    if (rc) {
        json_decref(app->data);
        app->data = NULL;
        return rc;
    }
    r->channel = channel;
    r->care_mode = care;
    json_object_set_new(app->data, "channel", json_string(channel));
    r->id = users_new_id();
    r->per_capita_income_fen = r->fixed_amount_fen = CASE_NONE;
    r->created_by = rq->who->user_id;
    r->created_at = r->updated_at = rq->now;
    return 0;
}

/* The listed member in the household, or -1. */
static int member_index(const struct household_state *h, int64_t person_id)
{
    for (int i = 0; i < h->nmembers; i++)
        if (h->members[i].person_id == person_id)
            return i;
    return -1;
}

/* Members by default: every current member of the household covered; a 单人户 only the
 * applicant (the others recorded as not covered, §1.4). Listed members must be current ones. */
static int fill_members(struct request *rq, struct case_application *app,
                        const struct household_state *h)
{
    struct case_member_row *listed = app->members;
    int nlisted = app->nmembers;
    for (int i = 0; i < nlisted; i++)
        if (member_index(h, listed[i].person_id) < 0)
            return http_fail(rq, MZ_EVALIDATE, arena_printf(rq->arena, "members[%d]", i),
                             "所列人员不是该家庭的现有成员");
    app->members = arena_alloc(rq->arena, (size_t)h->nmembers * sizeof *app->members);
    app->nmembers = h->nmembers;
    for (int i = 0; i < h->nmembers; i++) {
        struct case_member_row *m = &app->members[i];
        bool self = h->members[i].person_id == app->row.applicant_id;
        *m = (struct case_member_row){ .person_id = h->members[i].person_id,
                                       .relation = h->members[i].relation, .covered = true };
        if (app->row.single_person && !self) {
            m->covered = false;
            m->excluded_reason = "single_person";
        }
        for (int j = 0; j < nlisted; j++)
            if (listed[j].person_id == m->person_id && !self) {
                m->covered = listed[j].covered;
                m->excluded_reason = listed[j].excluded_reason;
            }
    }
    return 0;
}

int case_application_check(struct request *rq, struct case_application *app)
{
    struct household_state h;
    int rc = household_store_load(rq->db, rq->arena, &rq->who->scope, app->row.household_id, &h);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, MZ_EVALIDATE, "household_id", "家庭不存在或不在您的管辖范围内");
    if (rc)
        return rc;
    if (member_index(&h, app->row.applicant_id) < 0)
        return http_fail(rq, MZ_EVALIDATE, "applicant_id", "申请人应为该家庭的现有成员");
    for (int i = 0; i < app->nitems; i++)
        if (app->items[i].person_id && member_index(&h, app->items[i].person_id) < 0)
            return http_fail(rq, MZ_EVALIDATE, "incomes", "收入或财产所属人员不是该家庭的成员");
    snprintf(app->row.region, sizeof app->row.region, "%s", h.region);
    return fill_members(rq, app, &h);
}
