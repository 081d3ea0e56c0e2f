#!/usr/bin/env bash
# The `floor` and `yarp` targets of the harness (bench/harness.sh): a bare relay on the
# gateway's own stack, started fresh for each mode with UPSTREAM_URL, UPSTREAM_API_KEY and
# TARGET_PORT set, like bench/switchyard-target.sh. It replaces itself with the published relay
# (so the harness stops it by its PID), which forwards POST /v1/chat/completions to
# $UPSTREAM_URL/chat/completions and nothing else.
#
#   bash bench/floor-target.sh floor   # bench/floor: Kestrel + HttpClient, bytes copied by hand
#   bash bench/floor-target.sh yarp    # bench/yarp: the same relay on YARP's IHttpForwarder
#
#   BENCH_BUILD         which build of the relay (bench/builds.sh: native, the default, or jit),
#                       as bench/run.sh published it
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/builds.sh
source "$here/builds.sh"
case ${1:-} in
    floor | yarp) dll=$(build_entry "$1") ;;
    *) echo "floor-target.sh: floor or yarp" >&2; exit 2 ;;
esac
: "${UPSTREAM_URL:?set by the harness: the fake upstream base URL for this mode}"
: "${UPSTREAM_API_KEY:=sk-bench-upstream}"
port=${TARGET_PORT:-18092}
[[ -f $dll ]] || { echo "floor-target.sh: no $dll (bench/run.sh --floor publishes it)" >&2; exit 1; }

export UPSTREAM_URL UPSTREAM_API_KEY
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if [[ $dll == *.dll ]]; then
    exec dotnet "$dll" --urls "http://127.0.0.1:$port"
fi
exec "$dll" --urls "http://127.0.0.1:$port"
