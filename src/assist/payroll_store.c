/*
 * assist/payroll_store.c — the SQL of the payroll (payroll.h): building a county's batch (cases
 * streamed in id order, lines bulk-inserted with db_copy_*), cancelling, confirming against the
 * control totals, the bank return, the payee's bank account. Every function runs inside the
 * caller's transaction: one transaction per county batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "errors.h"
#include "payroll.h"
#include "scope.h"
#include "setting.h"
#include "standard.h"
#include "users.h"

#define STANDARD_ROWS_MAX 2000

/* ---------------------------------------------------------------- settings, standards */

int payroll_standards_load(struct db *db, struct arena *a, const struct assist_settings *s,
                           const char *county12, int32_t yyyymm, struct payroll_standards *std)
{
    std->from = payroll_month_add(yyyymm, -PAYROLL_ARREARS_MAX);
    std->count = PAYROLL_CASE_LINES_MAX;
    for (int k = 0; k < PAYROLL_STD_COUNT; k++) {
        struct standard_row *rows;
        size_t n;
        int rc = standard_load(db, a, payroll_std_kind((enum payroll_std)k), county12,
                               STANDARD_ROWS_MAX, &rows, &n);
        if (rc)
            return rc;
        for (int i = 0; i < std->count; i++) {
            int at = standard_resolve(rows, n, county12, payroll_month_add(std->from, i));
            std->fen[i][k] = -1;
            if (at >= 0 && (rc = standard_monthly(s, &rows[at], &std->fen[i][k])) != 0)
                return rc;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- batch header */

int payroll_open_batch(struct db *db, const char *county12, int32_t yyyymm, int64_t *id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT id FROM assist_payroll WHERE county = ? AND month = ? "
                            "AND status <> 'cancelled'", &st);
    if (rc)
        return rc;
    db_bind_text(st, 1, county12, REGION_CODE_LEN);
    db_bind_int64(st, 2, yyyymm);
    rc = db_step(st);
    *id = rc == 1 ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int header_insert(struct db *db, int64_t id, const char *county12, int32_t yyyymm,
                         int64_t user_id, int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_payroll (id, county, month, status, line_count, "
                            "total_fen, created_by, created_at) VALUES (?, ?, ?, 'draft', 0, 0, "
                            "?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, county12, REGION_CODE_LEN);
    db_bind_int64(st, 3, yyyymm);
    db_bind_int64(st, 4, user_id);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int header_totals(struct db *db, int64_t id, int64_t count, int64_t total)
{
    return db_run(db, "UPDATE assist_payroll SET line_count = ?, total_fen = ? WHERE id = ?",
                  (const int64_t[]){ count, total, id }, 3);
}

/* ---------------------------------------------------------------- pending work */

/* A line to write that is not computed from a case: a reissue or an adjustment. */
struct extra {
    int64_t source_id;               /* the failed line, or the adjustment */
    int64_t case_id, person_id, bank_account_id, amount_fen, line_id;
    int32_t for_month;
    enum payroll_kind kind;
    char programme[16];
    char region[REGION_CODE_LEN + 1];
};

/* A growable array in the arena. */
struct list {
    void *items;
    size_t n, cap, size;
};

static void *list_push(struct arena *a, struct list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        void *bigger = arena_alloc(a, cap * l->size);
        if (l->n)
            memcpy(bigger, l->items, l->n * l->size);
        l->items = bigger;
        l->cap = cap;
    }
    return (char *)l->items + l->size * l->n++;
}

static void text_col(struct db_stmt *st, int col, char *out, size_t outlen)
{
    const char *t = db_col_text(st, col, NULL);
    snprintf(out, outlen, "%s", t ? t : "");
}

/* The rows of sql (columns: source id, case, programme, region, person, account, month,
 * amount; the county bound at 1 and 2) as extras of `kind`. */
static int load_extras(struct db *db, struct arena *a, const char *sql,
                       const struct scope *county, enum payroll_kind kind, struct list *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc == 0)
        rc = scope_bind(st, 1, county);
    while (rc == 0 && (rc = db_step(st)) == 1) {
        struct extra *e = list_push(a, out);
        memset(e, 0, sizeof *e);
        e->kind = kind;
        e->source_id = db_col_int64(st, 0);
        e->case_id = db_col_int64(st, 1);
        text_col(st, 2, e->programme, sizeof e->programme);
        text_col(st, 3, e->region, sizeof e->region);
        e->person_id = db_col_int64(st, 4);
        e->bank_account_id = db_col_int64(st, 5);
        e->for_month = (int32_t)db_col_int64(st, 6);
        e->amount_fen = db_col_int64(st, 7);
        rc = 0;
    }
    if (st)
        db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Failed lines of the county not yet reissued, whose case has an account now. */
static int load_reissues(struct db *db, struct arena *a, const struct scope *county,
                         struct list *out)
{
    return load_extras(db, a, "SELECT p.id, p.case_id, p.programme, p.region, p.person_id, "
                              "c.bank_account_id, p.for_month, p.amount_fen FROM assist_payment p "
                              "JOIN assist_case c ON c.id = p.case_id WHERE p.status = 'failed' "
                              "AND p.region >= ? AND p.region < ? "
                              "AND c.bank_account_id IS NOT NULL ORDER BY p.id",
                       county, PAYROLL_REISSUE, out);
}

/* Unpaid positive adjustments of the county's cases that have an account. A recovery (a
 * negative amount) is never taken from a bank payment (§8: flagged for review). */
static int load_adjustments(struct db *db, struct arena *a, const struct scope *county,
                            struct list *out)
{
    return load_extras(db, a, "SELECT a.id, a.case_id, c.programme, c.region, c.applicant_id, "
                              "c.bank_account_id, a.for_month, a.amount_fen "
                              "FROM assist_adjustment a JOIN assist_case c ON c.id = a.case_id "
                              "WHERE a.payment_id IS NULL AND a.amount_fen > 0 AND c.region >= ? "
                              "AND c.region < ? AND c.bank_account_id IS NOT NULL ORDER BY a.id",
                       county, PAYROLL_ADJUST, out);
}

/* ---------------------------------------------------------------- writing lines */

/* Decimal text of v into buf (at least 21 bytes); returns its length. */
static size_t itoa64(int64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

static const char *const LINE_COLUMNS[] = { "id", "payroll_id", "case_id", "programme", "region",
                                            "person_id", "bank_account_id", "for_month", "kind",
                                            "amount_fen", "status", "reissue_of" };
#define LINE_NCOLUMNS 12

/* One assist_payment row through the open copy. */
static int copy_line(struct db *db, int64_t id, int64_t payroll_id, int64_t case_id,
                     const char *programme, const char *region, int64_t person_id,
                     int64_t bank_account_id, int32_t for_month, enum payroll_kind kind,
                     int64_t amount_fen, int64_t reissue_of)
{
    char num[7][24];
    const char *v[LINE_NCOLUMNS];
    size_t len[LINE_NCOLUMNS];
    const char *kind_name = payroll_kind_name(kind);
    len[0] = itoa64(id, num[0]);
    len[1] = itoa64(payroll_id, num[1]);
    len[2] = itoa64(case_id, num[2]);
    len[5] = itoa64(person_id, num[3]);
    len[6] = itoa64(bank_account_id, num[4]);
    len[7] = itoa64(for_month, num[5]);
    len[9] = itoa64(amount_fen, num[6]);
    v[0] = num[0], v[1] = num[1], v[2] = num[2], v[5] = num[3], v[6] = num[4], v[7] = num[5];
    v[9] = num[6];
    v[3] = programme, len[3] = strlen(programme);
    v[4] = region, len[4] = REGION_CODE_LEN;
    v[8] = kind_name, len[8] = strlen(kind_name);
    v[10] = "pending", len[10] = 7;
    char of[24];
    v[11] = reissue_of ? of : NULL;
    len[11] = reissue_of ? itoa64(reissue_of, of) : 0;
    return db_copy_row(db, v, len);
}

/* ---------------------------------------------------------------- reading cases */

/* The payee's death record comes from a scalar subquery — '' alive, '-' dead without a date,
 * else the date — so each case looks its payee up by primary key: a join would let PostgreSQL
 * hash the whole person table once per county. */
#define CASE_SELECT                                                                               \
    "SELECT c.id, c.programme, c.state, c.amount_method, c.urban, c.region, c.applicant_id, "     \
    "c.per_capita_income_fen, c.covered_members, c.fixed_amount_fen, c.care_tier, c.start_month, " \
    "c.stop_month, c.taper_until, c.bank_account_id, c.first_paid_payroll, "                      \
    "(SELECT CASE WHEN p.alive = 1 THEN '' ELSE COALESCE(p.death_date, '-') END FROM person p "    \
    "WHERE p.id = c.applicant_id) FROM assist_case c "                                            \
    "WHERE c.region >= ? AND c.region < ? AND ((c.programme IN ('dibao', 'tekun') "               \
    "AND c.state IN ('active', 'tapering', 'suspended') AND c.start_month <= ? "                  \
    "AND (c.stop_month IS NULL OR ? < c.stop_month) "                                             \
    "AND (c.taper_until IS NULL OR ? <= c.taper_until)) "                                         \
    "OR (c.programme IN ('lshi_urgent', 'lshi_expense') AND c.state = 'granted' "                 \
    "AND c.amount_method = 'once' AND c.first_paid_payroll IS NULL)) AND c.id > ? "              \
    "AND c.id <= ? ORDER BY c.id"

/* Cases read per query, about: a chunk is a range of ids that holds this many cases were they
 * spread evenly; its rows are held in memory while their lines are copied. Ranges, not LIMIT:
 * an id range is an index range scan whatever plan the database caches for the statement. */
#define CASE_CHUNK 50000

static int64_t col_or(struct db_stmt *st, int col, int64_t none)
{
    return db_col_null(st, col) ? none : db_col_int64(st, col);
}

/* "YYYY-MM-DD" → yyyymmdd; 0 for NULL or a malformed date (treated as "no date"). */
static int32_t death_day(struct db_stmt *st, int col)
{
    size_t len = 0;
    const char *t = db_col_null(st, col) ? NULL : db_col_text(st, col, &len);
    if (!t || len != 10 || t[4] != '-' || t[7] != '-')
        return 0;
    int32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 4 || i == 7)
            continue;
        if (t[i] < '0' || t[i] > '9')
            return 0;
        v = v * 10 + (t[i] - '0');
    }
    return v;
}

static void case_row(struct db_stmt *st, struct payroll_case *c)
{
    c->id = db_col_int64(st, 0);
    c->programme = payroll_programme_parse(db_col_text(st, 1, NULL));
    c->state = payroll_state_parse(db_col_text(st, 2, NULL));
    c->method = payroll_method_parse(db_col_text(st, 3, NULL));
    c->urban = db_col_int64(st, 4) == 1;
    text_col(st, 5, c->region, sizeof c->region);
    c->person_id = db_col_int64(st, 6);
    c->per_capita_income_fen = col_or(st, 7, -1);
    c->covered_members = (int)col_or(st, 8, 0);
    c->fixed_amount_fen = col_or(st, 9, -1);
    c->care_tier = (int)col_or(st, 10, 0);
    c->start_month = (int32_t)col_or(st, 11, 0);
    c->stop_month = (int32_t)col_or(st, 12, 0);
    c->taper_until = (int32_t)col_or(st, 13, 0);
    c->bank_account_id = col_or(st, 14, 0);
    c->first_paid_payroll = col_or(st, 15, 0);
    size_t len = 0;
    const char *death = db_col_text(st, 16, &len);
    c->payee_alive = death && len == 0;
    c->payee_death_day = death_day(st, 16);
}

/* A skipped case, or a case paid for the first time. */
struct mark {
    int64_t case_id;
    enum payroll_skip why;
};

/* One county's batch being built. */
struct build {
    struct db *db;
    struct arena *a;
    char county[REGION_CODE_LEN + 1];
    struct scope scope;
    struct assist_settings s;        /* the county's settings in force */
    struct payroll_standards *std;
    int64_t payroll_id;              /* 0: the county has an open batch and is left alone */
    int32_t month;
    struct list skipped, first;      /* struct mark */
    struct list reissues, adjustments; /* struct extra */
    struct payroll_result *res;
};

static int add_to_total(struct payroll_result *res, int64_t fen)
{
    res->line_count++;
    return __builtin_add_overflow(res->total_fen, fen, &res->total_fen) ? MZ_ERANGE : 0;
}

static int copy_extras(struct build *b, struct list *extras)
{
    int rc = 0;
    struct extra *e = extras->items;
    for (size_t i = 0; i < extras->n && rc == 0; i++) {
        e[i].line_id = users_new_id();
        rc = copy_line(b->db, e[i].line_id, b->payroll_id, e[i].case_id, e[i].programme,
                       e[i].region, e[i].person_id, e[i].bank_account_id, e[i].for_month,
                       e[i].kind, e[i].amount_fen,
                       e[i].kind == PAYROLL_REISSUE ? e[i].source_id : 0);
        if (rc == 0)
            rc = add_to_total(b->res, e[i].amount_fen);
    }
    return rc;
}

/* A computed line waiting for its chunk's copy. */
struct out_line {
    size_t build;                    /* index of its county's batch */
    int64_t case_id, person_id, bank_account_id, amount_fen;
    int32_t for_month;
    enum payroll_kind kind;
    enum payroll_programme programme;
    char region[REGION_CODE_LEN + 1];
};

/* The lines of one chunk (malloc'd, reused from chunk to chunk). */
struct chunk {
    struct out_line *v, *sorted;
    size_t n, cap;
    size_t *start;                   /* per batch: where its lines begin in sorted */
};

static int chunk_push(struct chunk *k, const struct out_line *l)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 4096;
        struct out_line *v = realloc(k->v, cap * sizeof *v);
        struct out_line *sorted = v ? realloc(k->sorted, cap * sizeof *sorted) : NULL;
        if (v)
            k->v = v;
        if (!sorted)
            return MZ_ENOMEM;
        k->sorted = sorted;
        k->cap = cap;
    }
    k->v[k->n++] = *l;
    return 0;
}

/* The lines of the case in the current row of st (its batch bs[i]) into the chunk; remembers
 * a skip or a first payment. */
static int collect_case(struct build *bs, size_t i, struct db_stmt *st, struct chunk *k)
{
    struct build *b = &bs[i];
    struct payroll_line lines[PAYROLL_CASE_LINES_MAX];
    struct payroll_case c;
    size_t n = 0;
    case_row(st, &c);
    enum payroll_skip why = payroll_case_lines(&b->s, b->std, &c, b->month, lines, &n);
    if (why != PAYROLL_PAID && why != PAYROLL_NOT_DUE) {
        struct mark *m = list_push(b->a, &b->skipped);
        *m = (struct mark){ c.id, why };
        b->res->skipped[why]++;
    } else if (why == PAYROLL_PAID && c.first_paid_payroll == 0) {
        struct mark *m = list_push(b->a, &b->first);
        *m = (struct mark){ c.id, PAYROLL_PAID };
    }
    int rc = 0;
    for (size_t j = 0; j < n && rc == 0; j++) {
        struct out_line l = { i, c.id, c.person_id, c.bank_account_id, lines[j].amount_fen,
                              lines[j].for_month, lines[j].kind, c.programme, { 0 } };
        memcpy(l.region, c.region, sizeof l.region);
        rc = chunk_push(k, &l);
        if (rc == 0)
            rc = add_to_total(b->res, lines[j].amount_fen);
    }
    return rc;
}

/* The chunk's lines grouped by batch (a counting sort, stable: case order within a batch), so
 * each batch's index entries are written as one run instead of scattered among 200 others. */
static void chunk_sort(struct chunk *k, size_t nbuilds)
{
    memset(k->start, 0, (nbuilds + 1) * sizeof *k->start);
    for (size_t i = 0; i < k->n; i++)
        k->start[k->v[i].build + 1]++;
    for (size_t b = 0; b < nbuilds; b++)
        k->start[b + 1] += k->start[b];
    for (size_t i = 0; i < k->n; i++)
        k->sorted[k->start[k->v[i].build]++] = k->v[i];
}

/* Writes the chunk's lines through one copy. */
static int chunk_copy(struct db *db, struct build *bs, struct chunk *k)
{
    if (k->n == 0)
        return 0;
    int rc = db_copy_begin(db, "assist_payment", LINE_COLUMNS, LINE_NCOLUMNS);
    for (size_t i = 0; i < k->n && rc == 0; i++) {
        const struct out_line *l = &k->sorted[i];
        rc = copy_line(db, users_new_id(), bs[l->build].payroll_id, l->case_id,
                       payroll_programme_name(l->programme), l->region, l->person_id,
                       l->bank_account_id, l->for_month, l->kind, l->amount_fen, 0);
    }
    int end = db_copy_end(db);
    return rc ? rc : end;
}

/* The index of the batch of the county a case's region lies in (builds sorted by county), or
 * n when none is being built there. */
static size_t build_of(const struct build *bs, size_t n, const char *region)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = memcmp(bs[mid].county, region, 6);
        if (cmp == 0)
            return bs[mid].payroll_id ? mid : n;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n;
}

