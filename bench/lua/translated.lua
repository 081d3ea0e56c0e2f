-- wrk script for bench/translated.sh: POST one fixed request body with the headers of its
-- client dialect and print one machine-readable line. Modelled on the harness's
-- lua/openai.lua (same pacing, same BENCH_RESULT line), except that no Authorization header
-- is implied: every header comes from BENCH_HEADERS, because each dialect authenticates its
-- own way (Bearer, x-api-key, x-goog-api-key).
--
-- Environment (set by translated.sh):
--   BENCH_BODY     file holding the request body (required)
--   BENCH_HEADERS  request headers, one "Name: value" per line
--   BENCH_RATE     total requests/s to pace at; 0 or unset = as fast as possible
--   BENCH_TAG      free text echoed in the result line
--
-- The URL (path and query, e.g. ...:streamGenerateContent?alt=sse) is wrk's argument.
-- Pacing (BENCH_RATE > 0): every delay() call takes the next slot of one fixed schedule
-- (start + k / rate), so the connections together send at a constant rate whatever the
-- latency, as long as enough connections are idle. Latency is timed by wrk from when a
-- request is written (no coordinated-omission correction): keep the rate well under
-- saturation. Run wrk with one thread (-t1): the schedule is per thread.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local ts = ffi.new("bench_timespec_t")
local CLOCK_MONOTONIC = 1

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local function read_file(path)
    local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
    local data = f:read("*a")
    f:close()
    return data
end

wrk.method = "POST"
wrk.body = read_file(assert(os.getenv("BENCH_BODY"), "BENCH_BODY is not set"))
wrk.headers["Content-Type"] = "application/json"
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
    if name then
        wrk.headers[name] = value
    end
end

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
if rate > 0 then
    local interval = 1000 / rate
    local next_slot = nil
    function delay()
        local now = now_ms()
        if next_slot == nil then
            next_slot = now
        end
        local wait = next_slot - now
        next_slot = next_slot + interval
        if wait <= 0 then
            return 0
        end
        return math.floor(wait + 0.5)
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6
    local n = summary.requests
    io.write(string.format(
        "BENCH_RESULT tag=%s requests=%d duration_s=%.3f rps=%.1f avg_bytes=%.0f " ..
        "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f " ..
        "err_connect=%d err_read=%d err_write=%d err_timeout=%d err_status=%d\n",
        os.getenv("BENCH_TAG") or "-", n, secs, n / secs, n > 0 and summary.bytes / n or 0,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, latency.mean / 1000,
        e.connect, e.read, e.write, e.timeout, e.status))
end
