/*
 * registry/household_routes.c — the HTTP surface of 家庭 (households): the route table first,
 * then thin handlers (parse → rules → store → reply). Requirements: issue #5, households part.
 *
 * Creating a household and filing a change request (household:write) are checked as a whole by
 * household_rules.c against the state read inside the transaction; a second person
 * (household:decide, never the one who filed it) applies or rejects the request, and applying
 * checks it again against the state of that moment. Every read of a household is audited, every
 * change is audited in the transaction that makes it. Ids are strings in JSON (int64 exceeds
 * JavaScript's integers); messages are zh-CN.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "calendar.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "household.h"
#include "region_store.h"
#include "route_args.h"

#define REPLY_MAX (4u << 20)
#define ADDRESS_MAX_CHARS 200
#define REASON_MAX_BYTES 1000
#define HEAD_NAME_MAX_BYTES 100

static int household_search(struct request *rq);
static int household_create(struct request *rq);
static int household_get(struct request *rq);
static int request_create(struct request *rq);
static int request_apply(struct request *rq);
static int request_reject(struct request *rq);

#define ID_PARAM { "id", "path", "string", "家庭编号", true }
#define RID_PARAM { "rid", "path", "string", "变更申请编号", true }

const struct route household_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/households", .fn = household_search,
      .perm = "household:read", .tag = "households", .summary = "搜索家庭（须给出搜索条件）",
      .params = { { "under", "query", "string", "区划代码：只查此区划之下", false },
                  { "person_id", "query", "string", "现有成员的自然人编号", false },
                  { "head_name", "query", "string", "户主姓名前缀", false },
                  { "limit", "query", "integer", "每页条数（1–200，默认 20）", false },
                  { "after", "query", "string", "上一页 next 的值", false } } },
    { .method = HTTP_POST, .path = "/api/v1/households", .fn = household_create,
      .perm = "household:write", .flags = R_BODY | R_WRITE, .tag = "households",
      .summary = "新增家庭（户主与成员）", .params = { { 0 } } },
    { .method = HTTP_GET, .path = "/api/v1/households/{id}", .fn = household_get,
      .perm = "household:read", .tag = "households",
      .summary = "家庭详情（现有与历史成员、待处理申请、变更记录）", .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/households/{id}/requests", .fn = request_create,
      .perm = "household:write", .flags = R_BODY | R_WRITE, .tag = "households",
      .summary = "提交家庭变更申请（增减成员、变更户主、分户、合户、迁移区划）",
      .params = { ID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/households/{id}/requests/{rid}/apply",
      .fn = request_apply, .perm = "household:decide", .flags = R_WRITE, .tag = "households",
      .summary = "批准并执行家庭变更申请（不能审批本人提交的申请）",
      .params = { ID_PARAM, RID_PARAM } },
    { .method = HTTP_POST, .path = "/api/v1/households/{id}/requests/{rid}/reject",
      .fn = request_reject, .perm = "household:decide", .flags = R_BODY | R_WRITE,
      .tag = "households", .summary = "驳回家庭变更申请（须写明理由）",
      .params = { ID_PARAM, RID_PARAM } },
    { 0 },
};

/* ---------------------------------------------------------------- small helpers */

/* The calendar day in China of the request as "YYYY-MM-DD". */
static const char *today(struct request *rq)
{
    return calendar_day_iso(rq->now, arena_alloc(rq->arena, 11));
}

static const char *id_text(struct request *rq, int64_t id)
{
    return arena_printf(rq->arena, "%" PRId64, id);
}

static struct record_actor actor_of(const struct request *rq)
{
    return (struct record_actor){ rq->who->user_id, rq->who->login, rq->id };
}

/* Fails the request with a refusal of the rules or the parsers (copied into the arena). */
static int fail_refusal(struct request *rq, const struct household_refusal *r)
{
    return http_fail(rq, r->code, arena_strdup(rq->arena, r->field),
                     arena_strdup(rq->arena, r->why));
}

