using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamBench;

// What wrk cannot measure (bench/README.md, "Every target in one run" and "The floor"): time to
// first token per frame, 10,000 open streams, request body size scaling, cold start, CPU per
// relayed frame. Each command starts the fake upstream in this process and the published gateway
// (or, for frames, each reference relay in its seat) as a child pinned to --gateway-cpus, and
// prints human lines plus one "RESULT key=value ..." line per measurement for bench/all.sh.
//
//   StreamBench ttft      --dll PATH [--requests 200] [--concurrency 8] [--frames 10] [--interval-ms 50] [--floor-dll PATH]
//   StreamBench streams   --dll PATH [--streams 10000] [--seconds 30] [--ramp-seconds 10] [--warmup-seconds 0]
//                         [--target switchyard|floor|yarp --floor-dll PATH --yarp-dll PATH]
//   StreamBench bodies    --dll PATH [--sizes 65536,1048576,8388608] [--requests 20]
//   StreamBench coldstart --dll PATH [--runs 5]
//   StreamBench frames    --dll PATH [--floor-dll PATH] [--yarp-dll PATH] [--nginx PATH --nginx-conf PATH]
//                         [--routes nginx,floor,yarp,openai,anthropic] [--streams 1000] [--rate 20]
//                         [--seconds 20] [--ramp-seconds 5] [--settle-seconds 3]   (FrameCost.cs)
//   common: [--gateway-cpus 0] [--port 18290] [--upstream-port 18280]
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("StreamBench ttft|streams|bodies|coldstart|frames --dll PATH [options]; see the comment at the top of Program.cs.");
    return args.Length == 0 ? 2 : 0;
}

var options = Options.Parse(args.AsSpan(1));
var dll = options.Text("dll", "");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"--dll: no such file '{dll}' (the published Switchyard.dll, or the NativeAOT executable)");
    return 2;
}

var cpus = options.Text("gateway-cpus", "0");
var port = options.Number("port", 18290);
var upstreamPort = options.Number("upstream-port", 18280);
var upstreamUrl = $"http://127.0.0.1:{upstreamPort}";
return args[0] switch
{
    "ttft" => await TtftAsync(),
    "streams" => await StreamsAsync(),
    "bodies" => await BodiesAsync(),
    "coldstart" => await ColdStartAsync(),
    "frames" => await FrameCost.RunAsync(options, dll, cpus, port, upstreamPort),
    _ => Fail($"unknown command '{args[0]}'"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}

static void Result(string line) => Console.WriteLine("RESULT " + line);

// Time to first token: the upstream spreads each stream over time; every frame carries the time it
// left the upstream, so the client sees how long the gateway held it. Direct is the same client
// against the upstream itself: what the harness costs.
async Task<int> TtftAsync()
{
    var requests = options.Number("requests", 200);
    var concurrency = options.Number("concurrency", 8);
    var frames = options.Number("frames", 10);
    var interval = options.Number("interval-ms", 50);
    var floorDll = options.Text("floor-dll", "");
    await using var upstream = await FakeUpstream.StartAsync(upstreamPort);
    var baseUrl = $"{upstreamUrl}/timed/{frames}/{interval}/v1";
    using var client = StreamClient.CreateClient();
    await using (var gateway = await GatewayProcess.StartAsync(dll, cpus, port, baseUrl))
    {
        foreach (var route in new[] { Route.Direct, Route.OpenAI, Route.Anthropic })
        {
            await MeasureTtftAsync(route.ToString().ToLowerInvariant(), route, gateway);
        }

        Result(string.Create(CultureInfo.InvariantCulture, $"test=ttft route=gateway peak_rss_mb={gateway.PeakRssMb:0.0}"));
    }

    // The floor relay in the gateway's seat (--floor-dll): the same OpenAI streams, what the .NET stack itself adds.
    if (floorDll.Length > 0)
    {
        await using var floor = await GatewayProcess.StartRelayAsync(Path.GetFullPath(floorDll), cpus, port, baseUrl);
        await MeasureTtftAsync("floor", Route.OpenAI, floor);
    }

    return 0;

    async Task MeasureTtftAsync(string name, Route route, GatewayProcess target)
    {
        // Warm-up: JIT and connections, not measured.
        await RunManyAsync(client, route, target.Url, baseUrl, Math.Min(40, requests), concurrency, null, null);
        var first = new Percentiles();
        var each = new Percentiles();
        var other = new OtherCpu(target.Pid);
        var errors = await RunManyAsync(client, route, target.Url, baseUrl, requests, concurrency, first, each);
        Console.WriteLine($"{name,-9} first frame ms: p50 {first.At(0.5):0.000} p99 {first.At(0.99):0.000} max {first.Max:0.000} | every frame ms: p50 {each.At(0.5):0.000} p99 {each.At(0.99):0.000} max {each.Max:0.000} | errors {errors} | other CPU {other.Percent:0}%");
        Result($"test=ttft route={name} requests={requests} concurrency={concurrency} frames={frames} interval_ms={interval} {first.Summary("first")} {each.Summary("frame")} errors={errors} other_cpu_pct={other.Percent:0}");
    }
}

static async Task<int> RunManyAsync(HttpClient client, Route route, string gatewayUrl, string baseUrl, int requests, int concurrency, Percentiles? first, Percentiles? each)
{
    var next = 0;
    var errors = 0;
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= requests)
        {
            try
            {
                using var request = StreamClient.CreateRequest(route, gatewayUrl, baseUrl);
                await StreamClient.RunAsync(client, request, first is null ? null : first.Add, each is null ? static _ => { } : each.Add, CancellationToken.None);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                if (Interlocked.Increment(ref errors) <= 3)
                {
                    Console.Error.WriteLine($"[streambench] {route}: {exception.Message}");
                }
            }
        }
    });
    await Task.WhenAll(workers);
    return errors;
}

