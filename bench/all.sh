#!/usr/bin/env bash
# Every measurement of issues #8 and #17 in one run, then the "Measured" section of
# bench/README.md rewritten from it (between its <!-- all.sh:begin --> and <!-- all.sh:end -->
# markers), with a verdict per target:
#
#   1. bench/run.sh --governed --floor --default-log: direct, nginx, floor, yarp, switchyard,
#      switchyard-governed, switchyard-default-log; plain + stream (throughput vs nginx and vs
#      the floor, p50/p99 at 200 req/s, peak RSS; governance and the default log level vs off,
#      also side by side: harness --pair)
#   2. bench/translated.sh: direct, nginx, openai (passthrough), anthropic (translated) streams,
#      and the last two again with an agent-sized request (~100 KB)
#   3. bench/StreamBench ttft: time to first token and every frame's delay (direct, passthrough,
#      Anthropic translated, the floor relay), the upstream spreading each stream over time
#   4. bench/StreamBench bodies: 64 KiB, 1 MiB and 8 MiB request bodies through passthrough
#   5. bench/StreamBench coldstart: `serve` with the default configuration to /readyz 200
#   6. bench/StreamBench streams: ~10,000 open streams, one frame a second each, through the
#      gateway and through the floor relay, each after a warm-up like the harness rows'
#   7. bench/StreamBench frames: CPU per relayed frame, 1,000 streams at 20 frames/s each, for
#      nginx, floor, yarp, passthrough and Anthropic translated
#   8. bench/governance.sh: keys, limits and metering off/on on SQLite and a 2-process
#      PostgreSQL fleet, as rows and side by side (needs PostgreSQL: .ci/postgres installs it;
#      --no-fleet skips this)
#
#   bash bench/all.sh                 # ~30 min; publishes first
#   bash bench/all.sh --repeat 3      # median of 3 throughput runs per harness row (~85 min;
#                                     # steps 1 and 8 take them interleaved: harness --interleave),
#                                     # and of 3 runs of steps 3, 6 and 7
#   bash bench/all.sh --warmup 5      # seconds of saturating warm-up per row (default 15: on one
#                                     # saturated core the JIT needs ~15-20 s to reach its final tier)
#   bash bench/all.sh --no-fleet      # skip step 8 (no PostgreSQL)
#   bash bench/all.sh --no-build      # measure the builds already published (bench/builds.sh)
#   bash bench/all.sh --build jit     # the JIT builds of the gateway and the floor relays instead
#                                     # of the NativeAOT ones (the default: the build users run;
#                                     # bench/builds.sh)
#   bash bench/all.sh --smoke         # every step cut short (~6 min), README untouched: proves
#                                     # the pieces work; its figures mean nothing
#   bash bench/all.sh --no-readme     # measure and write bench/results/all-<stamp>/report.md only
#   bash bench/all.sh --report bench/results/all-<stamp>   # re-render report.md and the README
#
# Take the figures on a quiet machine: `other CPU%` in every table says how quiet it was.
#
# Results: bench/results/all-<date-time>/ (report.md, the StreamBench outputs, links to the
# harness's and translated.sh's result folders). The gateway is on CPU 0, everything else on CPU 1.
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
repeat=1
warmup=15
readme=1
build=()
fleet=1
smoke=0
report_only=""
while (($#)); do
    case $1 in
        --repeat) repeat=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --no-readme) readme=0; shift ;;
        --no-fleet) fleet=0; shift ;;
        --no-build) build=(--no-build); shift ;;
        --build) BENCH_BUILD=$2; shift 2 ;;
        --smoke) smoke=1; readme=0; warmup=1; shift ;;
        --report) report_only=${2%/}; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "all.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

# shellcheck source=bench/builds.sh
source "$BENCH/builds.sh"

render() {
    local out=$1
    python3 "$BENCH/report.py" "$out" >"$out/report.md"
    if ((readme)); then
        python3 "$BENCH/report.py" "$out" --readme "$BENCH/README.md"
        echo "[all] bench/README.md updated from $(basename "$out")" >&2
    fi
    echo "[all] report: ${out#"$REPO"/}/report.md" >&2
}

