/*
 * tests/unit/core/test_json.c — the streaming JSON writer and the UTF-8 check of core/json.c.
 *
 * Every output is compared byte for byte with the expected text and then parsed with jansson
 * (json_loadb), which proves it is valid JSON. Rules: RFC 8259 §7 (strings: '"', '\' and
 * U+0000–U+001F must be escaped) and RFC 3629 §3–4 (well-formed UTF-8: no overlong forms, no
 * surrogates D800–DFFF, nothing above U+10FFFF); json.h: an invalid byte becomes U+FFFD.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define FFFD "\xef\xbf\xbd"

/* Takes w's buffer, checks it equals want (want_len bytes), parses it with jansson and
 * returns the parsed value (the caller json_decref()s it). */
static json_t *take_and_parse(struct jw *w, const char *want, size_t want_len, const char *id)
{
    cr_assert_not(jw_failed(w), "%s: writer failed", id);
    size_t len = 0;
    char *buf = jw_take(w, &len);
    cr_assert_not_null(buf, "%s", id);
    cr_assert_eq(len, want_len, "%s: length %zu, want %zu: %.*s", id, len, want_len, (int)len,
                 buf);
    cr_assert_eq(memcmp(buf, want, len), 0, "%s: got %.*s, want %s", id, (int)len, buf, want);
    json_error_t err;
    json_t *v = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    cr_assert_not_null(v, "%s: jansson: %s at %d: %.*s", id, err.text, err.position, (int)len,
                       buf);
    free(buf);
    return v;
}

