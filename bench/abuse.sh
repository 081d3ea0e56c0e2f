#!/usr/bin/env bash
# Abuse scenarios (issue #13), run by hand: what a flood of invented keys, a database outage and
# a kill -9 cost the gateway, measured on the published build. See bench/README.md "Abuse".
#
#   bash bench/abuse.sh                          # publish, then every scenario (~10 min)
#   bash bench/abuse.sh --no-build random-keys   # one scenario, reusing bench/.cache/switchyard
#   bash bench/abuse.sh --list
#   SWITCHYARD_DLL=/elsewhere/Switchyard.dll bash bench/abuse.sh --no-build random-keys   # another build
#
# Scenarios, each a function scenario_<name> below (a new one is a function and a line in
# SCENARIOS):
#   random-keys  ABUSE_REQUESTS (default 1,000,000) requests, each with a new invented key of
#                a real key's shape: gateway RSS before and after, store lookups, statuses
#   pg-outage    steady load on a PostgreSQL gateway whose PostgreSQL (a private cluster made
#                here, on its own port) is stopped for ABUSE_OUTAGE_S (default 30) seconds and
#                started again: statuses, slowest answer, rows spooled, and whether every
#                answered request's ledger row is there afterwards, once
#   kill9        steady load on a SQLite gateway, kill -9 mid-run, restart: ledger rows lost
#   slow-uploads ABUSE_UPLOADS (default 200) multipart uploads trickled at 1 KB/s for
#                ABUSE_UPLOAD_S (default 20) seconds on one maxConcurrent: 1 key
#                (bench/abuse-uploads.sh): gateway RSS before, at peak and after, that key's
#                next request, another key's, how the uploads ended
#
# Needs curl, python3 (reads SQLite), wrk (on PATH, WRK_BIN, or fetched with apt-get download
# into bench/.cache/abuse, not installed), and for pg-outage the PostgreSQL server binaries
# (Debian's postgresql package; run as root, the cluster runs as the postgres user).
# Results: bench/results/abuse-<date-time>/ (summary.txt, wrk outputs, gateway logs).
set -Eeuo pipefail

SCENARIOS=(random-keys pg-outage kill9 slow-uploads)

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
PUBLISH_DIR=$BENCH/.cache/switchyard
DLL=${SWITCHYARD_DLL:-$PUBLISH_DIR/Switchyard.dll}
CACHE=$BENCH/.cache/abuse
LUA=$BENCH/lua/abuse.lua
PORT=${ABUSE_PORT:-18590}
PG_PORT=${ABUSE_PG_PORT:-18599}
CLIENT_KEY=sk-bench-client
LIMITED_KEY=sk-bench-limited-0123456789
build=1
chosen=()
while (($#)); do
    case $1 in
        --no-build) build=0; shift ;;
        --list) printf '%s\n' "${SCENARIOS[@]}"; exit 0 ;;
        -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) chosen+=("$1"); shift ;;
    esac
