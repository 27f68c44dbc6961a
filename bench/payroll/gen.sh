#!/usr/bin/env bash
# bench/payroll/gen.sh — the SQL that fills a migrated, empty minzheng database with N active
# assistance cases for bench/payroll/run.sh, generated inside the database (PostgreSQL
# generate_series, SQLite a recursive CTE), so generating millions of rows takes no client time.
#
#   bench/payroll/gen.sh sqlite|pg N [COUNTIES]   > fill.sql
#
# What it makes (COUNTIES counties, default 200, in province 51: cities 5101–51CC, ten counties
# each; case i lives in county i mod COUNTIES, township 1–10 of it):
#   region      the province, its cities and counties (payroll run walks the counties)
#   standards   per county every kind (dibao urban monthly, dibao rural yearly, 特困 basic and
#               care tiers), an old row from 2020-01 and the one in force from 2026-01, amounts
#               varying by county: resolving the standard in force is real work
#   person      N payees; 1 in 1000 died before 2026-07 (not paid), 1 in 1000 died on
#               2026-07-20 (paid for July)
#   assist_case N cases: 60 % 低保 gap (urban/rural alternating, income 0–899 元, 1–4 members;
#               some pay nothing), 20 % 低保 fixed, 20 % 特困 (care tier 1–3); 1 in 97 suspended;
#               all paid before (first_paid_payroll set: no arrears), from 2024-01
#   assist_bank_account  one per case but 1 in 211 (no account: skipped)
set -euo pipefail

BACKEND=${1:?sqlite or pg}
N=${2:?number of cases}
COUNTIES=${3:-200}
[[ $BACKEND == sqlite || $BACKEND == pg ]] || { echo "gen.sh: backend must be sqlite or pg" >&2; exit 2; }

if [[ $BACKEND == pg ]]; then
    series() { echo "SELECT i FROM generate_series(1, $1) AS g(i)"; }
    pad() { echo "lpad(CAST($1 AS TEXT), $2, '0')"; }
else
    series() { echo "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $1) SELECT i FROM g"; }
    pad() { echo "substr('0000000000' || ($1), -$2, $2)"; }
fi

# the county code (6 digits) of county number k (0-based)
county="'51' || $(pad "k / 10 + 1" 2) || $(pad "k % 10 + 1" 2)"

cat <<EOF
BEGIN;
INSERT INTO region (code, name, level, parent, path_codes, path_names, valid_from, source)
VALUES ('510000000000', '四川省', 1, NULL, '510000000000', '四川省', '2023-06-30', 'bench');
INSERT INTO region (code, name, level, parent, path_codes, path_names, valid_from, source)
SELECT '51' || $(pad i 2) || '00000000', '市' || i, 2, '510000000000', '-', '-', '2023-06-30', 'bench'
FROM ($(series $(((COUNTIES + 9) / 10)))) s;
INSERT INTO region (code, name, level, parent, path_codes, path_names, valid_from, source)
SELECT $county || '000000', '县' || k, 3, substr($county, 1, 4) || '00000000', '-', '-',
       '2023-06-30', 'bench'
FROM (SELECT i - 1 AS k FROM ($(series "$COUNTIES")) s) c;
INSERT INTO assist_standard (id, region, kind, amount_fen, period, effective_from, source,
                             created_by, created_at)
SELECT k * 20 + v * 10 + t, $county || '000000',
       CASE t WHEN 0 THEN 'dibao_urban' WHEN 1 THEN 'dibao_rural' WHEN 2 THEN 'tekun_basic_urban'
              WHEN 3 THEN 'tekun_basic_rural' WHEN 4 THEN 'tekun_care_1'
              WHEN 5 THEN 'tekun_care_2' ELSE 'tekun_care_3' END,
       CASE t WHEN 0 THEN 70000 + k * 100 + v * 5000 WHEN 1 THEN 660000 + k * 1201 + v * 60000
              WHEN 2 THEN 95000 + k * 130 + v * 6500 WHEN 3 THEN 72000 + k * 100 + v * 5000
              ELSE t * 10000 + k END,
       CASE t WHEN 1 THEN 'year' ELSE 'month' END, CASE v WHEN 0 THEN '2020-01' ELSE '2026-01' END,
       'bench', 1, 1
FROM (SELECT i - 1 AS k FROM ($(series "$COUNTIES")) s) c,
     (SELECT i - 1 AS v FROM ($(series 2)) s) w,
     (SELECT i - 1 AS t FROM ($(series 7)) s) u;
INSERT INTO person (id, id_number, name, sex, birth_date, region, alive, death_date, created_at,
                    updated_at)
SELECT i, '5100001950' || $(pad i 8), '测试' || i, CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END,
       '1950-01-01', '510000000000',
       CASE i % 1000 WHEN 0 THEN 0 WHEN 500 THEN 0 ELSE 1 END,
       CASE i % 1000 WHEN 0 THEN '2026-03-15' WHEN 500 THEN '2026-07-20' END, 1, 1
FROM ($(series "$N")) s;
INSERT INTO assist_case (id, programme, urban, region, applicant_id, channel, state, action_count,
                         amount_method, per_capita_income_fen, covered_members, fixed_amount_fen,
                         care_tier, start_month, bank_account_id, first_paid_payroll, created_by,
                         created_at, updated_at)
SELECT i, CASE WHEN i % 10 < 8 THEN 'dibao' ELSE 'tekun' END, i % 2,
       $county || $(pad "i % 10 + 1" 3) || '000', i, 'window',
       CASE i % 97 WHEN 0 THEN 'suspended' ELSE 'active' END, 1,
       CASE WHEN i % 10 < 6 THEN 'gap' WHEN i % 10 < 8 THEN 'fixed' ELSE 'tekun' END,
       CASE WHEN i % 10 < 6 THEN (i % 90) * 1000 END, CASE WHEN i % 10 < 6 THEN i % 4 + 1 END,
       CASE WHEN i % 10 IN (6, 7) THEN 30000 + (i % 7) * 1000 END,
       CASE WHEN i % 10 >= 8 THEN i % 3 + 1 END, 202401,
       CASE i % 211 WHEN 0 THEN NULL ELSE i END, 1, 1, 1, 1
FROM (SELECT i, (i % $COUNTIES) AS k FROM ($(series "$N")) s) c;
INSERT INTO assist_bank_account (id, case_id, person_id, bank_name, account_cipher, account_masked,
                                 created_by, created_at)
SELECT i, i, i, '农业银行', 's1:bench', '6228****0000', 1, 1
FROM ($(series "$N")) s WHERE i % 211 <> 0;
COMMIT;
EOF
