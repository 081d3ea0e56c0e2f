using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;
using ZLogger;
using ZLogger.Providers;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// <c>observability.jsonLogs</c>: every event one line holding one JSON object, in the stock JSON
/// console formatter's shape, whatever its message and fields carry.
/// </summary>
public sealed partial class JsonLinesFormatterTests
{
    [Fact]
    public void An_event_of_the_runtimes_kind_carries_its_fields_by_type()
    {
        var lines = Log(logger => logger.LogWarning(new EventId(42), "Slow {Count} of {Name} for {Wait} at {Ratio}, {Missing}",
            3, "up/gpt", TimeSpan.FromSeconds(1.5), 0.25, null));

        var entry = JsonNode.Parse(Assert.Single(lines))!;
        Assert.Matches(TimestampShape(), (string?)entry["Timestamp"]);
        Assert.Equal(42, (int?)entry["EventId"]);
        Assert.Equal("Warning", (string?)entry["LogLevel"]);
        Assert.Equal("Tests.Category", (string?)entry["Category"]);
        Assert.Equal("Slow 3 of up/gpt for 00:00:01.5000000 at 0.25, (null)", (string?)entry["Message"]);
        var state = entry["State"]!.AsObject();
        Assert.Equal((string?)entry["Message"], (string?)state["Message"]);
        Assert.Equal(3, state["Count"]!.GetValue<int>());
        Assert.Equal("up/gpt", state["Name"]!.GetValue<string>());
        Assert.Equal("00:00:01.5000000", state["Wait"]!.GetValue<string>());
        Assert.Equal(0.25, state["Ratio"]!.GetValue<double>());
        Assert.True(state.ContainsKey("Missing"));
        Assert.Null(state["Missing"]);
        Assert.Equal("Slow {Count} of {Name} for {Wait} at {Ratio}, {Missing}", (string?)state["{OriginalFormat}"]);
        Assert.False(entry.AsObject().ContainsKey("Exception"));
    }

    [Fact]
    public void The_request_line_carries_its_fields_as_numbers_booleans_and_text()
    {
        var lines = Log(logger => logger.RequestCompleted("req-1", "chat", "gpt-4o-mini", "up/gpt-4o-mini", 200, 1.25, 1, true, 12, 34, null));

        var entry = JsonNode.Parse(Assert.Single(lines))!;
        Assert.Equal(EventIds.RequestCompleted, (int?)entry["EventId"]);
        Assert.Equal("Information", (string?)entry["LogLevel"]);
        Assert.StartsWith("chat gpt-4o-mini via up/gpt-4o-mini: 200 in 1.2", (string?)entry["Message"], StringComparison.Ordinal);
        var state = entry["State"]!;
        Assert.Equal("req-1", state["RequestId"]!.GetValue<string>());
        Assert.Equal(200, state["Status"]!.GetValue<int>());
        Assert.Equal(1.25, state["ElapsedMs"]!.GetValue<double>());
        Assert.True(state["Stream"]!.GetValue<bool>());
        Assert.Equal(34, state["OutputTokens"]!.GetValue<long>());
        Assert.Null(state["KeyId"]);
    }

