/*
 * tests/unit/assist/test_setting.c — the catalogue of 救助参数, its text syntax and which
 * stored row is in force (src/assist/setting.c).
 *
 * Source: issue #10 ("every number in rules.md's closing table is a setting an administrator
 * can change per region, with its source shown beside it"); shared/domain/rules.md, closing
 * table "Numbers that are configurable, with default and source", and §0.4.
 * Cases "setting-<test>.<case>".
 */
#include <criterion/criterion.h>
#include <string.h>

#include "errors.h"
#include "setting.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct setting_def *def(const char *key)
{
    const struct setting_def *d = setting_find(key);
    cr_assert_not_null(d, "catalogue has %s", key);
    return d;
}

/* Parses text for key onto the defaults; returns the parse result, *s the struct. */
static int parse(const char *key, const char *text, struct assist_settings *s)
{
    char err[SETTING_ERROR_MAX] = "";
    assist_settings_default(s);
    return setting_parse(def(key), text, s, err, sizeof err);
}

static void expect_format(const char *key, const struct assist_settings *s, const char *want)
{
    char buf[SETTING_VALUE_MAX + 1];
    cr_assert_eq(setting_format(def(key), s, buf, sizeof buf), 0, "%s formats", key);
    cr_assert_str_eq(buf, want, "%s", key);
}

/* setting-1: every key's default text parses back to assist_settings_default(), and the
 * default formats to that text (closing table "default" column). */
Test(setting, closing_table_defaults_round_trip)
{
    struct assist_settings def_s, s;
    assist_settings_default(&def_s);
    cr_assert_gt(setting_count(), 40, "setting-1.0 the catalogue covers the table");
    for (size_t i = 0; i < setting_count(); i++) {
        const struct setting_def *d = setting_at(i);
        char err[SETTING_ERROR_MAX] = "", buf[SETTING_VALUE_MAX + 1];
        memcpy(&s, &def_s, sizeof s);
        cr_assert_eq(setting_parse(d, d->default_text, &s, err, sizeof err), 0,
                     "setting-1.1 %s: %s", d->key, err);
        cr_assert_eq(memcmp(&s, &def_s, sizeof s), 0, "setting-1.2 %s parses to the default",
                     d->key);
        cr_assert_eq(setting_format(d, &def_s, buf, sizeof buf), 0, "setting-1.3 %s", d->key);
        cr_assert_str_eq(buf, d->default_text, "setting-1.4 %s", d->key);
        cr_assert(d->label && *d->label && d->source && *d->source, "setting-1.5 %s", d->key);
        cr_assert_eq(setting_find(d->key), d, "setting-1.6 %s unique", d->key);
    }
    cr_assert_null(setting_find("no_such_key"), "setting-1.7");
}

/* setting-2: the keys rules.md names, with their defaults (§0.4 and closing table). */
Test(setting, rules_md_names)
{
    static const char *const KEYS[] = {
        "legal_regime", "sa_law_effective_date", "dibao_edge_multiple", "publicity_days",
        "county_review_wd", "township_confirm.dibao", "township_confirm.tekun",
        "township_confirm.lshi", "township_confirm.gangxing", "jiantui_max_months",
        "rounding_unit", "dibao_amount_method", "dibao_tiers", "lshi_tiers",
        "lshi_township_ceiling_fen", "income_excluded_types", "lshi_prior_aid_mode",
    };
    for (size_t i = 0; i < N(KEYS); i++)
        cr_assert_not_null(setting_find(KEYS[i]), "setting-2.%zu %s", i, KEYS[i]);
    cr_assert_str_eq(def("legal_regime")->default_text, "INTERIM_2014", "setting-2.a §0.4");
    cr_assert_str_eq(def("sa_law_effective_date")->default_text, "none", "setting-2.b §0.4");
    cr_assert_str_eq(def("dibao_edge_multiple")->default_text, "1.5", "setting-2.c DB-57 Art. 8");
    cr_assert_str_eq(def("publicity_days")->default_text, "7", "setting-2.d DB-57 Art. 19");
}

