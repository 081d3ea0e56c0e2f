#!/usr/bin/env bash
# Switchyard's benchmark: publishes the gateway in Release and measures it with the harness
# (bench/harness.sh) side by side with the fake upstream direct and nginx proxy_pass, in one
# run. See bench/README.md.
#
#   bash bench/run.sh                 # direct, nginx, switchyard; plain + stream (~3 min)
#   bash bench/run.sh --repeat 3      # median of 3 throughput runs per row (~5 min)
#   bash bench/run.sh --portkey       # also the Portkey gateway (slow to install and to run)
#   bash bench/run.sh --no-build      # reuse the published builds in bench/.cache as they are
#   BENCH_BUILD=jit bash bench/run.sh # the JIT builds (ReadyToRun) instead of the NativeAOT
#                                     # ones users run (bench/builds.sh)
#   bash bench/run.sh --governed      # also switchyard-governed: the same gateway with the
#                                     # bench key limited (rpm, tpm, concurrency, credits) and
#                                     # the model priced, SQLite (the governance row of #8)
#   bash bench/run.sh --floor         # also floor and yarp: bare relays on the same .NET
#                                     # stack (bench/floor, bench/yarp; issue #17's floor)
#   bash bench/run.sh --default-log   # also switchyard-default-log: the gateway at its default
#                                     # log level (a console line per request), as users run it
#
# Every other argument goes to the harness (`--duration 5`, `--modes stream`, `--targets ...`;
# see its --help). Results: bench/results/<date-time>/ (table.txt, table.md, results.tsv,
# env.txt, raw wrk outputs, target logs, one probe answer per target and mode).
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)

# Ports: switchyard PORT, switchyard-governed +1, floor +2, yarp +3, switchyard-default-log +4
# (the harness's own are 18080..18083).
PORT=${SWITCHYARD_BENCH_PORT:-18090}
# shellcheck source=bench/builds.sh
source "$BENCH/builds.sh"
build=1
portkey=0
governed=0
floor=0
default_log=0
pass=()
while (($#)); do
    case $1 in
        --portkey) portkey=1; shift ;;
        --no-build) build=0; shift ;;
        --governed) governed=1; shift ;;
        --floor) floor=1; shift ;;
        --default-log) default_log=1; shift ;;
        -h|--help)
            sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
            echo
            echo "Harness options:"
            bash "$BENCH/harness.sh" --help | sed -n '/^Options/,$p' | tail -n +2
            exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

# The gateway and the floor relays, as BENCH_BUILD says (bench/builds.sh): by default the
# NativeAOT executables, the gateway as users run it beside relays published the same way.
relays=()
((floor)) && relays=(floor yarp)
((build)) && build_publish switchyard "${relays[@]}"
build_require switchyard "${relays[@]}" || exit 2
echo "[bench] build: $BENCH_BUILD" >&2

# Per-start config folders of the target (bench/switchyard-target.sh), removed at the end.
SWITCHYARD_BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-bench-cfg.XXXXXX")
export SWITCHYARD_BENCH_TMP
SWITCHYARD_DLL=$(build_entry switchyard)
export SWITCHYARD_DLL
trap 'rm -rf "$SWITCHYARD_BENCH_TMP"' EXIT

# The harness sends `Authorization: Bearer sk-bench-client` and model gpt-4o-mini: the
# target's config declares that key and model, so no extra client header is needed.
# Rows in this order: the references first (direct, nginx, the floors), then the gateway.
targets=direct,nginx
defs=(--target switchyard="exec bash '$BENCH/switchyard-target.sh'" --url "http://127.0.0.1:$PORT/v1")
((portkey)) && targets+=,portkey
if ((floor)); then
    targets+=,floor,yarp
    defs+=(--target floor="exec bash '$BENCH/floor-target.sh' floor" --url "http://127.0.0.1:$((PORT + 2))/v1"
        --target yarp="exec bash '$BENCH/floor-target.sh' yarp" --url "http://127.0.0.1:$((PORT + 3))/v1")
fi
targets+=,switchyard
if ((governed)); then
    targets+=,switchyard-governed
    defs+=(--target switchyard-governed="SWITCHYARD_BENCH_GOVERNED=1 exec bash '$BENCH/switchyard-target.sh'"
        --url "http://127.0.0.1:$((PORT + 1))/v1")
fi
if ((default_log)); then
    targets+=,switchyard-default-log
    defs+=(--target switchyard-default-log="SWITCHYARD_BENCH_LOG=default exec bash '$BENCH/switchyard-target.sh'"
        --url "http://127.0.0.1:$((PORT + 4))/v1")
fi

cd "$REPO"
mkdir -p "$BENCH/results"   # the harness writes there; on a fresh clone it does not exist yet
before=$(ls -1d "$BENCH"/results/*/ 2>/dev/null | tail -n 1 || true)
rc=0
bash "$BENCH/harness.sh" --targets "$targets" "${defs[@]}" "${pass[@]}" || rc=$?
latest=$(ls -1d "$BENCH"/results/*/ 2>/dev/null | tail -n 1 || true)
[[ -n $latest && $latest != "$before" ]] && echo "[bench] results: bench/results/$(basename "$latest")/" >&2
exit "$rc"
