/*
 * tests/unit/core/test_openapi.c — "every route is described": the OpenAPI document of
 * core/openapi.c against the route tables it is generated from.
 *
 * Rules under test: http.h ("The OpenAPI description is generated from the same rows, so it
 * cannot drift") and STYLE.md ("docs/api.md is generated from them"); OpenAPI 3.0.3 §4.7.9
 * (paths keyed by path, then lower-case method), §4.7.12 (a path parameter must have
 * required: true) and §4.7.10 (requestBody). The tables are the real ones: core_routes
 * (core/core_routes.h) and region_routes (registry/region.h); a route added to either is
 * checked here without changing this file.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core_routes.h"
#include "http.h"
#include "json.h"
#include "openapi.h"
#include "region.h"

static json_t *doc;

static void setup(void)
{
    http_add_routes(core_routes);
    http_add_routes(region_routes);
    struct jw w;
    jw_init(&w, 4u << 20);
    openapi_write(&w, "9.8.7-test");
    cr_assert_not(jw_failed(&w), "the document fits in 4 MiB");
    size_t len;
    char *buf = jw_take(&w, &len);
    json_error_t err;
    doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    free(buf);
    cr_assert_not_null(doc, "not valid JSON: %s at %d", err.text, err.position);
}

static void teardown(void) { json_decref(doc); }

TestSuite(openapi, .init = setup, .fini = teardown);

static const char *lower_method(const struct route *r, char *buf)
{
    const char *m = http_method_name(r->method);
    size_t i = 0;
    for (; m[i]; i++)
        buf[i] = (char)tolower((unsigned char)m[i]);
    buf[i] = '\0';
    return buf;
}

static json_t *operation(const struct route *r)
{
    char m[16];
    json_t *path = json_object_get(json_object_get(doc, "paths"), r->path);
    return path ? json_object_get(path, lower_method(r, m)) : NULL;
}

Test(openapi, header)
{
    cr_assert(http_route_count() >= 6, "oa-1.1: both tables registered");
    const char *v = json_string_value(json_object_get(doc, "openapi"));
    cr_assert_not_null(v, "oa-1.2");
    cr_assert_eq(strncmp(v, "3.", 2), 0, "oa-1.2: %s", v);
    json_t *info = json_object_get(doc, "info");
    cr_assert_str_eq(json_string_value(json_object_get(info, "version")), "9.8.7-test", "oa-1.3");
    const char *title = json_string_value(json_object_get(info, "title"));
    cr_assert(title && *title, "oa-1.4");
    cr_assert(json_is_object(json_object_get(doc, "paths")), "oa-1.5");
    json_t *error = json_object_get(json_object_get(json_object_get(doc, "components"),
                                                    "schemas"), "Error");
    cr_assert(json_is_object(error), "oa-1.6: the shared Error schema");
}

/* Every registered route is under paths[path][method] with a summary and a tag. */
Test(openapi, every_route_described)
{
    for (size_t i = 0; i < http_route_count(); i++) {
        const struct route *r = http_route_at(i);
        char m[16];
        json_t *op = operation(r);
        cr_assert(json_is_object(op), "oa-2.1: %s %s missing", lower_method(r, m), r->path);
        const char *summary = json_string_value(json_object_get(op, "summary"));
        cr_assert(summary && *summary, "oa-2.2: %s %s has no summary", m, r->path);
        cr_assert_str_eq(summary, r->summary, "oa-2.2: %s %s", m, r->path);
        json_t *tags = json_object_get(op, "tags");
        cr_assert_eq(json_array_size(tags), 1, "oa-2.3: %s %s", m, r->path);
        const char *tag = json_string_value(json_array_get(tags, 0));
        cr_assert(tag && *tag, "oa-2.3: %s %s has no tag", m, r->path);
        json_t *responses = json_object_get(op, "responses");
        cr_assert(json_is_object(json_object_get(responses, "200")), "oa-2.4: %s %s", m, r->path);
        cr_assert(json_is_object(json_object_get(responses, "400")), "oa-2.4: %s %s", m, r->path);
        if (r->perm)
            cr_assert_str_eq(json_string_value(json_object_get(op, "x-permission")), r->perm,
                             "oa-2.5: %s %s", m, r->path);
        else
            cr_assert_null(json_object_get(op, "x-permission"), "oa-2.5: %s %s", m, r->path);
    }
}

/* The parameter named name with in = where, or NULL. */
static json_t *find_param(json_t *op, const char *name, size_t name_len, const char *where)
{
    json_t *params = json_object_get(op, "parameters");
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p) {
        const char *n = json_string_value(json_object_get(p, "name"));
        const char *in = json_string_value(json_object_get(p, "in"));
        if (n && in && strlen(n) == name_len && strncmp(n, name, name_len) == 0 &&
            strcmp(in, where) == 0)
            return p;
    }
    return NULL;
}

