using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The console log of the real executable, as an operator reads it (docs/operations.md, "Logs"):
/// one line an event, <c>level: Category[event id] message</c>, the request line included.
/// </summary>
public sealed partial class ConsoleLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Every_event_is_one_line_with_its_level_category_and_id()
    {
        var folder = Directory.CreateTempSubdirectory("switchyard-console-").FullName;
        using var process = Serve(folder);
        try
        {
            var lines = new List<string>();
            string? masterKey = null;
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(Cancel) is { } line)
            {
                lines.Add(line);
                masterKey ??= MasterKeyLine().Match(line) is { Success: true } key ? key.Groups[1].Value : null;
                url = ListeningLine().Match(line) is { Success: true } listening ? listening.Groups[1].Value : null;
            }

            Assert.NotNull(masterKey);
            Assert.NotNull(url);
            await ChatOnceAsync(url, masterKey);

            string? requestLine = null;
            while (requestLine is null && await process.StandardOutput.ReadLineAsync(Cancel) is { } line)
            {
                lines.Add(line);
                requestLine = line.StartsWith("info: Switchyard.Requests[1700] ", StringComparison.Ordinal) ? line : null;
            }

            Assert.Contains(lines, line => line.StartsWith("warn: Switchyard.Hosting.MasterKey[1400] No master key was configured", StringComparison.Ordinal));
            Assert.Matches(RequestLine(), requestLine);
            Assert.All(lines.Where(line => !line.StartsWith("Switchyard master key", StringComparison.Ordinal)), line => Assert.Matches(EventLine(), line));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Cancel);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task With_json_logs_the_request_line_is_one_object_carrying_its_fields()
    {
        const string masterKey = "sk-master-json-logs-0123456789abcdef0123";
        var folder = Directory.CreateTempSubdirectory("switchyard-console-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "switchyard.json"), $$"""
            {"masterKey":"{{masterKey}}","observability":{"jsonLogs":true},
             "providers":[{"name":"echo","type":"echo"}],"models":[{"id":"echo","provider":"echo"}]}
            """, Cancel);
        using var process = Serve(folder);
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(Cancel) is { } line)
            {
                url = JsonListeningLine().Match(line) is { Success: true } listening ? listening.Groups[1].Value : null;
            }

            Assert.NotNull(url);
            var requestId = await ChatOnceAsync(url, masterKey);

            System.Text.Json.Nodes.JsonNode? requestLine = null;
            while (requestLine is null && await process.StandardOutput.ReadLineAsync(Cancel) is { } line)
            {
                var entry = System.Text.Json.Nodes.JsonNode.Parse(line)!;
                requestLine = (int?)entry["EventId"] == 1700 ? entry : null;
            }

            Assert.NotNull(requestLine);
            Assert.Equal("Switchyard.Requests", (string?)requestLine["Category"]);
            Assert.StartsWith("chat echo via ", (string?)requestLine["Message"], StringComparison.Ordinal);
            var state = requestLine["State"]!;
            Assert.Equal("echo", (string?)state["Model"]);
            Assert.Equal(200, (int?)state["Status"]);
            Assert.Equal("master", (string?)state["KeyId"]);
            Assert.Equal(requestId, (string?)state["RequestId"]);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Cancel);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary><c>switchyard serve</c> in <paramref name="folder"/> (where it finds its configuration, if any), on a free port.</summary>
    private static Process Serve(string folder)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Switchyard.dll"), "serve", "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Theory]
    [InlineData("info: A[1] one line\n", "info: A[1] one line\n")]
    [InlineData("fail: A[1000] Unhandled error serving /v1/x\nwarn: Forged[1] line\n", "fail: A[1000] Unhandled error serving /v1/x\n      warn: Forged[1] line\n")]
    [InlineData("fail: A[1] boom\r\n   at Stack.Frame()\r\n", "fail: A[1] boom\n         at Stack.Frame()\n")]
    [InlineData("warn: A[1] bare\rreturn", "warn: A[1] bare\n      return")]
    public void A_newline_inside_an_event_cannot_start_a_line_of_its_own(string written, string expected)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();

        new Switchyard.Diagnostics.IndentedLinesFormatter(new Fixed(written)).FormatLogEntry(output, null!);

        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void A_huge_event_is_written_whole_and_its_buffer_let_go()
    {
        var huge = "info: A[1] " + new string('x', 1_000_000) + "\nwarn: Forged[1] line\n";
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var formatter = new Switchyard.Diagnostics.IndentedLinesFormatter(new Fixed(huge));

        formatter.FormatLogEntry(output, null!);

        Assert.Equal(huge.Replace("\nwarn", "\n      warn", StringComparison.Ordinal), System.Text.Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(0, formatter.RetainedBytes);

        // A usual event's buffer is kept for the next one.
        var usual = new Switchyard.Diagnostics.IndentedLinesFormatter(new Fixed("info: A[1] one line\n"));
        usual.FormatLogEntry(new System.Buffers.ArrayBufferWriter<byte>(), null!);
        Assert.InRange(usual.RetainedBytes, 1, Switchyard.Diagnostics.ConsoleLines.MaxRetainedScratchBytes);
    }

    [Fact(Timeout = 60_000)]
    public async Task Lines_past_the_writers_64_KB_batch_are_all_written()
    {
        // Queued while the console is stuck, 2,000 lines are one batch of ~130 KB for the writer.
        using var console = new StuckConsole();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var options = new ZLogger.ZLoggerOptions { InternalErrorLogger = errors.Enqueue }
            .UseFormatter(() => new Switchyard.Diagnostics.IndentedLinesFormatter(new ZLogger.Formatters.PlainTextZLoggerFormatter()));
        var provider = new ZLogger.Providers.ZLoggerStreamLoggerProvider(console, options);
        try
        {
            var logger = provider.CreateLogger("Tests.Console");
            logger.LogInformation("first");
            await console.Stuck.WaitAsync(Cancel);
            for (var i = 0; i < 2_000; i++)
            {
                logger.LogInformation("line {Number} of a batch larger than the writer's buffer, two lines:\n{Tail}", i, new string('x', 40));
            }
        }
        finally
        {
            console.Release();
            await provider.DisposeAsync();
        }

        Assert.Empty(errors);
        var lines = console.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 2 * 2_000, lines.Length);
        Assert.Equal("      " + new string('x', 40), lines[^1]);
    }

    /// <summary>An inner formatter that writes the same text for any entry.</summary>
    private sealed class Fixed(string text) : ZLogger.IZLoggerFormatter
    {
        public bool WithLineBreak => true;

        public void FormatLogEntry(System.Buffers.IBufferWriter<byte> writer, ZLogger.IZLoggerEntry entry) =>
            System.Buffers.BuffersExtensions.Write(writer, System.Text.Encoding.UTF8.GetBytes(text).AsSpan());
    }

    /// <summary>One chat request to the started gateway, which must answer it; its request id.</summary>
    private static async Task<string> ChatOnceAsync(string url, string masterKey)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", masterKey);
        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"), Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return response.Headers.GetValues("x-request-id").Single();
    }

    [GeneratedRegex(@"\(shown once, store it now\): (sk-\S+)")]
    private static partial Regex MasterKeyLine();

    [GeneratedRegex(@"^info: Microsoft\.Hosting\.Lifetime\[14\] Now listening on: (http://127\.0\.0\.1:\d+)$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex JsonListeningLine();

    [GeneratedRegex(@"^info: Switchyard\.Requests\[1700\] chat echo via \S+: 200 in \d+\.\d ms, 1 attempts, stream False, tokens \d+ in \d+ out, key master, request \S+$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): [\w.]+\[\d+\] \S")]
    private static partial Regex EventLine();
}