static int refuse(struct household_refusal *r, const char *field, const char *why)
{
    r->code = MZ_EVALIDATE;
    snprintf(r->field, sizeof r->field, "%s", field);
    snprintf(r->why, sizeof r->why, "%s", why);
    return MZ_EVALIDATE;
}

static const char *path_of(char *buf, size_t n, const char *prefix, const char *key)
{
    snprintf(buf, n, "%s%s", prefix, key);
    return buf;
}

static bool valid_relation(const char *code) { return dict_has("relation", code); }

/* ---------------------------------------------------------------- JSON input */

/* A positive id given as a decimal string (ids are strings in JSON) or a JSON integer. */
static bool json_id(json_t *v, int64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        *out = json_integer_value(v);
        return true;
    }
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    size_t n = s ? json_string_length(v) : 0;
    if (!s || n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
        return false;
    int64_t id = 0;
    for (size_t i = 0; i < n; i++)
        id = id * 10 + (s[i] - '0');
    *out = id;
    return true;
}

/* Refuses members of obj not named in allowed (NULL-terminated); prefix names the object. */
static int only_keys(json_t *obj, const char *prefix, const char *const *allowed,
                     struct household_refusal *r)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i]) {
            char field[64];
            snprintf(field, sizeof field, "%s%.40s", prefix, key);
            return refuse(r, field, "没有这个字段");
        }
    }
    return 0;
}

static int get_id(json_t *obj, const char *prefix, const char *key, bool optional,
                  int64_t *out, struct household_refusal *r)
{
    char field[64];
    json_t *v = json_object_get(obj, key);
    if (!v && optional) {
        *out = 0;
        return 0;
    }
    if (!v)
        return refuse(r, path_of(field, sizeof field, prefix, key), "请填写记录编号");
    if (!json_id(v, out))
        return refuse(r, path_of(field, sizeof field, prefix, key), "须为记录编号（数字文本）");
    return 0;
}

/* A relation code: a short string (the rules check it against GB/T 4761); NULL when absent. */
static int get_relation(json_t *obj, const char *prefix, const char *key, const char **out,
                        struct household_refusal *r)
{
    char field[64];
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 8)
        return refuse(r, path_of(field, sizeof field, prefix, key),
                      "与户主关系须为 GB/T 4761 家庭关系代码（两位数字文本）");
    *out = json_string_value(v);
    return 0;
}

/* A region code of 2–12 digits into out (12 digits); "" when absent and optional. */
static int get_region(json_t *obj, const char *prefix, bool optional, char *out,
                      struct household_refusal *r)
{
    char field[64];
    path_of(field, sizeof field, prefix, "region");
    json_t *v = json_object_get(obj, "region");
    out[0] = '\0';
    if (!v && optional)
        return 0;
    if (!v)
        return refuse(r, field, "请填写所属区划");
    if (!json_is_string(v) ||
        ids_region_normalize(json_string_value(v), json_string_length(v), out) != 0)
        return refuse(r, field, "所属区划应为 2、4、6、9 或 12 位数字的区划代码");
    return 0;
}

/* An optional address of 1–200 characters without control characters; NULL when absent. */
static int get_address(json_t *obj, const char *prefix, const char **out,
                       struct household_refusal *r)
{
    char field[64];
    json_t *v = json_object_get(obj, "address");
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || strlen(s) != json_string_length(v) || !*s || text_has_control(s) ||
        text_chars(s) > ADDRESS_MAX_CHARS)
        return refuse(r, path_of(field, sizeof field, prefix, "address"),
                      "地址须为 1–200 个字符的文本，不含控制字符");
    *out = s;
    return 0;
}

/* ---------------------------------------------------------------- a new household */

