#!/usr/bin/env bash
# Abuse scenario (issue #13): many slow multipart uploads on one `maxConcurrent: 1` key. While
# they trickle in, the gateway's memory must stay bounded, that key's further requests must be
# refused, and other keys must still be served. bench/abuse.sh sources this file for its
# slow-uploads scenario; it also runs on its own. Needs python3 and curl.
#
#   bash bench/abuse-uploads.sh                   # publish, then 200 uploads at 1 KB/s for 20 s
#   bash bench/abuse-uploads.sh --no-build --uploads 50 --seconds 10
#
# Prints one line of figures: gateway RSS before, at peak and after, the status of a request on
# the throttled key and on another key while the uploads are in flight, and how the uploads ended.
set -Eeuo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
PUBLISH_DIR=$BENCH/.cache/switchyard

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

wait_for() { # url: until it answers at all, up to 30 s
    for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "abuse-uploads: $1 never answered" >&2; return 1
}

# slow_uploads UPLOADS SECONDS PORT [DLL]: runs the scenario against a fresh gateway (DLL, by
# default the published one) and a fake transcription upstream (python3) on PORT and PORT+1, in a
# temporary folder it removes.
slow_uploads() {
    local uploads=${1:-200} seconds=${2:-20} port=${3:-18470} dll=${4:-$PUBLISH_DIR/Switchyard.dll}
    local upstream_port=$((port + 1)) dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/switchyard-abuse-uploads.XXXXXX")
    local pids=()
    # shellcheck disable=SC2064 # expand now: the folder and the PIDs are this call's
    trap "kill \${pids[*]} 2>/dev/null || true; rm -rf '$dir'; trap - RETURN" RETURN

    # The upstream drains each upload and answers a transcription.
    cat >"$dir/upstream.py" <<'PY'
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        else:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"text":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
    python3 "$dir/upstream.py" "$upstream_port" 2>"$dir/upstream.log" & pids+=($!)

    cat >"$dir/switchyard.json" <<EOF
{
  "masterKey": "sk-abuse-master-0123456789-0123456789",
  "storage": { "kind": "sqlite", "path": "$dir/switchyard.db" },
  "providers": [
    { "name": "up", "type": "openai", "baseUrl": "http://127.0.0.1:$upstream_port/v1", "apiKey": "sk-up" },
    { "name": "echo", "type": "echo" }
  ],
  "models": [
    { "id": "stt", "provider": "up", "kind": "audio" },
    { "id": "echo", "provider": "echo" }
  ],
  "keys": [
    { "key": "sk-abuse-slow-0123456789", "name": "slow", "maxConcurrent": 1 },
    { "key": "sk-abuse-other-0123456789", "name": "other" }
  ]
}
EOF
    dotnet "$dll" serve --config "$dir/switchyard.json" --urls "http://127.0.0.1:$port" >"$dir/gateway.log" 2>&1 & pids+=($!)
    local gateway=${pids[-1]}
    wait_for "http://127.0.0.1:$port/healthz"
    wait_for "http://127.0.0.1:$upstream_port/"

    local base=http://127.0.0.1:$port
    local before peak now
    before=$(rss_kb "$gateway")
    peak=$before

    # The uploads: each trickles its multipart body at 1 KB/s (a raw socket, so no client buffers ahead).
    cat >"$dir/slow_upload.py" <<'PY'
import socket, sys, time
port, key, size, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
boundary = "abuse-upload"
head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nstt\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n").encode()
tail = f"\r\n--{boundary}--\r\n".encode()
body = head + bytes(size) + tail
s = socket.create_connection(("127.0.0.1", port))
s.sendall((f"POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
           f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n").encode())
step = max(1, int(len(body) / (seconds * 10)))
def status(answer):
    parts = answer.split(b" ")
    return parts[1].decode() if len(parts) > 1 else "closed"
try:
    s.settimeout(0.1)
    for offset in range(0, len(body), step):
        s.sendall(body[offset:offset + step])
        try:
            answer = s.recv(64)  # an early answer (a refusal) ends the upload
            if answer:
                print(status(answer), flush=True)
                sys.exit(0)
        except socket.timeout:
            pass
    s.settimeout(30)
    print(status(s.recv(64)), flush=True)
except OSError:
    print("reset", flush=True)
PY
    for i in $(seq 1 "$uploads"); do
        python3 "$dir/slow_upload.py" "$port" sk-abuse-slow-0123456789 $((seconds * 1024)) "$seconds" >"$dir/upload.$i" 2>/dev/null & pids+=($!)
    done

    # Halfway: the throttled key's next request, and another key's.
    local half=$((seconds / 2)) slow_code other_code
    for _ in $(seq 1 "$half"); do
        sleep 1
        now=$(rss_kb "$gateway"); ((now > peak)) && peak=$now
    done
    slow_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Authorization: Bearer sk-abuse-slow-0123456789' \
        -H 'Content-Type: application/json' -d '{"model":"echo","messages":[{"role":"user","content":"hi"}]}' "$base/v1/chat/completions")
    other_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Authorization: Bearer sk-abuse-other-0123456789' \
        -H 'Content-Type: application/json' -d '{"model":"echo","messages":[{"role":"user","content":"hi"}]}' "$base/v1/chat/completions")
    for _ in $(seq 1 $((seconds - half))); do
        sleep 1
        now=$(rss_kb "$gateway"); ((now > peak)) && peak=$now
    done

    # Uploads still sending are stopped (counted as in flight), then the gateway settles.
    local finished in_flight after codes
    cat "$dir"/upload.* >"$dir/uploads.codes" 2>/dev/null || true
    finished=$(grep -c . "$dir/uploads.codes" || true)
    in_flight=$((uploads - finished))
    kill "${pids[@]:2}" 2>/dev/null || true
    sleep 2
    after=$(rss_kb "$gateway")
    codes=$(grep . "$dir/uploads.codes" | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')
    [[ -n ${SLOW_UPLOADS_LOG:-} ]] && cp "$dir/gateway.log" "$SLOW_UPLOADS_LOG"
    printf 'slow-uploads uploads=%d seconds=%d rss_kb_before=%d rss_kb_peak=%d rss_kb_after=%d throttled_key=%s other_key=%s upload_codes=[%s] in_flight_at_end=%d\n' \
        "$uploads" "$seconds" "$before" "$peak" "$after" "$slow_code" "$other_code" "${codes% }" "$in_flight"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    build=1 uploads=200 seconds=20
    while (($#)); do
        case $1 in
            --no-build) build=0; shift ;;
            --uploads) uploads=$2; shift 2 ;;
            --seconds) seconds=$2; shift 2 ;;
            -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) echo "abuse-uploads.sh: unknown argument $1" >&2; exit 2 ;;
        esac
    done
    if ((build)); then
        (cd "$REPO" && dotnet publish src/Switchyard -c Release -r linux-x64 --self-contained false -p:PublishAot=false -o "$PUBLISH_DIR" -nologo -v quiet) >&2
    fi
    [[ -f $PUBLISH_DIR/Switchyard.dll ]] || { echo "abuse-uploads.sh: no $PUBLISH_DIR/Switchyard.dll (drop --no-build)" >&2; exit 2; }
    slow_uploads "$uploads" "$seconds"
fi
