/*
 * tests/unit/core/test_http.c — route matching of core/http.c (the server itself is tested
 * through the API suite, tests/api/).
 *
 * Rules under test (http.h): a path pattern matches segment by segment; "{name}" matches one
 * non-empty segment; no trailing-slash or empty-segment leniency; a path that matches with
 * another method is MZ_EMETHOD (405), no match at all MZ_ENOROUTE (404); the values of the
 * "{…}" segments come back in pattern order and http_path_param() finds them by name.
 * Each Criterion test runs in its own process, so the fixture's registration starts from an
 * empty table every time.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "http.h"

static int dummy(struct request *rq)
{
    (void)rq;
    return 0;
}

static const struct route table[] = {
    { .method = HTTP_GET, .path = "/api/v1/x", .fn = dummy, .summary = "list" },
    { .method = HTTP_GET, .path = "/api/v1/x/{id}", .fn = dummy, .summary = "get" },
    { .method = HTTP_POST, .path = "/api/v1/x/{id}/do", .fn = dummy, .summary = "do" },
    { .method = HTTP_GET, .path = "/api/v1/x/{id}/y/{k}", .fn = dummy, .summary = "sub" },
    { 0 },
};

static void setup(void) { http_add_routes(table); }

TestSuite(http, .init = setup);

Test(http, table_registered)
{
    cr_assert_eq(http_route_count(), 4, "http-1.1");
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(http_route_at(i), &table[i], "http-1.2: row %zu", i);
    cr_assert_null(http_route_at(4), "http-1.3: past the end");
    cr_assert_null(http_route_at((size_t)-1), "http-1.3");
}

Test(http, route_find)
{
    static const struct {
        const char *id;
        enum http_method method;
        const char *path;
        int rc;
        int row;               /* index into table when rc is 0 */
        const char *v0, *v1;   /* expected path values */
    } c[] = {
        /* exact and parameterised matches */
        { "http-2.1", HTTP_GET, "/api/v1/x", 0, 0, NULL, NULL },
        { "http-2.2", HTTP_GET, "/api/v1/x/42", 0, 1, "42", NULL },
        { "http-2.3", HTTP_GET, "/api/v1/x/a", 0, 1, "a", NULL },   /* one-byte value */
        { "http-2.4", HTTP_GET, "/api/v1/x/510104017000", 0, 1, "510104017000", NULL },
        { "http-2.5", HTTP_GET, "/api/v1/x/张三", 0, 1, "张三", NULL },
        /* values are percent-decoded after matching: an encoded "/" stays inside its
         * segment, and "%00" stays literal so that it cannot cut a value short */
        { "http-2.6", HTTP_GET, "/api/v1/x/a.b-c_d%20e", 0, 1, "a.b-c_d e", NULL },
        { "http-2.11", HTTP_GET, "/api/v1/x/51%2F08", 0, 1, "51/08", NULL },
        { "http-2.12", HTTP_GET, "/api/v1/x/51%2fchildren", 0, 1, "51/children", NULL },
        { "http-2.13", HTTP_GET, "/api/v1/x/51%00", 0, 1, "51%00", NULL },
        { "http-2.14", HTTP_GET, "/api/v1/x/%E5%BC%A0%2", 0, 1, "张%2", NULL },
        { "http-2.7", HTTP_POST, "/api/v1/x/42/do", 0, 2, "42", NULL },
        { "http-2.8", HTTP_GET, "/api/v1/x/42/y/abc", 0, 3, "42", "abc" },
        { "http-2.9", HTTP_GET, "/api/v1/x/do/y/do", 0, 3, "do", "do" },
        /* the literal segments of a pattern are not parameters */
        { "http-2.10", HTTP_GET, "/api/v1/x/{id}", 0, 1, "{id}", NULL },
        /* trailing slash, empty segment, extra or missing segment: no route */
        { "http-3.1", HTTP_GET, "/api/v1/x/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.2", HTTP_GET, "/api/v1/x/42/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.3", HTTP_POST, "/api/v1/x/42/do/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.4", HTTP_GET, "/api/v1/x//y/abc", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.5", HTTP_GET, "/api/v1/x/42/y/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.6", HTTP_POST, "/api/v1/x//do", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.7", HTTP_GET, "/api/v1//x", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.8", HTTP_GET, "/api/v1/x/42/y/abc/extra", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-3.9", HTTP_GET, "/api/v1/x/42/y", MZ_ENOROUTE, 0, NULL, NULL },
        /* unknown paths, prefixes and case */
        { "http-4.1", HTTP_GET, "", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.2", HTTP_GET, "/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.3", HTTP_GET, "/api/v1", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.4", HTTP_GET, "/api/v1/", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.5", HTTP_GET, "/api/v1/xx", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.6", HTTP_GET, "/api/v1/z", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.7", HTTP_GET, "/API/v1/x", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.8", HTTP_GET, "api/v1/x", MZ_ENOROUTE, 0, NULL, NULL },
        { "http-4.9", HTTP_GET, "/api/v1/x?q=1", MZ_ENOROUTE, 0, NULL, NULL },
        /* the path exists, the method does not */
        { "http-5.1", HTTP_POST, "/api/v1/x", MZ_EMETHOD, 0, NULL, NULL },
        { "http-5.2", HTTP_DELETE, "/api/v1/x/42", MZ_EMETHOD, 0, NULL, NULL },
        { "http-5.3", HTTP_PUT, "/api/v1/x/42", MZ_EMETHOD, 0, NULL, NULL },
        { "http-5.4", HTTP_GET, "/api/v1/x/42/do", MZ_EMETHOD, 0, NULL, NULL },
        { "http-5.5", HTTP_PATCH, "/api/v1/x/42/y/k", MZ_EMETHOD, 0, NULL, NULL },
        /* a path known for GET only, asked with POST */
        { "http-5.6", HTTP_POST, "/api/v1/x/42/y/k", MZ_EMETHOD, 0, NULL, NULL },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const struct route *sentinel = (const struct route *)&c[i];
        const struct route *out = sentinel;
        const char *values[ROUTE_MAX_PATH_PARAMS] = { 0 };
        /* scratch of exactly strlen(path) + 1 bytes, as http.h promises is enough */
        char *scratch = malloc(strlen(c[i].path) + 1);
        int rc = http_route_find(c[i].method, c[i].path, &out, values, scratch);
        if (rc != c[i].rc)
            free(scratch);
        cr_assert_eq(rc, c[i].rc, "%s: %s", c[i].id, c[i].path);
        if (rc != 0) {
            cr_assert_eq(out, sentinel, "%s: out written on failure", c[i].id);
            free(scratch);
            continue;
        }
        cr_assert_eq(out, &table[c[i].row], "%s: matched %s", c[i].id, out->path);
        if (c[i].v0)
            cr_assert_str_eq(values[0], c[i].v0, "%s", c[i].id);
        else
            cr_assert_null(values[0], "%s", c[i].id);
        if (c[i].v1)
            cr_assert_str_eq(values[1], c[i].v1, "%s", c[i].id);
        else
            cr_assert_null(values[1], "%s", c[i].id);

        /* path_values may be NULL: the route is still found */
        const struct route *again = NULL;
        cr_assert_eq(http_route_find(c[i].method, c[i].path, &again, NULL, NULL), 0, "%s",
                     c[i].id);
        cr_assert_eq(again, out, "%s", c[i].id);
        free(scratch);
    }
}

