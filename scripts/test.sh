#!/usr/bin/env bash
# scripts/test.sh — runs every test suite and sums them into one last line,
# "N passed, N failed"; exits non-zero when anything failed. Called by `make test` after
# scripts/setup.sh --test. Suites:
#   unit      Criterion binaries of build-test/ (sanitizers on), PostgreSQL-backed cases live
#   api       tests/api/run.mjs against the real binary, once on SQLite, once on PostgreSQL
# A throw-away PostgreSQL cluster is started on loopback for the run and removed after.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=build-test/minzheng
passed=0
failed=0
pgdir=$(mktemp -d /tmp/minzheng-pg.XXXXXX)
chmod 755 "$pgdir"
trap 'scripts/pg-cluster.sh stop "$pgdir" >/dev/null 2>&1 || true' EXIT

add() { # add SUITE PASSED FAILED
  printf '%-28s %s passed, %s failed\n' "$1" "$2" "$3"
  passed=$((passed + $2))
  failed=$((failed + $3))
}

# A suite's own last line "N passed, N failed" into two numbers (0 1 when it is missing).
counts() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  [ -n "$line" ] || { echo "0 1"; return; }
  echo "$line" | awk '{print $1, $3}'
}

echo "== PostgreSQL: starting a throw-away cluster"
if ! pg_url=$(scripts/pg-cluster.sh start "$pgdir"); then
  echo "could not start PostgreSQL; the PostgreSQL suites count as failed"
  pg_url=
fi

echo "== unit tests (Criterion, ASan+UBSan)"
for t in build-test/tests/unit/test_*; do
  [ -f "$t" ] && [ -x "$t" ] || continue   # not the test_*.p object directories
  log=$(mktemp)
  MINZHENG_TEST_PG=$pg_url "$t" --jobs 2 >"$log" 2>&1
  rc=$?
  synth=$(grep -E 'Synthesis: Tested: [0-9]+' "$log" | tail -n 1)
  p=$(echo "$synth" | sed -E 's/.*Passing: ([0-9]+).*/\1/')
  f=$(echo "$synth" | sed -E 's/.*Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\1 \2/' | awk '{print $1 + $2}')
  if [ -z "$synth" ] || { [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then p=${p:-0}; f=$((${f:-0} + 1)); fi
  [ "$f" -gt 0 ] && cat "$log"
  add "unit $(basename "$t")" "$p" "$f"
  rm -f "$log"
done

run_api() { # run_api BACKEND [DB_URL]
  local log
  log=$(mktemp)
  node tests/api/run.mjs --bin "$bin" --backend "$1" ${2:+--db-url "$2"} 2>&1 | tee "$log" | grep -v '^ok ' 
  read -r p f < <(counts "$log")
  add "api ($1)" "$p" "$f"
  rm -f "$log"
}

echo "== API tests on SQLite"
run_api sqlite
echo "== API tests on PostgreSQL"
if [ -n "$pg_url" ] && api_pg=$(scripts/pg-cluster.sh createdb "$pgdir" minzheng_api); then
  run_api postgres "$api_pg"
else
  add "api (postgres)" 0 1
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
