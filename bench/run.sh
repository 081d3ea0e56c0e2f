#!/usr/bin/env bash
# Switchyard's benchmark: publishes the gateway in Release and measures it with the harness
# (bench/harness.sh) side by side with the fake upstream direct and nginx proxy_pass, in one
# run. See bench/README.md.
#
#   bash bench/run.sh                 # direct, nginx, switchyard; plain + stream (~3 min)
#   bash bench/run.sh --repeat 3      # median of 3 throughput runs per row (~5 min)
#   bash bench/run.sh --portkey       # also the Portkey gateway (slow to install and to run)
#   bash bench/run.sh --no-build      # reuse bench/.cache/switchyard as it is
#   bash bench/run.sh --governed      # also switchyard-governed: the same gateway with the
#                                     # bench key limited (rpm, tpm, concurrency, credits) and
#                                     # the model priced, SQLite (the governance row of #8)
#
# Every other argument goes to the harness (`--duration 5`, `--modes stream`, `--targets ...`;
# see its --help). Results: bench/results/<date-time>/ (table.txt, table.md, results.tsv,
# env.txt, raw wrk outputs, target logs, one probe answer per target and mode).
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)

PORT=${SWITCHYARD_BENCH_PORT:-18090}
PUBLISH_DIR=$BENCH/.cache/switchyard
targets=direct,nginx,switchyard
build=1
governed=0
pass=()
while (($#)); do
    case $1 in
        --portkey) targets=direct,nginx,portkey,switchyard; shift ;;
        --no-build) build=0; shift ;;
        --governed) governed=1; shift ;;
        -h|--help)
            sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
            echo
            echo "Harness options:"
            bash "$BENCH/harness.sh" --help | sed -n '/^Options/,$p' | tail -n +2
            exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

if ((build)); then
    echo "[bench] dotnet publish src/Switchyard -c Release -r linux-x64 --self-contained false -o bench/.cache/switchyard (ReadyToRun)" >&2
    (cd "$REPO" && dotnet publish src/Switchyard -c Release -r linux-x64 --self-contained false -o "$PUBLISH_DIR" -nologo -v quiet) >&2
fi
[[ -f $PUBLISH_DIR/Switchyard.dll ]] || { echo "bench/run.sh: no $PUBLISH_DIR/Switchyard.dll (drop --no-build)" >&2; exit 2; }

# Per-start config folders of the target (bench/switchyard-target.sh), removed at the end.
SWITCHYARD_BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-cfg.XXXXXX")
export SWITCHYARD_BENCH_TMP
export SWITCHYARD_DLL=$PUBLISH_DIR/Switchyard.dll
trap 'rm -rf "$SWITCHYARD_BENCH_TMP"' EXIT

# The harness sends `Authorization: Bearer sk-bench-client` and model gpt-4o-mini: the
# target's config declares that key and model, so no extra client header is needed.
cd "$REPO"
before=$(ls -1d "$BENCH"/results/*/ 2>/dev/null | tail -n 1)
rc=0
extra=()
if ((governed)); then
    targets+=,switchyard-governed
    extra=(--target switchyard-governed="SWITCHYARD_BENCH_GOVERNED=1 exec bash '$BENCH/switchyard-target.sh'"
        --url "http://127.0.0.1:$((PORT + 1))/v1")
fi
bash "$BENCH/harness.sh" --targets "$targets" \
    --target switchyard="exec bash '$BENCH/switchyard-target.sh'" \
    --url "http://127.0.0.1:$PORT/v1" \
    "${extra[@]}" "${pass[@]}" || rc=$?
latest=$(ls -1d "$BENCH"/results/*/ 2>/dev/null | tail -n 1)
[[ -n $latest && $latest != "$before" ]] && echo "[bench] results: bench/results/$(basename "$latest")/" >&2
exit "$rc"
