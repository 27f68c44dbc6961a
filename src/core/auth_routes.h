/*
 * core/auth_routes.h — HTTP routes of the security core: sign-in, accounts, tokens, audit.
 */
#ifndef MZ_AUTH_ROUTES_H
#define MZ_AUTH_ROUTES_H

#include "http.h"

extern const struct route auth_routes[];
extern const struct route user_routes[];
extern const struct route audit_routes[];
extern const struct route token_routes[];

#endif