static int parse_member(json_t *m, int i, struct household_member *out,
                        struct household_refusal *r)
{
    static const char *const keys[] = { "person_id", "relation", NULL };
    char prefix[32];
    snprintf(prefix, sizeof prefix, "members[%d].", i);
    if (!json_is_object(m)) {
        snprintf(prefix, sizeof prefix, "members[%d]", i);
        return refuse(r, prefix, "成员须为 {person_id, relation} 对象");
    }
    int rc = only_keys(m, prefix, keys, r);
    if (rc == 0)
        rc = get_id(m, prefix, "person_id", false, &out->person_id, r);
    if (rc == 0)
        rc = get_relation(m, prefix, "relation", &out->relation, r);
    return rc;
}

static int parse_members(struct arena *a, json_t *body, struct household_new *h,
                         struct household_refusal *r)
{
    json_t *members = json_object_get(body, "members");
    if (!members) {
        h->nmembers = 0;
        return 0;
    }
    if (!json_is_array(members) || json_array_size(members) > HOUSEHOLD_MAX_MEMBERS) {
        char why[96];
        snprintf(why, sizeof why, "成员须为最多 %d 项的数组", HOUSEHOLD_MAX_MEMBERS);
        return refuse(r, "members", why);
    }
    h->nmembers = (int)json_array_size(members);
    h->members = arena_calloc(a, (size_t)h->nmembers + 1, sizeof *h->members);
    for (int i = 0; i < h->nmembers; i++) {
        int rc = parse_member(json_array_get(members, (size_t)i), i, &h->members[i], r);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_new(struct arena *a, json_t *body, struct household_new *h,
                     struct household_refusal *r)
{
    static const char *const keys[] = { "region", "address", "living_together",
                                        "head_person_id", "members", NULL };
    memset(h, 0, sizeof *h);
    int rc = only_keys(body, "", keys, r);
    if (rc == 0)
        rc = get_region(body, "", false, h->region, r);
    if (rc == 0)
        rc = get_address(body, "", &h->address, r);
    json_t *together = json_object_get(body, "living_together");
    if (rc == 0 && together && !json_is_boolean(together))
        rc = refuse(r, "living_together", "是否共同生活须为 true 或 false");
    h->living_together = !together || json_is_true(together);
    if (rc == 0)
        rc = get_id(body, "", "head_person_id", false, &h->head_person_id, r);
    if (rc == 0)
        rc = parse_members(a, body, h, r);
    return rc;
}

/* 422 unless the region code names a region of the tree. */
static int region_known(struct request *rq, const char *region, const char *field)
{
    int rc = region_store_exists(rq->db, region);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, MZ_EVALIDATE, field, "所属区划代码不存在");
    return rc;
}

/* Looks up the head and members for the rules. */
static int new_facts(struct request *rq, const struct household_new *h,
                     struct household_person **persons)
{
    int64_t *ids = arena_calloc(rq->arena, (size_t)h->nmembers + 1, sizeof *ids);
    ids[0] = h->head_person_id;
    for (int i = 0; i < h->nmembers; i++)
        ids[i + 1] = h->members[i].person_id;
    return household_store_persons(rq->db, rq->arena, &rq->who->scope, ids, h->nmembers + 1,
                                   persons);
}

static int reply_household(struct request *rq, int status, int64_t id)
{
    char region[REGION_CODE_LEN + 1];
    struct jw w;
    jw_init(&w, REPLY_MAX);
    int rc = household_store_get(rq->db, &rq->who->scope, id, &w, region);
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "id", "家庭不存在") : rc;
    }
    return http_reply_json(rq, status, &w);
}