/* The ids of the cases in the region: the lowest, the highest and how many. */
static int id_span(struct db *db, const struct scope *region, int64_t *lo, int64_t *hi,
                   int64_t *count)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT MIN(id), MAX(id), COUNT(*) FROM assist_case "
                            "WHERE region >= ? AND region < ?", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, region);
    rc = db_step(st);
    *count = rc == 1 ? db_col_int64(st, 2) : 0;
    *lo = *count ? db_col_int64(st, 0) : 0;
    *hi = *count ? db_col_int64(st, 1) : 0;
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* The cases with ids in (after, upto], in id order, their lines collected, grouped by batch
 * and copied; *rows is the number of cases read. */
static int copy_chunk(struct db *db, const struct scope *region, struct build *bs, size_t n,
                      int32_t month, int64_t after, int64_t upto, struct chunk *k, long *rows)
{
    struct db_stmt *st;
    int rc = db_prepare(db, CASE_SELECT, &st);
    if (rc)
        return rc;
    scope_bind(st, 1, region);
    db_bind_int64(st, 3, month);
    db_bind_int64(st, 4, month);
    db_bind_int64(st, 5, month);
    db_bind_int64(st, 6, after);
    db_bind_int64(st, 7, upto);
    *rows = 0;
    k->n = 0;
    int row = 0;
    while (rc == 0 && (row = db_step(st)) == 1) {
        size_t len = 0;
        const char *region12 = db_col_text(st, 5, &len);
        size_t b = len == REGION_CODE_LEN ? build_of(bs, n, region12) : n;
        (*rows)++;
        rc = b < n ? collect_case(bs, b, st, k) : 0;
    }
    db_reset(st);
    if (rc == 0 && row < 0)
        rc = row;
    if (rc)
        return rc;
    chunk_sort(k, n);
    return chunk_copy(db, bs, k);
}