// 10,000 open streams, each receiving one frame a second: how late is the latest frame, and how
// much memory does the gateway hold for them?
async Task<int> StreamsAsync()
{
    var streams = options.Number("streams", 10_000);
    var seconds = options.Number("seconds", 30);
    var ramp = options.Number("ramp-seconds", 10);
    var warmup = options.Number("warmup-seconds", 0);
    var route = options.Text("route", "openai") == "anthropic" ? Route.Anthropic : Route.OpenAI;
    var target = options.Text("target", "switchyard");
    // Both of this tool's ends on bare sockets (BareStreams.cs): Kestrel and HttpClient here
    // paused this tool as long as the target at this many streams.
    await using var upstream = BareUpstream.Start(upstreamPort);
    var baseUrl = $"{upstreamUrl}/timed/{seconds}/1000/v1";
    await using var gateway = target switch
    {
        "switchyard" => await GatewayProcess.StartAsync(dll, cpus, port, baseUrl),
        "floor" or "yarp" when route == Route.OpenAI =>
            await GatewayProcess.StartRelayAsync(Path.GetFullPath(options.Text(target + "-dll", "")), cpus, port, baseUrl),
        _ => throw new ArgumentException($"--target {target}: switchyard, or floor / yarp (with --{target}-dll, OpenAI route only)"),
    };
    var idleRss = gateway.RssMb;
    if (warmup > 0)
    {
        await WarmUpStreamsAsync(route, warmup, streams / Math.Max(1, ramp) / 4);
    }

    var gatewayEndPoint = new IPEndPoint(IPAddress.Loopback, port);
    var streamRequest = BareClient.Request(route, port, twoFrames: false);
    var each = new Percentiles();
    // Frames that arrive once every stream is open (a second after the ramp) and before the first
    // one ends: the open streams' steady state, without the ramp's connection setup, in which
    // this tool's own GC pauses are as long as the gateway's.
    var steady = new Percentiles();
    var opened = 0;
    var open = 0;
    var completed = 0;
    var errors = 0;
    var late = 0;
    var started = Stopwatch.GetTimestamp();
    var steadyFrom = started + ((ramp + 1) * Stopwatch.Frequency);
    var cpu0 = gateway.CpuSeconds;
    var toolCpu0 = Environment.CpuUsage.TotalTime.TotalSeconds;
    var toolPause0 = GC.GetTotalPauseDuration();
    var other = new OtherCpu(gateway.Pid);
    double peakRss = 0;
    using var sampling = new CancellationTokenSource();
    var peakOpen = 0;
    var lastPause = toolPause0;
    var lastGw = gateway.CpuSeconds;
    var lastTool = Environment.CpuUsage.TotalTime.TotalSeconds;
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            await Task.Delay(1000, CancellationToken.None);
            peakOpen = Math.Max(peakOpen, Volatile.Read(ref open));
            peakRss = Math.Max(peakRss, gateway.PeakRssMb);
            var pause = GC.GetTotalPauseDuration();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  t={Stopwatch.GetElapsedTime(started).TotalSeconds,5:0}s open={Volatile.Read(ref open),6} done={Volatile.Read(ref completed),6} errors={Volatile.Read(ref errors)} frames={each.Count,8} late={Volatile.Read(ref late),6} gateway rss={gateway.RssMb,7:0.0} MB cpu {gateway.CpuSeconds - lastGw:0.00} s; this tool: cpu {Environment.CpuUsage.TotalTime.TotalSeconds - lastTool:0.00} s, GC pauses {(pause - lastPause).TotalMilliseconds,3:0} ms, heap {GC.GetTotalMemory(false) / 1048576.0,3:0} MB"));
            lastPause = pause;
            lastGw = gateway.CpuSeconds;
            lastTool = Environment.CpuUsage.TotalTime.TotalSeconds;
        }
    });
    var tasks = new Task[streams];
    for (var i = 0; i < streams; i++)
    {
        // Spread the opening over the ramp, so the gateway is not measured on a connection storm.
        var due = started + (long)(i * (double)ramp / streams * Stopwatch.Frequency);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }

        tasks[i] = Task.Run(async () =>
        {
            Interlocked.Increment(ref open);
            Interlocked.Increment(ref opened);
            try
            {
                var frames = await BareClient.RunAsync(gatewayEndPoint, streamRequest, delay =>
                {
                    each.Add(delay);
                    if (Volatile.Read(ref opened) == streams && Volatile.Read(ref completed) == 0 && Stopwatch.GetTimestamp() >= steadyFrom)
                    {
                        steady.Add(delay);
                    }

                    if (delay > 50)
                    {
                        Interlocked.Increment(ref late);
                    }
                });
                if (frames == seconds)
                {
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException)
            {
                if (Interlocked.Increment(ref errors) <= 3)
                {
                    Console.Error.WriteLine($"[streambench] stream: {exception.Message}");
                }
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        });
    }

    await Task.WhenAll(tasks);
    await sampling.CancelAsync();
    await sampler;
    var cpu = gateway.CpuSeconds - cpu0;
    var toolCpu = Environment.CpuUsage.TotalTime.TotalSeconds - toolCpu0;
    var toolPause = (GC.GetTotalPauseDuration() - toolPause0).TotalMilliseconds;
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    peakRss = Math.Max(peakRss, gateway.PeakRssMb);
    var exited = gateway.HasExited ? $" GATEWAY EXITED with code {gateway.ExitCode}" : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"streams {streams}, peak open {peakOpen}, completed {completed}, errors {errors}; frame delay ms p50 {each.At(0.5):0.00} p99 {each.At(0.99):0.00} p99.9 {each.At(0.999):0.00} max {each.Max:0.00}; frames over 50 ms {late}; once all were open: p99 {steady.At(0.99):0.00} max {steady.Max:0.00} over {steady.Count} frames; gateway peak RSS {peakRss:0.0} MB (idle {idleRss:0.0}), CPU {cpu:0.0} s, this tool's CPU {toolCpu:0.0} s (paused for its GC {toolPause:0} ms), over {elapsed:0} s{exited}"));
    Result(string.Create(CultureInfo.InvariantCulture,
        $"test=streams target={target} warmup_s={warmup} route={route.ToString().ToLowerInvariant()} streams={streams} peak_open={peakOpen} completed={completed} errors={errors} {each.Summary("frame")} frame_p999={each.At(0.999):0.###} late_over_50ms={late} steady_n={steady.Count} steady_p99={steady.At(0.99):0.###} steady_max={steady.Max:0.###} peak_rss_mb={peakRss:0.0} idle_rss_mb={idleRss:0.0} cpu_s={cpu:0.0} tool_cpu_s={toolCpu:0.0} tool_gc_pause_ms={toolPause:0} elapsed_s={elapsed:0} other_cpu_pct={other.Percent:0} gateway_exited={gateway.HasExited}"));
    return 0;
}

