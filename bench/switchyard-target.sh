#!/usr/bin/env bash
# The `switchyard` target of the harness (bench/harness.sh): started by it fresh for each
# mode, with UPSTREAM_URL (the fake upstream's base URL for that mode), UPSTREAM_API_KEY and
# TARGET_PORT set. Writes a bench configuration for that upstream into a fresh folder
# and replaces itself with the published gateway (so the harness stops it by its PID).
#
#   SWITCHYARD_DLL        the published build to run: a Switchyard.dll (JIT) or the NativeAOT
#                         executable (default: BENCH_BUILD's, bench/builds.sh)
#   SWITCHYARD_BENCH_TMP  parent folder for the per-start config and SQLite file
#                         (default: a new folder under ${TMPDIR:-/tmp}); bench/run.sh
#                         sets it and removes it at the end
#   SWITCHYARD_BENCH_GOVERNED=1  the governance row: the bench key gets rpm, tpm,
#                         maxConcurrent and credits limits (far above what a run uses, so
#                         every request is admitted, reserved, settled and ledgered) and
#                         the model a price; without it the key has no limits and the
#                         model no price
#   SWITCHYARD_BENCH_KEY_LIMITS  the governed key's limits instead, as JSON members after its
#                         name (e.g. ', "rpm": 1000000000'), to take one limit at a time
#   SWITCHYARD_BENCH_STORAGE  the config's "storage" value as JSON (default: SQLite in the
#                         fresh folder); bench/governance-target.sh points it at PostgreSQL
#   SWITCHYARD_BENCH_LOG=default  the gateway's default log level (Information: a console
#                         line per request), as a user runs it; without it Warning (quiet)
#   SWITCHYARD_BENCH_JSON_LOGS=1  console logs as JSON lines (observability.jsonLogs)
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/builds.sh
source "$here/builds.sh"
dll=${SWITCHYARD_DLL:-$(build_entry switchyard)}
: "${UPSTREAM_URL:?set by the harness: the fake upstream base URL for this mode}"
: "${UPSTREAM_API_KEY:=sk-bench-upstream}"
port=${TARGET_PORT:-18090}
[[ -f $dll ]] || { echo "switchyard-target.sh: no $dll (run bench/run.sh, which publishes it)" >&2; exit 1; }

parent=${SWITCHYARD_BENCH_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$parent"
dir=$(mktemp -d "$parent/switchyard-${BENCH_MODE:-run}.XXXXXX")

# Client key = the harness's (Authorization: Bearer sk-bench-client), so no extra header.
# The master key is a fixed bench value; no limits on the key (the plain passthrough path)
# unless SWITCHYARD_BENCH_GOVERNED=1.
key_limits="" pricing=""
sqlite="{ \"kind\": \"sqlite\", \"path\": \"$dir/switchyard.db\" }"
if [[ ${SWITCHYARD_BENCH_GOVERNED:-0} == 1 ]]; then
    key_limits=${SWITCHYARD_BENCH_KEY_LIMITS-', "rpm": 1000000000, "tpm": 2000000000, "maxConcurrent": 100000, "credits": 1000000000'}
    pricing=', "pricing": { "inputPerMTok": 0.15, "outputPerMTok": 0.6 }'
fi
observability=""
if [[ ${SWITCHYARD_BENCH_JSON_LOGS:-0} == 1 ]]; then
    observability='"observability": { "jsonLogs": true },'
fi
cat >"$dir/switchyard.json" <<EOF
{
  $observability
  "masterKey": "sk-bench-master-0000000000000000",
  "storage": ${SWITCHYARD_BENCH_STORAGE:-$sqlite},
  "providers": [
    { "name": "up", "type": "openai", "baseUrl": "$UPSTREAM_URL", "apiKey": "env:UPSTREAM_API_KEY" }
  ],
  "models": [
    { "id": "gpt-4o-mini", "provider": "up"$pricing }
  ],
  "keys": [
    { "key": "sk-bench-client", "name": "bench"$key_limits }
  ]
}
EOF

export UPSTREAM_API_KEY
# Quiet console unless the default is asked for: the slim host reads Logging:* from the
# environment; per-request Information lines cost CPU on the gateway's core (issue #17 measures
# how much, with the switchyard-default-log row) and fill the target log.
if [[ ${SWITCHYARD_BENCH_LOG:-quiet} == default ]]; then
    unset Logging__LogLevel__Default
else
    export Logging__LogLevel__Default=${Logging__LogLevel__Default:-Warning}
fi
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$dir"
if [[ $dll == *.dll ]]; then
    exec dotnet "$dll" serve --config "$dir/switchyard.json" --urls "http://127.0.0.1:$port"
fi
exec "$dll" serve --config "$dir/switchyard.json" --urls "http://127.0.0.1:$port"
