/*
 * registry/org.c — the organisation entity: 社会团体, 社会服务机构, 基金会, 村（居）民委员会,
 * 养老机构, 儿童福利机构, 殡葬服务机构, 社会工作服务机构 …
 *
 * Rules (tests: tests/unit/registry/test_org.c and the API suite):
 * - 统一社会信用代码 per GB 32100-2015 (core/ids.c): the 31-character set, registration
 *   authority and type codes, the GB 11714 check of the embedded 组织机构代码 and the MOD 31
 *   check character (shared/domain/reference.md §3).
 * - The legal representative, when given, is a person of the registry inside the caller's scope.
 * - The registration date is a real date not after today.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "ids.h"
#include "org.h"
#include "record_routes.h"

enum { O_CREDIT_CODE, O_NAME, O_TYPE, O_REGION, O_LEGAL_REP, O_REGISTERED_ON, O_STATUS,
       O_ADDRESS, O_FIELDS };

static const struct field fields[O_FIELDS] = {
    [O_CREDIT_CODE] = { "credit_code", "统一社会信用代码", F_KEY, NULL, 18, F_REQUIRED | F_FIXED },
    [O_NAME] = { "name", "名称", F_TEXT, NULL, 100, F_REQUIRED },
    [O_TYPE] = { "org_type", "组织类型", F_DICT, "org_type", 0, F_REQUIRED },
    [O_REGION] = { "region", "所在区划", F_REGION, NULL, 0, F_REQUIRED },
    [O_LEGAL_REP] = { "legal_rep_person_id", "法定代表人（自然人编号）", F_ID, NULL, 0, 0 },
    [O_REGISTERED_ON] = { "registered_on", "登记日期", F_DATE, NULL, 0, 0 },
    [O_STATUS] = { "status", "状态", F_DICT, "org_status", 0, 0, "active" },
    [O_ADDRESS] = { "address", "住所", F_TEXT, NULL, 200, 0 },
};

static int org_rules(struct arena *a, struct record_values *v, struct record_values *changed,
                     int today, struct refusal *r)
{
    (void)today;
    if (v != changed || !v->v[O_CREDIT_CODE]) /* the code is fixed after creation */
        return 0;
    char code[19];
    const char *why = NULL;
    const char *in = v->v[O_CREDIT_CODE];
    if (ids_credit_normalize(in, strlen(in), code, NULL, &why) != 0) {
        r->field = "credit_code";
        r->why = why;
        return MZ_EVALIDATE;
    }
    v->v[O_CREDIT_CODE] = arena_strdup(a, code);
    return 0;
}

/* The legal representative must be a person the caller can see. */
static int org_refs(struct db *db, const struct scope *scope, const struct record_values *v,
                    struct refusal *r)
{
    const char *rep = v->v[O_LEGAL_REP];
    if (!rep || !*rep)
        return 0;
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT 1 FROM person WHERE id = ? AND region >= ? AND region < ?",
                        &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, strtoll(rep, NULL, 10));
    scope_bind(st, 2, scope);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        r->field = "legal_rep_person_id";
        r->why = "法定代表人不在自然人登记中（或不在您的管辖范围内）";
        return MZ_EVALIDATE;
    }
    return 0;
}

const struct entity org_entity = {
    .table = "organisation",
    .type = "organisation",
    .title = "法人",
    .fields = fields,
    .nfields = O_FIELDS,
    .key = O_CREDIT_CODE,
    .name = O_NAME,
    .hook = org_rules,
    .check_refs = org_refs,
};

const struct route org_routes[] = {
    RECORD_ROUTES("organisations", "org", org_entity, "法人"),
    { 0 },
};
