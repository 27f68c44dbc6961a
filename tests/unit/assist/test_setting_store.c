/*
 * tests/unit/assist/test_setting_store.c — the settings in force for a region read from table
 * assist_setting (src/assist/setting_store.c), on a migrated SQLite file in a fresh temporary
 * directory, removed afterwards.
 *
 * Source: issue #10; sql/0008_assist_case.sql ("the most specific region that set a key wins,
 * and of its rows the newest"); shared/domain/rules.md, closing table of configurable numbers.
 * Cases "setting-store-<test>.<case>".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "migrate.h"
#include "setting.h"
#include "tmpdir.h"

static char tmpdir[64];
static char dbpath[128];

static void setup(void)
{
    test_tmpdir_template(tmpdir, sizeof tmpdir, "setting");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/test.db", tmpdir);
}

static void teardown(void)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

TestSuite(setting_store, .init = setup, .fini = teardown);

static struct db *open_db(void)
{
    struct db *db = NULL;
    char err[256] = "";
    cr_assert_eq(db_open(dbpath, &db, err, sizeof err), 0, "db_open: %s", err);
    cr_assert_eq(migrate_run(db, NULL), 0, "migrate: %s", db_errmsg(db));
    return db;
}

static void insert(struct db *db, int64_t id, const char *region, const char *key,
                   const char *value)
{
    struct setting_row r;
    memset(&r, 0, sizeof r);
    r.id = id;
    snprintf(r.region, sizeof r.region, "%s", region);
    r.key = key;
    r.value = value;
    r.source = "test";
    r.created_at = 1700000000 + id;
    cr_assert_eq(setting_insert(db, &r, 1), 0, "insert %lld", (long long)id);
}

/* setting-store-1: ancestors of every level count, the most specific wins, then the newest;
 * rows of other regions never apply. */
Test(setting_store, region_then_newest)
{
    struct db *db = open_db();
    struct arena *a = arena_new();
    insert(db, 1, "510000000000", "publicity_days", "9");
    insert(db, 2, "510800000000", "publicity_days", "8");
    insert(db, 3, "510824000000", "publicity_days", "5");
    insert(db, 4, "510824000000", "publicity_days", "6");
    insert(db, 5, "510800000000", "dibao_edge_multiple", "1.8");
    insert(db, 6, "510100000000", "jiantui_max_months", "3");
    insert(db, 7, "510824100000", "county_review_wd", "12");
    struct assist_settings s;
    cr_assert_eq(assist_settings_load(db, a, "510824100000", &s), 0);
    cr_assert_eq(s.publicity_days, 6, "setting-store-1.1 county, newest row");
    cr_assert_eq(s.dibao_edge_multiple_permille, 1800, "setting-store-1.2 from the city");
    cr_assert_eq(s.jiantui_max_months, 6, "setting-store-1.3 another city's row: default");
    cr_assert_eq(s.county_review_wd, 12, "setting-store-1.4 a 9-digit ancestor's row");
    cr_assert_eq(assist_settings_load(db, a, "510802000000", &s), 0);
    cr_assert_eq(s.publicity_days, 8, "setting-store-1.5 sibling county: the city's");
    cr_assert_eq(s.county_review_wd, 10, "setting-store-1.6 default");
    struct setting_row *rows;
    size_t n;
    cr_assert_eq(setting_load(db, a, "510824000000", "publicity_days", 10, &rows, &n), 0);
    cr_assert_eq(n, 4, "setting-store-1.7 history of the county and its ancestors");
    cr_assert_eq(rows[0].id, 4, "setting-store-1.8 newest first");
    cr_assert_str_eq(rows[3].region, "510000000000");
    arena_free(a);
    db_close(db);
}

/* setting-store-2: a stored value the catalogue no longer accepts is skipped, not fatal. */
Test(setting_store, unparsable_value_skipped)
{
    struct db *db = open_db();
    struct arena *a = arena_new();
    insert(db, 1, "510000000000", "publicity_days", "9");
    insert(db, 2, "510824000000", "publicity_days", "ninety");
    insert(db, 3, "510824000000", "no_longer_a_key", "1");
    struct assist_settings s, def;
    assist_settings_default(&def);
    cr_assert_eq(assist_settings_load(db, a, "510824000000", &s), 0, "setting-store-2.1");
    cr_assert_eq(s.publicity_days, 9, "setting-store-2.2 the province's row applies");
    cr_assert_eq(s.county_review_wd, def.county_review_wd, "setting-store-2.3 others default");
    arena_free(a);
    db_close(db);
}