    [Fact]
    public void An_exception_and_a_forged_line_stay_inside_one_line()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom\n{\"LogLevel\":\"Critical\"}");
        }
        catch (InvalidOperationException exception)
        {
            thrown = exception;
        }

        var lines = Log(logger => logger.LogError(thrown, "Failed {Path}", "/v1/x\r\n{\"forged\":true}\u2028"));

        var entry = JsonNode.Parse(Assert.Single(lines))!;
        Assert.Equal("Error", (string?)entry["LogLevel"]);
        Assert.Equal("Failed /v1/x\r\n{\"forged\":true}\u2028", (string?)entry["Message"]);
        Assert.Contains("boom", (string?)entry["Exception"], StringComparison.Ordinal);
        Assert.Contains(nameof(An_exception_and_a_forged_line_stay_inside_one_line), (string?)entry["Exception"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_json_cannot_hold_is_written_as_text()
    {
        var lines = Log(logger => logger.LogInformation("{Nan} {Infinity} {Huge}", double.NaN, float.PositiveInfinity, decimal.MaxValue));

        var state = JsonNode.Parse(Assert.Single(lines))!["State"]!;
        Assert.Equal("NaN", state["Nan"]!.GetValue<string>());
        Assert.Equal("Infinity", state["Infinity"]!.GetValue<string>());
        Assert.Equal(decimal.MaxValue, state["Huge"]!.GetValue<decimal>());
    }

    [Fact]
    public void A_field_that_fails_to_format_loses_its_own_event_and_no_other_line()
    {
        var lines = Log(logger =>
        {
            logger.LogInformation("before {Number}", 1);
            // Long enough that the JSON writer hands bytes on before it reaches the failing field.
            logger.LogInformation("flaky {Long} {Value}", new string('x', 100_000), new FailsAfterFirstToString());
            logger.LogInformation("after {Number}", 2);
        });

        Assert.Equal(2, lines.Length);
        Assert.Equal("before 1", (string?)JsonNode.Parse(lines[0])!["Message"]);
        Assert.Equal("after 2", (string?)JsonNode.Parse(lines[1])!["Message"]);
    }

    /// <summary>Formats for the message on the caller's thread, then throws on the writer's.</summary>
    private sealed class FailsAfterFirstToString
    {
        private int _calls;

        public override string ToString() => Interlocked.Increment(ref _calls) == 1 ? "fine" : throw new InvalidOperationException("no longer");
    }

    [Fact]
    public void Any_text_in_a_field_or_the_message_reads_back_from_one_line()
    {
        // Any UTF-16, lone surrogates included (a JSON body's "\ud800" decodes to one): UTF-8 has
        // no such character, so it reads back as U+FFFD, as the text lines write it.
        var text = Gen.String[Gen.Char, 0, 40];
        Gen.Select(text, text).Sample((field, message) =>
        {
            var lines = Log(logger => logger.LogInformation("{Field} {Text}", field, message));

            var entry = JsonNode.Parse(Assert.Single(lines))!;
            Assert.Equal(AsUtf8(field), entry["State"]!["Field"]!.GetValue<string>());
            Assert.Equal(AsUtf8(message), entry["State"]!["Text"]!.GetValue<string>());
            Assert.Equal(AsUtf8(field + " " + message), (string?)entry["Message"]);
        }, iter: 200);
    }

    [Fact]
    public void A_huge_field_is_written_whole_and_its_buffer_let_go()
    {
        var huge = new string('x', 1_000_000);
        JsonLinesFormatter? formatter = null;
        var lines = Log(logger =>
        {
            logger.LogWarning("{Huge}", huge);
            logger.LogInformation("small");
        }, () => formatter = new JsonLinesFormatter());

        Assert.Equal(2, lines.Length);
        Assert.Equal(huge, JsonNode.Parse(lines[0])!["State"]!["Huge"]!.GetValue<string>());
        Assert.Equal("small", (string?)JsonNode.Parse(lines[1])!["Message"]);
        Assert.InRange(formatter!.RetainedBytes, 1, 2 * ConsoleLines.MaxRetainedScratchBytes);
    }

    [Fact]
    public void A_huge_last_event_leaves_nothing_of_it_held_until_the_next()
    {
        JsonLinesFormatter? formatter = null;
        var lines = Log(logger => logger.LogWarning("{Huge}", new string('x', 1_000_000)), () => formatter = new JsonLinesFormatter());

        Assert.Single(lines);
        Assert.InRange(formatter!.RetainedBytes, 1, 2 * ConsoleLines.MaxRetainedScratchBytes);
        Assert.False(formatter.KeepsJsonWriter);
    }

    private static string AsUtf8(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    /// <summary>The lines the formatter wrote for what <paramref name="write"/> logged, once the writer has drained.</summary>
    private static string[] Log(Action<ILogger> write, Func<JsonLinesFormatter>? make = null)
    {
        var output = new MemoryStream();
        var options = new ZLoggerOptions().UseFormatter(make ?? (() => new JsonLinesFormatter()));
        using (var provider = new ZLoggerStreamLoggerProvider(output, options))
        {
            write(provider.CreateLogger("Tests.Category"));
        }

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n');
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex TimestampShape();
}
