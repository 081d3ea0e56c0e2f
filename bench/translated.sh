#!/usr/bin/env bash
# Translated streams: what Switchyard costs when the client speaks another dialect than the
# upstream (issues #3, #4, #5). One run, one fake OpenAI upstream (stream path), rows:
#
#   direct             wrk straight to the fake upstream (the harness ceiling; p50 base for "added")
#   nginx              nginx proxy_pass, OpenAI chat stream (the harness's proxy conf)
#   openai             Switchyard, OpenAI chat stream -> OpenAI upstream (passthrough baseline)
#   anthropic          Switchyard, POST /v1/messages stream -> OpenAI chat upstream
#   gemini             Switchyard, POST /v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse
#   responses          Switchyard, POST /v1/responses stream (store left at its default: stored)
#   responses-nostore  the same with "store": false (nothing written to SQLite)
#   openai-agent       passthrough as `openai`, with an agent-sized request (~100 KB: a long
#                      system prompt, 20 tools, 30 tool calls and results; bodies/agent_request.py)
#   anthropic-agent    the same conversation as an Anthropic body, translated as `anthropic`
#
#   bash bench/translated.sh                    # all rows, ~4 min (publishes first)
#   bash bench/translated.sh --no-build         # reuse the published build as it is
#   bash bench/translated.sh --repeat 3         # median of 3 throughput runs per row
#   bash bench/translated.sh --rows openai,anthropic --duration 5 --warmup 2
#   bash bench/translated.sh --report bench/results/translated-<stamp>   # re-render a table
#   BENCH_BUILD=jit bash bench/translated.sh    # the JIT build, not the NativeAOT one (bench/builds.sh)
#   SWITCHYARD_DLL=/tmp/other/Switchyard bash bench/translated.sh --no-build   # another build
#
# Each row: the target started fresh (pinned to CPU 0), probed once with curl (the answer must
# have its dialect's stream shape; a failing row is reported, not measured), warmed up, then
# throughput (wrk -t1 -c64, saturating) and latency (wrk -c16 paced at 200 req/s), probed
# again, peak RSS (VmHWM) read, stopped. wrk and the fake upstream share CPU 1.
# Uses the harness's nginx + wrk + LuaJIT under bench/.cache (`bench/harness.sh --tools`
# fetches them when missing), its fake upstream, proxy config and bodies.
# Results: bench/results/translated-<date-time>/ (table.md, results.tsv, env.txt, raw wrk
# output, probes, logs).
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
TOOLS=${BENCH_TOOLS:-$BENCH/.cache/root}
# shellcheck source=bench/builds.sh
source "$BENCH/builds.sh"
GATEWAY=${SWITCHYARD_DLL:-$(build_entry switchyard)}   # another published build: --no-build

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONNS=${CONNS:-64}
RATE=${RATE:-200}
RATE_CONNS=${RATE_CONNS:-16}
REPEAT=${REPEAT:-1}
BASE_PORT=${BASE_PORT:-18180}       # upstream; nginx = +1, switchyard = +10 (the harness uses 18080..)
START_TIMEOUT=${START_TIMEOUT:-90}
OTHER_CPU_WARN=${OTHER_CPU_WARN:-10}
GATEWAY_CPUS=${GATEWAY_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
UPSTREAM_CPUS=${UPSTREAM_CPUS:-1}
CLIENT_KEY=sk-bench-client
ROWS=${ROWS:-direct,nginx,openai,anthropic,gemini,responses,responses-nostore,openai-agent,anthropic-agent}
build=1

die() { echo "translated.sh: $*" >&2; exit 2; }
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ------------------------------------------------------------------- table --
# render_table TSV: the Markdown table. req/s relative to the passthrough row (openai;
# openai-agent for an agent-sized row) and to nginx, when they were measured; per target
# core = req/s / (target CPU% / 100), a rough way to read past CPU taken by other processes
# (meaningless for a row that waits rather than computes, such as stored Responses).
render_table() {
    awk -F'\t' -v warn="$OTHER_CPU_WARN" '
        NR == 1 { next }
        { n++; for (i = 1; i <= NF; i++) f[n, i] = $i; if ($3 != "failed") { rps[$1] = $4; p50[$1] = $11 } }
        # An agent-sized row is held to the passthrough row of the same request size.
        function base(row) { return row ~ /-agent$/ ? rps["openai-agent"] : rps["openai"] }
        function ratio(a, b) { return (b > 0 && a != "-" && a != "") ? sprintf("%.2fx", a / b) : "-" }
        function ms(v) { return (v == "-" || v == "") ? "-" : sprintf("%.2f", v) }
        function added(v) { return (v == "-" || v == "" || p50["direct"] == "") ? "-" : sprintf("%+.2f", v - p50["direct"]) }
        END {
            print "| row | client -> upstream | req/s | vs passthrough | vs nginx | req/s per target core | p50 ms | p50 +ms vs direct | p99 ms | peak RSS MB | target CPU% | other CPU% thr (CPU0) | other CPU% lat (CPU0) | errors | note |"
            print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
            for (k = 1; k <= n; k++) {
                if (f[k, 3] == "failed") {
                    printf "| %s | %s | failed | - | - | - | - | - | - | - | - | - | - | - | %s |\n", f[k, 1], f[k, 2], f[k, 23]; continue
                }
                errs = (f[k, 7] == "-" ? 0 : f[k, 7]) + (f[k, 15] == "-" ? 0 : f[k, 15])
                printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s)%s | %s (%s)%s | %d | %s |\n", f[k, 1], f[k, 2], f[k, 4],
                    ratio(f[k, 4], base(f[k, 1])), ratio(f[k, 4], rps["nginx"]), (f[k, 17] > 0 ? sprintf("%.0f", 100 * f[k, 4] / f[k, 17]) : "-"), ms(f[k, 11]), added(f[k, 11]), ms(f[k, 13]),
                    f[k, 16], f[k, 17], f[k, 19], f[k, 20], (f[k, 19] > warn ? " !" : ""),
                    f[k, 21], f[k, 22], (f[k, 21] > warn ? " !" : ""), errs, f[k, 23]
            }
        }' "$1"
}

