/*
 * demo.c — `minzheng demo`: a database ready to show, on the embedded default.
 *
 * Loads the whole national region tree (ID numbers and addresses from anywhere must resolve),
 * marks the demo county and fills it with a generated population (demo_population.c).
 * Idempotent: a second run migrates nothing and loads nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "assist/standard.h"
#include "config.h"
#include "db.h"
#include "demo.h"
#include "demo_population.h"
#include "errors.h"
#include "migrate.h"
#include "registry/region.h"
#include "users.h"

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

/* One account per role a visitor wants to try, in the county and one of its townships. */
static int demo_accounts(struct db *db)
{
    static const struct { const char *login, *name, *region, *role; } accounts[] = {
        { "demo.intake", "陵江镇受理员", "510824100", "intake" },
        { "demo.investigator", "陵江镇调查员", "510824100", "investigator" },
        { "demo.reviewer", "陵江镇审核员", "510824100", "reviewer" },
        { "demo.approver", "苍溪县审批员", "510824", "approver" },
        { "demo.payer", "苍溪县资金发放员", "510824", "payer" },
        { "demo.sysadmin", "苍溪县系统管理员", "510824", "sysadmin" },
        { "demo.secadmin", "苍溪县安全管理员", "510824", "secadmin" },
        { "demo.auditor", "苍溪县审计员", "510824", "auditor" },
    };
    printf("demo logins (fresh passwords on every `minzheng demo`):\n");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof accounts / sizeof accounts[0]; i++)
        rc = admin_demo_account(db, accounts[i].login, accounts[i].name, accounts[i].region,
                                accounts[i].role);
    return rc;
}

/* The county's assistance standards, so that a case can be decided and paid: illustrative
 * amounts (the 特困 basic standards at 1.3 × the 低保标准, rules.md §2.5), marked as demo data,
 * set once. */
static int demo_standards(struct db *db, int64_t now)
{
    static const struct { const char *kind; int64_t fen; bool yearly; } rows[] = {
        { "dibao_urban", 76000, false }, { "dibao_rural", 546000, true },
        { "tekun_basic_urban", 98800, false }, { "tekun_basic_rural", 709800, true },
        { "tekun_care_1", 10000, false }, { "tekun_care_2", 40000, false },
        { "tekun_care_3", 80000, false },
    };
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM assist_standard WHERE region = ?", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, DEMO_COUNTY, REGION_CODE_LEN);
    rc = db_step(st);
    int64_t have = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    if (rc < 0 || have)
        return rc < 0 ? rc : 0;
    rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof rows / sizeof rows[0]; i++) {
        struct standard_row r = { .id = users_new_id(), .region = DEMO_COUNTY,
                                  .amount_fen = rows[i].fen, .yearly = rows[i].yearly,
                                  .effective_from = 202401, .source = "演示数据（非真实文件）",
                                  .created_at = now };
        snprintf(r.kind, sizeof r.kind, "%s", rows[i].kind);
        rc = standard_insert(db, &r, 0);
    }
    if (rc == 0)
        printf("demo standards: 低保 城市 760 元/月、农村 5460 元/年; 特困 1.3 倍; 照料护理三档\n");
    return rc;
}

/* The county's population (demo_population.c), unless it has persons already. */
static int demo_population(struct db *db, long long persons)
{
    struct demo_population_stats st;
    int rc = demo_population_load(db, DEMO_COUNTY, persons, &st);
    if (rc == 0 && st.skipped)
        printf("demo population: the county has persons already, none added\n");
    else if (rc == 0 && st.persons)
        printf("demo population: %lld persons (%lld deceased), %lld households, "
               "%lld organisations in %.1f s\n", st.persons, st.deceased, st.households,
               st.orgs, st.seconds);
    return rc;
}

int demo_load(struct db *db, const struct config *cfg, long long persons)
{
    int rc = migrate_run(db, NULL);
    if (rc == 0)
        rc = admin_bootstrap(db, cfg);
    long long regions = 0;
    if (rc == 0)
        rc = region_count(db, &regions);
    if (rc == 0 && regions == 0) {
        struct region_import_stats stats;
        rc = region_import(db, cfg->regions_dir, &stats);
    }
    if (rc == 0)
        rc = set_demo_county(db);
    if (rc == 0)
        printf("demo county: 四川省广元市苍溪县 (510824), 34 townships, 457 villages\n");
    if (rc == 0)
        rc = demo_accounts(db);
    if (rc == 0)
        rc = demo_standards(db, (int64_t)time(NULL));
    if (rc == 0)
        rc = demo_population(db, persons);
    return rc;
}
