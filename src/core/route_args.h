/*
 * core/route_args.h — reading a request's arguments the same way in every handler: path ids,
 * body members, pagination. Each helper records a clear error naming the field and returns it.
 */
#ifndef MZ_ROUTE_ARGS_H
#define MZ_ROUTE_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* Path parameter `name` as a positive 64-bit id; else 400 naming it. */
int arg_path_id(struct request *rq, const char *name, int64_t *out);
/* Query parameter `name` as a positive id, 0 when absent (a keyset cursor). */
int arg_query_id(struct request *rq, const char *name, int64_t *out);
/* Body member `name` as a string of 1–max bytes (no NUL); optional ones may be absent (NULL). */
int arg_body_string(struct request *rq, const char *name, size_t max, int optional,
                    const char **out);
/* Body member `name` as an array of 1–max strings of 1–64 bytes; out points into the arena. */
int arg_body_strings(struct request *rq, const char *name, int max, const char ***out, int *n);
/* Writes {"ok":true} as the reply. */
int reply_ok(struct request *rq);

#endif