/* The reissues and adjustments of every county, in one copy. */
static int copy_all_extras(struct db *db, struct build *bs, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || bs[i].reissues.n || bs[i].adjustments.n;
    if (!any)
        return 0;
    int rc = db_copy_begin(db, "assist_payment", LINE_COLUMNS, LINE_NCOLUMNS);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = copy_extras(&bs[i], &bs[i].reissues);
        if (rc == 0)
            rc = copy_extras(&bs[i], &bs[i].adjustments);
    }
    int end = db_copy_end(db);
    return rc ? rc : end;
}

static int copy_skipped(struct build *b)
{
    static const char *const cols[] = { "payroll_id", "case_id", "reason" };
    if (b->skipped.n == 0)
        return 0;
    int rc = db_copy_begin(b->db, "assist_payroll_skip", cols, 3);
    struct mark *m = b->skipped.items;
    char pid[24], cid[24];
    size_t plen = itoa64(b->payroll_id, pid);
    for (size_t i = 0; i < b->skipped.n && rc == 0; i++) {
        const char *reason = payroll_skip_name(m[i].why);
        const char *v[3] = { pid, cid, reason };
        size_t len[3] = { plen, itoa64(m[i].case_id, cid), strlen(reason) };
        rc = db_copy_row(b->db, v, len);
    }
    int end = db_copy_end(b->db);
    return rc ? rc : end;
}