/* One string value: the exact escaped text and what it decodes to. */
Test(json, strings)
{
    static const struct {
        const char *id;
        const char *in;
        size_t in_len;
        const char *out; /* the JSON text, quotes included */
        const char *dec; /* the decoded string */
        size_t dec_len;
    } c[] = {
#define S(id, in, out, dec) { id, in, sizeof in - 1, out, dec, sizeof dec - 1 }
        /* boundaries: empty, one byte, the first and last control characters, first
         * printable, DEL (0x7f, allowed raw by RFC 8259) */
        S("json-1.1", "", "\"\"", ""),
        S("json-1.2", "a", "\"a\"", "a"),
        S("json-1.3", "\0", "\"\\u0000\"", "\0"),
        S("json-1.4", "\x1f", "\"\\u001f\"", "\x1f"),
        S("json-1.5", " ", "\" \"", " "),
        S("json-1.6", "\x7f", "\"\x7f\"", "\x7f"),
        /* the escapes */
        S("json-2.1", "\"", "\"\\\"\"", "\""),
        S("json-2.2", "\\", "\"\\\\\"", "\\"),
        S("json-2.3", "\n\r\t", "\"\\n\\r\\t\"", "\n\r\t"),
        S("json-2.4", "\b\f\x01\x1b", "\"\\u0008\\u000c\\u0001\\u001b\"", "\b\f\x01\x1b"),
        S("json-2.5", "/", "\"/\"", "/"),
        S("json-2.6", "a\"b\\c\0d", "\"a\\\"b\\\\c\\u0000d\"", "a\"b\\c\0d"),
        S("json-2.7", "say \"hi\"\n", "\"say \\\"hi\\\"\\n\"", "say \"hi\"\n"),
        /* well-formed UTF-8 is kept as is: each length at its lowest and highest code point */
        S("json-3.1", "\xc2\x80", "\"\xc2\x80\"", "\xc2\x80"),                 /* U+0080 */
        S("json-3.2", "\xdf\xbf", "\"\xdf\xbf\"", "\xdf\xbf"),                 /* U+07FF */
        S("json-3.3", "\xe0\xa0\x80", "\"\xe0\xa0\x80\"", "\xe0\xa0\x80"),     /* U+0800 */
        S("json-3.4", "\xed\x9f\xbf", "\"\xed\x9f\xbf\"", "\xed\x9f\xbf"),     /* U+D7FF */
        S("json-3.5", "\xee\x80\x80", "\"\xee\x80\x80\"", "\xee\x80\x80"),     /* U+E000 */
        S("json-3.6", "\xef\xbf\xbf", "\"\xef\xbf\xbf\"", "\xef\xbf\xbf"),     /* U+FFFF */
        S("json-3.7", "\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"", "\xf0\x90\x80\x80"),
        S("json-3.8", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf"),
        S("json-3.9", "张三", "\"张三\"", "张三"),
        S("json-3.10", "😀 ok", "\"😀 ok\"", "😀 ok"),                        /* 4 bytes */
        S("json-3.11", "€\"€", "\"€\\\"€\"", "€\"€"),
        /* ill-formed: every byte that does not start a valid sequence becomes U+FFFD */
        S("json-4.1", "\x80", "\"" FFFD "\"", FFFD),                          /* lone cont. */
        S("json-4.2", "\xc0\xaf", "\"" FFFD FFFD "\"", FFFD FFFD),            /* overlong / */
        S("json-4.3", "\xc1\xbf", "\"" FFFD FFFD "\"", FFFD FFFD),            /* overlong */
        S("json-4.4", "\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"", FFFD FFFD FFFD),
        S("json-4.5", "\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"", FFFD FFFD FFFD FFFD),
        S("json-4.6", "\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"", FFFD FFFD FFFD), /* U+D800 */
        S("json-4.7", "\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"", FFFD FFFD FFFD), /* U+DFFF */
        S("json-4.8", "\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"",
          FFFD FFFD FFFD FFFD),                                                /* >10FFFF */
        S("json-4.9", "\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"", FFFD FFFD FFFD FFFD),
        S("json-4.10", "\xff\xfe", "\"" FFFD FFFD "\"", FFFD FFFD),
        S("json-4.11", "\xe4\xb8", "\"" FFFD FFFD "\"", FFFD FFFD),            /* truncated 中 */
        S("json-4.12", "\xe4\xb8" "a", "\"" FFFD FFFD "a\"", FFFD FFFD "a"),
        S("json-4.13", "\xf0\x9f\x98", "\"" FFFD FFFD FFFD "\"", FFFD FFFD FFFD),
        S("json-4.14", "a\xffz", "\"a" FFFD "z\"", "a" FFFD "z"),
        S("json-4.15", "\xc3\x28", "\"" FFFD "(\"", FFFD "("),                /* bad cont. */
        S("json-4.16", "\"\xff\"", "\"\\\"" FFFD "\\\"\"", "\"" FFFD "\""),
#undef S
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct jw w;
        jw_init(&w, 1024);
        jw_strn(&w, c[i].in, c[i].in_len);
        json_t *v = take_and_parse(&w, c[i].out, strlen(c[i].out), c[i].id);
        cr_assert(json_is_string(v), "%s", c[i].id);
        cr_assert_eq(json_string_length(v), c[i].dec_len, "%s", c[i].id);
        cr_assert_eq(memcmp(json_string_value(v), c[i].dec, c[i].dec_len), 0, "%s", c[i].id);
        /* whatever went in, what comes out is well-formed UTF-8 (NUL aside, escaped) */
        cr_assert(c[i].dec_len == 0 || memchr(c[i].dec, 0, c[i].dec_len) ||
                      json_utf8_valid(c[i].dec, c[i].dec_len),
                  "%s", c[i].id);
        json_decref(v);
        jw_free(&w);
    }
}

/* Keys go through the same escaping as values. */
Test(json, keys_escaped)
{
    struct jw w;
    jw_init(&w, 1024);
    jw_obj(&w);
    jw_kv_int(&w, "a\"b", 1);
    jw_kv_int(&w, "c\\\n\x1f", 2);
    jw_kv_int(&w, "\xff", 3);
    jw_obj_end(&w);
    static const char want[] = "{\"a\\\"b\":1,\"c\\\\\\n\\u001f\":2,\"" FFFD "\":3}";
    json_t *v = take_and_parse(&w, want, sizeof want - 1, "json-5.1");
    cr_assert_eq(json_integer_value(json_object_get(v, "a\"b")), 1, "json-5.1");
    cr_assert_eq(json_integer_value(json_object_get(v, "c\\\n\x1f")), 2, "json-5.1");
    cr_assert_eq(json_integer_value(json_object_get(v, FFFD)), 3, "json-5.1");
    json_decref(v);
}

/* Commas are placed by the writer: between members and elements, never after an opening
 * bracket, a key's colon or before a closing one. */
Test(json, structure)
{
    struct jw w;

    jw_init(&w, 1024);
    jw_obj(&w);
    jw_obj_end(&w);
    json_decref(take_and_parse(&w, "{}", 2, "json-6.1"));

    jw_init(&w, 1024);
    jw_arr(&w);
    jw_arr_end(&w);
    json_decref(take_and_parse(&w, "[]", 2, "json-6.2"));

    jw_init(&w, 1024);
    jw_arr(&w);
    jw_int(&w, 1);
    jw_arr_end(&w);
    json_decref(take_and_parse(&w, "[1]", 3, "json-6.3"));

    jw_init(&w, 1024);
    jw_obj(&w);
    jw_kv_int(&w, "a", 1);
    jw_key(&w, "b");
    jw_arr(&w);
    jw_bool(&w, true);
    jw_bool(&w, false);
    jw_null(&w);
    jw_str(&w, "x");
    jw_arr_end(&w);
    jw_key(&w, "c");
    jw_obj(&w);
    jw_key(&w, "d");
    jw_obj(&w);
    jw_obj_end(&w);
    jw_kv_bool(&w, "e", false);
    jw_obj_end(&w);
    jw_key(&w, "f");
    jw_arr(&w);
    jw_arr(&w);
    jw_arr_end(&w);
    jw_arr(&w);
    jw_int(&w, -1);
    jw_obj(&w);
    jw_obj_end(&w);
    jw_arr_end(&w);
    jw_arr(&w);
    jw_arr_end(&w);
    jw_arr_end(&w);
    jw_kv_str(&w, "g", "末");
    jw_kv_strn(&w, "h", "xyz", 2);
    jw_kv_str(&w, "i", NULL);
    jw_obj_end(&w);
    static const char want[] = "{\"a\":1,\"b\":[true,false,null,\"x\"],"
                               "\"c\":{\"d\":{},\"e\":false},\"f\":[[],[-1,{}],[]],"
                               "\"g\":\"末\",\"h\":\"xy\",\"i\":null}";
    json_t *v = take_and_parse(&w, want, sizeof want - 1, "json-6.4");
    cr_assert(json_is_object(json_object_get(json_object_get(v, "c"), "d")), "json-6.4");
    cr_assert_eq(json_array_size(json_object_get(v, "f")), 3, "json-6.4");
    cr_assert(json_is_null(json_object_get(v, "i")), "json-6.4");
    json_decref(v);

    /* an array of objects, as a page of rows is written */
    jw_init(&w, 1024);
    jw_arr(&w);
    for (int i = 0; i < 3; i++) {
        jw_obj(&w);
        jw_kv_int(&w, "n", i);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    static const char rows[] = "[{\"n\":0},{\"n\":1},{\"n\":2}]";
    json_decref(take_and_parse(&w, rows, sizeof rows - 1, "json-6.5"));
}

Test(json, scalars)
{
    static const struct {
        const char *id;
        int64_t v;
        const char *out;
    } c[] = {
        { "json-7.1", 0, "[0]" },
        { "json-7.2", -1, "[-1]" },
        { "json-7.3", INT64_MAX, "[9223372036854775807]" },
        { "json-7.4", INT64_MIN, "[-9223372036854775808]" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct jw w;
        jw_init(&w, 64);
        jw_arr(&w);
        jw_int(&w, c[i].v);
        jw_arr_end(&w);
        json_t *v = take_and_parse(&w, c[i].out, strlen(c[i].out), c[i].id);
        cr_assert_eq(json_integer_value(json_array_get(v, 0)), c[i].v, "%s", c[i].id);
        json_decref(v);
    }

    /* jw_str(NULL) and jw_strn(NULL, …) write null; jw_raw writes its text as one value */
    struct jw w;
    jw_init(&w, 64);
    jw_arr(&w);
    jw_str(&w, NULL);
    jw_strn(&w, NULL, 5);
    jw_raw(&w, "{\"r\":[1,2]}", 11);
    jw_raw(&w, "7", 1);
    jw_arr_end(&w);
    static const char want[] = "[null,null,{\"r\":[1,2]},7]";
    json_decref(take_and_parse(&w, want, sizeof want - 1, "json-7.5"));
}

/* The maximum size: exactly max bytes fit; one more marks the writer failed, and it stays
 * failed. The buffer never grows past max. */
Test(json, max_size)
{
    struct jw w;
    /* "abcde" with its quotes is 7 bytes */
    jw_init(&w, 7);
    jw_str(&w, "abcde");
    cr_assert_not(jw_failed(&w), "json-8.1");
    json_decref(take_and_parse(&w, "\"abcde\"", 7, "json-8.1"));

    jw_init(&w, 7);
    jw_str(&w, "abcdef");
    cr_assert(jw_failed(&w), "json-8.2");
    cr_assert_leq(w.len, 7, "json-8.2");
    cr_assert_leq(w.cap, 7, "json-8.2");
    jw_free(&w);

    /* once failed, later (small) writes do not clear it or add bytes */
    jw_init(&w, 16);
    jw_arr(&w);
    jw_str(&w, "0123456789abcdef");
    cr_assert(jw_failed(&w), "json-8.3");
    size_t len = w.len;
    jw_int(&w, 1);
    jw_arr_end(&w);
    cr_assert(jw_failed(&w), "json-8.3");
    cr_assert_eq(w.len, len, "json-8.3");
    jw_free(&w);

    /* max 0: nothing fits */
    jw_init(&w, 0);
    jw_null(&w);
    cr_assert(jw_failed(&w), "json-8.4");
    jw_free(&w);

    /* escaping counts: "\u0001" is 6 bytes from 1, so 8 bytes in all */
    jw_init(&w, 7);
    jw_strn(&w, "\x01", 1);
    cr_assert(jw_failed(&w), "json-8.5");
    jw_free(&w);
    jw_init(&w, 8);
    jw_strn(&w, "\x01", 1);
    json_decref(take_and_parse(&w, "\"\\u0001\"", 8, "json-8.6"));

    /* growth beyond the first allocation, ending exactly at a max that is no power of two */
    enum { MAX = 5000 };
    char *big = malloc(MAX - 2 + 1);
    memset(big, 'z', MAX - 2);
    big[MAX - 2] = '\0';
    jw_init(&w, MAX);
    jw_str(&w, big);
    cr_assert_not(jw_failed(&w), "json-8.7");
    cr_assert_eq(w.len, MAX, "json-8.7");
    cr_assert_leq(w.cap, MAX, "json-8.7");
    jw_free(&w);
    jw_init(&w, MAX - 1);
    jw_str(&w, big);
    cr_assert(jw_failed(&w), "json-8.8");
    jw_free(&w);
    free(big);

    /* a large document: 100 000 rows within a 4 MiB cap */
    jw_init(&w, 4u << 20);
    jw_arr(&w);
    for (int i = 0; i < 100000; i++)
        jw_int(&w, i);
    jw_arr_end(&w);
    cr_assert_not(jw_failed(&w), "json-8.9");
    size_t n;
    char *buf = jw_take(&w, &n);
    json_error_t err;
    json_t *v = json_loadb(buf, n, 0, &err);
    cr_assert_not_null(v, "json-8.9: %s", err.text);
    cr_assert_eq(json_array_size(v), 100000, "json-8.9");
    cr_assert_eq(json_integer_value(json_array_get(v, 99999)), 99999, "json-8.9");
    json_decref(v);
    free(buf);
}

/* jw_take hands the buffer over: the writer no longer owns it (jw_free after take must not
 * free it again; ASan would report a double free) and is empty. */
Test(json, take_ownership)
{
    struct jw w;
    jw_init(&w, 64);
    size_t len = 99;
    char *none = jw_take(&w, &len);
    cr_assert_null(none, "json-9.1: nothing written yet");
    cr_assert_eq(len, 0, "json-9.1");

    jw_obj(&w);
    jw_kv_str(&w, "k", "v");
    jw_obj_end(&w);
    char *buf = jw_take(&w, &len);
    cr_assert_eq(len, 9, "json-9.2");
    cr_assert_eq(memcmp(buf, "{\"k\":\"v\"}", 9), 0, "json-9.2");
    cr_assert_null(w.buf, "json-9.2");
    cr_assert_eq(w.len, 0, "json-9.2");
    cr_assert_eq(w.cap, 0, "json-9.2");
    jw_free(&w);
    jw_free(&w);
    char *again = jw_take(&w, &len);
    cr_assert_null(again, "json-9.3");
    cr_assert_eq(len, 0, "json-9.3");
    buf[0] = '[';  /* still ours to use */
    free(buf);
}

/* RFC 3629 well-formedness, and no NUL (json.h). */
Test(json, utf8_valid)
{
    static const struct {
        const char *id, *s;
        size_t len;
        bool ok;
    } c[] = {
#define U(id, s, ok) { id, s, sizeof s - 1, ok }
        U("json-10.1", "", true),
        U("json-10.2", "a", true),
        U("json-10.3", "\x7f", true),
        U("json-10.4", "\x01\x1f", true),
        U("json-10.5", "\xc2\x80", true),
        U("json-10.6", "\xdf\xbf", true),
        U("json-10.7", "\xe0\xa0\x80", true),
        U("json-10.8", "\xed\x9f\xbf", true),
        U("json-10.9", "\xee\x80\x80", true),
        U("json-10.10", "\xef\xbf\xbf", true),
        U("json-10.11", "\xf0\x90\x80\x80", true),
        U("json-10.12", "\xf4\x8f\xbf\xbf", true),
        U("json-10.13", "民政 😀 civil", true),
        U("json-11.1", "\0", false),
        U("json-11.2", "a\0b", false),
        U("json-11.3", "\x80", false),
        U("json-11.4", "\xbf", false),
        U("json-11.5", "\xc0\xaf", false),
        U("json-11.6", "\xc1\xbf", false),
        U("json-11.7", "\xe0\x80\xaf", false),
        U("json-11.8", "\xe0\x9f\xbf", false),
        U("json-11.9", "\xf0\x80\x80\xaf", false),
        U("json-11.10", "\xf0\x8f\xbf\xbf", false),
        U("json-11.11", "\xed\xa0\x80", false),
        U("json-11.12", "\xed\xbf\xbf", false),
        U("json-11.13", "\xed\xa0\xbd\xed\xb8\x80", false), /* CESU-8 surrogate pair */
        U("json-11.14", "\xf4\x90\x80\x80", false),
        U("json-11.15", "\xf5\x80\x80\x80", false),
        U("json-11.16", "\xf8\x88\x80\x80\x80", false),
        U("json-11.17", "\xfe", false),
        U("json-11.18", "\xff", false),
        U("json-11.19", "\xe4\xb8", false),
        U("json-11.20", "\xe4\xb8\xad\xe4", false),
        U("json-11.21", "\xc3\x28", false),
        U("json-11.22", "\xe4\xb8\x2d", false),
        U("json-11.23", "ok\xc0", false),
#undef U
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        cr_assert_eq(json_utf8_valid(c[i].s, c[i].len), c[i].ok, "%s", c[i].id);

    /* len, not the NUL, bounds the check */
    cr_assert(json_utf8_valid("ab\xff", 2), "json-12.1");
    cr_assert_not(json_utf8_valid("\xe4\xb8\xad", 2), "json-12.2");
    cr_assert(json_utf8_valid("\xe4\xb8\xad", 3), "json-12.3");
}