while (($#)); do
    case $1 in
        --no-build) build=0; shift ;;
        --rows) ROWS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --warmup) WARMUP=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;
        --conns) CONNS=$2; shift 2 ;;
        --rate) RATE=$2; shift 2 ;;
        --report) render_table "${2%/}/results.tsv"; exit 0 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
for v in DURATION WARMUP CONNS RATE RATE_CONNS REPEAT BASE_PORT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number"
done
((DURATION >= 1 && DURATION <= 120 && WARMUP <= 120 && REPEAT >= 1 && REPEAT <= 9)) ||
    die "DURATION 1..120, WARMUP <= 120, REPEAT 1..9"

UP_PORT=$BASE_PORT
NGINX_PORT=$((BASE_PORT + 1))
SY_PORT=$((BASE_PORT + 10))

# ------------------------------------------------------------------ rows --
# name -> target kind, URL path, request body, client headers, expected stream shape
declare -A R_KIND R_PATH R_BODY R_HDRS R_CHECK R_DESC
def_row() { R_KIND[$1]=$2 R_PATH[$1]=$3 R_BODY[$1]=$4 R_HDRS[$1]=$5 R_CHECK[$1]=$6 R_DESC[$1]=$7; }
bearer="Authorization: Bearer $CLIENT_KEY"
def_row direct direct /stream/v1/chat/completions "$BENCH/bodies/request_stream.json" "$bearer" openai \
    "direct to the fake upstream, OpenAI chat stream"
def_row nginx nginx /v1/chat/completions "$BENCH/bodies/request_stream.json" "$bearer" openai \
    "nginx proxy_pass, OpenAI chat stream"
def_row openai switchyard /v1/chat/completions "$BENCH/bodies/request_stream.json" "$bearer" openai \
    "OpenAI chat stream -> OpenAI (passthrough)"
def_row anthropic switchyard /v1/messages "$BENCH/bodies/request_anthropic_stream.json" \
    $'x-api-key: '"$CLIENT_KEY"$'\nanthropic-version: 2023-06-01' anthropic \
    "Anthropic /v1/messages stream -> OpenAI chat"
def_row gemini switchyard '/v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse' \
    "$BENCH/bodies/request_gemini_stream.json" "x-goog-api-key: $CLIENT_KEY" gemini \
    "Gemini :streamGenerateContent?alt=sse -> OpenAI chat"
def_row responses switchyard /v1/responses "$BENCH/bodies/request_responses_stream.json" "$bearer" responses \
    "Responses /v1/responses stream (stored) -> OpenAI chat"
def_row responses-nostore switchyard /v1/responses "$BENCH/bodies/request_responses_stream_nostore.json" "$bearer" responses \
    "Responses stream, store:false -> OpenAI chat"
# The agent-sized bodies are generated (seeded: the same bytes every run) rather than kept.
AGENT_BODIES=$BENCH/.cache/bodies
def_row openai-agent switchyard /v1/chat/completions "$AGENT_BODIES/request_agent_chat.json" "$bearer" openai \
    "OpenAI chat stream -> OpenAI (passthrough), agent-sized request"