/* first_paid_payroll of first payments, reissued failures, adjustments' payment ids. */
static int mark_sources(struct build *b)
{
    int rc = 0;
    struct list *reissues = &b->reissues, *adjustments = &b->adjustments;
    struct mark *first = b->first.items;
    struct extra *r = reissues->items, *adj = adjustments->items;
    for (size_t i = 0; i < b->first.n && rc == 0; i++)
        rc = db_run(b->db, "UPDATE assist_case SET first_paid_payroll = ? WHERE id = ?",
                    (const int64_t[]){ b->payroll_id, first[i].case_id }, 2);
    for (size_t i = 0; i < reissues->n && rc == 0; i++)
        rc = db_run(b->db, "UPDATE assist_payment SET status = 'reissued' WHERE id = ?",
                    &r[i].source_id, 1);
    for (size_t i = 0; i < adjustments->n && rc == 0; i++)
        rc = db_run(b->db, "UPDATE assist_adjustment SET payment_id = ? WHERE id = ?",
                    (const int64_t[]){ adj[i].line_id, adj[i].source_id }, 2);
    return rc;
}

int payroll_counties_range(const char (*counties)[13], size_t n, struct scope *out)
{
    if (n == 0)
        return MZ_EINVAL;
    memset(out, 0, sizeof *out);
    memcpy(out->lo, counties[0], 6);
    memcpy(out->hi, counties[n - 1], 6);
    out->hi[5]++;  /* '9' + 1 is ':', above every digit */
    return 0;
}

