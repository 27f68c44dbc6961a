/*
 * registry/record_routes.c — the HTTP surface every registry entity shares: search, create,
 * read (with history), update (optimistic: the client sends the version it read) and the
 * audited reveal of masked fields. The entity comes from the route row (.data).
 *
 * Reads of personal records are audited (search with the names of the criteria used, never
 * their values; each detail read; each reveal), and so is every change, in the transaction
 * that makes it.
 */
#include <string.h>
#include <time.h>

#include "auth.h"
#include "calendar.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "record.h"
#include "record_routes.h"
#include "route_args.h"

#define REPLY_MAX (16u << 20)

static const struct entity *entity_of(struct request *rq) { return rq->route->data; }

static int today(const struct request *rq) { return calendar_day(rq->now); }

static const char *id_text(struct request *rq, int64_t id)
{
    return arena_printf(rq->arena, "%lld", (long long)id);
}

static struct record_actor actor_of(const struct request *rq)
{
    return (struct record_actor){ rq->who->user_id, rq->who->login, rq->id };
}

/* ---------------------------------------------------------------- search */

int record_route_query(struct request *rq, const struct entity *e, struct record_query *q,
                       const char **used)
{
    memset(q, 0, sizeof *q);
    q->key = http_query(rq, "key");
    q->name_prefix = http_query(rq, "name");
    const char *under = http_query(rq, "under");
    int rc = http_query_long(rq, "limit", 20, 1, 200, &q->limit);
    if (rc == 0)
        rc = arg_query_id(rq, "after", &q->after);
    if (rc)
        return rc;
    if (!q->key && !q->name_prefix && !under)
        return http_fail(rq, MZ_EINVAL, "key", "请给出搜索条件：证件号码、名称前缀或所属区划");
    struct refusal why;
    struct record_values v = { 0 };
    if (q->key) {
        v.v[e->key] = q->key;
        if (record_check(e, rq->arena, &rq->who->scope, &v, true, today(rq), &why) != 0 &&
            strcmp(why.field, e->fields[e->key].name) == 0)
            return http_fail(rq, MZ_EINVAL, "key", why.why);
        q->key = v.v[e->key];
    }
    if (q->name_prefix && (!*q->name_prefix || strlen(q->name_prefix) > 100))
        return http_fail(rq, MZ_EINVAL, "name", "名称前缀须为 1–100 字节");
    if (under) {
        char *code = arena_alloc(rq->arena, REGION_CODE_LEN + 1);
        if (ids_region_normalize(under, strlen(under), code) != 0)
            return http_fail(rq, MZ_EINVAL, "under", "行政区划代码应为 2、4、6、9 或 12 位数字");
        q->under = code;
    }
    q->filter_field = http_query(rq, "field");
    q->filter_value = http_query(rq, "value");
    if (q->filter_field) {
        int f = record_field(e, q->filter_field);
        if (f < 0 || (e->fields[f].kind != F_DICT && e->fields[f].kind != F_BOOL) ||
            !q->filter_value || strlen(q->filter_value) > 32)
            return http_fail(rq, MZ_EINVAL, "field", "只能按代码字段筛选，并须给出 value");
        bool ok = e->fields[f].kind == F_BOOL
                      ? strcmp(q->filter_value, "true") == 0 || strcmp(q->filter_value, "false") == 0 ||
                            strcmp(q->filter_value, "1") == 0 || strcmp(q->filter_value, "0") == 0
                      : dict_has(e->fields[f].dict, q->filter_value);
        if (!ok)
            return http_fail(rq, MZ_EINVAL, "value",
                             arena_printf(rq->arena, "%s的取值不正确", e->fields[f].label));
    }
    *used = arena_printf(rq->arena, "criteria=%s%s%s%s", q->key ? "key " : "",
                         q->name_prefix ? "name " : "", q->under ? "under " : "",
                         q->filter_field ? q->filter_field : "");
    return 0;
}