static int household_create(struct request *rq)
{
    struct household_new h;
    struct household_refusal why = { 0 };
    if (parse_new(rq->arena, rq->body, &h, &why) != 0)
        return fail_refusal(rq, &why);
    int rc = region_known(rq, h.region, "region");
    if (rc)
        return rc;
    struct household_person *persons = NULL;
    struct household_facts f = { .scope = &rq->who->scope, .npersons = h.nmembers + 1,
                                 .relation_known = valid_relation };
    struct record_actor actor = actor_of(rq);
    int64_t id = 0, busy = 0;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = new_facts(rq, &h, &persons);
    f.persons = persons;
    if (rc == 0)
        rc = household_rule_create(&h, &f, &why);
    if (rc == 0)
        rc = household_store_insert(rq->db, &h, &actor, rq->now, today(rq), &id, &busy);
    if (rc == 0)
        rc = http_audit(rq, "household.create", "household", id_text(rq, id), h.region,
                        "success", arena_printf(rq->arena, "members=%d", h.nmembers));
    rc = db_finish(rq->db, rc);
    if (why.code && rc == why.code)
        return fail_refusal(rq, &why);
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "members", arena_printf(rq->arena, "人员 %" PRId64 " 刚刚加入了"
                                                                    "其他家庭，请刷新后重试", busy));
    return rc ? rc : reply_household(rq, 201, id);
}

/* ---------------------------------------------------------------- search and read */

static int search_args(struct request *rq, struct household_query *q, const char **used)
{
    memset(q, 0, sizeof *q);
    const char *under = http_query(rq, "under");
    q->head_name = http_query(rq, "head_name");
    int rc = http_query_long(rq, "limit", 20, 1, 200, &q->limit);
    if (rc == 0)
        rc = arg_query_id(rq, "after", &q->after);
    if (rc == 0)
        rc = arg_query_id(rq, "person_id", &q->person_id);
    if (rc)
        return rc;
    if (!under && !q->person_id && !q->head_name)
        return http_fail(rq, MZ_EINVAL, "under", "请给出搜索条件：所属区划、成员编号或户主姓名");
    if (q->head_name && (!*q->head_name || strlen(q->head_name) > HEAD_NAME_MAX_BYTES))
        return http_fail(rq, MZ_EINVAL, "head_name", "户主姓名前缀须为 1–100 字节");
    if (under) {
        char *code = arena_alloc(rq->arena, REGION_CODE_LEN + 1);
        if (ids_region_normalize(under, strlen(under), code) != 0)
            return http_fail(rq, MZ_EINVAL, "under", "行政区划代码应为 2、4、6、9 或 12 位数字");
        q->under = code;
    }
    *used = arena_printf(rq->arena, "criteria=%s%s%s", q->under ? "under " : "",
                         q->person_id ? "person_id " : "", q->head_name ? "head_name" : "");
    return 0;
}