/* Every {param} of a path is a parameter in: path, required: true; and every in: path
 * parameter is a {param} of the path (OpenAPI 3.0.3 §4.7.12). */
Test(openapi, path_parameters)
{
    for (size_t i = 0; i < http_route_count(); i++) {
        const struct route *r = http_route_at(i);
        json_t *op = operation(r);
        cr_assert_not_null(op, "oa-3.1: %s", r->path);
        int in_path = 0;
        for (const char *open = strchr(r->path, '{'); open; open = strchr(open + 1, '{')) {
            const char *close = strchr(open, '}');
            cr_assert_not_null(close, "oa-3.1: %s: unclosed {", r->path);
            size_t len = (size_t)(close - open - 1);
            json_t *p = find_param(op, open + 1, len, "path");
            cr_assert_not_null(p, "oa-3.2: %s: {%.*s} is not described", r->path, (int)len,
                               open + 1);
            cr_assert(json_is_true(json_object_get(p, "required")),
                      "oa-3.3: %s: {%.*s} must be required", r->path, (int)len, open + 1);
            const char *type = json_string_value(
                json_object_get(json_object_get(p, "schema"), "type"));
            cr_assert(type && *type, "oa-3.4: %s: {%.*s} has no type", r->path, (int)len,
                      open + 1);
            in_path++;
        }
        size_t k;
        json_t *p;
        int described = 0;
        json_array_foreach(json_object_get(op, "parameters"), k, p) {
            const char *in = json_string_value(json_object_get(p, "in"));
            cr_assert(in && (strcmp(in, "path") == 0 || strcmp(in, "query") == 0),
                      "oa-3.5: %s: parameter in %s", r->path, in ? in : "(none)");
            const char *desc = json_string_value(json_object_get(p, "description"));
            cr_assert(desc && *desc, "oa-3.6: %s: parameter without description", r->path);
            if (strcmp(in, "path") == 0)
                described++;
        }
        cr_assert_eq(described, in_path, "oa-3.7: %s: path parameters not in the path",
                     r->path);
    }
}

/* Every R_BODY route has a requiredJSON requestBody; no other route has one. */
Test(openapi, request_bodies)
{
    int bodies = 0;
    for (size_t i = 0; i < http_route_count(); i++) {
        const struct route *r = http_route_at(i);
        json_t *body = json_object_get(operation(r), "requestBody");
        if (!(r->flags & R_BODY)) {
            cr_assert_null(body, "oa-4.1: %s has a body it does not take", r->path);
            continue;
        }
        bodies++;
        cr_assert(json_is_object(body), "oa-4.2: %s takes a body", r->path);
        cr_assert(json_is_true(json_object_get(body, "required")), "oa-4.3: %s", r->path);
        json_t *json = json_object_get(json_object_get(body, "content"), "application/json");
        cr_assert(json_is_object(json), "oa-4.4: %s", r->path);
        json_t *responses = json_object_get(operation(r), "responses");
        cr_assert(json_is_object(json_object_get(responses, "413")), "oa-4.5: %s", r->path);
        cr_assert(json_is_object(json_object_get(responses, "415")), "oa-4.5: %s", r->path);
    }
    cr_assert_gt(bodies, 0, "oa-4.6: region_routes has POST /api/v1/regions/resolve");
}

/* Nothing but the registered routes: operations = routes, and every error response refers to
 * the one Error schema. */
Test(openapi, nothing_extra)
{
    static const char *const methods[] = { "get", "post", "put", "patch", "delete" };
    size_t ops = 0;
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), path, item) {
        const char *key;
        json_t *op;
        json_object_foreach(item, key, op) {
            bool known = false;
            for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
                known |= strcmp(key, methods[i]) == 0;
            cr_assert(known, "oa-5.1: %s: unexpected key %s", path, key);
            ops++;
            const char *status;
            json_t *resp;
            json_object_foreach(json_object_get(op, "responses"), status, resp) {
                const char *desc = json_string_value(json_object_get(resp, "description"));
                cr_assert(desc && *desc, "oa-5.2: %s %s %s", key, path, status);
                if (status[0] == '2')
                    continue;
                json_t *schema = json_object_get(
                    json_object_get(json_object_get(resp, "content"), "application/json"),
                    "schema");
                cr_assert_str_eq(json_string_value(json_object_get(schema, "$ref")),
                                 "#/components/schemas/Error", "oa-5.3: %s %s %s", key, path,
                                 status);
            }
        }
    }
    cr_assert_eq(ops, http_route_count(), "oa-5.4: %zu operations for %zu routes", ops,
                 http_route_count());
}
