using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Forwarding;

namespace Switchyard.Tests.Forwarding;

/// <summary>The passthrough body's edits: documented ranges clamped, looked up by name in UTF-8 on the stack.</summary>
public sealed class PassthroughPlanTests
{
    [Fact]
    public void Every_passthrough_range_name_fits_the_buffer_it_is_looked_up_in()
    {
        var names = DialectRegistry.All.OfType<IPassthrough>().SelectMany(dialect => dialect.Ranges).Select(range => range.Name).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.InRange(Encoding.UTF8.GetByteCount(name), 1, PassthroughPlan.MaxRangeNameBytes));
    }

    [Fact]
    public void Clamps_the_longest_range_name_and_writes_the_clamped_value_under_it()
    {
        var body = """{"model":"gpt-test","max_completion_tokens":0,"temperature":1,"messages":[]}"""u8.ToArray();
        var topLevel = JsonTopLevel.Scan(body);
        var adjustments = new ParamAdjustments();

        var plan = PassthroughPlan.Prepare(body, topLevel, stream: false, adjustments, ChatCompletionsDialect.Instance);
        using var output = new PooledBufferWriter(256);
        Assert.True(plan.TryRewrite(body, topLevel, "gpt-test", "gpt-test", output));

        var sent = JsonNode.Parse(output.WrittenSpan)!;
        Assert.Equal(1, (int)sent["max_completion_tokens"]!);
        Assert.Equal(1, (double)sent["temperature"]!);
        Assert.Contains(adjustments.Entries, entry => entry.Contains("max_completion_tokens", StringComparison.Ordinal));
    }
}
