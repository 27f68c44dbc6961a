/*
 * tests/unit/registry/test_import.c — the CSV import engine, registry/import.c, end to end.
 *
 * On a fresh SQLite file, and on PostgreSQL when MINZHENG_TEST_PG names a database (in a
 * schema of its own): valid rows are inserted (keys normalised, sex and birth date derived), a
 * re-run changes nothing, a changed cell updates only that field (one history row) and an
 * empty cell clears nothing, a key repeated in the file is rejected on its second line, mode
 * all writes nothing when a row is rejected, a GB18030 file is detected and read, a file
 * without a usable header writes nothing, and a first load into an empty table builds again
 * the indexes it dropped (or, rolled back, finds them untouched).
 */
#include <criterion/criterion.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "dict.h"
#include "errors.h"
#include "import.h"
#include "migrate.h"
#include "person.h"
#include "tmpdir.h"

/* ---------------------------------------------------------------- end to end */

static char tmpdir[64];
static char schema[48];

static void teardown(void)
{
    if (!tmpdir[0])
        return;
    static const char *const files[] = { "t.db", "t.db-wal", "t.db-shm", "audit.key" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", tmpdir, files[i]);
        unlink(p);
    }
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

TestSuite(import_db, .fini = teardown);

static struct db *open_db(bool pg)
{
    const char *url = getenv("MINZHENG_TEST_PG");
    if (pg && (!url || !*url))
        cr_skip_test("MINZHENG_TEST_PG not set"); /* before anything is made: no teardown */
    test_tmpdir_template(tmpdir, sizeof tmpdir, "import");
    cr_assert_not_null(mkdtemp(tmpdir));
    char path[128], err[256] = "";
    struct db *db = NULL;
    if (pg) {
        cr_assert_eq(db_open(url, &db, err, sizeof err), 0, "db_open: %s", err);
        snprintf(schema, sizeof schema, "mz_import_%ld", (long)getpid());
        char sql[512];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s; "
                                  "SET search_path TO %s", schema, schema, schema);
        cr_assert_eq(db_exec(db, sql), 0, "%s", db_errmsg(db));
    } else {
        snprintf(path, sizeof path, "%s/t.db", tmpdir);
        cr_assert_eq(db_open(path, &db, err, sizeof err), 0, "db_open: %s", err);
    }
    cr_assert_eq(migrate_run(db, NULL), 0, "migrate: %s", db_errmsg(db));
    /* the regions the files below use: records may only name regions of the tree */
    cr_assert_eq(db_exec(db, "INSERT INTO region (code, name, level, parent, path_codes, "
                             "path_names, valid_from, source) VALUES "
                             "('510800000000', '广元市', 2, NULL, '510800000000', '广元市', "
                             "'2023-06-30', 'test'), "
                             "('510824000000', '苍溪县', 3, '510800000000', "
                             "'510800000000/510824000000', '广元市/苍溪县', '2023-06-30', 'test')"),
                 0, "%s", db_errmsg(db));
    cr_assert_eq(dict_load(db), 0);
    snprintf(path, sizeof path, "%s/audit.key", tmpdir);
    cr_assert_eq(audit_key_load(path, 1), 0);
    return db;
}

static void close_db(struct db *db)
{
    if (db_kind(db) == DB_POSTGRES) {
        char sql[256];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        db_exec(db, sql);
    }
    db_close(db);
    audit_key_forget();
}

static int64_t scalar(struct db *db, const char *sql)
{
    struct db_stmt *st;
    cr_assert_eq(db_prepare(db, sql, &st), 0, "%s: %s", sql, db_errmsg(db));
    cr_assert_eq(db_step(st), 1, "%s: %s", sql, db_errmsg(db));
    int64_t v = db_col_int64(st, 0);
    db_reset(st);
    return v;
}

/* Imports text as persons (national scope); returns the rc, *res and the report in *report
 * (the caller frees it). */