static int household_search(struct request *rq)
{
    struct household_query q;
    const char *used = "";
    int rc = search_args(rq, &q, &used);
    if (rc == 0)
        rc = http_audit(rq, "household.search", "household", "-", NULL, "success", used);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    jw_obj(&w);
    rc = household_store_search(rq->db, &rq->who->scope, &q, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc == MZ_EINVAL ? http_fail(rq, rc, "under", "行政区划代码不合法") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int household_get(struct request *rq)
{
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    char region[REGION_CODE_LEN + 1] = SCOPE_NATIONAL;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    rc = household_store_get(rq->db, &rq->who->scope, id, &w, region);
    if (rc == 0)
        rc = http_audit(rq, "household.read", "household", id_text(rq, id), region, "success",
                        "");
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "id", "家庭不存在") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* ---------------------------------------------------------------- change requests: input */

static int parse_person_change(json_t *p, struct household_change *c, const char *relation_key,
                               struct household_refusal *r)
{
    const char *keys[] = { "person_id", relation_key, NULL };
    int rc = only_keys(p, "payload.", keys, r);
    if (rc == 0)
        rc = get_id(p, "payload.", "person_id", false, &c->person_id, r);
    if (rc == 0 && relation_key)
        rc = get_relation(p, "payload.", relation_key, &c->relation, r);
    if (rc == 0 && relation_key && !c->relation) {
        char field[64];
        rc = refuse(r, path_of(field, sizeof field, "payload.", relation_key),
                    "请填写与户主关系（GB/T 4761 家庭关系代码）");
    }
    return rc;
}

static int parse_split(struct arena *a, json_t *p, struct household_change *c,
                       struct household_refusal *r)
{
    static const char *const keys[] = { "person_ids", "new_head_person_id", "region", "address",
                                         NULL };
    int rc = only_keys(p, "payload.", keys, r);
    json_t *ids = json_object_get(p, "person_ids");
    if (rc == 0 && (!json_is_array(ids) || json_array_size(ids) < 1 ||
                    json_array_size(ids) > HOUSEHOLD_MAX_MEMBERS))
        rc = refuse(r, "payload.person_ids", "请列出分出的成员（1–50 个记录编号）");
    if (rc)
        return rc;
    c->npersons = (int)json_array_size(ids);
    c->person_ids = arena_calloc(a, (size_t)c->npersons, sizeof *c->person_ids);
    for (int i = 0; i < c->npersons; i++) {
        if (!json_id(json_array_get(ids, (size_t)i), &c->person_ids[i])) {
            char field[64];
            snprintf(field, sizeof field, "payload.person_ids[%d]", i);
            return refuse(r, field, "须为记录编号（数字文本）");
        }
    }
    rc = get_id(p, "payload.", "new_head_person_id", false, &c->new_head_person_id, r);
    if (rc == 0)
        rc = get_region(p, "payload.", true, c->region, r);
    if (rc == 0)
        rc = get_address(p, "payload.", &c->address, r);
    return rc;
}

static int parse_merge(json_t *p, struct household_change *c, struct household_refusal *r)
{
    static const char *const keys[] = { "other_household_id", "other_head_relation", NULL };
    int rc = only_keys(p, "payload.", keys, r);
    if (rc == 0)
        rc = get_id(p, "payload.", "other_household_id", false, &c->other_household_id, r);
    if (rc == 0)
        rc = get_relation(p, "payload.", "other_head_relation", &c->relation, r);
    if (rc == 0 && !c->relation)
        rc = refuse(r, "payload.other_head_relation", "请填写原户主与本户户主的关系");
    return rc;
}

static int parse_move(json_t *p, struct household_change *c, struct household_refusal *r)
{
    static const char *const keys[] = { "region", "address", NULL };
    int rc = only_keys(p, "payload.", keys, r);
    if (rc == 0)
        rc = get_region(p, "payload.", false, c->region, r);
    if (rc == 0)
        rc = get_address(p, "payload.", &c->address, r);
    return rc;
}

/* A request's kind and payload (from the body, or as stored) into c. */
static int parse_change(struct arena *a, const char *kind, json_t *payload,
                        struct household_change *c, struct household_refusal *r)
{
    memset(c, 0, sizeof *c);
    if (household_kind_parse(kind, &c->kind) != 0)
        return refuse(r, "kind", "变更类型须为 add_member、remove_member、change_head、split、"
                                 "merge 或 move_region");
    if (!json_is_object(payload))
        return refuse(r, "payload", "请给出变更内容（对象）");
    switch (c->kind) {
    case HOUSEHOLD_ADD_MEMBER:
        return parse_person_change(payload, c, "relation", r);
    case HOUSEHOLD_REMOVE_MEMBER:
        return parse_person_change(payload, c, NULL, r);
    case HOUSEHOLD_CHANGE_HEAD:
        return parse_person_change(payload, c, "old_head_relation", r);
    case HOUSEHOLD_SPLIT:
        return parse_split(a, payload, c, r);
    case HOUSEHOLD_MERGE:
        return parse_merge(payload, c, r);
    case HOUSEHOLD_MOVE_REGION:
        return parse_move(payload, c, r);
    }
    return MZ_EINTERNAL;
}

static void kv_id(struct jw *w, const char *key, int64_t id)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, id);
    jw_kv_str(w, key, buf);
}

