/*
 * tests/unit/registry/test_import_text.c — the pure parts of CSV imports, registry/import_text.c.
 *
 * Rules under test (import.h): the encoding is UTF-8 when the first non-ASCII bytes are
 * well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), else
 * GB18030, undecided while all ASCII, and a sequence cut by the end of the buffer counts as
 * well-formed unless the buffer is the whole file; header columns are field names (ASCII case
 * ignored) or zh-CN labels, each once, and the key and the required non-derived fields must
 * have one; the report is CSV "line,field,reason" with a byte-order mark, quoted per RFC 4180,
 * runs of 15–18 ID-number characters masked 6 + 4, capped in memory with a trailer line.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "errors.h"
#include "import.h"
#include "org.h"
#include "person.h"

/* ---------------------------------------------------------------- encodings */

Test(import_text, encoding_names)
{
    static const struct { const char *id, *name; int rc; enum import_encoding e; } c[] = {
        { "enc-1.1", "auto", 0, IMPORT_ENC_AUTO },
        { "enc-1.2", "UTF-8", 0, IMPORT_ENC_UTF8 },
        { "enc-1.3", "utf8", 0, IMPORT_ENC_UTF8 },
        { "enc-1.4", "GB18030", 0, IMPORT_ENC_GB18030 },
        { "enc-1.5", "gbk", 0, IMPORT_ENC_GB18030 },
        { "enc-1.6", "gb2312", 0, IMPORT_ENC_GB18030 },
        { "enc-1.7", "latin1", MZ_EINVAL, IMPORT_ENC_AUTO },
        { "enc-1.8", "", MZ_EINVAL, IMPORT_ENC_AUTO },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        enum import_encoding e = IMPORT_ENC_AUTO;
        cr_assert_eq(import_encoding_parse(c[i].name, &e), c[i].rc, "%s", c[i].id);
        cr_assert_eq(e, c[i].e, "%s", c[i].id);
    }
    cr_assert_str_eq(import_encoding_name(IMPORT_ENC_GB18030), "gb18030");
    cr_assert_str_eq(import_encoding_name(IMPORT_ENC_UTF8), "utf-8");
}

Test(import_text, detect_encoding)
{
    static const struct {
        const char *id, *bytes;
        bool complete;
        enum import_encoding want;
    } c[] = {
        { "det-1.1", "", true, IMPORT_ENC_AUTO },
        { "det-1.2", "id_number,name\n", true, IMPORT_ENC_AUTO },
        { "det-1.3", "\xe5\xa7\x93\xe5\x90\x8d", true, IMPORT_ENC_UTF8 },          /* 姓名 */
        { "det-1.4", "\xd0\xd5\xc3\xfb", true, IMPORT_ENC_GB18030 },               /* 姓名, GBK */
        { "det-1.5", "abc\xe5\xa7", false, IMPORT_ENC_AUTO },   /* cut by the buffer's end */
        { "det-1.6", "\xe5\xa7\x93\xe5\xa7", false, IMPORT_ENC_UTF8 },
        { "det-1.7", "\xe5\xa7\x93\xe5\xa7", true, IMPORT_ENC_GB18030 }, /* cut: file's end */
        { "det-1.8", "\xc0\xaf", true, IMPORT_ENC_GB18030 },                    /* overlong */
        { "det-1.9", "\xed\xa0\x80", true, IMPORT_ENC_GB18030 },               /* surrogate */
        { "det-1.10", "\xef\xbb\xbfid", true, IMPORT_ENC_UTF8 },                    /* BOM */
        { "det-1.11", "\xf0\x9f\x98\x80", true, IMPORT_ENC_UTF8 },             /* 4 bytes */
        { "det-1.12", "\xf5\x80\x80\x80", true, IMPORT_ENC_GB18030 },  /* above U+10FFFF */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(import_detect_encoding((const unsigned char *)c[i].bytes, strlen(c[i].bytes),
                                            c[i].complete), c[i].want, "%s", c[i].id);
}

/* ---------------------------------------------------------------- header */

/* Maps the comma-separated header h; returns the rc, the map in map and why. */
static int header(const struct entity *e, const char *h, int *map, const char **why,
                  struct arena *a)
{
    char *copy = arena_strdup(a, h);
    char *names[64];
    size_t lens[64];
    int n = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        names[n] = t;
        lens[n++] = strlen(t);
    }
    *why = NULL;
    return import_header_map(e, a, names, lens, n, map, why);
}

