/*
 * core/json.c — the streaming JSON writer; see json.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JW_FIRST 1024

void jw_init(struct jw *w, size_t max)
{
    memset(w, 0, sizeof *w);
    w->max = max;
}

void jw_free(struct jw *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

char *jw_take(struct jw *w, size_t *len)
{
    char *buf = w->buf;
    *len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    return buf;
}

bool jw_failed(const struct jw *w) { return w->failed; }

/* Makes room for n more bytes; false (and failed) when over the maximum or out of memory. */
static bool reserve(struct jw *w, size_t n)
{
    if (w->failed)
        return false;
    if (w->cap - w->len >= n)
        return true;
    if (n > w->max - w->len) {
        w->failed = true;
        return false;
    }
    size_t cap = w->cap ? w->cap : JW_FIRST;
    while (cap - w->len < n)
        cap *= 2;
    if (cap > w->max)
        cap = w->max;
    char *buf = realloc(w->buf, cap);
    if (!buf) {
        w->failed = true;
        return false;
    }
    w->buf = buf;
    w->cap = cap;
    return true;
}

static void put(struct jw *w, const char *s, size_t n)
{
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void putc1(struct jw *w, char c)
{
    if (!reserve(w, 1))
        return;
    w->buf[w->len++] = c;
}

static void sep(struct jw *w)
{
    if (w->comma)
        putc1(w, ',');
    w->comma = true;
}

void jw_obj(struct jw *w)
{
    sep(w);
    putc1(w, '{');
    w->comma = false;
}

void jw_obj_end(struct jw *w)
{
    putc1(w, '}');
    w->comma = true;
}

void jw_arr(struct jw *w)
{
    sep(w);
    putc1(w, '[');
    w->comma = false;
}

void jw_arr_end(struct jw *w)
{
    putc1(w, ']');
    w->comma = true;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool json_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return false;
        size_t seq = utf8_seq(s + i, len - i);
        if (seq == 0)
            return false;
        i += seq;
    }
    return true;
}

size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

bool text_has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static void escaped(struct jw *w, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    putc1(w, '"');
    size_t run = 0; /* start of the pending run of bytes that need no escaping */
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t seq = c >= 0x80 ? utf8_seq(s + i, n - i) : 0;
        if (seq > 0) {
            i += seq;
            continue;
        }
        put(w, str + run, i - run);
        char esc[8];
        switch (c) {
        case '"': put(w, "\\\"", 2); break;
        case '\\': put(w, "\\\\", 2); break;
        case '\n': put(w, "\\n", 2); break;
        case '\r': put(w, "\\r", 2); break;
        case '\t': put(w, "\\t", 2); break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                put(w, esc, 6);
            } else {
                put(w, "\xef\xbf\xbd", 3); /* invalid UTF-8 byte → U+FFFD */
            }
        }
        i++;
        run = i;
    }
    put(w, str + run, n - run);
    putc1(w, '"');
}

void jw_key(struct jw *w, const char *key)
{
    sep(w);
    escaped(w, key, strlen(key));
    putc1(w, ':');
    w->comma = false;
}

void jw_strn(struct jw *w, const char *s, size_t len)
{
    if (!s) {
        jw_null(w);
        return;
    }
    sep(w);
    escaped(w, s, len);
}

void jw_str(struct jw *w, const char *s) { jw_strn(w, s, s ? strlen(s) : 0); }

void jw_int(struct jw *w, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    sep(w);
    put(w, num, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
    sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void jw_null(struct jw *w)
{
    sep(w);
    put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t len)
{
    sep(w);
    put(w, json, len);
}

void jw_kv_str(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kv_strn(struct jw *w, const char *key, const char *s, size_t len)
{
    jw_key(w, key);
    jw_strn(w, s, len);
}

void jw_kv_int(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_kv_bool(struct jw *w, const char *key, bool v)
{
    jw_key(w, key);
    jw_bool(w, v);
}
