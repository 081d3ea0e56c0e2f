using System.Diagnostics;
using System.Globalization;

namespace StreamBench;

/// <summary>
/// CPU per relayed frame (issue #17): N open streams whose upstream paces small frames (one
/// <c>chat.completion.chunk</c> of ~190 bytes each) at a fixed rate, all open and steady before a
/// fixed window; the target's CPU-seconds over the window (user + system, its children included)
/// divided by the stamped frames the client received in it. Per-request work (connect, auth,
/// request log) falls outside the window: what is left is what relaying a frame costs. Each target
/// takes the gateway's seat in turn, started fresh: nginx and the two floor relays for reference,
/// then Switchyard passthrough and Switchyard translated (Anthropic client, OpenAI upstream).
/// </summary>
public sealed class FrameCost
{
    private readonly int _streams;
    private readonly int _intervalMs;
    private readonly int _seconds;
    private readonly int _ramp;
    private readonly int _settle;
    private readonly string _upstreamUrl;

    private FrameCost(Options options, string upstreamUrl)
    {
        _streams = options.Number("streams", 1000);
        _intervalMs = Math.Max(1, (int)Math.Round(1000.0 / options.Number("rate", 20)));
        _seconds = options.Number("seconds", 20);
        _ramp = options.Number("ramp-seconds", 5);
        _settle = options.Number("settle-seconds", 3);
        _upstreamUrl = upstreamUrl;
    }

    /// <summary>The frames each stream is sent at this rate, in its own time (1000 / interval ms).</summary>
    private double Rate => 1000.0 / _intervalMs;

