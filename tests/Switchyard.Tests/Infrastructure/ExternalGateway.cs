using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A published build of the gateway (a NativeAOT executable, or a published <c>Switchyard.dll</c>
/// run by <c>dotnet</c>) serving a test from its own process, so the suite can show that build
/// behaves as the one it hosts in-process. Chosen by <c>SWITCHYARD_TEST_GATEWAY</c>; tests that need
/// the gateway's services, its log events or its clocks inside the test's process skip under it.
/// </summary>
internal sealed class ExternalGateway : IAsyncDisposable
{
    private readonly Process _process;

    private ExternalGateway(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The build under test, or null to host the gateway in the test's process.</summary>
    public static string? BuildPath { get; } = Environment.GetEnvironmentVariable("SWITCHYARD_TEST_GATEWAY") is { Length: > 0 } path
        ? Path.GetFullPath(path)
        : null;

    /// <summary>The build a test that needs the real <c>serve</c> process runs: the one under test, else the one built beside the tests.</summary>
    public static string ServeBuild => BuildPath ?? Path.Combine(AppContext.BaseDirectory, "Switchyard.dll");

    public string BaseUrl { get; }

    /// <summary>The gateway's process (for <c>dotnet Switchyard.dll</c>, the host the runtime runs in).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process's exit code, once it has been stopped.</summary>
    public int ExitCode { get; private set; } = -1;

    /// <summary>
    /// Starts <c>serve</c> on a free loopback port with only <paramref name="environment"/> (and
    /// what a process needs to run) in its environment, as the in-process gateway sees only that,
    /// and waits until it is ready. Its standard output and error go to <paramref name="output"/>,
    /// each line also to <paramref name="onLine"/> when given.
    /// </summary>
    public static async Task<ExternalGateway> StartAsync(string buildPath, string configPath, IDictionary<string, string>? environment,
        Microsoft.Extensions.Logging.LogLevel minimumLogLevel, StringWriter output, Action<string>? onLine)
    {
        // A port freed for the child can be taken by another test before the child binds it: try again.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}";
            var process = Launch(buildPath, configPath, url, environment, minimumLogLevel, output, onLine);
            if (await WaitUntilReadyAsync(process, url))
            {
                return new ExternalGateway(process, url);
            }

            await process.WaitForExitAsync();
            var captured = Captured(output);
            var exitCode = process.ExitCode;
            Forget(process);
            if (attempt == 3 || !captured.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{buildPath} exited with {exitCode} before it was ready:\n{captured}");
            }

            // The next attempt's output is the gateway's.
            lock (output)
            {
                output.GetStringBuilder().Clear();
            }
        }
    }

    /// <summary>SIGTERM, as a service manager stops it: the gateway drains its ledger and exits.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            ExitCode = _process.ExitCode;
            return;
        }

        await SignalAsync(_process.Id, "TERM");

        // Longer than the host's own 30 s for a graceful stop, so a drain that takes all of it is not cut here.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            ExitCode = _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The gateway did not exit within 45 s of SIGTERM.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Forget(_process);
        }
    }

    private static Process Launch(string buildPath, string configPath, string url, IDictionary<string, string>? environment,
        Microsoft.Extensions.Logging.LogLevel minimumLogLevel, StringWriter output, Action<string>? onLine)
    {
        var start = new ProcessStartInfo
        {
            FileName = buildPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "dotnet" : buildPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        if (start.FileName == "dotnet")
        {
            start.ArgumentList.Add(buildPath);
        }

        foreach (var argument in new[] { "serve", "--config", configPath, "--urls", url })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "HOME", "TMPDIR", "DOTNET_ROOT", "LANG" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        // The level the in-process gateway would be given, through configuration.
        start.Environment["Logging__LogLevel__Default"] = minimumLogLevel.ToString();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        lock (Live)
        {
            Live.Add(process);
        }

        DataReceivedEventHandler capture = (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.WriteLine(line.Data);
                }

                onLine?.Invoke(line.Data);
            }
        };
        process.OutputDataReceived += capture;
        process.ErrorDataReceived += capture;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>True once <c>/readyz</c> answers 200; false if the process exits first.</summary>
    private static async Task<bool> WaitUntilReadyAsync(Process process, string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }

            try
            {
                using var response = await client.GetAsync(url + "/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }

            await Task.Delay(20);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"The gateway at {url} was not ready within 60 s.");
    }

    /// <summary>Every gateway process not yet stopped: killed if the test run ends first (a crash, a cancelled run), so none is left behind.</summary>
    private static readonly HashSet<Process> Live = NewLiveSet();

    private static HashSet<Process> NewLiveSet()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Live)
            {
                foreach (var process in Live)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        // Already exited.
                    }
                }
            }
        };
        return [];
    }

    private static void Forget(Process process)
    {
        lock (Live)
        {
            Live.Remove(process);
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Captured(StringWriter output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }
}
