/*
 * tests/unit/core/test_errors.c — the error list (core/errors.def) and its lookups (errors.c).
 *
 * Rules under test: STYLE.md "Errors" (one list: name, HTTP status, wire code, default zh-CN
 * message; "A 500 is a bug; a database down is 503") and errors.h (unknown values map to 500
 * internal_error). The table below is built from errors.def itself, so an appended error is
 * checked without changing this file.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "errors.h"
#include "json.h"

static const struct {
    const char *name;
    int value, status;
    const char *code, *message;
} defs[] = {
#define MZ_ERROR(name, status, code, message) { #name, name, status, code, message },
#include "errors.def"
#undef MZ_ERROR
};
#define NDEFS (sizeof defs / sizeof defs[0])

Test(errors, values)
{
    cr_assert_eq(NDEFS, MZ_ERROR_COUNT, "err-1.1");
    cr_assert_eq(MZ_OK, 0, "err-1.2");
    /* negative, numbered from -1 in list order ("append only; never renumber") */
    for (size_t i = 0; i < NDEFS; i++)
        cr_assert_eq(defs[i].value, -(int)i - 1, "err-1.3: %s", defs[i].name);
}

Test(errors, every_code_complete)
{
    for (size_t i = 0; i < NDEFS; i++) {
        int status = mz_error_status(defs[i].value);
        const char *code = mz_error_code(defs[i].value);
        const char *message = mz_error_message(defs[i].value);
        cr_assert(status >= 400 && status <= 599, "err-2.1: %s status %d", defs[i].name, status);
        cr_assert_eq(status, defs[i].status, "err-2.2: %s", defs[i].name);
        cr_assert_not_null(code, "err-2.3: %s", defs[i].name);
        cr_assert_str_eq(code, defs[i].code, "err-2.3: %s", defs[i].name);
        cr_assert_not_null(message, "err-2.4: %s", defs[i].name);
        cr_assert_str_eq(message, defs[i].message, "err-2.4: %s", defs[i].name);
        cr_assert_neq(message[0], '\0', "err-2.4: %s has no message", defs[i].name);
        cr_assert(json_utf8_valid(message, strlen(message)), "err-2.5: %s", defs[i].name);
        cr_assert_null(strchr(message, '\n'), "err-2.5: %s: one line", defs[i].name);
        /* wire codes are snake_case: lower-case letters and '_', not at either end */
        size_t n = strlen(code);
        cr_assert_gt(n, 0, "err-2.6: %s has no wire code", defs[i].name);
        cr_assert(code[0] != '_' && code[n - 1] != '_', "err-2.6: %s", code);
        for (size_t j = 0; j < n; j++)
            cr_assert((code[j] >= 'a' && code[j] <= 'z') || code[j] == '_',
                      "err-2.6: %s: %s", defs[i].name, code);
        /* unique */
        for (size_t j = 0; j < i; j++) {
            cr_assert_str_neq(code, defs[j].code, "err-2.7: %s and %s share %s", defs[i].name,
                              defs[j].name, code);
            cr_assert_str_neq(defs[i].name, defs[j].name, "err-2.7");
        }
    }
}

/* The statuses the server's contract relies on (http.h, STYLE.md). */
Test(errors, known_statuses)
{
    static const struct {
        const char *id;
        int err, status;
        const char *code;
    } c[] = {
        { "err-3.1", MZ_EINVAL, 400, "invalid_field" },
        { "err-3.2", MZ_EBADJSON, 400, "malformed_json" },
        { "err-3.3", MZ_EAUTH, 401, "unauthenticated" },
        { "err-3.4", MZ_EPERM, 403, "forbidden" },
        { "err-3.5", MZ_ENOROUTE, 404, "unknown_route" },
        { "err-3.6", MZ_EMETHOD, 405, "method_not_allowed" },
        { "err-3.7", MZ_ECONFLICT, 409, "conflict" },
        { "err-3.8", MZ_ETOOBIG, 413, "body_too_large" },
        { "err-3.9", MZ_EMEDIA, 415, "unsupported_media" },
        { "err-3.10", MZ_EVALIDATE, 422, "validation_failed" },
        { "err-3.11", MZ_EINTERNAL, 500, "internal_error" },
        { "err-3.12", MZ_EUNAVAILABLE, 503, "service_unavailable" }, /* database down */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(mz_error_status(c[i].err), c[i].status, "%s", c[i].id);
        cr_assert_str_eq(mz_error_code(c[i].err), c[i].code, "%s", c[i].id);
    }
}

/* Anything that is not in the list is a 500 internal_error, never a crash or a NULL. */
Test(errors, unknown_values)
{
    static const struct {
        const char *id;
        int err;
    } c[] = {
        { "err-4.1", 0 },
        { "err-4.2", 1 },
        { "err-4.3", 100 },
        { "err-4.4", -MZ_ERROR_COUNT - 1 },
        { "err-4.5", -1000 },
        { "err-4.6", INT_MAX },
        { "err-4.7", INT_MIN },
        { "err-4.8", INT_MIN + 1 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        cr_assert_eq(mz_error_status(c[i].err), 500, "%s", c[i].id);
        cr_assert_str_eq(mz_error_code(c[i].err), "internal_error", "%s", c[i].id);
        cr_assert_str_eq(mz_error_message(c[i].err), mz_error_message(MZ_EINTERNAL), "%s",
                         c[i].id);
    }
    /* the last real one is still itself */
    cr_assert_str_eq(mz_error_code(-MZ_ERROR_COUNT), defs[NDEFS - 1].code, "err-4.9");
}