def_row anthropic-agent switchyard /v1/messages "$AGENT_BODIES/request_agent_anthropic.json" \
    $'x-api-key: '"$CLIENT_KEY"$'\nanthropic-version: 2023-06-01' anthropic \
    "Anthropic /v1/messages stream -> OpenAI chat, agent-sized request"
[[ ,$ROWS, == *-agent,* ]] && python3 "$BENCH/bodies/agent_request.py" "$AGENT_BODIES"
IFS=, read -r -a RUN_ROWS <<<"$ROWS"
for r in "${RUN_ROWS[@]}"; do
    [[ -n ${R_KIND[$r]:-} ]] || die "unknown row '$r' (known: direct nginx openai anthropic gemini responses responses-nostore openai-agent anthropic-agent)"
    [[ -f ${R_BODY[$r]} ]] || die "missing request body ${R_BODY[$r]}"
done

# ----------------------------------------------------------------- tools --
NGINX_BIN=$TOOLS/usr/sbin/nginx
WRK_BIN=$TOOLS/usr/bin/wrk
if [[ ! -x $NGINX_BIN || ! -x $WRK_BIN ]] && [[ -z ${BENCH_TOOLS:-} ]]; then
    bash "$BENCH/harness.sh" --tools   # apt-get download into bench/.cache, nothing system-wide
fi
[[ -x $NGINX_BIN && -x $WRK_BIN ]] || die "no nginx/wrk under $TOOLS"
for libdir in "$TOOLS"/usr/lib/*-linux-gnu; do
    [[ -d $libdir ]] && export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
done
missing=$(ldd "$NGINX_BIN" "$WRK_BIN" 2>/dev/null | grep 'not found' || true)
[[ -z $missing ]] || die "missing shared libraries: $missing"
for c in curl taskset setsid dotnet; do command -v $c >/dev/null || die "$c is needed"; done
(($(nproc) >= 2)) || die "needs 2 CPUs for the pinning (gateway CPU $GATEWAY_CPUS, wrk + upstream CPU $CLIENT_CPUS)"

if ((build)); then
    [[ -z ${SWITCHYARD_DLL:-} ]] || die "SWITCHYARD_DLL names a build of its own: add --no-build"
    build_publish switchyard
fi
[[ -f $GATEWAY ]] || die "no $GATEWAY (drop --no-build)"

HZ=$(getconf CLK_TCK)
ALL_CPUS=0-$(($(nproc --all) - 1))
STAMP=$(date +%Y%m%d-%H%M%S)
RESULTS=$BENCH/results/translated-$STAMP
RUN=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-translated.XXXXXX")
mkdir -p "$RESULTS"
TSV=$RESULTS/results.tsv

# ------------------------------------------------------------- processes --
STARTED_PIDS=()
start_bg() { # LOG CPUS CMD...: own session (PID = process group), pinned; sets STARTED_PID
    local logf=$1 cpus=$2 i stat
    shift 2
    setsid taskset -c "$cpus" "$@" >"$logf" 2>&1 </dev/null &
    STARTED_PID=$!
    STARTED_PIDS+=("$STARTED_PID")
    for ((i = 0; i < 40; i++)); do
        { stat=$(<"/proc/$STARTED_PID/stat"); } 2>/dev/null || return 0
        stat=${stat##*) }
        read -r -a stat <<<"$stat"
        [[ ${stat[2]} == "$STARTED_PID" ]] && return 0
        sleep 0.05
    done
    log "warning: pid $STARTED_PID does not lead its process group"
}
stop_group() { # PID: TERM its process group, KILL after 5 s
    local pid=$1 i
    kill -0 -- "-$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 -- "-$pid" 2>/dev/null; then
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 0.2
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
        stop_group "${STARTED_PIDS[$i]}"
    done
    rm -rf "$RUN"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # PORT PID LOG
    local deadline=$((SECONDS + START_TIMEOUT))
    while ! port_open "$1"; do
        kill -0 "$2" 2>/dev/null || { log "pid $2 exited before listening on $1:"; tail -n 20 "$3" >&2; return 1; }
        ((SECONDS < deadline)) || { log "nothing listened on $1 within ${START_TIMEOUT}s"; return 1; }
        sleep 0.2
    done
}

# /proc accounting (as the harness does): a process group's CPU ticks and summed VmHWM
group_pids() {
    local f s a
    for f in /proc/[0-9]*/stat; do
        { s=$(<"$f"); } 2>/dev/null || continue
        read -r -a a <<<"${s##*) }"
        [[ ${a[2]} == "$1" ]] && echo "${f:6:-5}"
    done
}
group_ticks() {
    local p s a total=0
    for p in $(group_pids "$1"); do
        { s=$(<"/proc/$p/stat"); } 2>/dev/null || continue
        read -r -a a <<<"${s##*) }"
        total=$((total + a[11] + a[12]))
    done
    echo "$total"
}
group_hwm_kb() {
    local p kb total=0
    for p in $(group_pids "$1"); do
        kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}
