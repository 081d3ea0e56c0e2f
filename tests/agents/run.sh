#!/usr/bin/env bash
# The agents check: the real coding-agent CLIs (versions pinned in package-lock.json) run
# headless against the gateway, in front of a scripted fake of each upstream dialect (OpenAI
# chat, OpenAI Responses, Anthropic, Gemini; FakeModel/), in every cell of agent × upstream.
# The agents are Claude Code, Codex (twice: as a new user whose model ids Codex does not know,
# and with a model catalog that gives them GPT metadata) and Gemini CLI. Each cell is one
# session of two turns:
#   1. "Create the file <abs path> containing exactly the text <token>": the fake answers with a
#      call of the file-writing tool the agent offered (Write, apply_patch, exec_command,
#      write_file), the agent runs it, and the fake answers the tool result with text;
#   2. a follow-up prompt in the same session (claude --continue, codex exec resume --last, a
#      second prompt in Gemini CLI's ACP session), whose upstream request must carry turn 1's
#      call, result and answer.
# A cell passes when the file holds the token, the fake accepted every request of the session as
# the real API would, turn 2's history is intact, and the agent printed both answers.
#
#   bash tests/agents/run.sh [CELL ...]     CELL: a glob over agent/upstream, e.g. 'codex*/*' claude/gemini
#   AGENTS_GATEWAY=PATH bash tests/agents/run.sh   the gateway to run instead of the Debug build:
#                                            a Switchyard.dll (run with dotnet) or an executable,
#                                            e.g. the NativeAOT binary dotnet publish -r linux-x64 makes
#
# The agents, the gateway and the fake run in a network namespace of their own with only loopback
# (unshare), so no agent can reach a vendor host. Everything is kept under tests/agents/
# (node_modules/, .cache/, and .runs/<time>/ with every cell's config and output, the gateway's
# log and the fake's log of every request it received). Exits non-zero when any cell fails.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
gateway_port=8080
fake_port=9000
client_key=sk-agents-check-client-0000000000
upstream_key=sk-agents-check-upstream-000000
turn_timeout=${AGENTS_TURN_TIMEOUT:-60}

if [[ ${1:-} != --inside ]]; then
    for tool in node npm dotnet git unshare ip curl; do
        command -v "$tool" >/dev/null || { echo "agents check: '$tool' is required" >&2; exit 1; }
    done

    # npm ci reinstalls from scratch; skip it while node_modules matches the lock file.
    if ! cmp -s "$here/package-lock.json" "$here/node_modules/.agents-check.lock"; then
        echo "agents check: npm ci (pinned CLIs)"
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error --cache "$here/.cache/npm" >/dev/null)
        cp "$here/package-lock.json" "$here/node_modules/.agents-check.lock"
    fi

    echo "agents check: building the gateway and the fake upstream"
    mkdir -p "$here/.cache"
    for project in "$repo/src/Switchyard/Switchyard.csproj" "$here/FakeModel/FakeModel.csproj"; do
        dotnet build "$project" -v q -nologo >"$here/.cache/build.log" 2>&1 || { cat "$here/.cache/build.log" >&2; exit 1; }
    done

    run="$here/.runs/$(date -u +%Y%m%d-%H%M%S)"
    mkdir -p "$run"
    # Keep the last ten runs.
    find "$here/.runs" -mindepth 1 -maxdepth 1 -type d | sort | head -n -10 | xargs -r rm -rf
    # A new user and network namespace: root inside (to bring loopback up), no route out.
    exec unshare --user --map-root-user --net -- bash "${BASH_SOURCE[0]}" --inside "$run" "$@"
fi

run=$2
shift 2
patterns=("${@:-*}")
cells=()
for cli in claude codex codex-catalog gemini; do
    for dialect in chat responses anthropic gemini; do
        for pattern in "${patterns[@]}"; do
            # shellcheck disable=SC2053 # the pattern is a glob on purpose
            if [[ $cli/$dialect == $pattern ]]; then cells+=("$cli/$dialect"); break; fi
        done
    done
