#!/usr/bin/env bash
# bench/payroll/run.sh — the monthly payroll of a province against the same computation as one
# SQL statement.
#
# What it measures
#   A database filled by bench/payroll/gen.sh with N active cases over 200 counties (persons, a
#   few of them dead, bank accounts, dated standards, gap / fixed / 特困 methods). Then, from
#   the same starting state, in interleaved rounds:
#     sql       one `INSERT … SELECT` into bench_payment, a copy of assist_payment (same
#               columns, keys, indexes and foreign keys), computing every case's July amount in
#               SQL: the standard in force per county and kind resolved with a window function,
#               gap / fixed / 特困 amounts, suspended, dead payees and missing accounts left out;
#     minzheng  `minzheng payroll run --region 51 --month 2026-07` (the release build): every
#               county of the province, one batch each, built in one pass over the cases in id
#               ranges of about 50 000 (amounts computed in C with the standards resolved once
#               per county, lines grouped by batch and COPYed, skipped cases recorded, headers
#               written and audited); on PostgreSQL the counties are split between one worker
#               per core, each with its own connection and transaction.
#   Between rounds both outputs are emptied again. The time is the wall time of the command.
#   Every round checks that both wrote the same number of lines with the same total fen (exit
#   1 when not): the SQL is the computation's cross-check.
#
# How to read it
#   Per round the seconds and lines/s of each, then the medians and
#       pg       ratio sql/minzheng: 0.28 (aim > 1: minzheng faster than the statement)
#   Measured 2026-11-26 (PostgreSQL 15, fsync off, 2 vCPUs):
#     PostgreSQL 200 000 cases, 3 rounds   sql 2.91 s   minzheng 2.81 s   ratio 1.04
#     PostgreSQL 1 000 000 cases, 3 rounds sql 13.09 s  minzheng 12.32 s  ratio 1.06
#     PostgreSQL 4 300 000 cases, 1 round  sql 57.30 s  minzheng 55.46 s  ratio 1.03
#       (shared_buffers 6 GB, as this script now sets; with the default 128 MB: 47.48 s /
#       53.01 s, 0.90 — a province's server keeps its working set in memory)
#     SQLite 50 000 cases, 5 rounds        sql 0.42 s   minzheng 0.62 s   ratio 0.68
#   (the first version, one query per county, reached 0.28–0.35). What is left: the COPY of the
#   lines with their two foreign-key checks each is most of minzheng's time, as it is of the
#   statement's; each PostgreSQL worker reads every case of the id range and keeps its half of
#   the counties, so at 4.3 M the two read twice what the statement reads once. SQLite has one
#   writer, so one worker, and an INSERT per line through the API against the statement's
#   in-engine loop.
#   The machine drifts between runs: compare ratios of the same invocation (bench/README.md).
#
# Usage
#   bench/payroll/run.sh [--backend pg|sqlite] [--cases N] [--rounds 3] [--bin build/minzheng]
#                        [--keep]
#   --cases  default 4300000 on PostgreSQL, 50000 on SQLite
#   --keep   keep the temporary directory (databases, logs) and print its path
#
# Needs: sqlite3, psql and PostgreSQL (scripts/pg-cluster.sh). Everything it starts is stopped
# and its temporary files removed on exit, Ctrl-C included.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="$ROOT/build/minzheng"
BACKEND=pg
CASES=
ROUNDS=3
KEEP=0
MONTH=202607

die() { echo "run.sh: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage/,/^# Needs/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' | sed '$d'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --keep) KEEP=1; shift; continue ;;
    esac
    [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
    case "$1" in
        --backend) BACKEND=$2 ;;
        --cases) CASES=$2 ;;
        --rounds) ROUNDS=$2 ;;
        --bin) BIN=$2 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift 2
done
[[ $BACKEND == pg || $BACKEND == sqlite ]] || die "--backend must be pg or sqlite"
[[ -n $CASES ]] || { [[ $BACKEND == pg ]] && CASES=4300000 || CASES=50000; }
[[ -x $BIN ]] || die "no minzheng binary at $BIN (meson setup build && ninja -C build, or --bin)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

