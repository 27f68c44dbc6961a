/*
 * registry/record.h — the shape every registry record shares (persons, organisations …):
 * a table of fields that drives validation, storage, change history, JSON and CSV alike.
 *
 * An entity is described once as data: its table, its fields (name, zh-CN label, kind, code
 * list, length, flags) and a hook for the rules that span fields (an ID number determines sex
 * and birth date; a credit code determines the organisation's registration region …). The
 * store functions below then work for any entity, always within a data scope: a record outside
 * it is MZ_ENOTFOUND exactly as one that does not exist. SQL is assembled from the field
 * table once, at start-up — never from input.
 */
#ifndef MZ_RECORD_H
#define MZ_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "scope.h"

struct arena;
struct db;
struct jw;

enum field_kind {
    F_TEXT,      /* free text, 1–max characters */
    F_DICT,      /* a code of the code list `dict` */
    F_DATE,      /* YYYY-MM-DD, a real date, not in the future */
    F_REGION,    /* a region code (2–12 digits), stored with 12 */
    F_BOOL,      /* "1" or "0" (JSON true/false) */
    F_PHONE,     /* 7–15 digits, '+' and '-' allowed */
    F_KEY,       /* the natural key, normalised by the entity's hook */
    F_ID,        /* a reference to another record's id (decimal) */
};

#define F_REQUIRED 0x1    /* must be present on create */
#define F_MASK_ID 0x2     /* shown as 6 + '*' + 4 unless revealed */
#define F_MASK_PHONE 0x4  /* shown as 3 + '****' + 4 unless revealed */
#define F_FIXED 0x8       /* cannot change after creation (the key, derived fields) */
#define F_DERIVED 0x10    /* filled by the hook; a given value must agree with it */

struct field {
    const char *name;    /* column, JSON member and CSV header */
    const char *label;   /* zh-CN, for messages and spreadsheet headers */
    enum field_kind kind;
    const char *dict;    /* F_DICT: the code list */
    int max;             /* F_TEXT: characters */
    unsigned flags;
    const char *def;     /* value on create when absent (NULL: none) */
};

#define RECORD_MAX_FIELDS 32

/* A record's values as text, one per field; NULL = absent (create) or unchanged (update). */
struct record_values {
    const char *v[RECORD_MAX_FIELDS];
};

struct refusal {
    const char *field;
    const char *why;      /* zh-CN */
};

struct entity {
    const char *table;            /* "person" */
    const char *type;             /* record_change.record_type and audit object type */
    const char *title;            /* zh-CN: "自然人" */
    const struct field *fields;
    int nfields;
    int key;                      /* index of the F_KEY field */
    int name;                     /* index of the name field (prefix search, duplicates) */
    /* Cross-field rules after each field is valid on its own: normalise the key, derive fields
     * (F_DERIVED), check combinations. v is the whole record (on update: the stored record with
     * the change applied), changed the values being written (on create the same pointer as v);
     * a rule that implies another value sets it in both. `today` is YYYYMMDD. Returns 0 or
     * MZ_EVALIDATE with r. */
    int (*hook)(struct arena *a, struct record_values *v, struct record_values *changed,
                int today, struct refusal *r);
    /* Rules that need the database (references to other records), run before a write inside
     * its transaction; NULL when none. Returns 0, MZ_EVALIDATE with r, or a database error. */
    int (*check_refs)(struct db *db, const struct scope *scope, const struct record_values *v,
                      struct refusal *r);
};

/* The acting user, for history rows. */
struct record_actor {
    int64_t id;
    const char *login;
    const char *request_id;
};

/* Index of the field called name, or -1. */
int record_field(const struct entity *e, const char *name);
/* Validates and normalises in place (values point into a). creating: required fields must be
 * present and fixed ones may be given; else only present fields are checked. The record's
 * region must lie inside scope. Returns 0 or MZ_EVALIDATE with *r. */
int record_check(const struct entity *e, struct arena *a, const struct scope *scope,
                 struct record_values *v, bool creating, int today, struct refusal *r);
/* The checks that need the database, inside the write's transaction: every region given exists
 * in the region tree, then the entity's own check_refs. Returns 0, MZ_EVALIDATE with *r, or a
 * database error. */
int record_check_refs(struct db *db, const struct entity *e, const struct scope *scope,
                      const struct record_values *v, struct refusal *r);
/* One history row (record_change) of a record of `type`: field changed from old_value to
 * new_value (either may be NULL) by actor at now. Returns 0 or a database error. */
int record_history_add(struct db *db, const char *type, int64_t id, const char *region,
                       const struct record_actor *actor, int64_t now, const char *field,
                       const char *old_value, const char *new_value);
/* Inserts a checked record. MZ_ECONFLICT when the key exists (*existing_id set when that record
 * is inside scope, else 0). Writes one "(created)" history row. */
int record_insert(struct db *db, const struct entity *e, const struct scope *scope,
                  const struct record_values *v, const struct record_actor *actor, int64_t now,
                  int64_t *id, int64_t *existing_id);
/* Updates the given (non-NULL) fields of record id within scope, when its version is
 * `version` (0: any), after the entity's cross-field rules accept the record as it would be.
 * MZ_ENOTFOUND, MZ_ECONFLICT (stale version), MZ_EVALIDATE with *r, or 0 with one history row
 * per changed field; *changed receives their number. */
int record_update(struct db *db, const struct entity *e, const struct scope *scope, int64_t id,
                  int64_t version, struct record_values *v, const struct record_actor *actor,
                  int64_t now, int *changed, struct refusal *r);
/* The record as JSON: fields (masked unless reveal), id, version, timestamps; with_history adds
 * "history":[…]. Its region into region (may be NULL). */
int record_get(struct db *db, const struct entity *e, const struct scope *scope, int64_t id,
               bool reveal, bool with_history, struct jw *w, char *region);
/* The id of the record with this (normalised) key inside scope. */
int record_find_key(struct db *db, const struct entity *e, const struct scope *scope,
                    const char *key, int64_t *id);

struct record_query {
    const char *key;              /* exact natural key */
    const char *name_prefix;
    const char *under;            /* 12-digit subtree root, inside the scope */
    const char *filter_field;     /* one more equality filter, on an F_DICT or F_BOOL field */
    const char *filter_value;
    int64_t after;                /* keyset cursor (id) */
    long limit;
};

/* "items":[…],"next":…,"total":N for records within scope matching q, masked. */
int record_search(struct db *db, const struct entity *e, const struct scope *scope,
                  const struct record_query *q, struct jw *w);
/* Calls row(values, ctx) for every record within scope matching q (no limit), for exports;
 * values are the stored texts in field order. */
int record_each(struct db *db, const struct entity *e, const struct scope *scope,
                const struct record_query *q,
                int (*row)(const char *const *values, void *ctx), void *ctx);

#endif
