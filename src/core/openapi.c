/*
 * core/openapi.c — OpenAPI 3.0 document from the route table; see openapi.h.
 *
 * Paths are grouped (OpenAPI keys operations by path, then method); every operation gets its
 * summary, tag, parameters, a JSON request body when the route takes one, and the error
 * responses the server itself can produce, all sharing one Error schema.
 */
#include <string.h>

#include "errors.h"
#include "http.h"
#include "openapi.h"

static void write_error_schema(struct jw *w)
{
    jw_key(w, "Error");
    jw_obj(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "properties");
    jw_obj(w);
    jw_key(w, "error");
    jw_obj(w);
    jw_kv_str(w, "type", "object");
    jw_key(w, "required");
    jw_arr(w);
    jw_str(w, "code");
    jw_str(w, "message");
    jw_arr_end(w);
    jw_key(w, "properties");
    jw_obj(w);
    static const char *const fields[] = { "code", "message", "field", "request_id",
                                          "record_id" };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        jw_key(w, fields[i]);
        jw_obj(w);
        jw_kv_str(w, "type", "string");
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

static void write_response(struct jw *w, const char *status, const char *description, bool error)
{
    jw_key(w, status);
    jw_obj(w);
    jw_kv_str(w, "description", description);
    jw_key(w, "content");
    jw_obj(w);
    jw_key(w, "application/json");
    jw_obj(w);
    jw_key(w, "schema");
    jw_obj(w);
    if (error)
        jw_kv_str(w, "$ref", "#/components/schemas/Error");
    else
        jw_kv_str(w, "type", "object");
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}

static void write_params(struct jw *w, const struct route *r)
{
    jw_key(w, "parameters");
    jw_arr(w);
    for (int i = 0; i < ROUTE_MAX_PARAMS && r->params[i].name; i++) {
        const struct route_param *p = &r->params[i];
        jw_obj(w);
        jw_kv_str(w, "name", p->name);
        jw_kv_str(w, "in", p->in);
        jw_kv_bool(w, "required", p->required);
        jw_kv_str(w, "description", p->description);
        jw_key(w, "schema");
        jw_obj(w);
        jw_kv_str(w, "type", p->type);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void write_operation(struct jw *w, const struct route *r)
{
    char method[8];
    const char *m = http_method_name(r->method);
    size_t n = strlen(m);
    for (size_t i = 0; i <= n; i++)
        method[i] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] + 32 : m[i]);
    jw_key(w, method);
    jw_obj(w);
    jw_kv_str(w, "summary", r->summary);
    jw_key(w, "tags");
    jw_arr(w);
    jw_str(w, r->tag);
    jw_arr_end(w);
    if (r->perm)
        jw_kv_str(w, "x-permission", r->perm);
    if (r->flags & R_UNSCOPED)
        jw_kv_bool(w, "x-unscoped", true);
    write_params(w, r);
    if (r->flags & (R_BODY | R_RAW_BODY)) {
        bool json = r->flags & R_BODY;
        jw_key(w, "requestBody");
        jw_obj(w);
        jw_kv_bool(w, "required", true);
        jw_key(w, "content");
        jw_obj(w);
        jw_key(w, json ? "application/json" : "text/csv");
        jw_obj(w);
        jw_key(w, "schema");
        jw_obj(w);
        jw_kv_str(w, "type", json ? "object" : "string");
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
        jw_obj_end(w);
    }
    jw_key(w, "responses");
    jw_obj(w);
    write_response(w, "200", "成功", false);
    write_response(w, "400", "请求参数或请求体不合法", true);
    if (r->perm) {
        write_response(w, "401", "未登录或登录已过期", true);
        write_response(w, "403", "没有权限、缺少 CSRF 令牌或须先修改口令", true);
    }
    if (strchr(r->path, '{'))
        write_response(w, "404", "记录不存在", true);
    if (r->flags & (R_BODY | R_RAW_BODY)) {
        write_response(w, "413", "请求体超过允许的大小", true);
        write_response(w, "415", "请求体必须是 application/json", true);
        write_response(w, "422", "数据校验未通过", true);
    }
    write_response(w, "503", "服务暂不可用", true);
    jw_obj_end(w);
    jw_obj_end(w);
}

void openapi_write(struct jw *w, const char *version)
{
    jw_obj(w);
    jw_kv_str(w, "openapi", "3.0.3");
    jw_key(w, "info");
    jw_obj(w);
    jw_kv_str(w, "title", "minzheng 民政业务平台 API");
    jw_kv_str(w, "version", version);
    jw_obj_end(w);
    jw_key(w, "paths");
    jw_obj(w);
    size_t n = http_route_count();
    for (size_t i = 0; i < n; i++) {
        const struct route *r = http_route_at(i);
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(http_route_at(j)->path, r->path) == 0;
        if (seen)
            continue; /* written with the first route of the same path */
        jw_key(w, r->path);
        jw_obj(w);
        for (size_t j = i; j < n; j++)
            if (strcmp(http_route_at(j)->path, r->path) == 0)
                write_operation(w, http_route_at(j));
        jw_obj_end(w);
    }
    jw_obj_end(w);
    jw_key(w, "components");
    jw_obj(w);
    jw_key(w, "schemas");
    jw_obj(w);
    write_error_schema(w);
    jw_obj_end(w);
    jw_obj_end(w);
    jw_obj_end(w);
}
