#!/usr/bin/env bash
# A harness target for bench/governance.sh: the passthrough path with the bench key's limits
# and metering off or on, on SQLite (one process) or PostgreSQL (one or two processes behind a
# round-robin nginx, as a small fleet). Started by the harness fresh for each mode, pinned to
# the gateway CPU with everything it starts (one process group: stopped and measured together).
#
#   GOV_LIMITS      off: the key has no limits, the model no price (the request log row is
#                   still written); on: switchyard-target.sh's governed key (rpm, tpm,
#                   maxConcurrent and credits, too large to refuse anything in a run) and
#                   priced model, so every request is admitted against them, settled and charged
#   GOV_STORAGE     sqlite | postgres
#   GOV_PROCESSES   1 | 2 (2: gateways on TARGET_PORT+1 and +2, nginx on TARGET_PORT)
#   GOV_POSTGRES    connection string (postgres); each start gets a fresh schema in it
#   SWITCHYARD_DLL  the published build (a Switchyard.dll or the NativeAOT executable)
set -Eeuo pipefail

: "${UPSTREAM_URL:?set by the harness}" "${TARGET_PORT:?set by the harness}" "${SWITCHYARD_DLL:?set by bench/governance.sh}"
limits=${GOV_LIMITS:-off}
storage=${GOV_STORAGE:-sqlite}
processes=${GOV_PROCESSES:-1}
dir=$(mktemp -d "${SWITCHYARD_BENCH_TMP:-${TMPDIR:-/tmp}}/governance-${BENCH_MODE:-run}.XXXXXX")

# The gateway itself is bench/switchyard-target.sh's (one config writer for every bench row):
# limits on = its governed key and priced model; the storage is passed to it.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SWITCHYARD_BENCH_GOVERNED=$([[ $limits == on ]] && echo 1 || echo 0)
export SWITCHYARD_BENCH_TMP=$dir
if [[ $storage == postgres ]]; then
    : "${GOV_POSTGRES:?a PostgreSQL connection string}"
    schema=bench_$(basename "$dir" | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')
    # Host=..;Port=..;Database=..;Username=..;Password=.. -> psql's environment
    declare -A pg
    IFS=';' read -r -a parts <<<"$GOV_POSTGRES"
    for part in "${parts[@]}"; do pg[${part%%=*}]=${part#*=}; done
    PGPASSWORD=${pg[Password]} psql -q -h "${pg[Host]}" -p "${pg[Port]}" -U "${pg[Username]}" -d "${pg[Database]}" \
        -c "CREATE SCHEMA $schema;" >/dev/null
    export SWITCHYARD_BENCH_STORAGE="{ \"kind\": \"postgres\", \"connectionString\": \"$GOV_POSTGRES;Search Path=$schema\" }"
fi

if ((processes == 1)); then
    exec bash "$here/switchyard-target.sh"
fi

# A fleet: the gateways first (the harness probes as soon as the front port opens), then nginx.
ports=()
for ((i = 1; i <= processes; i++)); do
    port=$((TARGET_PORT + i))
    ports+=("$port")
    TARGET_PORT=$port bash "$here/switchyard-target.sh" >"$dir/gateway-$i.log" 2>&1 &
done
for port in "${ports[@]}"; do
    for ((t = 0; t < 300; t++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
done

tools=${BENCH_DIR:-$here}/.cache/root   # the nginx the harness fetched
for libdir in "$tools"/usr/lib/*-linux-gnu; do
    [[ -d $libdir ]] && export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
done
servers=$(printf '        server 127.0.0.1:%s;\n' "${ports[@]}")
mkdir -p "$dir/nginx/logs"
cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    upstream gateways {
$servers
        keepalive 128;
    }
    server {
        listen 127.0.0.1:$TARGET_PORT;
        location / {
            proxy_pass http://gateways;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
EOF
exec "$tools/usr/sbin/nginx" -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