expand_cpus() {
    local part out=() i
    IFS=, read -r -a parts <<<"$1"
    for part in "${parts[@]}"; do
        if [[ $part == *-* ]]; then for ((i = ${part%-*}; i <= ${part#*-}; i++)); do out+=("$i"); done
        else out+=("$part"); fi
    done
    echo "${out[@]}"
}
cpu_snapshot() { # CPUS -> "busy total" ticks over those CPUs
    awk -v want=" $(expand_cpus "$1") " '$1 ~ /^cpu[0-9]+$/ { n = substr($1, 4); if (index(want, " " n " ")) {
        busy += $2 + $3 + $4 + $7 + $8 + $9; total += $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 } }
        END { print busy + 0, total + 0 }' /proc/stat
}
cpu_busy_pct() {
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); dt = y[2] - x[2];
        printf "%.0f", (dt > 0 ? 100 * (y[1] - x[1]) / dt : 0) }'
}
children_ticks_from() { # file written by `times` in this (main) shell -> CPU ticks of waited children
    local l1 l2
    { read -r l1; read -r l2; } <"$1"
    awk -v l="$l2" -v hz="$HZ" 'BEGIN { n = split(l, f, " "); t = 0
        for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
        printf "%.0f", t * hz }'
}
machine_snapshot() { # LABEL: busy % of all CPUs over 2 s and the top CPU users, into env.txt
    local a0
    a0=$(cpu_snapshot "$ALL_CPUS")
    sleep 2
    echo "$1: all CPUs $(cpu_busy_pct "$a0" "$(cpu_snapshot "$ALL_CPUS")")% busy over 2 s (100 = both cores); top:"
    top -bn1 -w 160 -o %CPU 2>/dev/null | sed -n '7,13p' | sed 's/^/    /' || true
}

