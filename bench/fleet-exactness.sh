#!/usr/bin/env bash
# Do two gateways on one PostgreSQL hold a key's limits exactly under load (issue #6)? Starts a
# fake upstream (the harness's nginx returning bench/bodies/chat_completion.json), two published
# gateways sharing a fresh schema, and one wrk per gateway hammering one key for 15 s; then
# prints per minute what was served, refused (429/402) and charged, and the key's counters.
#
#   bash bench/fleet-exactness.sh rpm        # the key: rpm 3000 (binds); credits plenty
#   bash bench/fleet-exactness.sh credits    # the key: credits 100 (binds, ~0.073 per answer)
#
# Needs bench/.cache/switchyard (bench/run.sh or governance.sh publishes it), the harness's
# nginx and wrk (fetched into bench/.cache by `bench/harness.sh --tools` if missing) and
# PostgreSQL (.ci/postgres).
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
ROOT=$BENCH/.cache/root
DLL=$BENCH/.cache/switchyard/Switchyard.dll
case ${1:-rpm} in
    rpm) limits='"rpm": 3000, "tpm": 100000000, "maxConcurrent": 40, "credits": 1000' ;;
    credits) limits='"rpm": 100000, "tpm": 100000000, "maxConcurrent": 40, "credits": 100' ;;
    *) echo "fleet-exactness.sh: rpm or credits" >&2; exit 2 ;;
esac
[[ -f $DLL ]] || { echo "fleet-exactness.sh: no $DLL (run bench/run.sh once first)" >&2; exit 2; }
[[ -x $ROOT/usr/sbin/nginx && -x $ROOT/usr/bin/wrk ]] || bash "$BENCH/harness.sh" --tools
for libdir in "$ROOT"/usr/lib/*-linux-gnu; do export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-fleet.XXXXXX")
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

# The fake upstream: the harness's chat completion for any request.
mkdir -p "$DIR/up"
body=$(sed 's/"/\\"/g' "$BENCH/bodies/chat_completion.json")
cat >"$DIR/up/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $DIR/up/nginx.pid; error_log $DIR/up/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $DIR/up/b; proxy_temp_path $DIR/up/p; fastcgi_temp_path $DIR/up/f; uwsgi_temp_path $DIR/up/u; scgi_temp_path $DIR/up/s;
    server { listen 127.0.0.1:18580; location / { default_type application/json; return 200 "$body"; } }
}
EOF
"$ROOT/usr/sbin/nginx" -p "$DIR/up" -c "$DIR/up/nginx.conf" & pids+=($!)

pg=$(bash "$REPO/.ci/postgres" | tail -n 1)
declare -A c
IFS=';' read -r -a parts <<<"$pg"
for part in "${parts[@]}"; do c[${part%%=*}]=${part#*=}; done
sql() { PGPASSWORD=${c[Password]} psql -q -v ON_ERROR_STOP=1 --set client_min_messages=warning -h "${c[Host]}" -p "${c[Port]}" -U "${c[Username]}" -d "${c[Database]}" "$@"; }
schema=fleet_$(basename "$DIR" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')
sql -c "CREATE SCHEMA $schema;"

cat >"$DIR/switchyard.json" <<EOF
{ "masterKey": "sk-bench-master-0000000000000000",
  "storage": { "kind": "postgres", "connectionString": "$pg;Search Path=$schema" },
  "providers": [ { "name": "up", "type": "openai", "baseUrl": "http://127.0.0.1:18580/v1", "apiKey": "sk-bench-upstream" } ],
  "models": [ { "id": "gpt-4o-mini", "provider": "up", "pricing": { "inputPerMTok": 1000, "outputPerMTok": 1000 } } ],
  "keys": [ { "key": "sk-bench-client", "name": "bench", $limits } ] }
EOF
export Logging__LogLevel__Default=Warning DOTNET_NOLOGO=1
gateways=()
for port in 18581 18582; do
    dotnet "$DLL" serve --config "$DIR/switchyard.json" --urls "http://127.0.0.1:$port" >"$DIR/gateway-$port.log" 2>&1 &
    gateways+=($!)
    pids+=($!)
done
for port in 18581 18582; do
    for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
done

cat >"$DIR/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-client"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}],"max_tokens":100}'
EOF
"$ROOT/usr/bin/wrk" -t1 -c16 -d15s -s "$DIR/post.lua" http://127.0.0.1:18581/v1/chat/completions >"$DIR/wrk-1.txt" & w1=$!
"$ROOT/usr/bin/wrk" -t1 -c16 -d15s -s "$DIR/post.lua" http://127.0.0.1:18582/v1/chat/completions >"$DIR/wrk-2.txt" & w2=$!
wait "$w1" "$w2"

# A graceful stop writes the last rows and hands the leases back.
kill -TERM "${gateways[@]}"
wait "${gateways[@]}" 2>/dev/null || true
echo "key: {$limits}"
sql -c "SET search_path = $schema;
    SELECT date_trunc('minute', created_at) AS minute, count(*) FILTER (WHERE status = 200) AS served,
           count(*) FILTER (WHERE status = 429) AS refused_429, count(*) FILTER (WHERE status = 402) AS refused_402,
           sum(cost) AS charged FROM requests GROUP BY 1 ORDER BY 1;
    SELECT spent, reserved, in_flight FROM key_state;"
grep -h 'Requests/sec' "$DIR/wrk-1.txt" "$DIR/wrk-2.txt"
sql -c "DROP SCHEMA $schema CASCADE;" 2>/dev/null