done
((${#cells[@]})) || { echo "agents check: no cell matches ${patterns[*]} (cells are agent/upstream: claude|codex|codex-catalog|gemini / chat|responses|anthropic|gemini)" >&2; exit 2; }

ip link set lo up
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
fake_dll="$here/FakeModel/bin/Debug/net10.0/FakeModel.dll"
gateway=${AGENTS_GATEWAY:-$repo/src/Switchyard/bin/Debug/net10.0/Switchyard.dll}
gateway_cmd=("$gateway")
if [[ $gateway == *.dll ]]; then gateway_cmd=(dotnet "$gateway"); fi
bin="$here/node_modules/.bin"
node_dir=$(dirname "$(command -v node)")

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet "$fake_dll" serve --urls "http://127.0.0.1:$fake_port" --key "$upstream_key" --log "$run/upstream.jsonl" >"$run/fake.log" 2>&1 &
pids+=($!)

# Each upstream dialect is one provider on the fake, under its own path prefix, with native web
# search as each real vendor has it; the model ids are what the agents are pointed at.
cat >"$run/switchyard.json" <<EOF
{
  "masterKey": "sk-agents-check-master-000000000",
  "storage": { "kind": "sqlite", "path": "$run/switchyard.db" },
  "providers": [
    { "name": "fake-chat", "type": "openai", "baseUrl": "http://127.0.0.1:$fake_port/chat/v1", "apiKey": "env:FAKE_UPSTREAM_KEY", "retries": 0, "search": true },
    { "name": "fake-responses", "type": "openai", "baseUrl": "http://127.0.0.1:$fake_port/responses/v1", "apiKey": "env:FAKE_UPSTREAM_KEY", "retries": 0, "search": true },
    { "name": "fake-anthropic", "type": "anthropic", "baseUrl": "http://127.0.0.1:$fake_port/anthropic", "apiKey": "env:FAKE_UPSTREAM_KEY", "retries": 0, "search": true },
    { "name": "fake-gemini", "type": "gemini", "baseUrl": "http://127.0.0.1:$fake_port/gemini", "apiKey": "env:FAKE_UPSTREAM_KEY", "retries": 0, "search": true }
  ],
  "models": [
    { "id": "m-chat", "provider": "fake-chat", "model": "fake-chat-model" },
    { "id": "m-responses", "provider": "fake-responses", "model": "fake-responses-model", "api": "responses" },
    { "id": "m-anthropic", "provider": "fake-anthropic", "model": "fake-claude-model" },
    { "id": "m-gemini", "provider": "fake-gemini", "model": "fake-gemini-3-model" }
  ],
  "keys": [
    { "key": "$client_key", "name": "agents-check" }
  ],
  "observability": { "logSensitiveData": true, "jsonLogs": true }
}
EOF
# Its log keeps every request an agent sent (event 1900, with the body) and how it ended, for
# the cells the gateway refuses before the fake sees anything.
(cd "$run" && exec env FAKE_UPSTREAM_KEY=$upstream_key Logging__LogLevel__Default=Warning 'Logging__LogLevel__Switchyard.Requests=Trace' \
    "${gateway_cmd[@]}" serve --config "$run/switchyard.json" --urls "http://127.0.0.1:$gateway_port") >"$run/gateway.log" 2>&1 &
pids+=($!)

ready() { curl -fsS -o /dev/null "$1" 2>/dev/null; }
for _ in $(seq 1 120); do
    ready "http://127.0.0.1:$gateway_port/readyz" && ready "http://127.0.0.1:$fake_port/chat/v1/models" && break
    sleep 0.5
done
ready "http://127.0.0.1:$gateway_port/readyz" || { echo "agents check: the gateway did not start (see $run/gateway.log)" >&2; tail -n 20 "$run/gateway.log" >&2; exit 1; }

# Codex sends its full tool set (apply_patch as a custom tool, the hosted web_search and
# tool_search) only to models its catalog knows; to ids it does not know, as a new user's model
# names are, it sends a fallback set (exec_command, a "namespace" of multi-agent tools,
# web_search). The `codex` row runs as that new user; the `codex-catalog` row gives the gateway's
# ids the metadata of Codex's own API model, as a user's model_catalog_json would: the first
# listed one that takes the classic Responses request (its newest models move tools into
# "additional_tools" input items and a JavaScript "code mode" only OpenAI serves).
codex_catalog="$run/codex-models.json"
if [[ " ${cells[*]} " == *" codex-catalog/"* ]]; then
    mkdir -p "$run/codex-catalog-home"
    env -i PATH="$node_dir:/usr/bin:/bin" HOME="$run/codex-catalog-home" CODEX_HOME="$run/codex-catalog-home" \
        "$bin/codex" debug models 2>/dev/null >"$run/codex-builtin-models.json"
    node -e '
        const catalog = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const base = catalog.models
            .filter(m => m.visibility === "list" && m.supported_in_api && !m.use_responses_lite && !m.tool_mode)
            .sort((a, b) => a.priority - b.priority)[0];
        if (!base) { console.error("no classic Responses model in the Codex catalog"); process.exit(1); }
        console.error(`codex catalog: the gateway models take the metadata of ${base.slug}`);
        const models = process.argv.slice(2).map((slug, i) => ({ ...base, slug, display_name: slug, priority: i + 1 }));
        process.stdout.write(JSON.stringify({ ...catalog, models }, null, 2));
    ' "$run/codex-builtin-models.json" m-chat m-responses m-anthropic m-gemini >"$codex_catalog" 2>"$run/codex-catalog.log"
fi

# run_session CLI MODEL CELL PROMPT1 PROMPT2: one agent session of two prompts in the cell's
# workspace, from an environment with nothing of the caller's (no real keys, no CI flags). Sets
# exit1 and exit2; turn N's output goes to CELL/turnN.out.
run_session() {
    local cli=$1 model=$2 cell=$3 prompt1=$4 prompt2=$5
    local -a first second env_vars=(PATH="$node_dir:/usr/local/bin:/usr/bin:/bin" HOME="$cell/home" TMPDIR="$cell/tmp"
        XDG_CONFIG_HOME="$cell/home/.config" XDG_CACHE_HOME="$cell/home/.cache" XDG_DATA_HOME="$cell/home/.local/share"
        LANG=C.UTF-8 TERM=dumb NO_COLOR=1 DO_NOT_TRACK=1)
    case $cli in
        claude)
            env_vars+=(ANTHROPIC_BASE_URL="http://127.0.0.1:$gateway_port" ANTHROPIC_API_KEY="$client_key"
                ANTHROPIC_DEFAULT_OPUS_MODEL="$model" ANTHROPIC_DEFAULT_SONNET_MODEL="$model"
                ANTHROPIC_DEFAULT_HAIKU_MODEL="$model" ANTHROPIC_SMALL_FAST_MODEL="$model" CLAUDE_CODE_SUBAGENT_MODEL="$model"
                DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 DISABLE_AUTOUPDATER=1 DISABLE_BUG_COMMAND=1
                CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1)
            first=("$bin/claude" -p "$prompt1" --model "$model" --permission-mode acceptEdits --allowedTools Write)
            second=("$bin/claude" -p "$prompt2" --model "$model" --permission-mode acceptEdits --allowedTools Write --continue)
            ;;
        codex | codex-catalog)
            env_vars+=(CODEX_HOME="$cell/codex" SWITCHYARD_KEY="$client_key")
            first=("$bin/codex" exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "$prompt1")
            second=("$bin/codex" exec resume --last --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox "$prompt2")
            ;;
        gemini)
            env_vars+=(GEMINI_API_KEY="$client_key" GOOGLE_GEMINI_BASE_URL="http://127.0.0.1:$gateway_port"
                GEMINI_CLI_TRUST_WORKSPACE=true GEMINI_CLI_NO_RELAUNCH=true)
            if [[ ${AGENTS_GEMINI_RESUME:-0} != 1 ]]; then
                # Both prompts in one ACP session (acp-session.mjs says why not --resume).
                local status=0
                (cd "$cell/ws" && env -i "${env_vars[@]}" timeout "$((2 * turn_timeout))" node "$here/acp-session.mjs" \
                    "$cell/turn1.out" "$cell/turn2.out" "$prompt1" "$prompt2" -- "$bin/gemini" --acp -m "$model" --approval-mode yolo \
                    </dev/null) || status=$?
                case $status in
                    0) ;;
                    2) exit2=1 ;;
                    *) exit1=$status ;;
                esac
                return 0
            fi
            first=("$bin/gemini" -p "$prompt1" -m "$model" --approval-mode yolo)
            second=("$bin/gemini" -p "$prompt2" -m "$model" --approval-mode yolo --resume latest)
            ;;
    esac

    (cd "$cell/ws" && env -i "${env_vars[@]}" timeout "$turn_timeout" "${first[@]}" </dev/null) >"$cell/turn1.out" 2>&1 || exit1=$?
    # A turn one that failed leaves no session to continue.
    if ((exit1 == 0)); then
        (cd "$cell/ws" && env -i "${env_vars[@]}" timeout "$turn_timeout" "${second[@]}" </dev/null) >"$cell/turn2.out" 2>&1 || exit2=$?
    fi
}

