using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace StreamBench;

/// <summary>
/// The process under test as a child, pinned with <c>taskset</c> like the harness's target: the
/// published gateway (a bench configuration in a fresh temp folder, SQLite there too, waited for
/// on <c>/readyz</c>), or one of the reference relays in its seat (a floor relay or nginx, waited
/// for on its port); measured from <c>/proc</c> with its children, stopped with its process tree.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    public const string ClientKey = "sk-bench-client";

    private readonly Process _process;
    private readonly string _folder;

    private GatewayProcess(Process process, string folder, string url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public string Url { get; }

    public int Pid => _process.Id;

    /// <summary>Starts the gateway with the bench configuration for an OpenAI upstream at <paramref name="upstreamBaseUrl"/>.</summary>
    public static async Task<GatewayProcess> StartAsync(string dll, string cpus, int port, string upstreamBaseUrl, long maxBodyBytes = 32 * 1024 * 1024)
    {
        var folder = Directory.CreateTempSubdirectory("streambench-gw-").FullName;
        var config = Path.Combine(folder, "switchyard.json");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "masterKey": "sk-bench-master-0000000000000000",
              "storage": { "kind": "sqlite", "path": "{{Path.Combine(folder, "switchyard.db")}}" },
              "limits": { "maxBodyBytes": {{maxBodyBytes}} },
              "providers": [
                { "name": "up", "type": "openai", "baseUrl": "{{upstreamBaseUrl}}", "apiKey": "env:UPSTREAM_API_KEY", "timeoutSeconds": 120 }
              ],
              "models": [ { "id": "gpt-4o-mini", "provider": "up" } ],
              "keys": [ { "key": "{{ClientKey}}", "name": "bench" } ]
            }
            """));
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("taskset", [.. Pinned(cpus, dll), "serve", "--config", config, "--urls", url])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["UPSTREAM_API_KEY"] = "sk-bench-upstream";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return await ReadyOrStoppedAsync(Launch(start, folder, url), process => WaitReadyAsync(url, process, TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// <c>taskset</c>'s arguments that run <paramref name="build"/> on <paramref name="cpus"/>: a
    /// <c>.dll</c> through <c>dotnet</c>, anything else (a NativeAOT build) as the executable it is.
    /// </summary>
    public static string[] Pinned(string cpus, string build) =>
        build.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ["-c", cpus, "dotnet", build] : ["-c", cpus, build];

    /// <summary>
    /// Starts a floor relay (bench/floor, bench/yarp: <c>dotnet RELAY.dll --urls URL</c>) forwarding
    /// <c>POST /v1/chat/completions</c> to <paramref name="upstreamBaseUrl"/><c>/chat/completions</c>,
    /// as bench/floor-target.sh starts it for the harness.
    /// </summary>
    public static async Task<GatewayProcess> StartRelayAsync(string dll, string cpus, int port, string upstreamBaseUrl)
    {
        var folder = Directory.CreateTempSubdirectory("streambench-relay-").FullName;
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("taskset", [.. Pinned(cpus, dll), "--urls", url])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["UPSTREAM_URL"] = upstreamBaseUrl;
        start.Environment["UPSTREAM_API_KEY"] = "sk-bench-upstream";
        start.Environment["DOTNET_NOLOGO"] = "1";
        return await ReadyOrStoppedAsync(Launch(start, folder, url), process => WaitListeningAsync(port, process, TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// Starts nginx as the harness's proxy baseline: <paramref name="template"/> is
    /// bench/nginx/proxy.conf.in, filled in as bench/harness.sh fills it (one worker, keep-alive
    /// pool to the upstream, <c>proxy_buffering off</c>), so <c>/v1/chat/completions</c> goes to
    /// <paramref name="upstreamBaseUrl"/><c>/chat/completions</c>.
    /// </summary>
    public static async Task<GatewayProcess> StartNginxAsync(string nginx, string template, string cpus, int port, string upstreamBaseUrl)
    {
        var folder = Directory.CreateTempSubdirectory("streambench-nginx-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "logs"));
        var upstream = new Uri(upstreamBaseUrl);
        var config = (await File.ReadAllTextAsync(template))
            .Replace("@RUNDIR@", folder, StringComparison.Ordinal)
            .Replace("@PORT@", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@WORKERS@", "1", StringComparison.Ordinal)
            .Replace("@UPSTREAM_HOSTPORT@", $"{upstream.Host}:{upstream.Port}", StringComparison.Ordinal)
            .Replace("@UPSTREAM_PATH@", upstream.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal)
            .Replace("@UPSTREAM_URL@", upstreamBaseUrl, StringComparison.Ordinal);
        if (Regex.IsMatch(config, "@[A-Z_]+@"))
        {
            throw new InvalidOperationException($"{template}: a placeholder this tool does not fill");
        }

        var file = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        var start = new ProcessStartInfo("taskset", ["-c", cpus, nginx, "-p", folder, "-c", file])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return await ReadyOrStoppedAsync(Launch(start, folder, $"http://127.0.0.1:{port}"), process => WaitListeningAsync(port, process, TimeSpan.FromSeconds(30)));
    }

    /// <summary>The target once <paramref name="ready"/> says so; stopped (its log kept and named) if it never is.</summary>
    private static async Task<GatewayProcess> ReadyOrStoppedAsync(GatewayProcess target, Func<Process, Task> ready)
    {
        try
        {
            await ready(target._process);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    private static GatewayProcess Launch(ProcessStartInfo start, string folder, string url)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start");
        process.OutputDataReceived += (_, e) => Log(folder, e.Data);
        process.ErrorDataReceived += (_, e) => Log(folder, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new GatewayProcess(process, folder, url);
    }

    /// <summary>Waits until <paramref name="port"/> accepts connections (for targets without <c>/readyz</c>).</summary>
    public static async Task WaitListeningAsync(int port, Process process, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the target exited with {process.ExitCode} before it listened");
            }

            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"nothing listened on port {port} in time");
    }

    /// <summary>Polls <c>/readyz</c> until it answers 200; returns the time that took.</summary>
    public static async Task<TimeSpan> WaitReadyAsync(string url, Process process, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the gateway exited with {process.ExitCode} before it was ready");
            }

            try
            {
                using var response = await client.GetAsync(url + "/readyz");
                if (response.IsSuccessStatusCode)
                {
                    return Stopwatch.GetElapsedTime(started);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(2);
        }

        throw new TimeoutException("the gateway was not ready in time");
    }

    /// <summary>The peak resident set (VmHWM) of the process and its children, summed, in MB.</summary>
    public double PeakRssMb => Status("VmHWM:");

    public double RssMb => Status("VmRSS:");

    private double Status(string field) => ProcessTree.StatusKb(_process.Id, field) / 1024.0;

    /// <summary>A field of <c>/proc/PID/status</c> in kB; 0 once the process is gone.</summary>
    public static long ReadStatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process has exited.
        }

        return 0;
    }

    /// <summary>The gateway has exited (crashed or was killed).</summary>
    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>CPU seconds (user + system) the process and its children have used.</summary>
    public double CpuSeconds => ProcessTree.Ticks(_process.Id) / ProcessTree.TicksPerSecond;

    private static void Log(string folder, string? line)
    {
        if (line is not null)
        {
            lock (folder)
            {
                File.AppendAllText(Path.Combine(folder, "gateway.log"), line + "\n");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        var log = Path.Combine(_folder, "gateway.log");
        if (File.Exists(log) && new FileInfo(log).Length > 0)
        {
            await Console.Error.WriteLineAsync($"[streambench] gateway log: {log}");
        }
        else
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