static int run_with(struct db *db, const char *text, size_t len, enum import_mode mode,
                    enum import_encoding enc, bool rebuild, struct import_result *res,
                    struct import_report *report)
{
    static struct scope national;
    scope_from_region(SCOPE_NATIONAL, &national);
    struct record_actor actor = { 0, "test", "test-1" };
    struct audit_actor auditor = { 0, "test", "-", "local", "test-1" };
    struct import_options o = {
        .entity = &person_entity, .scope = &national, .region = SCOPE_NATIONAL,
        .actor = &actor, .auditor = &auditor, .mode = mode, .encoding = enc, .batch_rows = 2,
        .today = 20260101, .now = 1767225600, .import_id = 42, .rebuild_indexes = rebuild,
    };
    FILE *in = fmemopen((void *)text, len, "rb");
    cr_assert_not_null(in);
    import_report_to_memory(report, 1 << 20);
    struct arena *a = arena_new();
    int rc = import_run(db, a, &o, in, (long long)len, report, res);
    arena_free(a);
    fclose(in);
    return rc;
}

static int run(struct db *db, const char *text, size_t len, enum import_mode mode,
               enum import_encoding enc, struct import_result *res, struct import_report *report)
{
    return run_with(db, text, len, mode, enc, false, res, report);
}

/* The secondary indexes of person that exist now. */
static int64_t person_indexes(struct db *db)
{
    return scalar(db, db_kind(db) == DB_POSTGRES
                          ? "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() "
                            "AND tablename = 'person' AND indexname IN ('person_region', "
                            "'person_name', 'person_dup')"
                          : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                            "('person_region', 'person_name', 'person_dup')");
}

/* Three valid persons (check characters computed) and the header. */
static const char PERSONS[] =
    "id_number,name,region,phone\n"
    "510824199001010012,王一,510824,13800001111\n"
    "510824199001010039,王二,510824000000,\n"
    "51082419900101008x,李三,5108,\n";

