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

/* ---------------------------------------------------------------- households (import_households.c) */

/*
 * Households (家庭) from a CSV file: `minzheng import households FILE` and
 * POST /api/v1/imports?entity=households. Create-only; tested in
 * tests/unit/registry/test_import_households.c and tests/api/scenarios/registry_import_households.mjs.
 *
 * Columns (header names, ASCII case ignored, or the zh-CN alias): household (户号), id_number
 * (公民身份号码), relation (与户主关系) are required; region (所属区划), address (地址) and
 * living_together (共同生活: 1/0, true/false, 是/否, Y/N; default 1) are optional.
 * - household is a key local to the file: the rows with one key are one household. They need
 *   not be contiguous — the whole file is read into memory and grouped, up to
 *   IMPORT_HOUSEHOLD_ROWS_MAX data rows (a county's households; more is refused as a whole).
 * - Exactly one row of a household has relation 02 (户主): the head. The other rows are members
 *   with their GB/T 4761 relation to the head (not 01/02). Every person must already be
 *   registered (id_number, normalised as ids_citizen_normalize does) inside the caller's
 *   scope; nobody may appear twice in the file (both households are rejected).
 * - region defaults to the head's residence region; region, address and living_together may
 *   be written on any rows of the household but must then agree.
 * - Create-only: when the head already heads a current household with exactly the same members
 *   and relations, the household counts as "unchanged" (re-running a file changes nothing);
 *   any other difference is rejected — changes go through the two-person change requests
 *   (家庭变更申请), by design. A person already in another household rejects the household.
 * - Counts are households: inserted (created), unchanged, rejected; read counts data rows,
 *   committed the data rows of committed batches. A rejected household has at least one report
 *   line, each pointing at the offending row (the line of the file). Rejections are reported in
 *   line order.
 * - Mode all: one transaction, committed only when no household is rejected. Mode valid: good
 *   households are written in batches of about batch_rows data rows (a household is never split),
 *   each batch one transaction with its audit entry ("household.import"). A household a
 *   concurrent writer took a member of meanwhile stops the import with the batch rolled back
 *   (earlier batches stay; re-running completes it).
 * The progress bar shows reading only; o->entity and o->rebuild_indexes are ignored.
 */
#define IMPORT_HOUSEHOLD_ROWS_MAX 1000000L
#define IMPORT_HOUSEHOLD_BYTES_MAX (512L << 20)

enum import_household_col { IH_HOUSEHOLD, IH_ID_NUMBER, IH_RELATION, IH_REGION, IH_ADDRESS,
                            IH_LIVING, IH_NCOLS };

/* A data row as read; the plan fills id18 (when the number is valid) and bad. */
struct import_household_row {
    long line;
    const char *cell[IH_NCOLS];           /* "" when the column is absent or empty */
    char id18[19];
    bool bad;                             /* rejected on its own */
};

struct import_household_group {
    const char *key;
    long first_line;
    struct import_household_row **rows;   /* in line order */
    int nrows;
    int head;                             /* index into rows of the 02 row, -1 */
    char region[13];                      /* "": the head's residence region */
    const char *address;                  /* NULL when none */
    bool living_together;
    bool rejected;
};

struct import_household_rejection {
    long line;
    const char *field, *why;
};

struct import_household_plan {
    struct import_household_group *groups; /* in order of their first line */
    long ngroups;
    long long rejected;                   /* groups rejected */
    struct import_household_rejection *rej; /* malloc'd; free with import_household_plan_free */
    long nrej, caprej;
    const char *column[IH_NCOLS];         /* names as the file writes them (report fields) */
};

/* Maps a header to columns: col[c] = enum import_household_col. 0, or MZ_EVALIDATE with *why
 * (zh-CN, in a) naming the unknown, repeated or missing column. */
int import_household_header(struct arena *a, char *const *names, const size_t *lens, int n,
                            int *col, const char **why);
/* The checks that need no database: each row's cells (relation codes through relation_known,
 * NULL: not checked; an explicit region inside scope), grouping by key, one head per group,
 * the size limit, agreeing region/address/living_together, and nobody twice in the file. Rows
 * stay owned by the caller; the plan lives in a (and p->rej, malloc'd). Pure. */
void import_household_plan(struct arena *a, struct import_household_row *rows, long n,
                           int today, const struct scope *scope,
                           bool (*relation_known)(const char *code),
                           struct import_household_plan *p);
/* Adds a rejection of line (field: a column index, or -1 for none), marking group g (or
 * NULL) rejected; why is copied into a. */
void import_household_reject(struct import_household_plan *p, struct arena *a,
                             struct import_household_group *g, long line, int field,
                             const char *why);
void import_household_plan_free(struct import_household_plan *p);
/* import_run for households (see above). */
int import_households_run(struct db *db, struct arena *a, const struct import_options *o,
                          FILE *in, long long size, struct import_report *report,
                          struct import_result *res);

/* ---------------------------------------------------------------- surfaces */

/* `minzheng import persons|orgs|households FILE [--mode …] [--encoding …] [--report FILE] [--batch N]`;
 * returns the exit code (0 committed, 1 failed or rolled back, 2 usage). */
int import_command(const struct config *cfg, int nargs, char **args);
extern const char *const import_command_options[];

/* POST /api/v1/imports, GET /api/v1/imports/{id}/report, GET /api/v1/exports/…,
 * GET /api/v1/persons/duplicates. Register before person_routes: /persons/duplicates would
 * otherwise match /persons/{id}. */
extern const struct route import_routes[];

#endif
