/*
 * registry/dict.c — the code lists in memory, and GET /api/v1/dicts for the UI.
 *
 * One array of (dict, code, label, source) in display order, built at start-up, and an index
 * of it sorted by (dict, code) for the lookups validation makes on every imported row.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dict.h"
#include "errors.h"

struct item {
    char *dict, *code, *label, *source;
};

static struct item *items;      /* display order, for the endpoint */
static struct item **by_code;   /* sorted by (dict, code), for lookups */
static size_t nitems;

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
    int c = strcmp(x->dict, y->dict);
    return c ? c : strcmp(x->code, y->code);
}

int dict_load(struct db *db)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT dict, code, label, source FROM dict_item "
                            "ORDER BY dict, sort, code", &st);
    if (rc)
        return rc;
    size_t cap = 256, n = 0;
    struct item *all = malloc(cap * sizeof *all);
    while (all && (rc = db_step(st)) == 1) {
        if (n == cap) {
            struct item *more = realloc(all, cap * 2 * sizeof *all);
            if (!more)
                break;
            all = more;
            cap *= 2;
        }
        all[n].dict = strdup(db_col_text(st, 0, NULL));
        all[n].code = strdup(db_col_text(st, 1, NULL));
        all[n].label = strdup(db_col_text(st, 2, NULL));
        all[n].source = strdup(db_col_text(st, 3, NULL));
        n++;
    }
    db_reset(st);
    if (!all || rc == 1)
        return MZ_ENOMEM;
    if (rc < 0)
        return rc;
    by_code = malloc((n ? n : 1) * sizeof *by_code);
    if (!by_code)
        return MZ_ENOMEM;
    for (size_t i = 0; i < n; i++)
        by_code[i] = &all[i];
    qsort(by_code, n, sizeof *by_code, cmp_item);
    items = all;
    nitems = n;
    return 0;
}

static const struct item *find(const char *dict, const char *code)
{
    struct item key = { .dict = (char *)dict, .code = (char *)code };
    const struct item *k = &key;
    struct item *const *hit = bsearch(&k, by_code, nitems, sizeof *by_code, cmp_item);
    return hit ? *hit : NULL;
}

bool dict_has(const char *dict, const char *code) { return code && find(dict, code) != NULL; }

const char *dict_label(const char *dict, const char *code)
{
    const struct item *it = code ? find(dict, code) : NULL;
    return it ? it->label : NULL;
}

static int dicts(struct request *rq)
{
    struct jw w;
    jw_init(&w, 1u << 20);
    jw_obj(&w);
    for (size_t i = 0; i < nitems; i++) {
        if (i == 0 || strcmp(items[i].dict, items[i - 1].dict) != 0) {
            if (i)
                jw_arr_end(&w);
            jw_key(&w, items[i].dict);
            jw_arr(&w);
        }
        jw_obj(&w);
        jw_kv_str(&w, "code", items[i].code);
        jw_kv_str(&w, "label", items[i].label);
        jw_kv_str(&w, "source", items[i].source);
        jw_obj_end(&w);
    }
    if (nitems)
        jw_arr_end(&w);
    jw_obj_end(&w);
    return http_reply_json(rq, 200, &w);
}

const struct route dict_routes[] = {
    { .method = HTTP_GET, .path = "/api/v1/dicts", .fn = dicts, .perm = "self",
      .flags = R_UNSCOPED, .tag = "registry", .summary = "字典（代码表），含来源",
      .params = { { 0 } } },
    { 0 },
};