/* The payload as stored: compact JSON, ids as strings, the region with 12 digits. */
static const char *payload_text(struct request *rq, const struct household_change *c)
{
    struct jw w;
    jw_init(&w, 8192);
    jw_obj(&w);
    if (c->person_id)
        kv_id(&w, "person_id", c->person_id);
    if (c->kind == HOUSEHOLD_SPLIT) {
        jw_key(&w, "person_ids");
        jw_arr(&w);
        for (int i = 0; i < c->npersons; i++)
            jw_str(&w, id_text(rq, c->person_ids[i]));
        jw_arr_end(&w);
        kv_id(&w, "new_head_person_id", c->new_head_person_id);
    }
    if (c->other_household_id)
        kv_id(&w, "other_household_id", c->other_household_id);
    if (c->relation)
        jw_kv_str(&w, c->kind == HOUSEHOLD_ADD_MEMBER     ? "relation"
                      : c->kind == HOUSEHOLD_CHANGE_HEAD ? "old_head_relation"
                                                         : "other_head_relation",
                  c->relation);
    if (c->region[0])
        jw_kv_str(&w, "region", c->region);
    if (c->address)
        jw_kv_str(&w, "address", c->address);
    jw_obj_end(&w);
    size_t n = 0;
    char *buf = jw_take(&w, &n);
    const char *text = buf ? arena_strndup(rq->arena, buf, n) : "{}";
    free(buf);
    return text;
}

/* ---------------------------------------------------------------- change requests: state */

/* Every person a change names, for the rules. */
static void change_persons(const struct household_change *c, const int64_t **ids, int *n,
                           struct arena *a)
{
    int64_t *all = arena_calloc(a, (size_t)c->npersons + 2, sizeof *all);
    int k = 0;
    if (c->person_id)
        all[k++] = c->person_id;
    for (int i = 0; i < c->npersons; i++)
        all[k++] = c->person_ids[i];
    if (c->new_head_person_id)
        all[k++] = c->new_head_person_id;
    *ids = all;
    *n = k;
}

/* The state a change is checked against, read inside the transaction. */
struct change_state {
    struct household_state home, other;
    bool has_other;
    struct household_facts facts;
};

/* Locks the households c touches (ascending ids), then loads them and the persons named.
 * MZ_ENOTFOUND when the household is not visible. */
static int load_state(struct request *rq, int64_t hid, const struct household_change *c,
                      struct change_state *s)
{
    memset(s, 0, sizeof *s);
    int64_t other = c->kind == HOUSEHOLD_MERGE ? c->other_household_id : 0;
    int64_t first = other && other < hid ? other : hid, second = other && other < hid ? hid : other;
    int rc = household_store_lock(rq->db, &rq->who->scope, first);
    if (rc == 0 && second && second != first)
        rc = household_store_lock(rq->db, &rq->who->scope, second);
    if (rc == 0)
        rc = household_store_load(rq->db, rq->arena, &rq->who->scope, hid, &s->home);
    if (rc == 0 && other) {
        rc = household_store_load(rq->db, rq->arena, &rq->who->scope, other, &s->other);
        s->has_other = rc == 0;
        rc = rc == MZ_ENOTFOUND ? 0 : rc;
    }
    const int64_t *ids = NULL;
    int n = 0;
    struct household_person *persons = NULL;
    change_persons(c, &ids, &n, rq->arena);
    if (rc == 0)
        rc = household_store_persons(rq->db, rq->arena, &rq->who->scope, ids, n, &persons);
    s->facts = (struct household_facts){ .scope = &rq->who->scope, .persons = persons,
                                         .npersons = n, .home = &s->home,
                                         .other = s->has_other ? &s->other : NULL,
                                         .relation_known = valid_relation };
    return rc;
}