if [[ -n $report_only ]]; then
    render "$report_only"
    exit 0
fi

# What each step runs; --smoke cuts every one short (the numbers then only prove it ran).
if ((smoke)); then
    harness_args=(--duration 2)
    pair_args=(--pair-windows 2 --pair-seconds 2)
    ttft_args=(--requests 40 --concurrency 4 --frames 5 --interval-ms 20)
    bodies_args=(--sizes 65536,1048576 --requests 5)
    coldstart_args=(--runs 2)
    streams_args=(--seconds 5 --ramp-seconds 2 --warmup-seconds 1)
    max_streams=500
    frames_args=(--streams 200 --rate 20 --seconds 5 --ramp-seconds 2 --settle-seconds 2)
else
    harness_args=()
    pair_args=()
    ttft_args=(--requests 400 --concurrency 8 --frames 10 --interval-ms 50)
    bodies_args=(--requests 30)
    coldstart_args=(--runs 7)
    streams_args=(--seconds 20 --ramp-seconds 10 --warmup-seconds "$warmup")
    max_streams=10000
    # 20,000 small frames a second in all: well below nginx's and the floor's saturation, so
    # the figure is each target's cost per frame with room to spare (a saturated one is flagged).
    # Settled as long as a harness row warms up: started fresh, a gateway was still tiering its
    # code 8 s in (README, "Fourteenth pass"), and the window would count that.
    frames_args=(--streams 1000 --rate 20 --seconds 20 --ramp-seconds 5 --settle-seconds "$warmup")
fi

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BENCH/results/all-$STAMP$( ((smoke)) && echo -smoke || true)
mkdir -p "$OUT"
log() { printf '[all %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
newest() { { ls -1d "$BENCH"/results/$1 2>/dev/null || true; } | tail -n 1; }
{
    echo "date: $(date -Is)"
    echo "host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "dotnet: $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}')"
    echo "build: $BENCH_BUILD (bench/builds.sh)"
    echo "source: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src || echo ' + uncommitted src/ edits')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "fd limit: $(ulimit -n)"
    echo "harness: warm-up ${warmup} s per row, throughput runs ${repeat} per row (median)$( ((smoke)) && echo '; SMOKE RUN: every step cut short, figures meaningless')"
} >"$OUT/env.txt"

# The rows compared by a few per cent are also taken side by side (harness --pair): rows measured
# minutes apart moved by far more than that between rounds on this machine.
log "1/8 bench/run.sh --governed --floor --default-log --repeat $repeat --warmup $warmup --interleave, and two pairs${build:+ (no build)}"
before=$(newest '2*')
bash "$BENCH/run.sh" "${build[@]}" --governed --floor --default-log --repeat "$repeat" --warmup "$warmup" --interleave "${harness_args[@]}" \
    --pair switchyard:switchyard-default-log --pair switchyard:switchyard-governed "${pair_args[@]}" || log "run.sh failed (rc $?); going on"
harness=$(newest '2*')
[[ -n $harness && $harness != "$before" ]] && ln -sfn "../$(basename "$harness")" "$OUT/harness"

log "2/8 bench/translated.sh --rows direct,nginx,openai,anthropic,openai-agent,anthropic-agent --repeat $repeat --warmup $warmup"
before=$(newest 'translated-*')
bash "$BENCH/translated.sh" --no-build --rows direct,nginx,openai,anthropic,openai-agent,anthropic-agent --repeat "$repeat" --warmup "$warmup" "${harness_args[@]}" || log "translated.sh failed (rc $?); going on"
translated=$(newest 'translated-*')
[[ -n $translated && $translated != "$before" ]] && ln -sfn "../$(basename "$translated")" "$OUT/translated"

