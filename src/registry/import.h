/*
 * registry/import.h — bulk import of registry records (自然人, 法人) from CSV files, with a
 * rejected-rows report; the HTTP routes of imports, exports and the duplicate list.
 *
 * import.c is the engine the command `minzheng import` (import_cli.c) and POST /api/v1/imports
 * (import_routes.c) share: decoding, record_check on every row, upsert by the natural key in
 * batches; import_text.c holds its pure parts (the report, encodings, the header). export.c
 * writes search results as CSV or .xlsx and lists likely duplicate persons.
 *
 * Guarantees (tested in tests/api/scenarios/registry_import.mjs):
 * - Mode "all": one transaction; any rejected row rolls everything back and the report lists
 *   every rejected row. Mode "valid": valid rows are committed in batches (IMPORT_BATCH_ROWS
 *   data rows each, with one audit entry per batch inside the batch's transaction); the report
 *   lists every rejected row (a report kept in memory, the API's, lists the first
 *   IMPORT_REPORT_MEMORY_MAX bytes and counts the rest). A crash or kill leaves only whole
 *   committed batches — the audit log names them — and re-running the same file completes the
 *   import: rows upsert by key.
 * - Upsert: a key not yet registered is inserted; a registered one inside the caller's scope
 *   gets the non-empty cells of the file that differ from what is stored (one record_change
 *   history row per changed field, as an edit through the API would); an empty cell never
 *   clears a stored value; the key and the fields derived from it never change. A key
 *   registered outside the caller's scope is a rejected row. Re-running a file changes nothing.
 * - New records get no per-record history row: their created_at and the batch's audit entry
 *   (import id, line range, counts) say where they came from. This keeps a first load of
 *   millions of rows at the speed of the database's own bulk path (bench/import).
 * - A first load (rebuild_indexes, into an empty table) is one transaction whatever the mode,
 *   with the non-unique indexes built after the load: a crash leaves the table empty, as before
 *   the import, and re-running loads it. On PostgreSQL dropping the indexes locks the table
 *   until the load commits, readers too (the table is empty: nobody is missing anything yet).
 * - Writers of the table wait for an import's batch: SQLite's write lock, on PostgreSQL a
 *   SHARE ROW EXCLUSIVE lock per transaction (readers go on).
 */
#ifndef MZ_IMPORT_H
#define MZ_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http.h"
#include "record.h"

struct audit_actor;
struct config;
struct db;

enum import_encoding { IMPORT_ENC_AUTO, IMPORT_ENC_UTF8, IMPORT_ENC_GB18030 };
enum import_mode { IMPORT_MODE_ALL, IMPORT_MODE_VALID };

#define IMPORT_BATCH_ROWS 50000
#define IMPORT_REPORT_MEMORY_MAX (8u << 20)   /* a report kept in memory (API) */

/* ---------------------------------------------------------------- the rejected-rows report */

/*
 * CSV "line,field,reason" in UTF-8 with a byte-order mark (so that Excel reads it as UTF-8):
 * line is the physical line of the file (the header is line 1), field the column as the file
 * names it, reason a zh-CN sentence. Anything in a reason that looks like an ID number is
 * masked (6 + '*' + 4) before it is written. Written to a FILE, or kept in memory up to a cap
 * beyond which rows are counted but not listed (a last line says how many).
 */
struct import_report {
    FILE *out;              /* the sink, or NULL: memory */
    char *buf;              /* memory: malloc'd, NUL-terminated */
    size_t len, cap, max;
    long long rows;         /* rejected rows reported */
    long long dropped;      /* of which not listed (memory cap) */
    bool failed;            /* a write to out failed */
};

void import_report_to_file(struct import_report *r, FILE *out);
void import_report_to_memory(struct import_report *r, size_t max);
void import_report_add(struct import_report *r, long line, const char *field, const char *reason);
/* Adds the "not listed" line when rows were dropped. Returns 0, or MZ_EIO when writing failed. */
int import_report_finish(struct import_report *r);
/* Frees the memory buffer (a FILE sink stays open: it is the caller's). */
void import_report_free(struct import_report *r);
/* Copies text into out (outlen ≥ 1) with every run of 15–18 ID-number characters (digits, a
 * final X) masked as mask_id_number() does; cuts to fit. Returns out. */