Test(import_text, header_map)
{
    struct arena *a = arena_new();
    int map[64];
    const char *why;
    cr_assert_eq(header(&person_entity, "id_number,name,region", map, &why, a), 0, "hdr-1.1");
    cr_assert_eq(map[0], record_field(&person_entity, "id_number"));
    cr_assert_eq(map[2], record_field(&person_entity, "region"));
    cr_assert_eq(header(&person_entity, "公民身份号码,姓名,居住地区划,联系电话", map, &why, a), 0,
                 "hdr-1.2 labels");
    cr_assert_eq(map[3], record_field(&person_entity, "phone"));
    cr_assert_eq(header(&person_entity, " ID_Number ,Name, region ", map, &why, a), 0,
                 "hdr-1.3 case and spaces");
    cr_assert_eq(header(&person_entity, "id_number,name,region,colour", map, &why, a), MZ_EVALIDATE,
                 "hdr-1.4 unknown");
    cr_assert(strstr(why, "第 4 列") && strstr(why, "colour"), "%s", why);
    cr_assert_eq(header(&person_entity, "id_number,name,region,姓名", map, &why, a), MZ_EVALIDATE,
                 "hdr-1.5 name and label of one field");
    cr_assert(strstr(why, "重复"), "%s", why);
    cr_assert_eq(header(&person_entity, "id_number,region", map, &why, a), MZ_EVALIDATE,
                 "hdr-1.6 required name missing");
    cr_assert(strstr(why, "姓名"), "%s", why);
    cr_assert_eq(header(&person_entity, "name,region", map, &why, a), MZ_EVALIDATE,
                 "hdr-1.7 key missing");
    cr_assert_eq(header(&person_entity, "id_number,name,region,sex", map, &why, a), 0,
                 "hdr-1.8 derived columns optional, allowed");
    cr_assert_eq(header(&org_entity, "credit_code,name,org_type,region", map, &why, a), 0,
                 "hdr-1.9 organisations");
    cr_assert_eq(header(&org_entity, "credit_code,name,region", map, &why, a), MZ_EVALIDATE,
                 "hdr-1.10 org_type required");
    char *names[1] = { "\xd0\xd5\xc3\xfb" };
    size_t lens[1] = { 4 };
    cr_assert_eq(import_header_map(&person_entity, a, names, lens, 1, map, &why), MZ_EVALIDATE,
                 "hdr-1.11 GBK bytes");
    cr_assert(strstr(why, "GB18030"), "%s", why);
    arena_free(a);
}

/* ---------------------------------------------------------------- report */

Test(import_text, mask_ids)
{
    static const struct { const char *id, *in, *want; } c[] = {
        { "mask-1.1", "公民身份号码校验位不正确", "公民身份号码校验位不正确" },
        { "mask-1.2", "号码 510824199001010012 已登记", "号码 510824********0012 已登记" },
        { "mask-1.3", "51082419900101001X", "510824********001X" },
        { "mask-1.4", "510824900101001", "510824*****1001" },
        { "mask-1.5", "第 12345 行", "第 12345 行" },
        { "mask-1.6", "13812345678", "13812345678" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char out[128];
        cr_assert_str_eq(import_mask_ids(c[i].in, out, sizeof out), c[i].want, "%s", c[i].id);
    }
    char tiny[4];
    cr_assert_str_eq(import_mask_ids("abcdef", tiny, sizeof tiny), "abc", "mask-1.7 cut");
}

Test(import_text, report_csv)
{
    struct import_report r;
    import_report_to_memory(&r, 1 << 20);
    import_report_add(&r, 2, "id_number", "公民身份号码校验位不正确");
    import_report_add(&r, 3, "姓名", "含有 \"引号\", 和逗号");
    import_report_add(&r, 4, "", "号码 510824199001010012 重复");
    cr_assert_eq(import_report_finish(&r), 0);
    cr_assert_str_eq(r.buf, "\xef\xbb\xbfline,field,reason\n"
                            "2,id_number,公民身份号码校验位不正确\n"
                            "3,姓名,\"含有 \"\"引号\"\", 和逗号\"\n"
                            "4,,号码 510824********0012 重复\n");
    cr_assert_eq(r.rows, 3);
    import_report_free(&r);

    import_report_to_memory(&r, 100);
    for (int i = 0; i < 10; i++)
        import_report_add(&r, 10 + i, "name", "姓名不能超过 50 个字符");
    cr_assert_eq(import_report_finish(&r), 0);
    cr_assert_eq(r.rows, 10);
    cr_assert_gt(r.dropped, 0, "report-1.2 capped");
    cr_assert(strstr(r.buf, "报告过长") != NULL, "trailer: %s", r.buf);
    import_report_free(&r);
}