int record_route_search(struct request *rq)
{
    const struct entity *e = entity_of(rq);
    struct record_query q;
    const char *used = "";
    int rc = record_route_query(rq, e, &q, &used);
    if (rc == 0)
        rc = http_audit(rq, arena_printf(rq->arena, "%s.search", e->type), e->type, "-", NULL,
                        "success", used);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    jw_obj(&w);
    rc = record_search(rq->db, e, &rq->who->scope, &q, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc == MZ_EINVAL ? http_fail(rq, rc, "under", "所查区划超出您的管辖范围") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* ---------------------------------------------------------------- create and update */

/* Body members named like fields into v: strings as they are, booleans as "1"/"0". */
static int body_values(struct request *rq, const struct entity *e, struct record_values *v)
{
    memset(v, 0, sizeof *v);
    const char *key;
    json_t *value;
    json_object_foreach(rq->body, key, value) {
        if (strcmp(key, "version") == 0)
            continue;
        int i = record_field(e, key);
        if (i < 0)
            return http_fail(rq, MZ_EVALIDATE, arena_strdup(rq->arena, key), "没有这个字段");
        if (json_is_string(value) && strlen(json_string_value(value)) == json_string_length(value))
            v->v[i] = json_string_value(value);
        else if (json_is_boolean(value) && e->fields[i].kind == F_BOOL)
            v->v[i] = json_is_true(value) ? "1" : "0";
        else if (json_is_null(value))
            v->v[i] = "";
        else
            return http_fail(rq, MZ_EVALIDATE, e->fields[i].name,
                             arena_printf(rq->arena, "%s须为文本", e->fields[i].label));
    }
    return 0;
}

static int reply_record(struct request *rq, int status, int64_t id)
{
    struct jw w;
    jw_init(&w, REPLY_MAX);
    int rc = record_get(rq->db, entity_of(rq), &rq->who->scope, id, false, true, &w, NULL);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, status, &w);
}

int record_route_create(struct request *rq)
{
    const struct entity *e = entity_of(rq);
    struct record_values v;
    struct refusal why = { 0 };
    int rc = body_values(rq, e, &v);
    if (rc)
        return rc;
    if (record_check(e, rq->arena, &rq->who->scope, &v, true, today(rq), &why) != 0)
        return http_fail(rq, MZ_EVALIDATE, why.field, why.why);
    int64_t id = 0, existing = 0;
    struct record_actor actor = actor_of(rq);
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = record_check_refs(rq->db, e, &rq->who->scope, &v, &why);
    if (rc == 0)
        rc = record_insert(rq->db, e, &rq->who->scope, &v, &actor, rq->now, &id, &existing);
    if (rc == 0)
        rc = http_audit(rq, arena_printf(rq->arena, "%s.create", e->type), e->type,
                        id_text(rq, id), v.v[record_field(e, "region")], "success", "");
    rc = db_finish(rq->db, rc);
    if (rc == MZ_EVALIDATE)
        return http_fail(rq, rc, why.field, why.why);
    if (rc == MZ_ECONFLICT) {
        if (existing)
            rq->err.record_id = id_text(rq, existing); /* only when inside the caller's scope */
        return http_fail(rq, rc, e->fields[e->key].name,
                         existing ? arena_printf(rq->arena, "%s已登记，记录编号 %lld",
                                                 e->fields[e->key].label, (long long)existing)
                                  : arena_printf(rq->arena, "%s已登记", e->fields[e->key].label));
    }
    return rc ? rc : reply_record(rq, 201, id);
}

/* Field names of the changed values, for the audit entry (never the values). */
static const char *changed_names(struct request *rq, const struct entity *e,
                                 const struct record_values *v)
{
    char *names = arena_alloc(rq->arena, 40 * (size_t)e->nfields + 8);
    size_t used = 0;
    names[0] = '\0';
    for (int i = 0; i < e->nfields; i++)
        if (v->v[i])
            used += (size_t)snprintf(names + used, 40 * (size_t)e->nfields + 8 - used, "%s%s",
                                     used ? " " : "fields=", e->fields[i].name);
    return names;
}

int record_route_update(struct request *rq)
{
    const struct entity *e = entity_of(rq);
    int64_t id;
    struct record_values v;
    struct refusal why = { 0 };
    int rc = arg_path_id(rq, "id", &id);
    if (rc == 0)
        rc = body_values(rq, e, &v);
    if (rc)
        return rc;
    json_t *version = json_object_get(rq->body, "version");
    if (!json_is_integer(version) || json_integer_value(version) < 1)
        return http_fail(rq, MZ_EVALIDATE, "version", "请带上读取记录时的 version，防止覆盖他人的修改");
    if (record_check(e, rq->arena, &rq->who->scope, &v, false, today(rq), &why) != 0)
        return http_fail(rq, MZ_EVALIDATE, why.field, why.why);
    struct record_actor actor = actor_of(rq);
    int changed = 0;
    rc = db_begin(rq->db);
    if (rc == 0)
        rc = record_check_refs(rq->db, e, &rq->who->scope, &v, &why);
    if (rc == 0)
        rc = record_update(rq->db, e, &rq->who->scope, id, json_integer_value(version), &v,
                           &actor, rq->now, &changed, &why);
    if (rc == 0 && changed)
        rc = http_audit(rq, arena_printf(rq->arena, "%s.update", e->type), e->type,
                        id_text(rq, id), NULL, "success", changed_names(rq, e, &v));
    rc = db_finish(rq->db, rc);
    if (rc == MZ_EVALIDATE)
        return http_fail(rq, rc, why.field, why.why);
    if (rc == MZ_ENOTFOUND)
        return http_fail(rq, rc, "id", "记录不存在");
    if (rc == MZ_ECONFLICT)
        return http_fail(rq, rc, "version", "记录已被他人修改，请重新读取后再改");
    return rc ? rc : reply_record(rq, 200, id);
}

/* ---------------------------------------------------------------- reading */

static int read_record(struct request *rq, bool reveal)
{
    const struct entity *e = entity_of(rq);
    int64_t id;
    int rc = arg_path_id(rq, "id", &id);
    if (rc)
        return rc;
    char region[REGION_CODE_LEN + 1] = SCOPE_NATIONAL;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    rc = record_get(rq->db, e, &rq->who->scope, id, reveal, true, &w, region);
    if (rc == 0)
        rc = http_audit(rq, arena_printf(rq->arena, "%s.%s", e->type, reveal ? "reveal" : "read"),
                        e->type, id_text(rq, id), region, "success", "");
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "id", "记录不存在") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

int record_route_get(struct request *rq) { return read_record(rq, false); }
int record_route_reveal(struct request *rq) { return read_record(rq, true); }