/* Prepares county i's batch: its settings and standards, the header, the failed lines to
 * reissue and the adjustments to pay; a county with an open batch is left alone (id 0). */
static int build_begin(struct db *db, struct arena *a, const char *county12, int32_t yyyymm,
                       int64_t user_id, int64_t now, struct build *b, struct payroll_result *res)
{
    memset(res, 0, sizeof *res);
    *b = (struct build){ .db = db, .a = a, .month = yyyymm, .res = res,
                         .skipped = { .size = sizeof(struct mark) },
                         .first = { .size = sizeof(struct mark) },
                         .reissues = { .size = sizeof(struct extra) },
                         .adjustments = { .size = sizeof(struct extra) } };
    snprintf(b->county, sizeof b->county, "%s", county12);
    int rc = scope_from_region(county12, &b->scope);
    if (rc == 0)
        rc = payroll_open_batch(db, county12, yyyymm, &res->id);
    if (rc || res->id)
        return rc;
    b->std = arena_alloc(a, sizeof *b->std);
    b->payroll_id = users_new_id();
    rc = assist_settings_load(db, a, county12, &b->s);
    if (rc == 0)
        rc = payroll_standards_load(db, a, &b->s, county12, yyyymm, b->std);
    if (rc == 0)
        rc = header_insert(db, b->payroll_id, county12, yyyymm, user_id, now);
    if (rc == 0)
        rc = load_reissues(db, a, &b->scope, &b->reissues);
    if (rc == 0)
        rc = load_adjustments(db, a, &b->scope, &b->adjustments);
    res->id = b->payroll_id;
    return rc;
}