# ------------------------------------------------------------ fake upstream --
# The harness's upstream: nginx serving the fixed bodies of bench/bodies, config from
# nginx/fake-upstream.conf.in with a generated fake-bodies.conf (as bench/harness.sh writes it).
nginx_quote() { local s=$1; s=${s//\\/\\\\}; s=${s//\'/\\\'}; printf "'%s'" "$s"; }
emit_body_return() { # PREFIX TEXT: "set" pieces under nginx's 4 KiB string cap, "return 200" them
    local prefix=$1 text=$2 line piece="" n=0 vars=""
    while IFS= read -r line || [[ -n $line ]]; do
        piece+="$line"$'\n'
        if ((${#piece} > 3000)) && [[ -z $line ]]; then
            echo "    set \$${prefix}_$n $(nginx_quote "$piece");"
            vars+="\$${prefix}_$n"
            n=$((n + 1))
            piece=""
        fi
    done <<<"${text%$'\n'}"
    if [[ -n $piece ]]; then
        echo "    set \$${prefix}_$n $(nginx_quote "$piece");"
        vars+="\$${prefix}_$n"
    fi
    echo "    return 200 \"$vars\";"
}
render() { # template out key=value...
    local tpl=$1 out=$2 text kv
    shift 2
    text=$(<"$tpl")
    for kv in "$@"; do text=${text//@${kv%%=*}@/${kv#*=}}; done
    printf '%s\n' "$text" >"$out"
    ! grep -q '@[A-Z_]*@' "$out" || die "unfilled placeholder in $out"
}
start_upstream() {
    local dir=$RUN/upstream plain sse
    mkdir -p "$dir"
    port_open "$UP_PORT" && die "port $UP_PORT is already in use (set BASE_PORT)"
    plain=$(cat "$BENCH/bodies/chat_completion.json"; printf x); plain=${plain%x}
    sse=$(cat "$BENCH/bodies/chat_completion_stream.sse"; printf x); sse=${sse%x}
    [[ $plain$sse != *'$'* && $plain == *$'\n' && $sse == *$'\n' ]] || die "unexpected bodies in bench/bodies"
    {
        echo "# generated by bench/translated.sh from bench/bodies"
        echo "location = /v1/chat/completions {"
        echo "    default_type application/json;"
        echo "    add_header x-request-id req_bench_fake_upstream;"
        echo "    add_header openai-processing-ms 1;"
        emit_body_return fake_json "$plain"
        echo "}"
        echo "location = /stream/v1/chat/completions {"
        echo "    default_type \"text/event-stream; charset=utf-8\";"
        echo "    add_header Cache-Control no-cache;"
        echo "    add_header x-request-id req_bench_fake_upstream;"
        echo "    add_header openai-processing-ms 1;"
        emit_body_return fake_sse "$sse"
        echo "}"
    } >"$dir/fake-bodies.conf"
    render "$BENCH/nginx/fake-upstream.conf.in" "$dir/nginx-upstream.conf" RUNDIR="$dir" PORT="$UP_PORT"
    "$NGINX_BIN" -t -q -p "$dir" -c "$dir/nginx-upstream.conf" || die "upstream nginx config test failed"
    start_bg "$RESULTS/upstream.log" "$UPSTREAM_CPUS" "$NGINX_BIN" -p "$dir" -c "$dir/nginx-upstream.conf"
    UPSTREAM_PID=$STARTED_PID
    wait_port "$UP_PORT" "$UPSTREAM_PID" "$RESULTS/upstream.log" || die "fake upstream did not start"
}
UPSTREAM_URL=http://127.0.0.1:$UP_PORT/stream/v1   # the stream path: SSE whatever the body says

# ------------------------------------------------------------------ targets --
TARGET_PID=""
start_target() { # ROW -> 0 up, 1 failed (REASON set)
    local row=$1 dir port logf=$RESULTS/$1.log
    TARGET_PID=""
    case ${R_KIND[$row]} in
        direct)
            TARGET_URL=http://127.0.0.1:$UP_PORT${R_PATH[$row]}
            return 0 ;;
        nginx)
            port=$NGINX_PORT
            dir=$RUN/nginx-$row
            mkdir -p "$dir"
            render "$BENCH/nginx/proxy.conf.in" "$dir/nginx-proxy.conf" \
                RUNDIR="$dir" PORT="$port" WORKERS="$(expand_cpus "$GATEWAY_CPUS" | wc -w)" \
                UPSTREAM_HOSTPORT="127.0.0.1:$UP_PORT" UPSTREAM_PATH=/stream/v1 UPSTREAM_URL="$UPSTREAM_URL"
            "$NGINX_BIN" -t -q -p "$dir" -c "$dir/nginx-proxy.conf" >>"$logf" 2>&1 ||
                { REASON="nginx proxy config test failed"; return 1; }
            port_open "$port" && { REASON="port $port already in use"; return 1; }
            start_bg "$logf" "$GATEWAY_CPUS" "$NGINX_BIN" -p "$dir" -c "$dir/nginx-proxy.conf" ;;
        switchyard)
            # the same per-start config as bench/run.sh's target (bench/switchyard-target.sh),
            # pointed at the upstream's stream path; it execs dotnet, so its PID leads the group
            port=$SY_PORT
            port_open "$port" && { REASON="port $port already in use"; return 1; }
            start_bg "$logf" "$GATEWAY_CPUS" env UPSTREAM_URL="$UPSTREAM_URL" UPSTREAM_API_KEY=sk-bench-upstream \
                TARGET_PORT="$port" BENCH_MODE="$row" SWITCHYARD_BENCH_TMP="$RUN" \
                SWITCHYARD_DLL="$GATEWAY" bash "$BENCH/switchyard-target.sh" ;;
    esac
    TARGET_PID=$STARTED_PID
    TARGET_URL=http://127.0.0.1:$port${R_PATH[$row]}
    wait_port "$port" "$TARGET_PID" "$logf" || { REASON="did not start (see $row.log)"; return 1; }
}
stop_target() { [[ -n $TARGET_PID ]] && stop_group "$TARGET_PID"; TARGET_PID=""; }

# ------------------------------------------------------------------- probe --
events_in_order() { # FILE EVENT... : every "event: NAME" line present, first occurrences in order
    local f=$1 prev=0 ev n
    shift
    for ev in "$@"; do
        n=$(grep -n -m1 -x "event: $ev" "$f" | cut -d: -f1)
        [[ -n $n ]] && ((n > prev)) || return 1
        prev=$n
    done
}
check_shape() { # CHECK FILE -> 0 if the stream has its dialect's shape; sets SHAPE_MSG
    local f=$2
    case $1 in
        openai)
            grep -q 'chat\.completion\.chunk' "$f" && grep -Eq '"usage" *: *\{' "$f" && grep -q '^data: *\[DONE\]' "$f" ||
                { SHAPE_MSG="not chat.completion.chunk events with usage and [DONE]"; return 1; } ;;
        anthropic)
            [[ $(grep -m1 '^event:' "$f") == 'event: message_start' && $(grep '^event:' "$f" | tail -n 1) == 'event: message_stop' ]] &&
                events_in_order "$f" message_start content_block_start content_block_delta content_block_stop message_delta message_stop &&
                grep -q '"text_delta"' "$f" ||
                { SHAPE_MSG="not message_start, content_block_*, message_delta ... message_stop"; return 1; } ;;
        gemini)
            local n
            n=$(grep -c '^data: .*"candidates"' "$f" || true)
            ((n >= 2)) && grep -q '^data: .*"finishReason"' "$f" && grep -q '"usageMetadata"' "$f" &&
                ! grep -q '^data: *\[DONE\]' "$f" ||
                { SHAPE_MSG="not data: chunks with candidates, a finishReason and usageMetadata"; return 1; } ;;
        responses)
            [[ $(grep -m1 '^event:' "$f") == 'event: response.created' && $(grep '^event:' "$f" | tail -n 1) == 'event: response.completed' ]] &&
                events_in_order "$f" response.created response.in_progress response.output_item.added \
                    response.content_part.added response.output_text.delta response.output_text.done \
                    response.content_part.done response.output_item.done response.completed ||
                { SHAPE_MSG="not response.created ... response.output_text.delta ... response.completed"; return 1; } ;;
    esac
}
probe() { # ROW TAG -> 0 if HTTP 200 with the right shape; sets PROBE_MSG, PROBE_BYTES
    local row=$1 out=$RESULTS/$1.$2.probe code line args
    args=(-sS -N -m 15 -o "$out" -D "$out.headers" -w '%{http_code}' -X POST "$TARGET_URL" -H 'Content-Type: application/json')
    while IFS= read -r line; do [[ -n $line ]] && args+=(-H "$line"); done <<<"${R_HDRS[$row]}"
    code=$(curl "${args[@]}" --data-binary @"${R_BODY[$row]}" 2>"$RUN/probe.err") || code=${code:-000}
    PROBE_BYTES=$(wc -c <"$out" 2>/dev/null || echo 0)
    if [[ $code != 200 ]]; then
        PROBE_MSG="HTTP $code: $(head -c 300 "$out" 2>/dev/null | tr '\n\t' '  '; cat "$RUN/probe.err")"
        return 1
    fi
    if ! check_shape "${R_CHECK[$row]}" "$out"; then
        PROBE_MSG="$SHAPE_MSG: $(head -c 200 "$out" | tr '\n\t' '  ')"
        return 1
    fi
    PROBE_MSG=ok
}
probe_until_ok() { local deadline=$((SECONDS + 15)); until probe "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.5; done; }

# --------------------------------------------------------------------- wrk --
field() { local kv; for kv in $1; do [[ ${kv%%=*} == "$2" ]] && { echo "${kv#*=}"; return; }; done; echo ""; }
errsum() {
    [[ -n $1 ]] || { echo -; return; }
    local k v total=0
    for k in err_connect err_read err_write err_timeout err_status; do v=$(field "$1" "$k"); total=$((total + ${v:-0})); done
    echo "$total"
}
wrk_run() { # ROW CONNS SECONDS RATE TAG -> raw output in $RESULTS/ROW-TAG.wrk (run in the main shell)
    local row=$1 out=$RESULTS/$1-$5.wrk
    BENCH_BODY=${R_BODY[$row]} BENCH_HEADERS=${R_HDRS[$row]} BENCH_RATE=$4 BENCH_TAG="$row/$5" \
        timeout --foreground $(($3 + 30)) taskset -c "$CLIENT_CPUS" "$WRK_BIN" -t1 "-c$2" "-d$3s" --timeout 10s \
        -s "$BENCH/lua/translated.lua" "$TARGET_URL" >"$out" 2>&1 || true
}
measured_run() { # ROW CONNS RATE TAG: one wrk run with CPU accounting; sets M_* (as the harness)
    local row=$1 t0 t1 u0 u1 g0 g1 h0 h1 a0 a1 s0 s1 c0 c1
    t0=0 t1=0
    [[ -n $TARGET_PID ]] && t0=$(group_ticks "$TARGET_PID")
    u0=$(group_ticks "$UPSTREAM_PID")
    g0=$(cpu_snapshot "$GATEWAY_CPUS"); h0=$(cpu_snapshot "$CLIENT_CPUS,$UPSTREAM_CPUS"); a0=$(cpu_snapshot "$ALL_CPUS")
    times >"$RUN/times0.out"
    s0=$(date +%s%N)
    wrk_run "$row" "$2" "$DURATION" "$3" "$4"
    s1=$(date +%s%N)
    times >"$RUN/times1.out"
    a1=$(cpu_snapshot "$ALL_CPUS"); g1=$(cpu_snapshot "$GATEWAY_CPUS"); h1=$(cpu_snapshot "$CLIENT_CPUS,$UPSTREAM_CPUS")
    u1=$(group_ticks "$UPSTREAM_PID")
    [[ -n $TARGET_PID ]] && t1=$(group_ticks "$TARGET_PID")
    c0=$(children_ticks_from "$RUN/times0.out"); c1=$(children_ticks_from "$RUN/times1.out")
    [[ -n ${BENCH_DEBUG:-} ]] && log "ticks: all $a0 -> $a1; target $((t1 - t0)); upstream $((u1 - u0)); children $((c1 - c0)); ns $((s1 - s0))"
    M_RESULT=$(grep '^BENCH_RESULT' "$RESULTS/$row-$4.wrk" | tail -n 1 || true)
    M_TARGET_PCT=-
    [[ -n $TARGET_PID ]] && M_TARGET_PCT=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v ns=$((s1 - s0)) 'BEGIN { printf "%.0f", 100 * (t / hz) / (ns / 1e9) }')
    M_GW_PCT=$(cpu_busy_pct "$g0" "$g1")
    M_HARNESS_PCT=$(cpu_busy_pct "$h0" "$h1")
    # other = CPU time on the machine used by neither the target, the upstream nor wrk (100 = one core)
    M_OTHER_PCT=$(awk -v a0="$a0" -v a1="$a1" -v ours=$((t1 - t0 + u1 - u0 + c1 - c0)) -v hz="$HZ" -v ns=$((s1 - s0)) \
        'BEGIN { split(a0, x, " "); split(a1, y, " "); o = (y[1] - x[1]) - ours; if (o < 0) o = 0
        printf "%.0f", 100 * (o / hz) / (ns / 1e9) }')
    # of which on the gateway's CPU: its busy share minus what the target itself used there
    M_OTHER_GW_PCT=$(awk -v g="$M_GW_PCT" -v t="${M_TARGET_PCT/-/0}" -v n="$(expand_cpus "$GATEWAY_CPUS" | wc -w)" \
        'BEGIN { o = g * n - t; printf "%.0f", (o < 0 ? 0 : o) }')
}

