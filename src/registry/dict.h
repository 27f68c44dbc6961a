/*
 * registry/dict.h — code lists (字典): ethnicity (GB 3304), family relation (GB/T 4761),
 * marital status (GB/T 2261.2), disability category and grade (GB/T 26341) and the lists of
 * the registry. The rows live in dict_item (sql/0004_dicts.sql, each with its source); they are
 * loaded once per process and then only read, so validation costs no query.
 */
#ifndef MZ_DICT_H
#define MZ_DICT_H

#include <stdbool.h>

#include "http.h"

struct db;

/* Loads every code list. Returns 0 or a database error. Call once at start-up. */
int dict_load(struct db *db);
/* True when code belongs to the list dict. */
bool dict_has(const char *dict, const char *code);
/* The zh-CN label of code in dict, or NULL. */
const char *dict_label(const char *dict, const char *code);

extern const struct route dict_routes[];

#endif
