using System.Diagnostics;
using System.Globalization;

namespace StreamBench;

/// <summary>
/// The published gateway as a child process, pinned with <c>taskset</c> like the harness's target:
/// a bench configuration in a fresh temp folder (SQLite there too), started, waited for on
/// <c>/readyz</c>, measured from <c>/proc</c>, stopped with its process tree.
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
        var start = new ProcessStartInfo("taskset", ["-c", cpus, "dotnet", dll, "serve", "--config", config, "--urls", url])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["UPSTREAM_API_KEY"] = "sk-bench-upstream";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("taskset did not start");
        process.OutputDataReceived += (_, e) => Log(folder, e.Data);
        process.ErrorDataReceived += (_, e) => Log(folder, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, folder, url);
        await WaitReadyAsync(url, process, TimeSpan.FromSeconds(60));
        return gateway;
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

    /// <summary>The process's peak resident set (VmHWM), in MB.</summary>
    public double PeakRssMb => Status("VmHWM:");

    public double RssMb => Status("VmRSS:");

    private double Status(string field) => ReadStatusKb(_process.Id, field) / 1024.0;

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

    /// <summary>CPU seconds (user + system) the process has used.</summary>
    public double CpuSeconds
    {
        get
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
                return double.NaN;
            }
        }
    }

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
