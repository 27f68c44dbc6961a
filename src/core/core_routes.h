/*
 * core/core_routes.h — the platform's own HTTP routes (health, OpenAPI).
 */
#ifndef MZ_CORE_ROUTES_H
#define MZ_CORE_ROUTES_H

#include "http.h"

extern const struct route core_routes[];

#endif