/* setting-3: values of each type parse into the member. */
Test(setting, values_parse)
{
    struct assist_settings s;
    cr_assert_eq(parse("dibao_edge_multiple", "1.75", &s), 0);
    cr_assert_eq(s.dibao_edge_multiple_permille, 1750, "setting-3.1 permille");
    expect_format("dibao_edge_multiple", &s, "1.75");
    cr_assert_eq(parse("publicity_days", "10", &s), 0);
    cr_assert_eq(s.publicity_days, 10, "setting-3.2 int");
    cr_assert_eq(parse("lshi_township_ceiling_fen", "500000", &s), 0);
    cr_assert_eq(s.lshi_township_ceiling_fen, 500000, "setting-3.3 fen");
    cr_assert_eq(parse("exclude_basic_pension_base", "2026-12", &s), 0);
    cr_assert_eq(s.pension_base_excluded_through, 202612, "setting-3.4 month");
    cr_assert_eq(parse("sa_law_effective_date", "2027-01-01", &s), 0);
    cr_assert_eq(s.sa_law_effective_date, 20270101, "setting-3.5 date");
    expect_format("sa_law_effective_date", &s, "2027-01-01");
    cr_assert_eq(parse("township_confirm.lshi", "true", &s), 0);
    cr_assert(s.township_confirm[ASSIST_PROG_LSHI], "setting-3.6 bool");
    cr_assert_not(s.township_confirm[ASSIST_PROG_DIBAO], "setting-3.6b only that programme");
    cr_assert_eq(parse("legal_regime", "SA_LAW", &s), 0);
    cr_assert_eq(s.legal_regime, ASSIST_REGIME_SA_LAW, "setting-3.7 enum");
    cr_assert_eq(parse("rounding_unit", "yuan", &s), 0);
    cr_assert_eq(s.rounding_unit, ASSIST_ROUND_YUAN, "setting-3.8 enum value");
    cr_assert_eq(parse("lshi_prior_aid_mode", "SHALL", &s), 0);
    cr_assert(s.lshi_prior_aid_shall, "setting-3.9 MAY/SHALL");
    cr_assert_eq(parse("dibao_tiers", "30000,20000,10000", &s), 0);
    cr_assert_eq(s.dibao_tier_count, 3, "setting-3.10 fen list");
    cr_assert_eq(s.dibao_tier_fen[2], 10000);
    expect_format("dibao_tiers", &s, "30000,20000,10000");
    cr_assert_eq(parse("lshi_tiers", "1x,1.5x,500000", &s), 0);
    cr_assert_eq(s.lshi_tier_count, 3, "setting-3.11 lshi tiers (LS-23 二(三))");
    cr_assert_eq(s.lshi_tiers[1].max_permille, 1500);
    cr_assert_eq(s.lshi_tiers[2].max_fen, 500000);
    cr_assert_eq(s.lshi_tiers[2].max_permille, 0);
    expect_format("lshi_tiers", &s, "1x,1.5x,500000");
    cr_assert_eq(parse("income_excluded_types", "scholarship,youfu", &s), 0);
    cr_assert_eq(s.income_excluded_types, 1u << ASSIST_INC_YOUFU | 1u << ASSIST_INC_SCHOLARSHIP,
                 "setting-3.12 type set");
    expect_format("income_excluded_types", &s, "youfu,scholarship");
    cr_assert_eq(parse("income_excluded_types", "none", &s), 0);
    cr_assert_eq(s.income_excluded_types, 0u, "setting-3.13 none");
    cr_assert_eq(parse("dibao_tiers", "none", &s), 0);
    cr_assert_eq(s.dibao_tier_count, 0, "setting-3.14 none");
}

/* setting-4: bad values of each type are refused with a zh-CN message, *s unchanged. */
Test(setting, bad_values_refused)
{
    static const struct { const char *key, *text; } BAD[] = {
        { "publicity_days", "0" }, { "publicity_days", "61" }, { "publicity_days", "-1" },
        { "publicity_days", "7.0" }, { "publicity_days", "" }, { "publicity_days", " 7" },
        { "min_investigators", "1" },                        /* DB-57 Art. 16: at least 2 */
        { "dibao_edge_multiple", "0.9" }, { "dibao_edge_multiple", "1.5555" },
        { "dibao_edge_multiple", "1." }, { "dibao_edge_multiple", ".5" },
        { "dibao_edge_multiple", "1,5" }, { "gangxing_share_threshold", "1.001" },
        { "lshi_township_ceiling_fen", "abc" }, { "lshi_township_ceiling_fen", "1e5" },
        { "exclude_basic_pension_base", "2025-13" }, { "exclude_basic_pension_base", "202512" },
        { "sa_law_effective_date", "2027-02-30" }, { "sa_law_effective_date", "unset" },
        { "township_confirm.dibao", "yes" }, { "township_confirm.dibao", "TRUE" },
        { "legal_regime", "SA_LAW_2026" }, { "dibao_amount_method", "gap" },
        { "dibao_tiers", "1,2,3,4,5,6,7,8,9" }, { "dibao_tiers", "100,,200" },
        { "dibao_tiers", "100," }, { "dibao_tiers", "-100" }, { "dibao_tiers", "" },
        { "lshi_tiers", "0x" }, { "lshi_tiers", "x" }, { "lshi_tiers", "3y" },
        { "lshi_tiers", "0" }, { "lshi_tiers", "1x,,2x" },
        { "income_excluded_types", "youfu,youfu" }, { "income_excluded_types", "salary" },
        { "income_excluded_types", "rigid_medical" }, { "income_excluded_types", "" },
    };
    struct assist_settings def_s;
    assist_settings_default(&def_s);
    for (size_t i = 0; i < N(BAD); i++) {
        struct assist_settings s = def_s;
        char err[SETTING_ERROR_MAX] = "";
        cr_assert_eq(setting_parse(def(BAD[i].key), BAD[i].text, &s, err, sizeof err),
                     MZ_EVALIDATE, "setting-4.%zu %s=\"%s\" refused", i, BAD[i].key, BAD[i].text);
        cr_assert(strstr(err, BAD[i].key) && strstr(err, "应为"), "setting-4.%zu message: %s", i,
                  err);
        cr_assert_lt(strlen(err), SETTING_ERROR_MAX / 2, "setting-4.%zu message not cut", i);
        cr_assert_eq(memcmp(&s, &def_s, sizeof s), 0, "setting-4.%zu unchanged", i);
    }
}