static int build_end(struct build *b)
{
    if (!b->payroll_id)
        return 0;
    int rc = copy_skipped(b);
    if (rc == 0)
        rc = mark_sources(b);
    if (rc == 0)
        rc = header_totals(b->db, b->payroll_id, b->res->line_count, b->res->total_fen);
    return rc;
}

int payroll_build_many(struct db *db, struct arena *a, const char (*counties)[13], size_t n,
                       int32_t yyyymm, int64_t user_id, int64_t now, struct payroll_result *res,
                       payroll_progress_fn progress, void *ctx)
{
    struct scope region;
    struct build *bs = arena_calloc(a, n ? n : 1, sizeof *bs);
    int rc = payroll_counties_range(counties, n, &region);
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = i && strcmp(counties[i - 1], counties[i]) >= 0 ? MZ_EINVAL : 0;
        if (rc == 0)
            rc = build_begin(db, a, counties[i], yyyymm, user_id, now, &bs[i], &res[i]);
    }
    int64_t lo = 0, hi = 0, count = 0, done = 0;
    struct chunk k = { .start = arena_calloc(a, n + 1, sizeof *k.start) };
    if (rc == 0)
        rc = id_span(db, &region, &lo, &hi, &count);
    /* (hi − lo) / chunks, in unsigned arithmetic: time-based ids span most of int64_t */
    uint64_t chunks = (uint64_t)count / CASE_CHUNK + 1;
    uint64_t step = ((uint64_t)hi - (uint64_t)lo) / chunks + 1;
    for (uint64_t from = (uint64_t)lo - 1; rc == 0 && count && from < (uint64_t)hi;) {
        uint64_t upto = (uint64_t)hi - from < step ? (uint64_t)hi : from + step;
        long rows = 0;
        rc = copy_chunk(db, &region, bs, n, yyyymm, (int64_t)from, (int64_t)upto, &k, &rows);
        done += rows;
        from = upto;
        if (progress)
            progress(ctx, done);
    }
    free(k.v);
    free(k.sorted);
    if (rc == 0)
        rc = copy_all_extras(db, bs, n);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = build_end(&bs[i]);
    return rc;
}

int payroll_build(struct db *db, struct arena *a, const char *county12, int32_t yyyymm,
                  int64_t user_id, int64_t now, struct payroll_result *res)
{
    char county[1][13];
    snprintf(county[0], sizeof county[0], "%s", county12);
    int64_t open = 0;
    int rc = payroll_open_batch(db, county12, yyyymm, &open);
    if (rc == 0 && open) {
        memset(res, 0, sizeof *res);
        res->id = open;
        return MZ_ECONFLICT;
    }
    return rc ? rc : payroll_build_many(db, a, (const char (*)[13])county, 1, yyyymm, user_id,
                                        now, res, NULL, NULL);
}

/* ---------------------------------------------------------------- cancel, confirm */

/* The status of batch id into out ("" when it does not exist). */
static int batch_status(struct db *db, int64_t id, char out[16], int64_t *count, int64_t *total)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT status, line_count, total_fen FROM assist_payroll "
                            "WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    out[0] = '\0';
    if (rc == 1) {
        text_col(st, 0, out, 16);
        *count = db_col_int64(st, 1);
        *total = db_col_int64(st, 2);
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    return rc == 1 ? 0 : MZ_ENOTFOUND;
}

