/*
 * core/openapi.h — the OpenAPI 3 description of every registered route, generated from the
 * route table itself so that it cannot drift from what the server does.
 */
#ifndef MZ_OPENAPI_H
#define MZ_OPENAPI_H

#include "json.h"

/* Writes the whole document for the routes registered so far. */
void openapi_write(struct jw *w, const char *version);

#endif
