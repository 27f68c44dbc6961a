/*
 * registry/person.c — the person entity: fields, and the rules that span them.
 *
 * Rules (each tested in tests/unit/registry/test_person.c):
 * - 公民身份号码 per GB 11643-1999 (core/ids.c): 18 characters with a valid check character, a
 *   real birth date not after today; a 15-digit number is upgraded to 18 (§2.3 of
 *   shared/domain/reference.md); lower-case x is normalised.
 * - Sex and birth date are derived from the number (positions 7–14; 17 odd = male) and, when
 *   entered as well, must agree (reference.md §2.4 rule 8: raise, never auto-correct).
 * - A death date means the person is not alive; "not alive" needs a death date, on or after
 *   the birth date.
 * - A disability category and grade come together (残疾人证: GB/T 26341-2010, reference.md §5.3).
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "errors.h"
#include "ids.h"
#include "person.h"

enum {
    P_ID_NUMBER, P_NAME, P_FORMER_NAMES, P_SEX, P_BIRTH_DATE, P_ETHNICITY, P_HUKOU_REGION,
    P_HUKOU_TYPE, P_REGION, P_ADDRESS, P_PHONE, P_MARITAL, P_ALIVE, P_DEATH_DATE, P_LABOUR,
    P_HEALTH, P_DISABILITY_CATEGORY, P_DISABILITY_GRADE, P_EDUCATION, P_EMPLOYMENT, P_FIELDS
};

static const struct field fields[P_FIELDS] = {
    [P_ID_NUMBER] = { "id_number", "公民身份号码", F_KEY, NULL, 18,
                      F_REQUIRED | F_MASK_ID | F_FIXED },
    [P_NAME] = { "name", "姓名", F_TEXT, NULL, 50, F_REQUIRED },
    [P_FORMER_NAMES] = { "former_names", "曾用名", F_TEXT, NULL, 100, 0 },
    [P_SEX] = { "sex", "性别", F_DICT, "sex", 0, F_DERIVED },
    [P_BIRTH_DATE] = { "birth_date", "出生日期", F_DATE, NULL, 0, F_DERIVED },
    [P_ETHNICITY] = { "ethnicity", "民族", F_DICT, "ethnicity", 0, 0 },
    [P_HUKOU_REGION] = { "hukou_region", "户籍地区划", F_REGION, NULL, 0, 0 },
    [P_HUKOU_TYPE] = { "hukou_type", "户口性质", F_DICT, "hukou_type", 0, 0 },
    [P_REGION] = { "region", "居住地区划", F_REGION, NULL, 0, F_REQUIRED },
    [P_ADDRESS] = { "address", "居住地址", F_TEXT, NULL, 200, 0 },
    [P_PHONE] = { "phone", "联系电话", F_PHONE, NULL, 0, F_MASK_PHONE },
    [P_MARITAL] = { "marital_status", "婚姻状况", F_DICT, "marital_status", 0, 0 },
    [P_ALIVE] = { "alive", "是否健在", F_BOOL, NULL, 0, 0, "1" },
    [P_DEATH_DATE] = { "death_date", "死亡日期", F_DATE, NULL, 0, 0 },
    [P_LABOUR] = { "labour_ability", "劳动能力", F_DICT, "labour_ability", 0, 0 },
    [P_HEALTH] = { "health", "健康状况", F_DICT, "health", 0, 0 },
    [P_DISABILITY_CATEGORY] = { "disability_category", "残疾类别", F_DICT, "disability_category",
                                0, 0 },
    [P_DISABILITY_GRADE] = { "disability_grade", "残疾等级", F_DICT, "disability_grade", 0, 0 },
    [P_EDUCATION] = { "education", "文化程度", F_DICT, "education", 0, 0 },
    [P_EMPLOYMENT] = { "employment", "就业状况", F_DICT, "employment", 0, 0 },
};

static int refuse(struct refusal *r, const char *field, const char *why)
{
    r->field = field;
    r->why = why;
    return MZ_EVALIDATE;
}

/* The number, and the sex and birth date it determines. */
static int derive_from_number(struct arena *a, struct record_values *v, int today,
                              struct refusal *r)
{
    const char *why = NULL;
    char id[19];
    struct ids_citizen info;
    const char *in = v->v[P_ID_NUMBER];
    if (ids_citizen_normalize(in, strlen(in), today, id, &info, &why) != 0)
        return refuse(r, "id_number", why);
    v->v[P_ID_NUMBER] = arena_strdup(a, id);
    const char *sex = info.sex == 'M' ? "M" : "F";
    int b = info.birth_yyyymmdd;
    const char *birth = arena_printf(a, "%04d-%02d-%02d", b / 10000, b / 100 % 100, b % 100);
    if (v->v[P_SEX] && strcmp(v->v[P_SEX], sex) != 0)
        return refuse(r, "sex", "性别与公民身份号码不一致");
    if (v->v[P_BIRTH_DATE] && strcmp(v->v[P_BIRTH_DATE], birth) != 0)
        return refuse(r, "birth_date", "出生日期与公民身份号码不一致");
    v->v[P_SEX] = sex;
    v->v[P_BIRTH_DATE] = birth;
    return 0;
}

static bool set(const char *v) { return v && *v; }

static int person_rules(struct arena *a, struct record_values *v, struct record_values *changed,
                        int today, struct refusal *r)
{
    bool creating = v == changed;
    if (creating && v->v[P_ID_NUMBER]) {
        int rc = derive_from_number(a, v, today, r);
        if (rc)
            return rc;
    }
    const char *death = v->v[P_DEATH_DATE], *alive = v->v[P_ALIVE];
    if (set(death)) {
        if (set(changed->v[P_ALIVE]) && strcmp(changed->v[P_ALIVE], "1") == 0)
            return refuse(r, "alive", "已填写死亡日期的人员不能标记为健在");
        if (!set(alive) || strcmp(alive, "0") != 0)
            v->v[P_ALIVE] = changed->v[P_ALIVE] = "0"; /* a death date means not alive */
        if (set(v->v[P_BIRTH_DATE]) && strcmp(death, v->v[P_BIRTH_DATE]) < 0)
            return refuse(r, "death_date", "死亡日期不能早于出生日期");
    } else if (set(alive) && strcmp(alive, "0") == 0) {
        return refuse(r, "death_date", "标记为死亡时须填写死亡日期");
    }
    if (set(v->v[P_DISABILITY_CATEGORY]) != set(v->v[P_DISABILITY_GRADE]))
        return refuse(r, set(v->v[P_DISABILITY_CATEGORY]) ? "disability_grade"
                                                          : "disability_category",
                      "残疾类别和残疾等级须同时填写");
    return 0;
}

const struct entity person_entity = {
    .table = "person",
    .type = "person",
    .title = "自然人",
    .fields = fields,
    .nfields = P_FIELDS,
    .key = P_ID_NUMBER,
    .name = P_NAME,
    .hook = person_rules,
};

#include "record_routes.h"

const struct route person_routes[] = {
    RECORD_ROUTES("persons", "person", person_entity, "自然人"),
    RECORD_REVEAL_ROUTE("persons", "person", person_entity, "自然人"),
    { 0 },
};