/* 409 when a pending request touches the household or the other one. */
static int check_pending(struct request *rq, int64_t hid, const struct household_change *c)
{
    int64_t other = c->kind == HOUSEHOLD_MERGE ? c->other_household_id : hid, rid = 0;
    int rc = household_store_pending(rq->db, hid, other, &rid);
    if (rc == 0 && rid)
        return http_fail(rq, MZ_ECONFLICT, "id",
                         arena_printf(rq->arena, "该家庭有待处理的变更申请（编号 %" PRId64 "），"
                                                 "请待其处理后再提交", rid));
    return rc;
}

static int reply_request(struct request *rq, int status, int64_t rid)
{
    struct jw w;
    jw_init(&w, REPLY_MAX);
    int rc = household_store_request_get(rq->db, rid, &w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, status, &w);
}

/* Parses the body of a new request; 422 naming the field, region codes checked against the
 * region tree. */
static int request_input(struct request *rq, struct household_change *c)
{
    static const char *const keys[] = { "kind", "payload", NULL };
    struct household_refusal why = { 0 };
    json_t *kind = json_object_get(rq->body, "kind");
    if (only_keys(rq->body, "", keys, &why) != 0)
        return fail_refusal(rq, &why);
    if (parse_change(rq->arena, json_is_string(kind) ? json_string_value(kind) : NULL,
                     json_object_get(rq->body, "payload"), c, &why) != 0)
        return fail_refusal(rq, &why);
    return c->region[0] ? region_known(rq, c->region, "payload.region") : 0;
}

static int request_create(struct request *rq)
{
    int64_t hid, rid = 0;
    struct household_change c;
    int rc = arg_path_id(rq, "id", &hid);
    if (rc == 0)
        rc = request_input(rq, &c);
    if (rc)
        return rc;
    const char *payload = payload_text(rq, &c);
    struct change_state s;
    struct household_refusal why = { 0 };
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = load_state(rq, hid, &c, &s);
    if (rc == 0)
        rc = check_pending(rq, hid, &c);
    if (rc == 0)
        rc = household_rule_change(&c, &s.facts, &why);
    if (rc == 0)
        rc = household_store_request_insert(rq->db, &s.home, &c, payload, rq->who->user_id,
                                            rq->now, &rid);
    if (rc == 0)
        rc = http_audit(rq, "household.request", "household", id_text(rq, hid), s.home.region,
                        "success", arena_printf(rq->arena, "request=%" PRId64 " kind=%s", rid,
                                                household_kind_name(c.kind)));
    rc = db_finish(rq->db, rc);
    if (why.code && rc == why.code)
        return fail_refusal(rq, &why);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "家庭不存在");
    return rc ? rc : reply_request(rq, 201, rid);
}

/* ---------------------------------------------------------------- deciding */

/* Loads request rid of household hid; 404 when absent, 409 when decided, 403 (audited) when
 * the caller filed it. Runs inside the transaction. */
static int decidable(struct request *rq, int64_t hid, int64_t rid, struct household_request *q)
{
    int rc = household_store_request_load(rq->db, rq->arena, &rq->who->scope, hid, rid, q);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "rid", "变更申请不存在");
    if (rc)
        return rc;
    if (strcmp(q->status, "pending") != 0)
        return http_fail(rq, MZ_ECONFLICT, "rid",
                         strcmp(q->status, "applied") == 0 ? "该申请已批准执行，不能再处理"
                                                           : "该申请已驳回，不能再处理");
    if (q->created_by == rq->who->user_id)
        return http_fail(rq, MZ_EPERM, "rid", "不能审批本人提交的申请，须由另一名工作人员处理");
    return 0;
}

/* After a refused decision by the filer, an audit entry of the attempt (outside the rolled
 * back transaction). */
static int audit_denied(struct request *rq, const char *action, int64_t rid, const char *region,
                        int rc)
{
    if (rc != MZ_EPERM || rq->err.code != MZ_EPERM)
        return rc;
    int arc = http_audit(rq, action, "household_request", id_text(rq, rid),
                         region[0] ? region : NULL, "denied", "own request");
    return arc ? arc : rc;
}