done
((${#chosen[@]})) || chosen=("${SCENARIOS[@]}")
for s in "${chosen[@]}"; do
    [[ " ${SCENARIOS[*]} " == *" $s "* ]] || { echo "abuse.sh: no scenario '$s' (--list)" >&2; exit 2; }
done

RESULTS=$BENCH/results/abuse-$(date +%Y%m%d-%H%M%S)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-abuse.XXXXXX")
chmod 755 "$WORK"
mkdir -p "$RESULTS" "$CACHE"
GW_PID=""
PG_DATA=""

log() { echo "[abuse] $*" >&2; }
die() { echo "abuse.sh: $*" >&2; exit 1; }
note() { echo "$*" | tee -a "$RESULTS/summary.txt"; }

cleanup() {
    [[ -n $GW_PID ]] && kill -KILL "$GW_PID" 2>/dev/null || true
    [[ -n $PG_DATA ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- tools -----------------------------------------------------------------------------------

ensure_wrk() {
    WRK_BIN=${WRK_BIN:-$(command -v wrk || true)}
    if [[ -z $WRK_BIN && ! -x $CACHE/root/usr/bin/wrk ]]; then
        log "fetching wrk from apt into bench/.cache/abuse (not installed system-wide)"
        mkdir -p "$CACHE/debs" "$CACHE/root"
        (cd "$CACHE/debs" && apt-get download wrk libluajit-5.1-2 libluajit-5.1-common >/dev/null 2>&1) ||
            { apt-get update >/dev/null 2>&1 || true; (cd "$CACHE/debs" && apt-get download wrk libluajit-5.1-2 libluajit-5.1-common >/dev/null); }
        for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$CACHE/root"; done
    fi
    if [[ -z $WRK_BIN ]]; then
        WRK_BIN=$CACHE/root/usr/bin/wrk
        for libdir in "$CACHE"/root/usr/lib/*-linux-gnu; do
            [[ -d $libdir ]] && export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
        done
    fi
    [[ -x $WRK_BIN ]] || die "no wrk (apt-get install wrk, or set WRK_BIN)"
}

publish() {
    if ((build)); then
        log "dotnet publish src/Switchyard -c Release -r linux-x64 --self-contained false -p:PublishAot=false -o bench/.cache/switchyard"
        (cd "$REPO" && dotnet publish src/Switchyard -c Release -r linux-x64 --self-contained false -p:PublishAot=false -o "$PUBLISH_DIR" -nologo -v quiet) >&2
    fi
    [[ -f $DLL ]] || die "no $DLL (drop --no-build)"
}

# --- the gateway -----------------------------------------------------------------------------

# write_config DIR STORAGE_JSON: the echo model (priced, so every row carries a cost), an
# unlimited client key and a limited one.
write_config() {
    cat >"$1/switchyard.json" <<EOF
{
  "masterKey": "sk-bench-master-0000000000000000",
  "storage": $2,
  "providers": [ { "name": "echo", "type": "echo" } ],
  "models": [ { "id": "echo", "provider": "echo", "pricing": { "inputPerMTok": 1, "outputPerMTok": 2 } } ],
  "keys": [
    { "key": "$CLIENT_KEY", "name": "bench" },
    { "key": "$LIMITED_KEY", "name": "limited", "rpm": 1000000, "credits": 1000000 }
  ]
}
EOF
}

# start_gateway DIR LOGNAME: starts it in its own process group, waits for /healthz.
start_gateway() {
    ! curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" || die "port $PORT is taken (ABUSE_PORT to choose another)"
    (cd "$1" && Logging__LogLevel__Default=Warning DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        exec setsid dotnet "$DLL" serve --config "$1/switchyard.json" --urls "http://127.0.0.1:$PORT" \
        >>"$RESULTS/$2.log" 2>&1) &
    GW_PID=$!
    # setsid forks when it leads a process group: then the gateway is its child.
    sleep 0.2
    if [[ $(cat "/proc/$GW_PID/comm" 2>/dev/null) != dotnet ]]; then
        GW_PID=$(pgrep -P "$GW_PID" -x dotnet || echo "$GW_PID")
    fi
    for _ in $(seq 1 300); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$GW_PID" 2>/dev/null || die "the gateway exited at start (see $RESULTS/$2.log)"
        sleep 0.2
    done
    die "the gateway did not answer /healthz in 60 s"
}

stop_gateway() {
    [[ -n $GW_PID ]] || return 0
    kill -TERM "$GW_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$GW_PID" 2>/dev/null || true
    wait "$GW_PID" 2>/dev/null || true
    GW_PID=""
}

status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { v = $2 } END { print v + 0 }'; }
chat_status() {
    curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -d '{"model":"echo","messages":[{"role":"user","content":"hi"}]}' "http://127.0.0.1:$PORT/v1/chat/completions"
}

# run_wrk NAME ENV... -- WRK_ARGS...: wrk with bench/lua/abuse.lua, output in RESULTS/NAME.wrk.
run_wrk() {
    local name=$1; shift
    local env=()
    while [[ $1 != -- ]]; do env+=("$1"); shift; done
    shift
    env "${env[@]}" "$WRK_BIN" -s "$LUA" "$@" "http://127.0.0.1:$PORT" >"$RESULTS/$name.wrk" 2>&1 || true
}

result_field() { grep -o "$2=[^ ]*" "$RESULTS/$1.wrk" | head -n 1 | cut -d= -f2; }

# --- scenarios -------------------------------------------------------------------------------

scenario_random_keys() {
    local total=${ABUSE_REQUESTS:-1000000} threads=2 dir=$WORK/random-keys
    mkdir -p "$dir/wrk"
    write_config "$dir" "{ \"kind\": \"sqlite\", \"path\": \"$dir/switchyard.db\" }"
    start_gateway "$dir" random-keys-gateway
    # Warm-up (JIT, pools), so "before" is the gateway at work, not at rest.
    run_wrk random-keys-warmup ABUSE_MODE=random-keys ABUSE_DIR="$dir/wrk" -- -t1 -c16 -d5s
    local rss_before lookups_before
    rss_before=$(status_kb "$GW_PID" VmRSS)
    lookups_before=$(metric switchyard_key_store_lookups_total)
    log "random-keys: $total requests with invented keys (RSS before: $((rss_before / 1024)) MB)"
    rm -f "$dir"/wrk/done-*
    ABUSE_MODE=random-keys ABUSE_REQUESTS=$total ABUSE_THREADS=$threads ABUSE_DIR="$dir/wrk" \
        "$WRK_BIN" -s "$LUA" -t$threads -c64 -d3600s --timeout 10s "http://127.0.0.1:$PORT" >"$RESULTS/random-keys.wrk" 2>&1 &
    local wrk_pid=$! samples=0 rss_max=0 rss
    while kill -0 "$wrk_pid" 2>/dev/null; do
        (($(ls "$dir"/wrk/done-* 2>/dev/null | wc -l) >= threads)) && kill -INT "$wrk_pid" 2>/dev/null
        rss=$(status_kb "$GW_PID" VmRSS); ((rss > rss_max)) && rss_max=$rss
        samples=$((samples + 1))
        sleep 1
    done
    wait "$wrk_pid" || true
    local rss_after lookups_after valid
    rss_after=$(status_kb "$GW_PID" VmRSS)
    lookups_after=$(metric switchyard_key_store_lookups_total)
    valid=$(chat_status "$CLIENT_KEY")
    note "random-keys: $(result_field random-keys requests) requests in $(result_field random-keys duration_s) s ($(result_field random-keys rps)/s);" \
        "401: $(result_field random-keys s401), other: $(( $(result_field random-keys s2xx) + $(result_field random-keys s503) + $(result_field random-keys sother) )), socket errors: $(result_field random-keys socket_errors)"
    note "random-keys: gateway RSS $((rss_before / 1024)) MB before, $((rss_max / 1024)) MB at most during (sampled each second), $((rss_after / 1024)) MB after"
    note "random-keys: store lookups $((${lookups_after%.*} - ${lookups_before%.*})) (budget: 50 + 20/s); a real key afterwards: $valid"
    stop_gateway
}

scenario_pg_outage() {
    local outage=${ABUSE_OUTAGE_S:-30} lead=10 tail=15 dir=$WORK/pg-outage tag
    PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
    [[ -x $PG_BIN/initdb ]] || die "pg-outage needs the PostgreSQL server binaries (set PG_BIN)"
    PSQL=$(command -v psql || echo "$PG_BIN/psql")
    mkdir -p "$dir/wrk" "$dir/pg"
    PG_DATA=$dir/pg/data
    chown -R "$(pg_owner)" "$dir/pg"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U switchyard --no-sync >"$RESULTS/pg-outage-initdb.log" 2>&1
    pg start
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U switchyard switchyard
    write_config "$dir" "{ \"kind\": \"postgres\", \"connectionString\": \"Host=127.0.0.1;Port=$PG_PORT;Username=switchyard;Database=switchyard;Timeout=3\", \"spoolPath\": \"$dir/ledger.spool\" }"
    start_gateway "$dir" pg-outage-gateway
    tag=outage$RANDOM
    local seconds=$((lead + outage + tail))
    log "pg-outage: ${seconds} s of load; PostgreSQL stopped at ${lead} s for ${outage} s"
    mkdir -p "$dir/wrk-limited"
    run_wrk pg-outage ABUSE_MODE=ids ABUSE_KEY=$CLIENT_KEY ABUSE_DIR="$dir/wrk" ABUSE_TAG=$tag -- -t1 -c16 -d${seconds}s --timeout 10s &
    local load=$!
    run_wrk pg-outage-limited ABUSE_MODE=ids ABUSE_KEY=$LIMITED_KEY ABUSE_DIR="$dir/wrk-limited" ABUSE_TAG=$tag-limited -- -t1 -c4 -d${seconds}s --timeout 10s &
    local limited=$!
    sleep "$lead"
    pg stop
    local spooled_max=0 spooled
    for _ in $(seq 1 "$outage"); do
        sleep 1
        spooled=$(metric switchyard_ledger_spooled); spooled=${spooled%.*}
        ((${spooled:-0} > spooled_max)) && spooled_max=$spooled
    done
    pg start
    local back=$SECONDS
    wait "$load" "$limited" || true
    # Written once the spool is replayed and the writer's queue is empty.
    while (( $(metric switchyard_ledger_spooled | cut -d. -f1) + $(metric switchyard_request_log_backlog | cut -d. -f1) > 0 && SECONDS - back < 300 )); do
        sleep 1
    done
    local replayed_after=$((SECONDS - back))
    sort -u "$dir"/wrk/ok-*.txt "$dir"/wrk-limited/ok-*.txt 2>/dev/null >"$dir/ok.txt" || true
    "$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U switchyard -d switchyard -At \
        -c "SELECT client_request_id FROM requests WHERE client_request_id LIKE '$tag%' AND status = 200" | sort -u >"$dir/ledger.txt"
    local rows distinct
    rows=$("$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U switchyard -d switchyard -At -c "SELECT count(*) FROM requests WHERE client_request_id LIKE '$tag%'")
    distinct=$("$PSQL" -h 127.0.0.1 -p "$PG_PORT" -U switchyard -d switchyard -At -c "SELECT count(DISTINCT client_request_id) FROM requests WHERE client_request_id LIKE '$tag%'")
    note "pg-outage: unlimited key $(result_field pg-outage requests) requests ($(result_field pg-outage rps)/s): 200: $(result_field pg-outage s2xx), 503: $(result_field pg-outage s503), other: $(result_field pg-outage sother), socket errors: $(result_field pg-outage socket_errors), timeouts: $(result_field pg-outage timeouts); p99 $(result_field pg-outage p99_ms) ms, slowest $(result_field pg-outage max_ms) ms"
    note "pg-outage: limited key $(result_field pg-outage-limited requests) requests: 200: $(result_field pg-outage-limited s2xx), 503: $(result_field pg-outage-limited s503), other: $(result_field pg-outage-limited sother), timeouts: $(result_field pg-outage-limited timeouts); slowest $(result_field pg-outage-limited max_ms) ms"
    note "pg-outage: at most $spooled_max rows in the spool; spool empty ${replayed_after} s after PostgreSQL was back"
    note "pg-outage: answered 200: $(wc -l <"$dir/ok.txt"), their ledger rows: $(comm -12 "$dir/ok.txt" "$dir/ledger.txt" | wc -l), missing: $(comm -23 "$dir/ok.txt" "$dir/ledger.txt" | wc -l); rows $rows, distinct requests $distinct"
    stop_gateway
    pg stop
    PG_DATA=""
}

scenario_kill9() {
    local dir=$WORK/kill9 tag=kill$RANDOM
    mkdir -p "$dir/wrk" "$dir/warmup"
    write_config "$dir" "{ \"kind\": \"sqlite\", \"path\": \"$dir/switchyard.db\" }"
    start_gateway "$dir" kill9-gateway
    run_wrk kill9-warmup ABUSE_MODE=ids ABUSE_KEY=$CLIENT_KEY ABUSE_DIR="$dir/warmup" ABUSE_TAG=warm -- -t1 -c16 -d5s
    log "kill9: load, kill -9 after 10 s"
    run_wrk kill9 ABUSE_MODE=ids ABUSE_KEY=$CLIENT_KEY ABUSE_DIR="$dir/wrk" ABUSE_TAG=$tag -- -t1 -c32 -d15s --timeout 5s &
    local load=$!
    sleep 10
    kill -KILL "$GW_PID"
    wait "$GW_PID" 2>/dev/null || true
    GW_PID=""
    wait "$load" || true
    # The next start replays what the spool holds (nothing, unless the store was failing).
    start_gateway "$dir" kill9-gateway-restart
    stop_gateway
    sort -u "$dir"/wrk/ok-*.txt >"$dir/ok.txt"
    python3 - "$dir/switchyard.db" "$tag" >"$dir/ledger.txt" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (rid,) in db.execute("SELECT client_request_id FROM requests WHERE client_request_id LIKE ? AND status = 200", (sys.argv[2] + "%",)):
    print(rid)
EOF
    sort -u -o "$dir/ledger.txt" "$dir/ledger.txt"
    local ok lost rps
    ok=$(wc -l <"$dir/ok.txt")
    lost=$(comm -23 "$dir/ok.txt" "$dir/ledger.txt" | wc -l)
    rps=$((ok / 10))
    note "kill9: answered 200 before the kill: $ok (~$rps/s); their ledger rows after restart: $(comm -12 "$dir/ok.txt" "$dir/ledger.txt" | wc -l); lost: $lost (one 0.1 s batch window at this rate: ~$((rps / 10)) rows)"
}

scenario_slow_uploads() {
    log "slow-uploads: ${ABUSE_UPLOADS:-200} uploads at 1 KB/s on one maxConcurrent: 1 key"
    note "$(SLOW_UPLOADS_LOG=$RESULTS/slow-uploads-gateway.log slow_uploads "${ABUSE_UPLOADS:-200}" "${ABUSE_UPLOAD_S:-20}" "$PORT" "$DLL")"
}

pg_owner() { [[ $(id -u) == 0 ]] && echo postgres:postgres || id -un; }
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg() {
    case $1 in
        start) as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/../server.log" -w \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA/.. -c fsync=on" start >/dev/null ;;
        stop) as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null ;;
    esac
}

# --- run -------------------------------------------------------------------------------------

# shellcheck source=bench/abuse-uploads.sh
source "$BENCH/abuse-uploads.sh"

ensure_wrk
publish
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet || echo ' (modified)')"
    echo "cpus: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "wrk: $("$WRK_BIN" -v 2>&1 | head -n 1)"
} >"$RESULTS/summary.txt"
for s in "${chosen[@]}"; do
    "scenario_${s//-/_}"
done
log "results: bench/results/$(basename "$RESULTS")/summary.txt"
cat "$RESULTS/summary.txt"