log "build bench/StreamBench"
(cd "$REPO" && dotnet build bench/StreamBench -c Release -nologo -v quiet) >&2
TOOL=(taskset -c 1 dotnet "$BENCH/StreamBench/bin/Release/net10.0/StreamBench.dll")
DLL=$(build_entry switchyard)
FLOOR=$(build_entry floor)
YARP=$(build_entry yarp)
# StreamBench's gateway port and its upstream's 10 below (STREAMBENCH_PORT moves both, as
# BASE_PORT and SWITCHYARD_BENCH_PORT move the harness's, so a second checkout can run beside).
sb_port=${STREAMBENCH_PORT:-18290}
ports=(--port "$sb_port" --upstream-port "$((sb_port - 10))")

# The StreamBench steps below run --repeat times each (report.py takes the medians of their runs);
# the body sizes and cold start, which do not decide a target of #17, once.
: >"$OUT/ttft.txt"
for ((round = 1; round <= repeat; round++)); do
    log "3/8 time to first token (run $round of $repeat)"
    "${TOOL[@]}" ttft --dll "$DLL" "${ports[@]}" "${ttft_args[@]}" --floor-dll "$FLOOR" 2>&1 | tee -a "$OUT/ttft.txt" >&2 || true
done
log "4/8 request body sizes"
"${TOOL[@]}" bodies --dll "$DLL" "${ports[@]}" "${bodies_args[@]}" 2>&1 | tee "$OUT/bodies.txt" >&2 || true
log "5/8 cold start"
"${TOOL[@]}" coldstart --dll "$DLL" "${ports[@]}" "${coldstart_args[@]}" 2>&1 | tee "$OUT/coldstart.txt" >&2 || true

# Two sockets per stream in the gateway (client side and upstream side) and in this tool
# (upstream side and client side): the open-file limit caps the streams one process can hold
# (20,000 here, not raisable without privileges this sandbox lacks; the gateway itself holds
# ~250 other descriptors, and at 9,900 streams it ran out and failed), so the test opens as
# many as fit with a margin, at most 10,000.
limit=$(ulimit -n)
streams=$(( (limit - 600) / 2 ))
((streams > max_streams)) && streams=$max_streams
: >"$OUT/streams.txt"
for ((round = 1; round <= repeat; round++)); do
    log "6/8 $streams open streams (open-file limit $limit; run $round of $repeat)"
    "${TOOL[@]}" streams --dll "$DLL" "${ports[@]}" --streams "$streams" "${streams_args[@]}" 2>&1 | tee -a "$OUT/streams.txt" >&2 || true
    # The same through the floor relay: what the .NET stack itself does with as many streams.
    "${TOOL[@]}" streams --dll "$DLL" "${ports[@]}" --streams "$streams" "${streams_args[@]}" \
        --target floor --floor-dll "$FLOOR" 2>&1 | tee -a "$OUT/streams.txt" >&2 || true
done

: >"$OUT/frames.txt"
for ((round = 1; round <= repeat; round++)); do
    log "7/8 CPU per relayed frame (nginx, floor, yarp, passthrough, translated; run $round of $repeat): ${frames_args[*]}"
    "${TOOL[@]}" frames --dll "$DLL" "${ports[@]}" --floor-dll "$FLOOR" --yarp-dll "$YARP" \
        --nginx "$BENCH/.cache/root/usr/sbin/nginx" --nginx-conf "$BENCH/nginx/proxy.conf.in" \
        "${frames_args[@]}" 2>&1 | tee -a "$OUT/frames.txt" >&2 || true
done

if ((fleet)); then
    log "8/8 bench/governance.sh --no-build --repeat $repeat --warmup $warmup --interleave (SQLite and a 2-process PostgreSQL fleet)"
    before=$(newest '2*')
    bash "$BENCH/governance.sh" --no-build --repeat "$repeat" --warmup "$warmup" --interleave "${harness_args[@]}" \
        --pair sqlite-off:sqlite-on --pair fleet2-off:fleet2-on "${pair_args[@]}" || log "governance.sh failed (rc $?); going on"
    governance=$(newest '2*')
    [[ -n $governance && $governance != "$before" ]] && ln -sfn "../$(basename "$governance")" "$OUT/governance"
else
    log "8/8 skipped (--no-fleet)"
fi

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
render "$OUT"
