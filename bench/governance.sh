#!/usr/bin/env bash
# What keys, limits and metering cost (issue #6): the passthrough path through the harness
# (bench/harness.sh) with the bench key's limits off and on, on SQLite (one process) and on
# PostgreSQL (two processes behind a round-robin nginx, a fleet sharing one database), beside
# nginx, in one run. Targets are bench/governance-target.sh; see bench/README.md "Governance".
#
#   bash bench/governance.sh                      # publish, all rows, plain + stream (~6 min)
#   bash bench/governance.sh --no-build --modes plain --repeat 3
#   BENCH_BUILD=jit bash bench/governance.sh      # the JIT build, not the NativeAOT one (bench/builds.sh)
#
# Every other argument goes to the harness (bench/harness.sh --help). Needs PostgreSQL:
# .ci/postgres installs and starts it if missing and makes the role the rows use.
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/builds.sh
source "$BENCH/builds.sh"
PORT=${SWITCHYARD_BENCH_PORT:-18390}
export BASE_PORT=${BASE_PORT:-18380}   # its own ports, so it can run beside bench/run.sh
build=1
pass=()
while (($#)); do
    case $1 in
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

((build)) && build_publish switchyard
build_require switchyard || exit 2
SWITCHYARD_DLL=$(build_entry switchyard)
GOV_POSTGRES=$(bash "$REPO/.ci/postgres" | tail -n 1)
export GOV_POSTGRES SWITCHYARD_DLL

SWITCHYARD_BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-governance.XXXXXX")
export SWITCHYARD_BENCH_TMP
trap 'rm -rf "$SWITCHYARD_BENCH_TMP"' EXIT

target=$BENCH/governance-target.sh
rows=()
port=$PORT
for row in sqlite-off:sqlite:1:off sqlite-on:sqlite:1:on fleet2-off:postgres:2:off fleet2-on:postgres:2:on; do
    IFS=: read -r name storage processes limits <<<"$row"
    rows+=(--target "$name=GOV_STORAGE=$storage GOV_PROCESSES=$processes GOV_LIMITS=$limits exec bash '$target'"
        --url "http://127.0.0.1:$port/v1")
    port=$((port + 10))
done

cd "$REPO"
bash "$BENCH/harness.sh" --targets nginx,sqlite-off,sqlite-on,fleet2-off,fleet2-on "${rows[@]}" "${pass[@]}"
