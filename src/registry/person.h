/*
 * registry/person.h — 自然人: persons keyed by 公民身份号码, the record every domain points at.
 *
 * person.c describes the entity (its fields and cross-field rules) for record.c; the routes
 * are in person_routes.c. Other domains use person_entity with the record_* functions.
 */
#ifndef MZ_PERSON_H
#define MZ_PERSON_H

#include "http.h"
#include "record.h"

extern const struct entity person_entity;
extern const struct route person_routes[];

#endif