# Per-CLI files the session needs before its first turn.
prepare_cell() {
    local cli=$1 model=$2 cell=$3
    mkdir -p "$cell/home" "$cell/tmp" "$cell/ws"
    # The workspace is a project of its own, so no agent reads this repository's git status.
    git init -q "$cell/ws"
    case $cli in
        codex | codex-catalog)
            mkdir -p "$cell/codex"
            cat >"$cell/codex/config.toml" <<EOF
model = "$model"
model_provider = "switchyard"
$([[ $cli == codex-catalog ]] && echo "model_catalog_json = \"$codex_catalog\"")
check_for_update_on_startup = false

[model_providers.switchyard]
name = "Switchyard"
base_url = "http://127.0.0.1:$gateway_port/v1"
env_key = "SWITCHYARD_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[analytics]
enabled = false
EOF
            ;;
        gemini)
            # GOOGLE_GEMINI_BASE_URL alone selects Gemini CLI's "gateway" auth, which its headless
            # mode rejects ("Invalid auth method selected"); the API-key auth reads the same URL.
            mkdir -p "$cell/home/.gemini"
            cat >"$cell/home/.gemini/settings.json" <<EOF
{
  "security": { "auth": { "selectedType": "gemini-api-key" } },
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false }
}
EOF
            ;;
    esac
}

