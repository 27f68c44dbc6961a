/*
 * core/core_routes.h — the platform's own HTTP routes: health and OpenAPI (core_routes.c), the
 * holiday calendar (calendar_routes.c).
 */
#ifndef MZ_CORE_ROUTES_H
#define MZ_CORE_ROUTES_H

#include "http.h"

extern const struct route core_routes[];
extern const struct route calendar_routes[];

#endif