// The harness's warm-up for the open-streams test: streams of two frames a second apart, opened
// at a quarter of the ramp's rate for the given seconds, so the target has met connection setup,
// relaying and teardown (and a JIT its hot code) before the measured ramp, as every harness row
// has before it is measured. Its client's connections close after; the target keeps what it
// pools (upstream connections), as a running gateway would.
async Task WarmUpStreamsAsync(Route route, int seconds, int perSecond)
{
    var gatewayEndPoint = new IPEndPoint(IPAddress.Loopback, port);
    var request = BareClient.Request(route, port, twoFrames: true);
    var started = Stopwatch.GetTimestamp();
    var running = new List<Task>();
    var count = seconds * Math.Max(1, perSecond);
    for (var i = 0; i < count; i++)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(i * (double)seconds / count * Stopwatch.Frequency));
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }

        running.Add(Task.Run(async () =>
        {
            try
            {
                await BareClient.RunAsync(gatewayEndPoint, request, _ => { });
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException)
            {
                // The measured ramp reports errors; the warm-up only warms.
            }
        }));
    }

    await Task.WhenAll(running);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {count} streams over {seconds} s done"));
}

// Request bodies of growing size through passthrough: time added over direct per byte once warm
// at that size, and the gateway's memory after each size.
async Task<int> BodiesAsync()
{
    var sizes = options.Text("sizes", "65536,1048576,8388608").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    var requests = options.Number("requests", 20);
    await using var upstream = await FakeUpstream.StartAsync(upstreamPort);
    var baseUrl = $"{upstreamUrl}/plain/v1";
    await using var gateway = await GatewayProcess.StartAsync(dll, cpus, port, baseUrl, maxBodyBytes: 64L * 1024 * 1024);
    using var client = StreamClient.CreateClient();
    var idleRss = gateway.RssMb;

    // Warm-up (JIT, connections), not measured.
    await TimeBodiesAsync(client, gateway.Url + "/v1/chat/completions", ChatBody(4096), 50, bearer: true);
    foreach (var size in sizes)
    {
        var body = ChatBody(size);

        // And at each size, for up to 3 s: the first few hundred large bodies run 3-5x slower
        // while their code is still at tier 0, which is warm-up, not the cost per byte.
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 20 && warming.Elapsed < TimeSpan.FromSeconds(3); i++)
        {
            await TimeBodiesAsync(client, gateway.Url + "/v1/chat/completions", body, 22, bearer: true);
        }

        var other = new OtherCpu(gateway.Pid);
        var direct = await TimeBodiesAsync(client, baseUrl + "/chat/completions", body, requests, bearer: false);
        var cpu0 = gateway.CpuSeconds;
        var through = await TimeBodiesAsync(client, gateway.Url + "/v1/chat/completions", body, requests, bearer: true);
        var cpuPerRequest = (gateway.CpuSeconds - cpu0) / (requests + 3) * 1000;
        var added = through.At(0.5) - direct.At(0.5);
        var mbPerSecond = added > 0 ? body.Length / 1e6 / (added / 1000) : double.PositiveInfinity;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{body.Length,9} B: direct p50 {direct.At(0.5):0.000} ms, gateway p50 {through.At(0.5):0.000} ms (p99 {through.At(0.99):0.000}), added {added:0.000} ms = {mbPerSecond:0} MB/s; gateway CPU {cpuPerRequest:0.00} ms/request; RSS {gateway.RssMb:0.0} MB, peak {gateway.PeakRssMb:0.0} MB"));
        Result(string.Create(CultureInfo.InvariantCulture,
            $"test=bodies bytes={body.Length} requests={requests} direct_p50_ms={direct.At(0.5):0.###} gateway_p50_ms={through.At(0.5):0.###} gateway_p99_ms={through.At(0.99):0.###} added_ms={added:0.###} mb_per_s={mbPerSecond:0} gateway_cpu_ms={cpuPerRequest:0.###} rss_mb={gateway.RssMb:0.0} peak_rss_mb={gateway.PeakRssMb:0.0} idle_rss_mb={idleRss:0.0} other_cpu_pct={other.Percent:0}"));
    }

    return 0;
}