char *import_mask_ids(const char *text, char *out, size_t outlen);

/* ---------------------------------------------------------------- pure helpers */

/* "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (any case) → *out. 0 or MZ_EINVAL. */
int import_encoding_parse(const char *name, enum import_encoding *out);
const char *import_encoding_name(enum import_encoding e);
/*
 * Guesses the encoding of the start of a file: IMPORT_ENC_UTF8 when it holds a non-ASCII byte
 * and every sequence is well-formed UTF-8 (a sequence cut by the end of buf counts as
 * well-formed unless complete is true: buf is then the whole file); IMPORT_ENC_GB18030 when
 * a sequence is not UTF-8; IMPORT_ENC_AUTO when buf is all ASCII (undecided: both read it the
 * same).
 */
enum import_encoding import_detect_encoding(const unsigned char *buf, size_t len, bool complete);
/*
 * Maps the header's n columns to fields of e: map[c] = field index. A column may be named by
 * the field's name (ASCII case ignored) or its zh-CN label; spaces around either are ignored.
 * Returns 0, or MZ_EVALIDATE with *why (zh-CN, in a) naming the unknown, repeated or missing
 * column (the key and every required field that is not derived need a column).
 */
int import_header_map(const struct entity *e, struct arena *a, char *const *names,
                      const size_t *lens, int n, int *map, const char **why);

/* ---------------------------------------------------------------- the engine */

struct import_options {
    const struct entity *entity;
    const struct scope *scope;            /* rows and existing records must lie inside */
    const char *region;                   /* 12-digit root of the scope: the audit entries' */
    const struct record_actor *actor;     /* history rows of updated records */
    const struct audit_actor *auditor;    /* audit entries */
    enum import_mode mode;
    enum import_encoding encoding;        /* AUTO: detected */
    long batch_rows;                      /* 0: IMPORT_BATCH_ROWS */
    int today;                            /* YYYYMMDD, China's calendar day */
    int64_t now;                          /* Unix seconds: created_at / updated_at */
    int64_t import_id;                    /* names the import in audit entries */
    bool progress;                        /* draw a progress bar on a terminal (stderr) */
    bool rebuild_indexes;                 /* into an empty table (a first load): one
                                           * transaction, the non-unique indexes dropped and
                                           * built after the load; needs the right to alter
                                           * the table (the command line; not the API) */
};

struct import_result {
    long long read;                       /* data rows (lines after the header, blank ones not) */
    long long inserted, updated, unchanged, rejected;
    long long committed;                  /* data rows in committed batches */
    enum import_encoding encoding;        /* the one read with */
    bool rolled_back;                     /* nothing was written (mode all, or a failure) */
    bool first_load;                      /* one transaction, indexes built after the load */
    double seconds;
    const char *error;                    /* zh-CN, when the import did not finish; static or
                                           * in the caller's arena */
};

/*
 * Reads in to its end and imports it as described above; size is its length in bytes for the
 * progress bar (0: unknown). Every rejected row goes to report. Returns 0 when the file was
 * read to the end (mode all: committed only when nothing was rejected, else res->rolled_back);
 * MZ_EVALIDATE when the file cannot be imported at all (empty, no valid header, undecodable)
 * with nothing written; or a database or I/O error (mode valid: the batches before it stay
 * committed, the report says from which line nothing was written). res->error says why.
 */
int import_run(struct db *db, struct arena *a, const struct import_options *o, FILE *in,
               long long size, struct import_report *report, struct import_result *res);

/* ---------------------------------------------------------------- surfaces */

/* `minzheng import persons|orgs FILE [--mode …] [--encoding …] [--report FILE] [--batch N]`;
 * returns the exit code (0 committed, 1 failed or rolled back, 2 usage). */
int import_command(const struct config *cfg, int nargs, char **args);
extern const char *const import_command_options[];

/* POST /api/v1/imports, GET /api/v1/imports/{id}/report, GET /api/v1/exports/…,
 * GET /api/v1/persons/duplicates. Register before person_routes: /persons/duplicates would
 * otherwise match /persons/{id}. */
extern const struct route import_routes[];

#endif