results=()
failed=0
started=$SECONDS
for entry in "${cells[@]}"; do
    cli=${entry%/*} dialect=${entry#*/}
    cell="$run/$cli-$dialect"
    model="m-$dialect"
    token="sy-$cli-$dialect-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
    file="$cell/ws/agents-check.txt"
    prepare_cell "$cli" "$model" "$cell"
    cell_started=$SECONDS

    exit1=0 exit2=0
    run_session "$cli" "$model" "$cell" \
        "Create the file $file containing exactly the text $token (agents check, turn one)." \
        "Agents check, turn two for $token: which file did you create, and what did the tool answer?"

    verdict=$(dotnet "$fake_dll" check --log "$run/upstream.jsonl" --gateway-log "$run/gateway.log" --token "$token" --file "$file" \
        --out1 "$cell/turn1.out" --exit1 "$exit1" --out2 "$cell/turn2.out" --exit2 "$exit2") || true
    [[ $verdict == pass ]] || failed=$((failed + 1))
    results+=("$(printf '%-13s %-10s %4ss  %s' "$cli" "$dialect" "$((SECONDS - cell_started))" "$verdict")")
    echo "${results[-1]}"
done

echo
printf '%-13s %-10s %5s  %s\n' agent upstream time verdict
printf '%s\n' "${results[@]}"
echo "agents check: $((${#results[@]} - failed)) of ${#results[@]} cells passed in $((SECONDS - started))s (logs: ${run#"$repo"/})"
((failed == 0))
