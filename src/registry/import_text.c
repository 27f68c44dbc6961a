/*
 * registry/import_text.c — the pure parts of CSV imports (see import.h): the rejected-rows
 * report, masking of ID numbers in it, encoding names and detection, and the header mapping.
 * No I/O beyond the report's FILE, no clock, no database; tested in
 * tests/unit/registry/test_import_text.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "errors.h"
#include "import.h"
#include "json.h"
#include "log.h"
#include "mask.h"

/* ---------------------------------------------------------------- report */

void import_report_to_file(struct import_report *r, FILE *out)
{
    memset(r, 0, sizeof *r);
    r->out = out;
    r->failed = fputs("\xef\xbb\xbfline,field,reason\n", out) < 0;
}

void import_report_to_memory(struct import_report *r, size_t max)
{
    memset(r, 0, sizeof *r);
    r->max = max < 64 ? 64 : max;
    r->cap = 4096;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        log_error(NULL, "out of memory for an import report");
        abort();
    }
    r->len = (size_t)snprintf(r->buf, r->cap, "\xef\xbb\xbfline,field,reason\n");
}

/* Appends n bytes to the memory report; false when the cap is reached. */
static bool memory_append(struct import_report *r, const char *s, size_t n)
{
    if (r->len + n + 1 > r->max)
        return false;
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *buf = realloc(r->buf, cap);
        if (!buf) {
            log_error(NULL, "out of memory for an import report");
            abort();
        }
        r->buf = buf;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, s, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return true;
}

/* s as one CSV field (quoted when it holds a comma, quote or line break; a leading = + - @
 * prefixed with ' so that a spreadsheet does not take it for a formula) into out. */
static size_t csv_field(const char *s, char *out, size_t cap)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    size_t o = 0;
    if (quote && o + 1 < cap)
        out[o++] = '"';
    if (s[0] && strchr("=+-@", s[0]) && o + 1 < cap)
        out[o++] = '\'';
    for (; *s && o + 3 < cap; s++) {
        if (*s == '"')
            out[o++] = '"';
        out[o++] = *s;
    }
    if (quote)
        out[o++] = '"';
    out[o] = '\0';
    return o;
}

char *import_mask_ids(const char *text, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = text; *p && o + 1 < outlen;) {
        size_t run = 0;
        while (p[run] >= '0' && p[run] <= '9')
            run++;
        if (run && (p[run] == 'X' || p[run] == 'x'))
            run++;
        if (run >= 15) {
            char id[64], masked[64];
            size_t keep = run < sizeof id ? run : sizeof id - 1;
            memcpy(id, p, keep);
            id[keep] = '\0';
            mask_id_number(id, masked, sizeof masked);
            for (const char *m = masked; *m && o + 1 < outlen; m++)
                out[o++] = *m;
            p += run;
        } else if (run) {
            for (size_t i = 0; i < run && o + 1 < outlen; i++)
                out[o++] = *p++;
        } else {
            out[o++] = *p++;
        }
    }
    if (outlen)
        out[o < outlen ? o : outlen - 1] = '\0';
    return out;
}

void import_report_add(struct import_report *r, long line, const char *field, const char *reason)
{
    char safe[1024], f1[256], f2[2200], row[2600];
    import_mask_ids(field ? field : "", safe, sizeof safe);
    csv_field(safe, f1, sizeof f1);
    import_mask_ids(reason ? reason : "", safe, sizeof safe);
    csv_field(safe, f2, sizeof f2);
    int n = snprintf(row, sizeof row, "%ld,%s,%s\n", line, f1, f2);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof row ? (size_t)n : sizeof row - 1;
    r->rows++;
    if (r->out) {
        if (fwrite(row, 1, len, r->out) != len)
            r->failed = true;
    } else if (r->dropped || !memory_append(r, row, len)) {
        r->dropped++;
    }
}