/* http_path_param() finds a value by its exact name in the matched route's pattern. */
Test(http, path_param)
{
    struct request rq;
    memset(&rq, 0, sizeof rq);
    cr_assert_null(http_path_param(&rq, "id"), "http-6.1: no route yet");

    const char *path = "/api/v1/x/42/y/abc";
    char scratch[64];
    cr_assert_eq(http_route_find(HTTP_GET, path, &rq.route, rq.path_values, scratch), 0);
    cr_assert_str_eq(http_path_param(&rq, "id"), "42", "http-6.2");
    cr_assert_str_eq(http_path_param(&rq, "k"), "abc", "http-6.3");
    cr_assert_null(http_path_param(&rq, "i"), "http-6.4: a prefix of a name");
    cr_assert_null(http_path_param(&rq, "idx"), "http-6.5: longer than a name");
    cr_assert_null(http_path_param(&rq, "y"), "http-6.6: a literal segment");
    cr_assert_null(http_path_param(&rq, ""), "http-6.7");
}

Test(http, method_name)
{
    static const struct {
        const char *id;
        int m;
        const char *name;
    } c[] = {
        { "http-7.1", HTTP_GET, "GET" },       { "http-7.2", HTTP_POST, "POST" },
        { "http-7.3", HTTP_PUT, "PUT" },       { "http-7.4", HTTP_PATCH, "PATCH" },
        { "http-7.5", HTTP_DELETE, "DELETE" }, { "http-7.6", 0, "?" },
        { "http-7.7", HTTP_DELETE + 1, "?" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_str_eq(http_method_name((enum http_method)c[i].m), c[i].name, "%s", c[i].id);
}