    /// <summary>
    /// <c>frames --dll Switchyard.dll [--floor-dll Floor.dll] [--yarp-dll YarpRelay.dll] [--nginx PATH
    /// --nginx-conf bench/nginx/proxy.conf.in] [--routes nginx,floor,yarp,openai,anthropic]
    /// [--streams 1000] [--rate 20] [--seconds 20] [--ramp-seconds 5] [--settle-seconds 3]</c>:
    /// every route whose binary is given, unless <c>--routes</c> names them.
    /// </summary>
    public static async Task<int> RunAsync(Options options, string dll, string cpus, int port, int upstreamPort)
    {
        var upstreamUrl = $"http://127.0.0.1:{upstreamPort}";
        var test = new FrameCost(options, upstreamUrl);
        // Full paths: each target starts in a temp folder of its own.
        static string FullPath(string path) => path.Length == 0 ? path : Path.GetFullPath(path);
        dll = FullPath(dll);
        var floorDll = FullPath(options.Text("floor-dll", ""));
        var yarpDll = FullPath(options.Text("yarp-dll", ""));
        var nginx = FullPath(options.Text("nginx", ""));
        var nginxConf = FullPath(options.Text("nginx-conf", "bench/nginx/proxy.conf.in"));
        var known = new (string Name, Route Route, string? Missing, Func<string, Task<GatewayProcess>> Start)[]
        {
            ("nginx", Route.OpenAI, nginx.Length == 0 ? "--nginx" : null, url => GatewayProcess.StartNginxAsync(nginx, nginxConf, cpus, port, url)),
            ("floor", Route.OpenAI, floorDll.Length == 0 ? "--floor-dll" : null, url => GatewayProcess.StartRelayAsync(floorDll, cpus, port, url)),
            ("yarp", Route.OpenAI, yarpDll.Length == 0 ? "--yarp-dll" : null, url => GatewayProcess.StartRelayAsync(yarpDll, cpus, port, url)),
            ("openai", Route.OpenAI, null, url => GatewayProcess.StartAsync(dll, cpus, port, url)),
            ("anthropic", Route.Anthropic, null, url => GatewayProcess.StartAsync(dll, cpus, port, url)),
        };
        var asked = options.Text("routes", "");
        var routes = asked.Length == 0
            ? known.Where(k => k.Missing is null).ToList()
            : [.. asked.Split(',').Select(name => known.FirstOrDefault(k => k.Name == name))];
        foreach (var route in routes)
        {
            if (route.Name is null || route.Missing is not null)
            {
                await Console.Error.WriteLineAsync($"frames: --routes {asked}: unknown route or its binary not given ({route.Missing ?? "routes: nginx, floor, yarp, openai, anthropic"})");
                return 2;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{test._streams} streams, {test.Rate:0.#} frames/s each ({test._streams * test.Rate:0} frames/s in all), opened over {test._ramp} s, {test._settle} s to settle, then measured for {test._seconds} s"));
        await using var upstream = await FakeUpstream.StartAsync(upstreamPort);
        foreach (var route in routes)
        {
            // One target that fails to start (a missing library, a port in use) costs its row only.
            try
            {
                await test.MeasureAsync(route.Name, route.Route, route.Start);
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
            {
                Console.WriteLine($"{route.Name,-9} failed: {exception.Message}");
                Console.WriteLine($"RESULT test=frames route={route.Name} failed=True");
            }
        }

        return 0;
    }

    private async Task MeasureAsync(string name, Route route, Func<string, Task<GatewayProcess>> start)
    {
        // Every stream lasts past the window wherever in the ramp it opened.
        var framesPerStream = (int)Math.Ceiling((_ramp + _settle + _seconds + 2) * Rate);
        var baseUrl = $"{_upstreamUrl}/timed/{framesPerStream}/{_intervalMs}/v1";
        await using var target = await start(baseUrl);
        var idleRss = target.RssMb;
        using var client = StreamClient.CreateClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_ramp + (framesPerStream / Rate) + 60));
        var delays = new Percentiles();
        long frames = 0;
        var measuring = 0;
        var late = 0;
        var completed = 0;
        var errors = 0;
        var started = Stopwatch.GetTimestamp();
        var tasks = new Task[_streams];
        for (var i = 0; i < _streams; i++)
        {
            // Spread the opening over the ramp: the window measures relaying, not a connection storm.
            await DelayUntilAsync(started, i * (double)_ramp / _streams);
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    using var request = StreamClient.CreateRequest(route, target.Url, baseUrl);
                    var seen = await StreamClient.RunAsync(client, request, null, delay =>
                    {
                        Interlocked.Increment(ref frames);
                        if (Volatile.Read(ref measuring) == 1)
                        {
                            delays.Add(delay);
                            if (delay > 50)
                            {
                                Interlocked.Increment(ref late);
                            }
                        }
                    }, deadline.Token);
                    if (seen == framesPerStream)
                    {
                        Interlocked.Increment(ref completed);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
                {
                    if (Interlocked.Increment(ref errors) <= 3)
                    {
                        await Console.Error.WriteLineAsync($"[streambench] {name}: {exception.Message}");
                    }
                }
            });
        }

        await DelayUntilAsync(started, _ramp + _settle);
        var cpu0 = target.CpuSeconds;
        var tool0 = Environment.CpuUsage.TotalTime.TotalSeconds;
        var frames0 = Interlocked.Read(ref frames);
        var other = new OtherCpu(target.Pid);
        var window0 = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, 1);
        await DelayUntilAsync(started, _ramp + _settle + _seconds);
        Volatile.Write(ref measuring, 0);
        var relayed = Interlocked.Read(ref frames) - frames0;
        var cpu = target.CpuSeconds - cpu0;
        var toolCpu = Environment.CpuUsage.TotalTime.TotalSeconds - tool0;
        var window = Stopwatch.GetElapsedTime(window0).TotalSeconds;
        var otherPercent = other.Percent;
        var peakRss = target.PeakRssMb;
        await Task.WhenAll(tasks);

        var expected = _streams * Rate * window;
        var microseconds = relayed > 0 ? cpu * 1e6 / relayed : double.NaN;
        var targetPercent = cpu / window * 100;
        // A target that could not keep up relays late frames in fewer, larger writes: cheaper per
        // frame than a relay with room to spare, so such a figure is flagged, not compared.
        var saturated = targetPercent >= 90 || relayed < 0.95 * expected;
        var exited = target.HasExited ? $" TARGET EXITED with code {target.ExitCode}" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-9} {microseconds,6:0.0} µs/frame: {relayed} frames ({relayed / window:0}/s of {expected / window:0}/s) for {cpu:0.00} CPU-s in {window:0.0} s ({targetPercent:0}% of its core{(saturated ? ", SATURATED" : "")}); frame delay ms p50 {delays.At(0.5):0.00} p99 {delays.At(0.99):0.00} max {delays.Max:0.00}, {late} over 50 ms; {completed} streams completed, {errors} errors; RSS idle {idleRss:0.0} / peak {peakRss:0.0} MB; this tool {toolCpu / window * 100:0}% of CPU 1, other {otherPercent:0}%{exited}"));
        Console.WriteLine("RESULT " + string.Create(CultureInfo.InvariantCulture,
            $"test=frames route={name} streams={_streams} rate={Rate:0.##} window_s={window:0.0} frames={relayed} expected_frames={expected:0} cpu_s={cpu:0.00} us_per_frame={microseconds:0.0} target_cpu_pct={targetPercent:0} saturated={saturated} {delays.Summary("frame")} late_over_50ms={late} completed={completed} errors={errors} idle_rss_mb={idleRss:0.0} peak_rss_mb={peakRss:0.0} tool_cpu_pct={toolCpu / window * 100:0} other_cpu_pct={otherPercent:0} target_exited={target.HasExited}"));
    }

    private static async Task DelayUntilAsync(long started, double seconds)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), started + (long)(seconds * Stopwatch.Frequency));
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }
    }
}
