/*
 * core/route_args.c — argument readers shared by handlers; see route_args.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "route_args.h"

static int parse_id(struct request *rq, const char *name, const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = v ? strtoll(v, &end, 10) : 0;
    if (!v || errno || end == v || *end || n <= 0 || v[0] == '+' || v[0] == ' ')
        return http_fail(rq, MZ_EINVAL, name, arena_printf(rq->arena, "%s 须为正整数编号", name));
    *out = n;
    return 0;
}

int arg_path_id(struct request *rq, const char *name, int64_t *out)
{
    return parse_id(rq, name, http_path_param(rq, name), out);
}

int arg_query_id(struct request *rq, const char *name, int64_t *out)
{
    const char *v = http_query(rq, name);
    if (!v) {
        *out = 0;
        return 0;
    }
    return parse_id(rq, name, v, out);
}

int arg_body_string(struct request *rq, const char *name, size_t max, int optional,
                    const char **out)
{
    json_t *v = json_object_get(rq->body, name);
    if (!v && optional) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return http_fail(rq, MZ_EVALIDATE, name,
                         arena_printf(rq->arena, "%s 须为 1–%zu 字节的文本", name, max));
    if (text_has_control(json_string_value(v)))
        return http_fail(rq, MZ_EVALIDATE, name,
                         arena_printf(rq->arena, "%s 不能含有换行等控制字符", name));
    *out = json_string_value(v);
    return 0;
}

int arg_body_strings(struct request *rq, const char *name, int max, const char ***out, int *n)
{
    json_t *v = json_object_get(rq->body, name);
    if (!json_is_array(v) || json_array_size(v) > (size_t)max)
        return http_fail(rq, MZ_EVALIDATE, name,
                         arena_printf(rq->arena, "%s 须为最多 %d 项的文本数组", name, max));
    *n = (int)json_array_size(v);
    *out = arena_calloc(rq->arena, (size_t)*n + 1, sizeof **out);
    for (int i = 0; i < *n; i++) {
        json_t *e = json_array_get(v, (size_t)i);
        if (!json_is_string(e) || json_string_length(e) == 0 || json_string_length(e) > 64 ||
            strlen(json_string_value(e)) != json_string_length(e))
            return http_fail(rq, MZ_EVALIDATE, arena_printf(rq->arena, "%s[%d]", name, i),
                             "须为 1–64 字节的文本");
        (*out)[i] = json_string_value(e);
    }
    return 0;
}

int reply_ok(struct request *rq)
{
    struct jw w;
    jw_init(&w, 64);
    jw_obj(&w);
    jw_kv_bool(&w, "ok", true);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}
