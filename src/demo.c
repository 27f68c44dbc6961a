/*
 * demo.c — `minzheng demo`: a database ready to show, on the embedded default.
 *
 * Loads the whole national region tree (ID numbers and addresses from anywhere must resolve)
 * and marks the demo county. Idempotent: a second run migrates nothing and loads nothing.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "demo.h"
#include "errors.h"
#include "migrate.h"
#include "registry/region.h"

static int region_count(struct db *db, long long *n)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM region", &st);
    if (rc)
        return rc;
    rc = db_step(st);
    if (rc == 1)
        *n = db_col_int64(st, 0);
    db_reset(st);
    return rc == 1 ? 0 : rc < 0 ? rc : MZ_EDB;
}

static int set_demo_county(struct db *db)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO setting (key, value, note) VALUES (?, ?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st);
    if (rc)
        return rc;
    static const char note[] = "演示县：四川省广元市苍溪县";
    db_bind_text(st, 1, "demo_county", strlen("demo_county"));
    db_bind_text(st, 2, DEMO_COUNTY, strlen(DEMO_COUNTY));
    db_bind_text(st, 3, note, strlen(note));
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int demo_load(struct db *db, const char *regions_dir)
{
    int rc = migrate_run(db, NULL);
    long long regions = 0;
    if (rc == 0)
        rc = region_count(db, &regions);
    if (rc == 0 && regions == 0) {
        struct region_import_stats stats;
        rc = region_import(db, regions_dir, &stats);
    }
    if (rc == 0)
        rc = set_demo_county(db);
    if (rc == 0)
        printf("demo county: 四川省广元市苍溪县 (510824), 34 townships, 457 villages\n");
    return rc;
}
