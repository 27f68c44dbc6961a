/*
 * core/errors.h — minzheng error codes: negative integers generated from errors.def.
 *
 * A function that can fail returns int: 0 on success, a negative MZ_E… on failure.
 * mz_error_status() gives the HTTP status, mz_error_code() the wire code and
 * mz_error_message() the default zh-CN message of an error.
 */
#ifndef MZ_ERRORS_H
#define MZ_ERRORS_H

enum mz_error_index {
#define MZ_ERROR(name, status, code, message) name##_INDEX,
#include "errors.def"
#undef MZ_ERROR
    MZ_ERROR_COUNT
};

enum mz_error {
    MZ_OK = 0,
#define MZ_ERROR(name, status, code, message) name = -(name##_INDEX + 1),
#include "errors.def"
#undef MZ_ERROR
};

/* HTTP status of err (500 for an unknown value). */
int mz_error_status(int err);
/* Wire code of err, e.g. "invalid_field"; never NULL. */
const char *mz_error_code(int err);
/* Default zh-CN message of err; never NULL. */
const char *mz_error_message(int err);

#endif