int import_report_finish(struct import_report *r)
{
    if (r->dropped) {
        char row[256];
        int n = snprintf(row, sizeof row, ",,\"报告过长：另有 %lld 行被拒绝，未逐行列出；请用命令行导入"
                                          "（minzheng import --report）取得完整报告\"\n",
                         r->dropped);
        r->max += (size_t)n + 1; /* the trailer always fits */
        memory_append(r, row, (size_t)n);
    }
    if (r->out && fflush(r->out) != 0)
        r->failed = true;
    return r->failed ? MZ_EIO : 0;
}

void import_report_free(struct import_report *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

/* ---------------------------------------------------------------- encodings */

int import_encoding_parse(const char *name, enum import_encoding *out)
{
    static const struct { const char *name; enum import_encoding e; } names[] = {
        { "auto", IMPORT_ENC_AUTO }, { "utf-8", IMPORT_ENC_UTF8 }, { "utf8", IMPORT_ENC_UTF8 },
        { "gb18030", IMPORT_ENC_GB18030 }, { "gbk", IMPORT_ENC_GB18030 },
        { "gb2312", IMPORT_ENC_GB18030 },
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].e;
            return 0;
        }
    }
    return MZ_EINVAL;
}

const char *import_encoding_name(enum import_encoding e)
{
    return e == IMPORT_ENC_UTF8 ? "utf-8" : e == IMPORT_ENC_GB18030 ? "gb18030" : "auto";
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 when ill-formed, -1 when cut
 * short by the end (n bytes available). */
static int utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    int len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -1;
        unsigned b = s[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
            return 0;
    }
    return len;
}

enum import_encoding import_detect_encoding(const unsigned char *buf, size_t len, bool complete)
{
    bool ascii = true;
    for (size_t i = 0; i < len;) {
        int n = utf8_sequence(buf + i, len - i);
        if (n == 0 || (n < 0 && complete))
            return IMPORT_ENC_GB18030;
        if (n < 0)
            break;
        if (n > 1)
            ascii = false;
        i += (size_t)n;
    }
    return ascii ? IMPORT_ENC_AUTO : IMPORT_ENC_UTF8;
}

/* ---------------------------------------------------------------- header */

static bool ascii_equal_trimmed(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

int import_header_map(const struct entity *e, struct arena *a, char *const *names,
                      const size_t *lens, int n, int *map, const char **why)
{
    bool seen[RECORD_MAX_FIELDS] = { false };
    for (int c = 0; c < n; c++) {
        const char *s = names[c];
        size_t len = lens[c];
        if (memchr(s, '\0', len) || !json_utf8_valid(s, len)) {
            *why = arena_printf(a, "表头第 %d 列不是合法的 UTF-8 文本：文件可能是 GB18030/GBK "
                                   "编码，请将编码设为 auto 或 gb18030", c + 1);
            return MZ_EVALIDATE;
        }
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        map[c] = -1;
        for (int i = 0; i < e->nfields && map[c] < 0; i++)
            if (ascii_equal_trimmed(s, len, e->fields[i].name) ||
                (strlen(e->fields[i].label) == len && memcmp(s, e->fields[i].label, len) == 0))
                map[c] = i;
        if (map[c] < 0) {
            size_t shown = len; /* at most 60 bytes, whole characters */
            if (shown > 60) {
                shown = 60;
                while (shown && ((unsigned char)s[shown] & 0xC0) == 0x80)
                    shown--;
            }
            *why = arena_printf(a, "表头第 %d 列“%.*s%s”不是%s的字段（字段名或中文名称）", c + 1,
                                (int)shown, s, shown < len ? "…" : "", e->title);
            return MZ_EVALIDATE;
        }
        if (seen[map[c]]) {
            *why = arena_printf(a, "表头第 %d 列“%s”重复", c + 1, e->fields[map[c]].label);
            return MZ_EVALIDATE;
        }
        seen[map[c]] = true;
    }
    for (int i = 0; i < e->nfields; i++) {
        const struct field *f = &e->fields[i];
        bool needed = i == e->key || ((f->flags & F_REQUIRED) && !(f->flags & F_DERIVED));
        if (needed && !seen[i]) {
            *why = arena_printf(a, "表头缺少必填列“%s”（%s）", f->label, f->name);
            return MZ_EVALIDATE;
        }
    }
    return 0;
}