# -------------------------------------------------------------------- main --
{
    echo "date: $(date -Is)"
    echo "checkout now: $(git -C "$REPO" rev-parse --short HEAD)$([[ -n $(git -C "$REPO" status --porcelain -- src 2>/dev/null) ]] && echo ' + uncommitted src/ edits')"
    src_note="unknown (published outside the bench scripts)"
    [[ -f $(dirname "$GATEWAY")/bench-source.txt && ! $GATEWAY -nt $(dirname "$GATEWAY")/bench-source.txt ]] &&
        src_note=$(<"$(dirname "$GATEWAY")/bench-source.txt")
    echo "build: $([[ $GATEWAY == *.dll ]] && echo jit || echo native), $GATEWAY"
    echo "switchyard: published $(date -r "$GATEWAY" -Is) from $src_note"
    echo "host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "nginx: $("$NGINX_BIN" -v 2>&1)"
    echo "wrk: $("$WRK_BIN" -v 2>&1 | head -n 1)"
    echo "dotnet: $(dotnet --list-runtimes 2>/dev/null | grep -m1 'Microsoft.NETCore.App' || true)"
    echo "pinning: target CPUs $GATEWAY_CPUS; wrk CPUs $CLIENT_CPUS; upstream CPUs $UPSTREAM_CPUS"
    echo "load: throughput = wrk -t1 -c$CONNS ${DURATION}s x$REPEAT (median) after ${WARMUP}s warm-up; latency = wrk -t1 -c$RATE_CONNS paced at $RATE req/s for ${DURATION}s"
    echo "upstream: $UPSTREAM_URL/chat/completions (bench/bodies/chat_completion_stream.sse)"
    machine_snapshot "before"
} | tee "$RESULTS/env.txt" >&2