static byte[] ChatBody(int size)
{
    var head = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":" """u8.ToArray();
    var tail = """ "}],"max_tokens":16}"""u8.ToArray();
    var body = new byte[Math.Max(size, head.Length + tail.Length)];
    head.CopyTo(body, 0);
    var filler = "All work and no play makes a gateway dull. "u8;
    for (var i = head.Length; i < body.Length - tail.Length; i++)
    {
        body[i] = filler[(i - head.Length) % filler.Length];
    }

    tail.CopyTo(body, body.Length - tail.Length);
    return body;
}

static async Task<Percentiles> TimeBodiesAsync(HttpClient client, string url, byte[] body, int requests, bool bearer)
{
    var times = new Percentiles();
    for (var i = 0; i < requests + 3; i++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (bearer)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + GatewayProcess.ClientKey);
        }

        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{url}: HTTP {(int)response.StatusCode}");
        }

        if (i >= 3)
        {
            times.Add(elapsed);
        }
    }

    return times;
}

// Cold start: `serve` with the default configuration (none given) in an empty folder, from the
// moment the process is started to the first 200 from /readyz.
async Task<int> ColdStartAsync()
{
    var runs = options.Number("runs", 5);
    var times = new Percentiles();
    var rss = new Percentiles();
    for (var run = 0; run < runs; run++)
    {
        var folder = Directory.CreateTempSubdirectory("streambench-cold-").FullName;
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("taskset", [.. GatewayProcess.Pinned(cpus, dll), "serve", "--urls", url])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await GatewayProcess.WaitReadyAsync(url, process, TimeSpan.FromSeconds(30));
        var ready = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        times.Add(ready);
        rss.Add(GatewayProcess.ReadStatusKb(process.Id, "VmHWM:") / 1024.0);
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Directory.Delete(folder, recursive: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: ready in {ready:0} ms"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold start to /readyz: median {times.At(0.5):0} ms, min {times.At(0):0}, max {times.Max:0} (peak RSS {rss.At(0.5):0.0} MB)"));
    Result(string.Create(CultureInfo.InvariantCulture, $"test=coldstart runs={runs} ready_ms_p50={times.At(0.5):0} ready_ms_min={times.At(0):0} ready_ms_max={times.Max:0} peak_rss_mb={rss.At(0.5):0.0}"));
    return 0;
}
