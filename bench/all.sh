#!/usr/bin/env bash
# Every measurement of issue #8 in one run, then the "Measured" section of bench/README.md
# rewritten from it (between its <!-- all.sh:begin --> and <!-- all.sh:end --> markers):
#
#   1. bench/run.sh --governed: direct, nginx, switchyard, switchyard-governed; plain + stream
#      (throughput vs nginx, p50/p99 at 200 req/s, peak RSS; governance on vs off)
#   2. bench/translated.sh: direct, nginx, openai (passthrough), anthropic (translated) streams
#   3. bench/StreamBench ttft: time to first token and every frame's delay (direct, passthrough,
#      Anthropic translated), the upstream spreading each stream over time
#   4. bench/StreamBench bodies: 64 KiB, 1 MiB and 8 MiB request bodies through passthrough
#   5. bench/StreamBench coldstart: `serve` with the default configuration to /readyz 200
#   6. bench/StreamBench streams: ~10,000 open streams, one frame a second each
#
#   bash bench/all.sh                 # ~10 min; publishes first
#   bash bench/all.sh --repeat 3      # median of 3 throughput runs per harness row (~15 min)
#   bash bench/all.sh --warmup 5      # seconds of saturating warm-up per row (default 15: on one
#                                     # saturated core the JIT needs ~15-20 s to reach its final tier)
#   bash bench/all.sh --no-readme     # measure and write bench/results/all-<stamp>/report.md only
#   bash bench/all.sh --report bench/results/all-<stamp>   # re-render report.md and the README
#
# Results: bench/results/all-<date-time>/ (report.md, the StreamBench outputs, links to the
# harness's and translated.sh's result folders). The gateway is on CPU 0, everything else on CPU 1.
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
repeat=1
warmup=15
readme=1
report_only=""
while (($#)); do
    case $1 in
        --repeat) repeat=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --no-readme) readme=0; shift ;;
        --report) report_only=${2%/}; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "all.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

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

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BENCH/results/all-$STAMP
mkdir -p "$OUT"
log() { printf '[all %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
newest() { { ls -1d "$BENCH"/results/$1 2>/dev/null || true; } | tail -n 1; }
{
    echo "date: $(date -Is)"
    echo "host: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "dotnet: $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}')"
    echo "source: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet HEAD -- src || echo ' + uncommitted src/ edits')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "fd limit: $(ulimit -n)"
    echo "harness: warm-up ${warmup} s per row, throughput runs ${repeat} per row (median)"
} >"$OUT/env.txt"

log "1/6 bench/run.sh --governed --repeat $repeat --warmup $warmup (publishes)"
before=$(newest '2*')
bash "$BENCH/run.sh" --governed --repeat "$repeat" --warmup "$warmup" || log "run.sh failed (rc $?); going on"
harness=$(newest '2*')
[[ -n $harness && $harness != "$before" ]] && ln -sfn "../$(basename "$harness")" "$OUT/harness"

log "2/6 bench/translated.sh --rows direct,nginx,openai,anthropic --repeat $repeat --warmup $warmup"
before=$(newest 'translated-*')
bash "$BENCH/translated.sh" --no-build --rows direct,nginx,openai,anthropic --repeat "$repeat" --warmup "$warmup" || log "translated.sh failed (rc $?); going on"
translated=$(newest 'translated-*')
[[ -n $translated && $translated != "$before" ]] && ln -sfn "../$(basename "$translated")" "$OUT/translated"

log "build bench/StreamBench"
(cd "$REPO" && dotnet build bench/StreamBench -c Release -nologo -v quiet) >&2
TOOL=(taskset -c 1 dotnet "$BENCH/StreamBench/bin/Release/net10.0/StreamBench.dll")
DLL=$BENCH/.cache/switchyard/Switchyard.dll

log "3/6 time to first token"
"${TOOL[@]}" ttft --dll "$DLL" --requests 400 --concurrency 8 --frames 10 --interval-ms 50 2>&1 | tee "$OUT/ttft.txt" >&2 || true
log "4/6 request body sizes"
"${TOOL[@]}" bodies --dll "$DLL" --requests 30 2>&1 | tee "$OUT/bodies.txt" >&2 || true
log "5/6 cold start"
"${TOOL[@]}" coldstart --dll "$DLL" --runs 7 2>&1 | tee "$OUT/coldstart.txt" >&2 || true

# Two sockets per stream in the gateway (client side and upstream side) and in this tool
# (upstream side and client side): the open-file limit caps the streams one process can hold
# (20,000 here, not raisable without privileges this sandbox lacks; the gateway itself holds
# ~250 other descriptors, and at 9,900 streams it ran out and failed), so the test opens as
# many as fit with a margin, at most 10,000.
limit=$(ulimit -n)
streams=$(( (limit - 600) / 2 ))
((streams > 10000)) && streams=10000
log "6/6 $streams open streams (open-file limit $limit)"
"${TOOL[@]}" streams --dll "$DLL" --streams "$streams" --seconds 20 --ramp-seconds 10 2>&1 | tee "$OUT/streams.txt" >&2 || true

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
render "$OUT"