/* Checks request q again against the state of now and performs it. */
static int apply_now(struct request *rq, const struct household_request *q, int64_t *new_id)
{
    struct household_change c;
    struct household_refusal why = { 0 };
    json_t *payload = json_loads(q->payload, 0, NULL);
    int rc = parse_change(rq->arena, household_kind_name(q->kind), payload, &c, &why);
    struct change_state s;
    if (rc == 0)
        rc = load_state(rq, q->household_id, &c, &s);
    if (rc == 0 && household_rule_change(&c, &s.facts, &why) != 0)
        rc = http_fail(rq, MZ_ECONFLICT, arena_strdup(rq->arena, why.field),
                       arena_printf(rq->arena, "申请已不能执行：%s", why.why));
    else if (why.code)
        rc = MZ_EINTERNAL; /* a stored payload no longer parses */
    struct record_actor actor = actor_of(rq);
    int64_t busy = 0;
    if (rc == 0)
        rc = household_store_apply(rq->db, &s.home, s.has_other ? &s.other : NULL, &c, &actor,
                                   rq->now, today(rq), new_id, &busy);
    if (rc == MZ_ECONFLICT && busy)
        rc = http_fail(rq, rc, "payload", arena_printf(rq->arena, "申请已不能执行：人员 %" PRId64
                                                                  " 已加入其他家庭", busy));
    json_decref(payload);
    return rc;
}

static int request_apply(struct request *rq)
{
    int64_t hid, rid, new_id = 0;
    int rc = arg_path_id(rq, "id", &hid);
    if (rc == 0)
        rc = arg_path_id(rq, "rid", &rid);
    if (rc)
        return rc;
    struct household_request q = { 0 };
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = decidable(rq, hid, rid, &q);
    if (rc == 0)
        rc = apply_now(rq, &q, &new_id);
    if (rc == 0)
        rc = household_store_request_decide(rq->db, rid, "applied", rq->who->user_id, rq->now,
                                            NULL, new_id);
    if (rc == 0)
        rc = http_audit(rq, "household.apply", "household", id_text(rq, hid), q.region, "success",
                        arena_printf(rq->arena, "request=%" PRId64 " kind=%s", rid,
                                     household_kind_name(q.kind)));
    rc = audit_denied(rq, "household.apply", rid, q.region, db_finish(rq->db, rc));
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "家庭不存在");
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "rid", "该申请已被他人处理");
    return rc ? rc : reply_request(rq, 200, rid);
}

static int request_reject(struct request *rq)
{
    int64_t hid, rid;
    const char *reason = NULL;
    int rc = arg_path_id(rq, "id", &hid);
    if (rc == 0)
        rc = arg_path_id(rq, "rid", &rid);
    if (rc == 0)
        rc = arg_body_string(rq, "reason", REASON_MAX_BYTES, 0, &reason);
    if (rc)
        return rc;
    if (text_has_control(reason))
        return http_fail(rq, MZ_EVALIDATE, "reason", "驳回理由不能含有控制字符");
    struct household_request q = { 0 };
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = decidable(rq, hid, rid, &q);
    if (rc == 0)
        rc = household_store_request_decide(rq->db, rid, "rejected", rq->who->user_id, rq->now,
                                            reason, 0);
    if (rc == 0)
        rc = http_audit(rq, "household.reject", "household", id_text(rq, hid), q.region,
                        "success", arena_printf(rq->arena, "request=%" PRId64 " kind=%s", rid,
                                                household_kind_name(q.kind)));
    rc = audit_denied(rq, "household.reject", rid, q.region, db_finish(rq->db, rc));
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "rid", "该申请已被他人处理");
    return rc ? rc : reply_request(rq, 200, rid);
}