static struct setting_row row(int64_t id, const char *region, const char *key,
                              const char *value)
{
    struct setting_row r;
    memset(&r, 0, sizeof r);
    r.id = id;
    snprintf(r.region, sizeof r.region, "%s", region);
    r.key = key;
    r.value = value;
    r.source = "x";
    return r;
}

#define PROV "510000000000"
#define CITY "510800000000"
#define COUNTY "510824000000"
#define TOWN "510824100000"

/* setting-5: the most specific region that set a key wins, whatever the ids (issue #10). */
Test(setting, most_specific_region_wins)
{
    struct setting_row rows[] = {
        row(9, PROV, "publicity_days", "9"), row(2, COUNTY, "publicity_days", "5"),
        row(5, CITY, "publicity_days", "8"), row(7, CITY, "jiantui_max_months", "3"),
    };
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", COUNTY, NULL), 1, "setting-5.1");
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", TOWN, NULL), 1, "setting-5.2");
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", "510802000000", NULL), 2,
                 "setting-5.3 sibling county: the city's");
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", "510100000000", NULL), 0,
                 "setting-5.4 other city: the province's");
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", "520000000000", NULL), -1,
                 "setting-5.5 other province: none");
    cr_assert_eq(setting_resolve(rows, N(rows), "jiantui_max_months", COUNTY, NULL), 3,
                 "setting-5.6");
    cr_assert_eq(setting_resolve(rows, N(rows), "county_review_wd", COUNTY, NULL), -1,
                 "setting-5.7");
}

/* setting-6: of one region's rows, the newest (highest id) wins. */
Test(setting, newest_row_wins)
{
    struct setting_row rows[] = {
        row(3, COUNTY, "publicity_days", "5"), row(8, COUNTY, "publicity_days", "6"),
        row(4, COUNTY, "publicity_days", "4"),
    };
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", COUNTY, NULL), 1, "setting-6.1");
    bool skip[N(rows)] = { false, true, false };
    cr_assert_eq(setting_resolve(rows, N(rows), "publicity_days", COUNTY, skip), 2,
                 "setting-6.2 a skipped row: the next newest");
}

/* setting-7: apply puts the winners onto the struct; an unparsable winner is reported and
 * skipped, so the next row in force applies. */
Test(setting, apply_rows)
{
    struct setting_row rows[] = {
        row(1, PROV, "dibao_edge_multiple", "2"), row(2, COUNTY, "publicity_days", "5"),
        row(3, COUNTY, "jiantui_max_months", "many"), row(4, PROV, "jiantui_max_months", "3"),
        row(5, COUNTY, "retired_key", "1"),
    };
    bool bad[N(rows)] = { false };
    struct assist_settings s;
    assist_settings_default(&s);
    cr_assert_eq(setting_apply(&s, rows, N(rows), TOWN, bad), 1, "setting-7.1 one bad row");
    cr_assert_eq(s.dibao_edge_multiple_permille, 2000, "setting-7.2 from the province");
    cr_assert_eq(s.publicity_days, 5, "setting-7.3 from the county");
    cr_assert_eq(s.jiantui_max_months, 3, "setting-7.4 bad value skipped: the province's applies");
    cr_assert(bad[2] && !bad[0] && !bad[1] && !bad[3] && !bad[4], "setting-7.5 which row");
    cr_assert_eq(s.county_review_wd, 10, "setting-7.6 unset keys keep the default");
}
