/*
 * registry/region_routes.c — the HTTP surface of the region tree: the table first, then thin
 * handlers (parse → store → reply). The tree is public reference data, the same for every
 * user: reading it needs a signed-in caller with region:read but no data scope (R_UNSCOPED) —
 * a county caseworker must resolve the hukou region of an applicant from another province.
 */
#include <string.h>

#include "errors.h"
#include "region.h"
#include "region_store.h"

#define REPLY_MAX (8u << 20)
#define RESOLVE_MAX 500
#define SEARCH_Q_MAX 50

static int region_get(struct request *rq);
static int region_children(struct request *rq);
static int region_search(struct request *rq);
static int region_resolve(struct request *rq);

#define CODE_PARAM(where, req, what) \
    { "code", where, "string", what "（2、4、6、9 或 12 位数字）", req }

const struct route region_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/regions", .fn = region_search, .perm = "region:read",
      .flags = R_UNSCOPED, .tag = "regions",
      .summary = "按名称搜索行政区划",
      .params = { { "q", "query", "string", "名称中包含的文字（1–50 个字符）", true },
                  { "under", "query", "string", "只在此区划之下搜索（2、4、6、9 或 12 位数字）", false },
                  { "level", "query", "integer", "层级：1 省级 … 5 村级", false },
                  { "limit", "query", "integer", "每页条数（1–200，默认 20）", false },
                  { "after", "query", "string", "上一页 next 的值", false } } },
    { .method = HTTP_GET, .path = "/api/v1/regions/{code}", .fn = region_get, .perm = "region:read",
      .flags = R_UNSCOPED, .tag = "regions",
      .summary = "行政区划详情（含上级路径）",
      .params = { CODE_PARAM("path", true, "区划代码") } },
    { .method = HTTP_GET, .path = "/api/v1/regions/{code}/children", .fn = region_children,
      .perm = "region:read", .flags = R_UNSCOPED, .tag = "regions", .summary = "下级行政区划",
      .params = { CODE_PARAM("path", true, "区划代码"),
                  { "limit", "query", "integer", "每页条数（1–500，默认 100）", false },
                  { "after", "query", "string", "上一页 next 的值", false } } },
    { .method = HTTP_POST, .path = "/api/v1/regions/resolve", .fn = region_resolve,
      .perm = "region:read", .flags = R_BODY | R_UNSCOPED, .tag = "regions",
      .summary = "批量解析区划代码为名称",
      .params = { { 0 } } },
    { 0 },
};

static const char *const BAD_CODE = "行政区划代码应为 2、4、6、9 或 12 位数字";

/* A code from the path or the query into out; absent is allowed when optional. */
static int code_arg(struct request *rq, const char *field, const char *value, bool optional,
                    char *out)
{
    if (!value) {
        if (optional) {
            out[0] = '\0';
            return 0;
        }
        return http_fail(rq, MZ_EINVAL, field, BAD_CODE);
    }
    if (ids_region_normalize(value, strlen(value), out) != 0)
        return http_fail(rq, MZ_EINVAL, field, BAD_CODE);
    return 0;
}

static int region_get(struct request *rq)
{
    char code[REGION_CODE_LEN + 1];
    int rc = code_arg(rq, "code", http_path_param(rq, "code"), false, code);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    rc = region_store_get(rq->db, code, &w);
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "code", "行政区划代码不存在") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int region_children(struct request *rq)
{
    char code[REGION_CODE_LEN + 1], after[REGION_CODE_LEN + 1];
    long limit;
    int rc = code_arg(rq, "code", http_path_param(rq, "code"), false, code);
    if (rc == 0)
        rc = code_arg(rq, "after", http_query(rq, "after"), true, after);
    if (rc == 0)
        rc = http_query_long(rq, "limit", 100, 1, 500, &limit);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    long count = 0;
    jw_obj(&w);
    rc = region_store_children(rq->db, code, after, limit, &w, &count);
    jw_obj_end(&w);
    /* An empty page of an unknown parent is a 404, not an empty list. */
    if (rc == 0 && count == 0)
        rc = region_store_exists(rq->db, code);
    if (rc) {
        jw_free(&w);
        return rc == MZ_ENOTFOUND ? http_fail(rq, rc, "code", "行政区划代码不存在") : rc;
    }
    return http_reply_json(rq, 200, &w);
}

static int search_q(struct request *rq, const char **q)
{
    *q = http_query(rq, "q");
    if (!*q || !**q)
        return http_fail(rq, MZ_EINVAL, "q", "请输入要搜索的名称（参数 q）");
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)*q; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    if (chars > SEARCH_Q_MAX)
        return http_fail(rq, MZ_EINVAL, "q", "搜索的名称不能超过 50 个字符");
    return 0;
}

static int region_search(struct request *rq)
{
    char under[REGION_CODE_LEN + 1], after[REGION_CODE_LEN + 1];
    struct region_search s = { .after = after };
    int rc = search_q(rq, &s.q);
    if (rc == 0)
        rc = code_arg(rq, "under", http_query(rq, "under"), true, under);
    if (rc == 0)
        rc = code_arg(rq, "after", http_query(rq, "after"), true, after);
    if (rc == 0)
        rc = http_query_long(rq, "level", 0, 1, 5, &s.level);
    if (rc == 0)
        rc = http_query_long(rq, "limit", 20, 1, 200, &s.limit);
    if (rc)
        return rc;
    s.under = under[0] ? under : NULL;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    jw_obj(&w);
    rc = region_store_search(rq->db, rq->arena, &s, &w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}

/* Checks {"codes":[…]} and normalises every code into codes12 (n × 13 bytes). */
static int resolve_input(struct request *rq, char (**codes12)[REGION_CODE_LEN + 1], size_t *n)
{
    json_t *codes = json_object_get(rq->body, "codes");
    if (!json_is_array(codes) || json_array_size(codes) == 0 ||
        json_array_size(codes) > RESOLVE_MAX)
        return http_fail(rq, MZ_EVALIDATE, "codes", "codes 须为 1 到 500 个区划代码组成的数组");
    *n = json_array_size(codes);
    *codes12 = arena_alloc(rq->arena, *n * sizeof **codes12);
    for (size_t i = 0; i < *n; i++) {
        json_t *c = json_array_get(codes, i);
        if (!json_is_string(c) ||
            ids_region_normalize(json_string_value(c), json_string_length(c), (*codes12)[i]) != 0)
            return http_fail(rq, MZ_EVALIDATE, arena_printf(rq->arena, "codes[%zu]", i), BAD_CODE);
    }
    return 0;
}

static int region_resolve(struct request *rq)
{
    char (*codes)[REGION_CODE_LEN + 1] = NULL;
    size_t n = 0;
    int rc = resolve_input(rq, &codes, &n);
    if (rc)
        return rc;
    struct jw w;
    jw_init(&w, REPLY_MAX);
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = region_store_name(rq->db, codes[i], &w);
    jw_arr_end(&w);
    jw_obj_end(&w);
    if (rc) {
        jw_free(&w);
        return rc;
    }
    return http_reply_json(rq, 200, &w);
}