static void end_to_end(bool pg)
{
    struct db *db = open_db(pg);
    struct import_result res;
    struct import_report report;
    static const char BAD_FIRST[] = "id_number,name,region\n510824199001010072,钱五,510824\n";
    cr_assert_eq(run_with(db, BAD_FIRST, strlen(BAD_FIRST), IMPORT_MODE_ALL, IMPORT_ENC_AUTO, true,
                          &res, &report), 0);
    cr_assert(res.first_load && res.rolled_back, "e2e-1.0 a first load in mode all, rolled back");
    cr_assert_eq(person_indexes(db), 3, "e2e-1.0 the dropped indexes are back");
    import_report_free(&report);
    cr_assert_eq(run_with(db, PERSONS, strlen(PERSONS), IMPORT_MODE_VALID, IMPORT_ENC_AUTO, true,
                          &res, &report), 0, "e2e-1.1: %s", res.error ? res.error : "");
    cr_assert(res.first_load, "e2e-1.1 an empty table: a first load");
    cr_assert_eq(person_indexes(db), 3, "e2e-1.1 indexes built after the load");
    cr_assert_eq(res.read, 3);
    cr_assert_eq(res.inserted, 3, "e2e-1.1 inserted: %s", report.buf);
    cr_assert_eq(res.rejected, 0);
    cr_assert_eq(res.committed, 3);
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM person"), 3);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM person WHERE id_number = '51082419900101008X' "
                            "AND region = '510800000000' AND sex = 'F' "
                            "AND birth_date = '1990-01-01'"), 1, "e2e-1.2 normalised, derived");

    cr_assert_eq(run_with(db, PERSONS, strlen(PERSONS), IMPORT_MODE_VALID, IMPORT_ENC_AUTO, true,
                          &res, &report), 0);
    cr_assert(!res.first_load, "e2e-1.3 not empty: batches");
    cr_assert_eq(res.unchanged, 3, "e2e-1.3 re-run changes nothing");
    cr_assert_eq(res.inserted + res.updated, 0);
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM record_change"), 0);

    static const char CHANGED[] = "公民身份号码,联系电话,姓名,居住地区划\n"
                                  "510824199001010012,13900002222,王一,510824\n"
                                  "510824199001010039,,王二,510824\n"
                                  "510824199001010012,13900003333,王一,510824\n";
    cr_assert_eq(run(db, CHANGED, strlen(CHANGED), IMPORT_MODE_VALID, IMPORT_ENC_UTF8, &res,
                     &report), 0);
    cr_assert_eq(res.updated, 1, "e2e-1.4 one changed cell");
    cr_assert_eq(res.unchanged, 1, "e2e-1.5 an empty cell clears nothing");
    cr_assert_eq(res.rejected, 1, "e2e-1.6 the key again on line 4");
    cr_assert(strstr(report.buf, "4,公民身份号码,与第 2 行") != NULL, "%s", report.buf);
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM record_change WHERE field = 'phone' "
                            "AND old_value = '13800001111' AND new_value = '13900002222'"), 1);
    cr_assert_eq(scalar(db, "SELECT version FROM person WHERE id_number = '510824199001010012'"),
                 2);

    static const char BAD[] = "id_number,name,region\n"
                              "510824199001010071,赵四,510824\n"
                              "510824199001010072,钱五,510824\n"; /* check character wrong */
    cr_assert_eq(run(db, BAD, strlen(BAD), IMPORT_MODE_ALL, IMPORT_ENC_AUTO, &res, &report), 0);
    cr_assert(res.rolled_back, "e2e-1.7 mode all rolls back");
    cr_assert_eq(res.rejected, 1);
    cr_assert(strstr(report.buf, "3,id_number,公民身份号码校验位不正确") != NULL, "%s", report.buf);
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM person"), 3, "e2e-1.7 nothing written");

    cr_assert_eq(run(db, BAD, strlen(BAD), IMPORT_MODE_VALID, IMPORT_ENC_AUTO, &res, &report), 0);
    cr_assert_eq(res.inserted, 1, "e2e-1.8 mode valid keeps the valid row");
    import_report_free(&report);

    /* The same file in GB18030, detected. */
    static const char GB[] = "id_number,name,region\n510824199001010098,孙六,510824\n";
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char gb[256], *ip = (char *)GB, *op = gb;
    size_t il = strlen(GB), ol = sizeof gb;
    cr_assert_neq(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
    iconv_close(cd);
    cr_assert_eq(run(db, gb, sizeof gb - ol, IMPORT_MODE_VALID, IMPORT_ENC_AUTO, &res, &report), 0);
    cr_assert_eq(res.encoding, IMPORT_ENC_GB18030, "e2e-1.9 detected");
    cr_assert_eq(res.inserted, 1, "%s", report.buf);
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM person WHERE name = '孙六'"), 1);

    static const char GARBAGE[] = "\x01\x02garbage,\xff\xfe\n1,2,3\n";
    cr_assert_eq(run(db, GARBAGE, sizeof GARBAGE - 1, IMPORT_MODE_VALID, IMPORT_ENC_AUTO, &res,
                     &report), MZ_EVALIDATE, "e2e-1.10 no header");
    cr_assert_not_null(res.error);
    import_report_free(&report);
    cr_assert_eq(run(db, "\r\n\n", 3, IMPORT_MODE_VALID, IMPORT_ENC_AUTO, &res, &report),
                 MZ_EVALIDATE, "e2e-1.11 blank lines only");
    cr_assert_str_eq(res.error, "文件为空（没有表头行）");
    import_report_free(&report);
    cr_assert_eq(scalar(db, "SELECT COUNT(*) FROM person"), 5);
    cr_assert_gt(scalar(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.import'"), 0);
    close_db(db);
}

Test(import_db, end_to_end_sqlite) { end_to_end(false); }
Test(import_db, end_to_end_postgres) { end_to_end(true); }