int payroll_cancel(struct db *db, int64_t id, int64_t user_id, int64_t now)
{
    char status[16];
    int64_t count, total;
    int rc = batch_status(db, id, status, &count, &total);
    if (rc)
        return rc;
    if (strcmp(status, "draft") != 0)
        return MZ_ECONFLICT;
    static const char *const steps[] = {
        "UPDATE assist_payment SET status = 'failed' WHERE status = 'reissued' AND id IN "
        "(SELECT reissue_of FROM assist_payment WHERE payroll_id = ? AND kind = 'reissue')",
        "UPDATE assist_adjustment SET payment_id = NULL WHERE payment_id IN "
        "(SELECT id FROM assist_payment WHERE payroll_id = ? AND kind = 'adjust')",
        "UPDATE assist_case SET first_paid_payroll = NULL WHERE first_paid_payroll = ? AND id IN "
        "(SELECT case_id FROM assist_payment WHERE payroll_id = ?)",
        "UPDATE assist_payment SET status = 'cancelled' WHERE payroll_id = ?",
    };
    static const int params[] = { 1, 1, 2, 1 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == 0; i++)
        rc = db_run(db, steps[i], (const int64_t[]){ id, id }, params[i]);
    struct db_stmt *st;
    if (rc == 0)
        rc = db_prepare(db, "UPDATE assist_payroll SET status = 'cancelled', cancelled_by = ?, "
                            "cancelled_at = ? WHERE id = ? AND status = 'draft'", &st);
    if (rc == 0) {
        db_bind_int64(st, 1, user_id);
        db_bind_int64(st, 2, now);
        db_bind_int64(st, 3, id);
        rc = db_step(st);
        db_reset(st);
    }
    return rc < 0 ? rc : 0;
}

/* Count and sum of the batch's lines with the given status (NULL: every status but cancelled). */
static int line_sums(struct db *db, int64_t id, int64_t *count, int64_t *total)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM assist_payment "
                            "WHERE payroll_id = ? AND status <> 'cancelled'", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == 1) {
        *count = db_col_int64(st, 0);
        *total = db_col_int64(st, 1);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int payroll_confirm(struct db *db, int64_t id, int64_t user_id, int64_t now)
{
    char status[16];
    int64_t count, total, lines = 0, sum = 0;
    int rc = batch_status(db, id, status, &count, &total);
    if (rc)
        return rc;
    if (strcmp(status, "draft") != 0)
        return MZ_ECONFLICT;
    rc = line_sums(db, id, &lines, &sum);
    if (rc)
        return rc;
    if (lines != count || sum != total)
        return MZ_EVALIDATE;
    struct db_stmt *st;
    rc = db_prepare(db, "UPDATE assist_payroll SET status = 'confirmed', confirmed_by = ?, "
                        "confirmed_at = ? WHERE id = ? AND status = 'draft'", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, user_id);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, id);
    rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- bank return */

static int by_line_id(const void *x, const void *y)
{
    const struct payroll_return *a = *(const struct payroll_return *const *)x;
    const struct payroll_return *b = *(const struct payroll_return *const *)y;
    if (a->line_id != b->line_id)
        return a->line_id < b->line_id ? -1 : 1;
    return a->line_no < b->line_no ? -1 : a->line_no > b->line_no;
}

/* The file line of the first id listed twice (the later listing), or 0. */
static long repeated(const struct payroll_return *r, size_t n)
{
    if (n < 2)
        return 0;
    const struct payroll_return **sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return -1;
    for (size_t i = 0; i < n; i++)
        sorted[i] = &r[i];
    qsort(sorted, n, sizeof *sorted, by_line_id);
    long bad = 0;
    for (size_t i = 1; i < n; i++)
        if (sorted[i]->line_id == sorted[i - 1]->line_id &&
            (bad == 0 || sorted[i]->line_no < bad))
            bad = sorted[i]->line_no;
    free(sorted);
    return bad;
}

/* Checks one return line against the ledger; *why on refusal. */
static int check_return(struct db *db, int64_t id, const struct payroll_return *r,
                        const char **why)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT payroll_id, status, amount_fen FROM assist_payment "
                            "WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, r->line_id);
    rc = db_step(st);
    if (rc == 1) {
        const char *status = db_col_text(st, 1, NULL);
        if (db_col_int64(st, 0) != id)
            *why = "该明细不属于本批次";
        else if (strcmp(status, "pending") != 0)
            *why = "该明细已回盘，不能重复回盘";
        else if (r->amount_fen >= 0 && r->amount_fen != db_col_int64(st, 2))
            *why = "金额与发放明细不符";
        rc = 0;
    } else if (rc == 0) {
        *why = "明细编号不存在";
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    return *why ? MZ_EVALIDATE : 0;
}

static int apply_return(struct db *db, const struct payroll_return *r, int64_t *fen)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE assist_payment SET status = ?, fail_reason = ? WHERE id = ? "
                            "AND status = 'pending' RETURNING amount_fen", &st);
    if (rc)
        return rc;
    const char *status = r->paid ? "paid" : "failed";
    db_bind_text(st, 1, status, strlen(status));
    if (r->reason)
        db_bind_text(st, 2, r->reason, strlen(r->reason));
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, r->line_id);
    rc = db_step(st);
    if (rc == 1)
        *fen = db_col_int64(st, 0);
    db_reset(st);
    return rc == 1 ? 0 : rc < 0 ? rc : MZ_ECONFLICT;
}

