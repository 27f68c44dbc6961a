/*
 * registry/org.h — 法人和其他组织: organisations keyed by 统一社会信用代码 (GB 32100-2015).
 */
#ifndef MZ_ORG_H
#define MZ_ORG_H

#include "http.h"
#include "record.h"

extern const struct entity org_entity;
extern const struct route org_routes[];

#endif
