/*
 * core/errors.c — lookup tables for the error codes of errors.def.
 */
#include "errors.h"

struct error_info {
    int status;
    const char *code;
    const char *message;
};

static const struct error_info errors[MZ_ERROR_COUNT] = {
#define MZ_ERROR(name, status, code, message) [name##_INDEX] = { status, code, message },
#include "errors.def"
#undef MZ_ERROR
};

static const struct error_info *lookup(int err)
{
    if (err >= 0 || err < -MZ_ERROR_COUNT) /* checked before negating: -INT_MIN overflows */
        return &errors[MZ_EINTERNAL_INDEX];
    return &errors[-err - 1];
}

int mz_error_status(int err) { return lookup(err)->status; }
const char *mz_error_code(int err) { return lookup(err)->code; }
const char *mz_error_message(int err) { return lookup(err)->message; }