/* Adds t to the header and checks paid + failed + pending = the total. */
static int header_returns(struct db *db, int64_t id, const struct payroll_return_totals *t)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "UPDATE assist_payroll SET paid_count = paid_count + ?, "
                            "paid_fen = paid_fen + ?, failed_count = failed_count + ?, "
                            "failed_fen = failed_fen + ? WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, t->paid_count);
    db_bind_int64(st, 2, t->paid_fen);
    db_bind_int64(st, 3, t->failed_count);
    db_bind_int64(st, 4, t->failed_fen);
    db_bind_int64(st, 5, id);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, "SELECT h.total_fen, h.paid_fen + h.failed_fen + COALESCE((SELECT "
                        "SUM(p.amount_fen) FROM assist_payment p WHERE p.payroll_id = h.id AND "
                        "p.status = 'pending'), 0) FROM assist_payroll h WHERE h.id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    bool ok = rc == 1 && db_col_int64(st, 0) == db_col_int64(st, 1);
    db_reset(st);
    if (rc < 0)
        return rc;
    return ok ? 0 : MZ_EINTERNAL;
}

int payroll_apply_returns(struct db *db, int64_t id, const struct payroll_return *r, size_t n,
                          struct payroll_return_totals *t, long *bad_line, const char **why)
{
    memset(t, 0, sizeof *t);
    *bad_line = 0;
    *why = NULL;
    char status[16];
    int64_t count, total;
    int rc = batch_status(db, id, status, &count, &total);
    if (rc)
        return rc;
    if (strcmp(status, "confirmed") != 0)
        return MZ_ECONFLICT;
    long twice = repeated(r, n);
    if (twice < 0)
        return MZ_ENOMEM;
    if (twice > 0) {
        *bad_line = twice;
        *why = "明细编号重复";
        return MZ_EVALIDATE;
    }
    for (size_t i = 0; i < n; i++) {
        rc = check_return(db, id, &r[i], why);
        if (rc == MZ_EVALIDATE)
            *bad_line = r[i].line_no;
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        int64_t fen = 0;
        rc = apply_return(db, &r[i], &fen);
        if (rc == 0 && r[i].paid) {
            t->paid_count++;
            t->paid_fen += fen;
        } else if (rc == 0) {
            t->failed_count++;
            t->failed_fen += fen;
        }
    }
    return rc ? rc : header_returns(db, id, t);
}

/* ---------------------------------------------------------------- counties, accounts */

int payroll_counties(struct db *db, struct arena *a, const char *region12, char (**codes)[13],
                     size_t *n)
{
    struct scope s;
    int rc = scope_from_region(region12, &s);
    struct db_stmt *st;
    if (rc == 0)
        rc = db_prepare(db, "SELECT code FROM region WHERE level = 3 AND valid_to IS NULL "
                            "AND code >= ? AND code < ? ORDER BY code", &st);
    if (rc)
        return rc;
    scope_bind(st, 1, &s);
    struct list l = { .size = 13 };
    while ((rc = db_step(st)) == 1)
        text_col(st, 0, list_push(a, &l), 13);
    db_reset(st);
    *codes = l.items;
    *n = l.n;
    return rc < 0 ? rc : 0;
}

int payroll_bank_account_set(struct db *db, int64_t case_id, int64_t person_id,
                             const char *bank_name, const char *sealed, const char *masked,
                             int64_t account_id, int64_t user_id, int64_t now)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "INSERT INTO assist_bank_account (id, case_id, person_id, bank_name, "
                            "account_cipher, account_masked, created_by, created_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, account_id);
    db_bind_int64(st, 2, case_id);
    db_bind_int64(st, 3, person_id);
    db_bind_text(st, 4, bank_name, strlen(bank_name));
    db_bind_text(st, 5, sealed, strlen(sealed));
    db_bind_text(st, 6, masked, strlen(masked));
    db_bind_int64(st, 7, user_id);
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    return db_run(db, "UPDATE assist_case SET bank_account_id = ?, updated_at = ? WHERE id = ?",
                  (const int64_t[]){ account_id, now, case_id }, 3);
}

int payroll_case_payee(struct db *db, int64_t case_id, char region[REGION_CODE_LEN + 1],
                       int64_t *person_id)
{
    struct db_stmt *st;
    int rc = db_prepare(db, "SELECT region, applicant_id FROM assist_case WHERE id = ?", &st);
    if (rc)
        return rc;
    db_bind_int64(st, 1, case_id);
    rc = db_step(st);
    if (rc == 1) {
        text_col(st, 0, region, REGION_CODE_LEN + 1);
        *person_id = db_col_int64(st, 1);
    }
    db_reset(st);
    return rc < 0 ? rc : rc == 1 ? 0 : MZ_ENOTFOUND;
}