start_upstream
log "fake upstream on 127.0.0.1:$UP_PORT (pid $UPSTREAM_PID); results: $RESULTS"

printf 'row\tdescription\tstatus\trps\tsat_p50_ms\tsat_p99_ms\tsat_errors\tsat_avg_bytes\tprobe_bytes\trate_achieved\tp50_ms\tp90_ms\tp99_ms\tmax_ms\trate_errors\tpeak_rss_mb\ttarget_cpu_pct\tharness_cpus_busy_pct\tother_cpu_pct\tother_on_gateway_cpu_pct\tother_cpu_latency_pct\tother_on_gateway_cpu_latency_pct\tnote\n' >"$TSV"
record() { local IFS=$'\t'; echo "$*" >>"$TSV"; }

for row in "${RUN_ROWS[@]}"; do
    log "== $row: ${R_DESC[$row]}"
    REASON=""
    if ! start_target "$row"; then
        log "$row failed: $REASON"
        record "$row" "${R_DESC[$row]}" failed - - - - - - - - - - - - - - - - - - - "$REASON"
        stop_target
        continue
    fi
    if ! probe_until_ok "$row" first; then
        log "$row failed the probe: $PROBE_MSG"
        record "$row" "${R_DESC[$row]}" failed - - - - - "$PROBE_BYTES" - - - - - - - - - - - - - "probe: ${PROBE_MSG//$'\t'/ }"
        stop_target
        continue
    fi
    probe_bytes=$PROBE_BYTES
    ((WARMUP > 0)) && wrk_run "$row" "$CONNS" "$WARMUP" 0 warmup
    runs=()
    for ((i = 1; i <= REPEAT; i++)); do
        tag=throughput; ((REPEAT > 1)) && tag=throughput-$i
        measured_run "$row" "$CONNS" 0 "$tag"
        runs+=("$(field "$M_RESULT" rps)|$M_TARGET_PCT|$M_HARNESS_PCT|$M_OTHER_PCT|$M_OTHER_GW_PCT|$M_RESULT")
    done
    median=$(printf '%s\n' "${runs[@]}" | sort -t'|' -k1,1g | sed -n "$(((REPEAT + 1) / 2))p")
    IFS='|' read -r _ tcpu hbusy other othergw sat <<<"$median"
    all_rps=$(printf '%s\n' "${runs[@]}" | cut -d'|' -f1 | paste -sd' ')
    measured_run "$row" "$RATE_CONNS" "$RATE" latency
    paced=$M_RESULT
    lother=$M_OTHER_PCT lothergw=$M_OTHER_GW_PCT
    note=""
    [[ -n $sat && -n $paced ]] || note="wrk gave no result (see $row-*.wrk)"
    ((REPEAT > 1)) && note+="${note:+; }median of $REPEAT: $all_rps req/s"
    ((other > OTHER_CPU_WARN || lother > OTHER_CPU_WARN)) &&
        note+="${note:+; }disturbed: other processes used ${other}% CPU (${othergw}% on the gateway's CPU) in the throughput run, ${lother}% (${lothergw}%) in the latency run"
    probe "$row" after || note+="${note:+; }probe after load failed: ${PROBE_MSG//$'\t'/ }"
    rss=-
    [[ -n $TARGET_PID ]] && rss=$(awk -v kb="$(group_hwm_kb "$TARGET_PID")" 'BEGIN { printf "%.1f", kb / 1024 }')
    stop_target
    achieved=$(field "$paced" rps)
    [[ -n $achieved ]] && awk -v a="$achieved" -v r="$RATE" 'BEGIN { exit !(a < 0.95 * r) }' &&
        note+="${note:+; }rate not held (${achieved}/s of ${RATE}/s)"
    avg_bytes=$(field "$sat" avg_bytes)
    [[ -n $avg_bytes ]] && awk -v a="$avg_bytes" -v p="$probe_bytes" 'BEGIN { exit !(a < 0.5 * p) }' &&
        note+="${note:+; }responses under load shorter than the probe (${avg_bytes} B vs ${probe_bytes} B)"
    sat_err=$(errsum "$sat"); rate_err=$(errsum "$paced")
    [[ $sat_err != - && $sat_err != 0 || $rate_err != - && $rate_err != 0 ]] && note+="${note:+; }errors: $sat_err + $rate_err"
    status=ok; [[ -n $note ]] && status=warn
    record "$row" "${R_DESC[$row]}" "$status" "$(field "$sat" rps)" "$(field "$sat" p50_ms)" "$(field "$sat" p99_ms)" \
        "$sat_err" "$avg_bytes" "$probe_bytes" "$achieved" "$(field "$paced" p50_ms)" "$(field "$paced" p90_ms)" \
        "$(field "$paced" p99_ms)" "$(field "$paced" max_ms)" "$rate_err" "$rss" "$tcpu" "$hbusy" "$other" "$othergw" "$lother" "$lothergw" "$note"
    log "$row: $(field "$sat" rps) req/s; p50 $(field "$paced" p50_ms) ms, p99 $(field "$paced" p99_ms) ms at $RATE/s; rss $rss MB; target cpu $tcpu%; other cpu $other% ($othergw% on CPU $GATEWAY_CPUS), latency run $lother% ($lothergw%)"
done

stop_group "$UPSTREAM_PID"
machine_snapshot "after" | tee -a "$RESULTS/env.txt" >&2

# ------------------------------------------------------------------- table --
render_table "$TSV" | tee "$RESULTS/table.md"
log "saved: $RESULTS/{table.md,results.tsv,env.txt}, raw wrk outputs, probes and logs"