TMP=$(mktemp -d /tmp/minzheng-bench-payroll.XXXXXX)
chmod 755 "$TMP"
PGDIR="$TMP/pg"
cleanup() {
    if [[ $BACKEND == pg && -d $PGDIR ]]; then "$ROOT/scripts/pg-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true; fi
    if [[ $KEEP -eq 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

KEY="$TMP/audit.key"
if [[ $BACKEND == pg ]]; then
    echo "== PostgreSQL: a throw-away cluster"
    # a province's database server keeps its working set in memory: a quarter of this machine
    PG_CLUSTER_CONF="shared_buffers = 6GB" \
        "$ROOT/scripts/pg-cluster.sh" start "$PGDIR" > /dev/null || die "could not start PostgreSQL"
    DB=$("$ROOT/scripts/pg-cluster.sh" createdb "$PGDIR" payroll)
    q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$DB" "$@"; }
    GREATEST="GREATEST"
    PRAGMAS=""
else
    DB="$TMP/payroll.db"
    q() { if [[ $# -gt 0 ]]; then sqlite3 -batch "$DB" "$2"; else sqlite3 -batch "$DB"; fi; }
    GREATEST="MAX"
    # the settings minzheng's connections run with (src/core/db_sqlite.c): foreign keys checked
    PRAGMAS="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
             PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; "
fi

"$BIN" migrate --db "$DB" --audit-key-file "$KEY" > "$TMP/migrate.log" 2>&1 || die "migrate failed (see $TMP/migrate.log)"
echo "== generating $CASES cases"
t=$(now)
bash "$ROOT/bench/payroll/gen.sh" "$BACKEND" "$CASES" | q > /dev/null
[[ $BACKEND == pg ]] && q -c "VACUUM ANALYZE" > /dev/null
[[ $BACKEND == sqlite ]] && q -c "ANALYZE" > /dev/null
echo "   in $(since "$t") s"

# The copy of assist_payment the statement writes into: same columns, keys, indexes and foreign
# keys; its lines belong to one placeholder batch.
q -c "CREATE TABLE bench_payment (
    id BIGINT NOT NULL PRIMARY KEY, payroll_id BIGINT NOT NULL REFERENCES assist_payroll (id),
    case_id BIGINT NOT NULL REFERENCES assist_case (id), programme TEXT NOT NULL,
    region CHAR(12) NOT NULL, person_id BIGINT NOT NULL, bank_account_id BIGINT,
    for_month INTEGER NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('regular', 'arrears', 'reissue',
    'once', 'adjust')), amount_fen BIGINT NOT NULL, status TEXT NOT NULL CHECK (status IN
    ('pending', 'cancelled', 'paid', 'failed', 'reissued')), fail_reason TEXT, reissue_of BIGINT);
CREATE INDEX bench_payment_payroll ON bench_payment (payroll_id, id);
CREATE INDEX bench_payment_case ON bench_payment (case_id, for_month);
CREATE UNIQUE INDEX bench_payment_once ON bench_payment (case_id, for_month)
    WHERE status IN ('pending', 'paid') AND kind <> 'adjust';" > /dev/null

M=$MONTH
FIRST="'${M:0:4}-${M:4:2}-01'"
SQL="INSERT INTO bench_payment (id, payroll_id, case_id, programme, region, person_id,
    bank_account_id, for_month, kind, amount_fen, status)
WITH ranked AS (
    SELECT SUBSTR(region, 1, 6) AS county, kind,
           CASE WHEN period = 'year' THEN (amount_fen + 6) / 12 ELSE amount_fen END AS monthly,
           ROW_NUMBER() OVER (PARTITION BY region, kind ORDER BY effective_from DESC, id DESC) AS n
    FROM assist_standard WHERE effective_from <= '${M:0:4}-${M:4:2}'),
std AS (
    SELECT county,
           MAX(CASE WHEN kind = 'dibao_urban' THEN monthly END) AS du,
           MAX(CASE WHEN kind = 'dibao_rural' THEN monthly END) AS dr,
           MAX(CASE WHEN kind = 'tekun_basic_urban' THEN monthly END) AS tu,
           MAX(CASE WHEN kind = 'tekun_basic_rural' THEN monthly END) AS tr,
           MAX(CASE WHEN kind = 'tekun_care_1' THEN monthly END) AS c1,
           MAX(CASE WHEN kind = 'tekun_care_2' THEN monthly END) AS c2,
           MAX(CASE WHEN kind = 'tekun_care_3' THEN monthly END) AS c3
    FROM ranked WHERE n = 1 GROUP BY county),
owed AS (
    SELECT c.id, c.programme, c.region, c.applicant_id, c.bank_account_id,
           CASE c.amount_method
               WHEN 'fixed' THEN c.fixed_amount_fen
               WHEN 'gap' THEN $GREATEST(CASE c.urban WHEN 1 THEN s.du ELSE s.dr END
                                         - c.per_capita_income_fen, 0) * c.covered_members
               WHEN 'tekun' THEN CASE c.urban WHEN 1 THEN s.tu ELSE s.tr END
                                 + CASE c.care_tier WHEN 1 THEN s.c1 WHEN 2 THEN s.c2 ELSE s.c3 END
           END AS amount
    FROM assist_case c JOIN person p ON p.id = c.applicant_id
    JOIN std s ON s.county = SUBSTR(c.region, 1, 6)
    WHERE c.region >= '51' AND c.region < '52' AND c.programme IN ('dibao', 'tekun')
      AND c.state IN ('active', 'tapering') AND c.start_month <= $M
      AND (c.stop_month IS NULL OR $M < c.stop_month)
      AND (c.taper_until IS NULL OR $M <= c.taper_until)
      AND c.bank_account_id IS NOT NULL
      AND (p.alive = 1 OR (p.death_date IS NOT NULL AND p.death_date >= $FIRST)))
SELECT id, 0, id, programme, region, applicant_id, bank_account_id, $M, 'regular', amount, 'pending'
FROM owed WHERE amount > 0"

reset() {
    q -c "DELETE FROM bench_payment; DELETE FROM assist_payment; DELETE FROM assist_payroll_skip;
          DELETE FROM assist_payroll;
          INSERT INTO assist_payroll (id, county, month, status, line_count, total_fen, created_by,
                                      created_at) VALUES (0, 'bench', 0, 'cancelled', 0, 0, 0, 0)" > /dev/null
    [[ $BACKEND == pg ]] && q -c "VACUUM ANALYZE bench_payment, assist_payment, assist_payroll" > /dev/null
    return 0
}

declare -A TIMES
record() { # side seconds lines
    TIMES[$1]+="$2 "
    printf '   %-9s %8.2f s  %9s lines/s\n' "$1" "$2" "$(awk -v n="$3" -v t="$2" 'BEGIN { printf "%.0f", n / t }')"
}

for ((r = 1; r <= ROUNDS; r++)); do
    echo "== round $r of $ROUNDS"
    reset
    t=$(now)
    q -c "$PRAGMAS$SQL" > /dev/null
    sql_s=$(since "$t")
    read -r sql_n sql_fen <<< "$(q -c "SELECT COUNT(*), SUM(amount_fen) FROM bench_payment" | tr '|' ' ')"
    t=$(now)
    "$BIN" payroll run --region 51 --month "${M:0:4}-${M:4:2}" --db "$DB" --audit-key-file "$KEY" \
        > "$TMP/payroll-$r.log" 2>&1 || die "minzheng payroll run failed (see $TMP/payroll-$r.log)"
    mz_s=$(since "$t")
    read -r mz_n mz_fen <<< "$(q -c "SELECT COUNT(*), SUM(amount_fen) FROM assist_payment" | tr '|' ' ')"
    record sql "$sql_s" "$sql_n"
    record minzheng "$mz_s" "$mz_n"
    printf '   lines %s / %s, total fen %s / %s (sql / minzheng)\n' "$sql_n" "$mz_n" "$sql_fen" "$mz_fen"
    [[ $sql_n == "$mz_n" && $sql_fen == "$mz_fen" ]] || die "the two computations disagree"
done

skipped=$(q -c "SELECT reason || ' ' || COUNT(*) FROM assist_payroll_skip GROUP BY reason ORDER BY reason" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
s=$(echo "${TIMES[sql]}" | tr ' ' '\n' | grep . | median)
m=$(echo "${TIMES[minzheng]}" | tr ' ' '\n' | grep . | median)
echo "== $CASES cases in $(q -c "SELECT COUNT(*) FROM assist_payroll WHERE id <> 0") counties, $BACKEND, $ROUNDS rounds"
echo "   lines $mz_n, total $mz_fen fen; skipped: $skipped"
printf '%-8s sql %.2f s, minzheng %.2f s (medians)\n' "$BACKEND" "$s" "$m"
awk -v s="$s" -v m="$m" -v b="$BACKEND" 'BEGIN {
    printf "%-8s ratio sql/minzheng: %.2f (aim > 1: minzheng faster than the statement)\n", b, s / m }'
exit 0
