/*
 * assist/setting.h — 救助参数 (per-region settings): the catalogue of the configurable numbers of
 * shared/domain/rules.md's closing table "Numbers that are configurable, with default and
 * source" and §0.4, one row per configurable member of struct assist_settings (issue #10).
 *
 * Each catalogue row has a key (the rules.md name where it has one), a value type, a zh-CN
 * label, the default as text and the rules.md source of the default. A value travels as text:
 *   int       decimal integer in [min, max]                     "7"
 *   permille  decimal with at most three places, kept ×1000    "1.5" → 1500
 *   fen       integer amount in fen in [min, max]               "500000"
 *   month     YYYY-MM, kept as yyyymm                           "2025-12"
 *   date      YYYY-MM-DD kept as yyyymmdd, or none (0, unset)   "2027-01-01"
 *   bool      true | false
 *   enum      one of the row's words                           "GAP"
 *   fen_list  comma list of fen amounts (at most 8), or none   "30000,20000,10000"
 *   lshi_tiers comma list (at most 8) of ceilings, or none: "<decimal>x" is a multiple of the
 *            urban monthly 低保标准, a bare integer a fixed amount in fen   "1x,3x,500000"
 *   type_set comma list of income type names, or none         "youfu,scholarship"
 *
 * In force for a region: the row of the most specific region (itself or an ancestor) that set
 * the key, and of that region's rows the newest (highest id); keys nobody set keep the default.
 * setting.c is pure; setting_store.c holds the SQL of table assist_setting
 * (sql/0008_assist_case.sql); setting_routes.c the HTTP surface:
 *   GET  /api/v1/assist/settings           (assist:setting:read)  every key in force, and where
 *                                                                  it came from
 *   POST /api/v1/assist/settings           (assist:setting:write) set one key for a region
 *   GET  /api/v1/assist/settings/history   (assist:setting:read)  rows of the region and its
 *                                                                  ancestors, newest first
 * Tests: tests/unit/assist/test_setting.c, tests/api/cases/assist_settings.json.
 */
#ifndef MZ_ASSIST_SETTING_H
#define MZ_ASSIST_SETTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist_rules.h"
#include "http.h"
#include "ids.h"

struct db;
struct arena;

#define SETTING_KEY_MAX 64        /* bytes of a key */
#define SETTING_VALUE_MAX 200     /* bytes of a value text */
#define SETTING_SOURCE_MAX 500    /* bytes of a source text */
#define SETTING_ROWS_MAX 5000     /* newest rows read to resolve a region: far above need */
#define SETTING_ERROR_MAX 1024    /* bytes of a parse error message (the longest is ~600) */

enum setting_type {
    SETTING_INT, SETTING_PERMILLE, SETTING_FEN, SETTING_MONTH, SETTING_DATE, SETTING_BOOL,
    SETTING_ENUM, SETTING_FEN_LIST, SETTING_LSHI_TIERS, SETTING_TYPE_SET,
};

/* A word of an enum setting and the member value it stands for. */
struct setting_word {
    const char *word;
    int32_t value;
};

/* One catalogue row. */
struct setting_def {
    const char *key;
    enum setting_type type;
    const char *label;                 /* zh-CN */
    const char *default_text;          /* the default, as setting_parse reads it */
    const char *source;                /* rules.md source of the default */
    size_t offset, width;              /* the member (scalar types): offsetof, sizeof */
    int64_t min, max;                  /* int, permille, fen */
    const struct setting_word *words;  /* enum: terminated by a NULL word */
};

/* One row of table assist_setting. */
struct setting_row {
    int64_t id;
    char region[REGION_CODE_LEN + 1];
    const char *key;
    const char *value;
    const char *source;
    int64_t created_at;
};

/* Number of catalogue rows, and the i-th (i < setting_count()). */
size_t setting_count(void);
const struct setting_def *setting_at(size_t i);
/* The catalogue row of key, or NULL. */
const struct setting_def *setting_find(const char *key);
/* Wire name of a value type: "int", "permille", … */
const char *setting_type_name(enum setting_type type);

/*
 * Parses text as d's value into d's member of *s. Returns 0, or MZ_EVALIDATE with a zh-CN
 * message in err (give SETTING_ERROR_MAX bytes: a shorter buffer may cut a character) and *s
 * unchanged.
 */
int setting_parse(const struct setting_def *d, const char *text, struct assist_settings *s,
                  char *err, size_t err_len);
/* Writes d's member of *s as text (the syntax setting_parse reads). 0 or MZ_ERANGE when the
 * buffer is too small. */
int setting_format(const struct setting_def *d, const struct assist_settings *s, char *buf,
                   size_t len);

/*
 * The row of key in force for region12 among rows (any order): its index, or -1. A row
 * applies when its region's significant digits are a prefix of region12 and skip[its index]
 * is false (skip: n entries, or NULL); the most specific region wins, then the highest id.
 * Pure.
 */
int setting_resolve(const struct setting_row *rows, size_t n, const char *key,
                    const char *region12, const bool *skip);
/*
 * Applies to *s, key by key in catalogue order, the row in force for region12
 * (setting_resolve). A row whose value does not parse is skipped — bad[its index] is set and
 * the next row in force applies, or the member stays as it was. bad: n entries, all false on
 * entry. Returns the number of rows skipped.
 */
size_t setting_apply(struct assist_settings *s, const struct setting_row *rows, size_t n,
                     const char *region12, bool *bad);

/* ---- store (setting_store.c): SQL only, no scope test (the routes check the region) ---- */

/* The rows set by region12 or its ancestors (2-, 4-, 6-, 9-digit prefixes and itself), of key
 * (NULL: every key), newest first, at most max; *rows in the arena. 0 or MZ_E…. */
int setting_load(struct db *db, struct arena *a, const char *region12, const char *key,
                 size_t max, struct setting_row **rows, size_t *n);
/* The settings in force for region12: defaults, then setting_apply; a stored value that no
 * longer parses is skipped with an error-log line. 0 or MZ_E…. */
int assist_settings_load(struct db *db, struct arena *a, const char *region12,
                         struct assist_settings *out);
/* Inserts row by user created_by. 0 or MZ_E…. */
int setting_insert(struct db *db, const struct setting_row *row, int64_t created_by);

extern const struct route setting_routes[];

#endif
