-- wrk script for bench/abuse.sh: POST one small chat request to the echo model, as fast as wrk
-- goes, in one of two modes, and print one machine-readable result line (ABUSE_RESULT ...).
--
-- Environment (set by abuse.sh):
--   ABUSE_MODE      random-keys: every request carries a new invented key (sk-sy- + 40
--                   base62 characters, the shape of a real one); ids: every request carries
--                   ABUSE_KEY and a unique X-Request-Id, and the id of each 200 is appended
--                   to ABUSE_DIR/ok-<thread>.txt (what the ledger must hold afterwards)
--   ABUSE_KEY       the key of the ids mode
--   ABUSE_REQUESTS  random-keys: stop after this many answers in all (then write
--                   ABUSE_DIR/done-<thread>; abuse.sh interrupts wrk when every thread is done)
--   ABUSE_THREADS   wrk's -t, to split ABUSE_REQUESTS
--   ABUSE_DIR       where the files above go
--   ABUSE_TAG       prefix of the request ids (one per run, so runs never collide)

local mode = os.getenv("ABUSE_MODE") or "random-keys"
local key = os.getenv("ABUSE_KEY") or ""
local dir = os.getenv("ABUSE_DIR") or "."
local tag = os.getenv("ABUSE_TAG") or "abuse"
local total = tonumber(os.getenv("ABUSE_REQUESTS") or "0")
local threads = tonumber(os.getenv("ABUSE_THREADS") or "1")
local body = '{"model":"echo","messages":[{"role":"user","content":"hi"}],"max_tokens":16}'

local counter = 1
local all_threads = {}
function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
    table.insert(all_threads, thread)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local chars = {}
local quota, answered, sent, okfile, stopped = 0, 0, 0, nil, false
s2xx, s401, s503, sother = 0, 0, 0, 0

function init(args)
    math.randomseed(os.time() * 1000 + tid * 7919)
    for i = 1, #alphabet do chars[i] = alphabet:sub(i, i) end
    quota = math.ceil(total / threads)
    if mode == "ids" then
        okfile = io.open(dir .. "/ok-" .. tid .. ".txt", "a")
    end
end

local function invented()
    local out = {}
    for i = 1, 40 do out[i] = chars[math.random(1, 62)] end
    return "sk-sy-" .. table.concat(out)
end

function request()
    sent = sent + 1
    local headers = { ["Content-Type"] = "application/json" }
    if mode == "ids" then
        headers["Authorization"] = "Bearer " .. key
        headers["X-Request-Id"] = tag .. "-" .. tid .. "-" .. sent
    else
        headers["Authorization"] = "Bearer " .. invented()
    end
    return wrk.format("POST", "/v1/chat/completions", headers, body)
end

function response(status, headers, body)
    answered = answered + 1
    if status >= 200 and status < 300 then
        s2xx = s2xx + 1
        if okfile then
            local id = headers["X-Request-Id"] or headers["x-request-id"]
            if id then okfile:write(id, "\n") end
        end
    elseif status == 401 then
        s401 = s401 + 1
    elseif status == 503 then
        s503 = s503 + 1
    else
        sother = sother + 1
    end
    if okfile and answered % 256 == 0 then okfile:flush() end
    if quota > 0 and answered >= quota and not stopped then
        stopped = true
        local f = io.open(dir .. "/done-" .. tid, "w")
        if f then f:close() end
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local c2xx, c401, c503, cother = 0, 0, 0, 0
    for _, thread in ipairs(all_threads) do
        c2xx = c2xx + (thread:get("s2xx") or 0)
        c401 = c401 + (thread:get("s401") or 0)
        c503 = c503 + (thread:get("s503") or 0)
        cother = cother + (thread:get("sother") or 0)
    end
    io.write(string.format("ABUSE_RESULT requests=%d duration_s=%.2f rps=%.0f s2xx=%d s401=%d s503=%d sother=%d socket_errors=%d timeouts=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), c2xx, c401, c503, cother,
        summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
