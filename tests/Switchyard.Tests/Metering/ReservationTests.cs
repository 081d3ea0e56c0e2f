using Switchyard.Dialects;
using System.Text;
using Switchyard.Catalog;
using Switchyard.Dialects.Json;
using Switchyard.Forwarding;
using Switchyard.Metering;

namespace Switchyard.Tests.Metering;

/// <summary>The worst case a request reserves, and the text a relayed stream is charged for.</summary>
public sealed class ReservationTests
{
    private static readonly ModelEntry Model = new()
    {
        Id = "m",
        Kind = ModelKind.Chat,
        Surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! },
        Deployments = [],
        MaxOutputTokens = 1234,
    };

    private static Reservation For(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return Reservation.ForGeneration(body, JsonTopLevel.Scan(body), Model);
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":77}""", 77)]
    [InlineData("""{"model":"m","max_completion_tokens":88,"max_tokens":5}""", 88)]
    [InlineData("""{"model":"m","max_output_tokens":99}""", 99)]
    [InlineData("""{"contents":[],"generationConfig":{"temperature":1,"maxOutputTokens":66}}""", 66)]
    [InlineData("""{"model":"m"}""", 1234)]
    public void Reserves_the_requests_own_output_cap_else_the_models(string json, long output)
    {
        Assert.Equal(output, For(json).OutputTokens);
    }

    [Fact]
    public void Without_any_cap_reserves_the_default_output()
    {
        var body = """{"model":"m"}"""u8.ToArray();

        var reservation = Reservation.ForGeneration(body, JsonTopLevel.Scan(body), new ModelEntry
        {
            Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface>(), Deployments = [],
        });

        Assert.Equal(Reservation.DefaultMaxOutputTokens, reservation.OutputTokens);
    }

    [Fact]
    public void Counts_text_at_four_characters_a_token_and_an_inline_image_as_one_part()
    {
        var text = new string('a', 400);
        var image = "data:image/png;base64," + new string('A', 200_000);

        var plain = For($$"""{"messages":[{"role":"user","content":"{{text}}"}]}""");
        var withImage = For($$$"""{"messages":[{"role":"user","content":[{"type":"text","text":"{{{text}}}"},{"type":"image_url","image_url":{"url":"{{{image}}}"}}]}]}""");

        Assert.InRange(plain.InputTokens, 100, 105);
        Assert.InRange(withImage.InputTokens - plain.InputTokens, 900, 1100);
    }

    [Fact]
    public void Prices_the_worst_case_at_the_dearest_rates_and_at_least_the_minimum()
    {
        var pricing = new Pricing(InputPerMTok: 1, CachedInputPerMTok: 0.1m, CacheWritePerMTok: 1.25m, OutputPerMTok: 10, ReasoningPerMTok: 12, MinimumCharge: 0.001m);

        Assert.Equal((1000 * 1.25m + 500 * 12) / 1_000_000m, new Reservation(1000, 500).Cost(pricing));
        Assert.Equal(0.001m, new Reservation(1, 1).Cost(pricing));
        Assert.Equal(0m, new Reservation(1000, 500).Cost(null));
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"delta":{"content":"abcd"}}]}""", 4)]
    [InlineData("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1}"}}]}}]}""", 9)]
    [InlineData("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo"}}""", 5)]
    [InlineData("""{"type":"response.output_text.delta","delta":"abc"}""", 3)]
    [InlineData("""{"type":"response.output_text.done","text":"abc"}""", 0)]
    [InlineData("""{"candidates":[{"content":{"parts":[{"text":"xy"}]}}]}""", 2)]
    [InlineData("""{"type":"message_start","message":{"content":[],"model":"claude"}}""", 0)]
    public void Counts_the_text_a_relayed_frame_carries_once(string json, long characters)
    {
        Assert.Equal(characters, RelayedTextCounter.CountText(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void A_stream_cut_short_is_charged_at_least_its_relayed_text()
    {
        var relayed = new RelayedUsage { Reported = new Dialects.Canonical.Usage { InputTokens = 50, OutputTokens = 1 } };
        relayed.AddText(40);

        var usage = relayed.ToCharge(inputEstimate: 999);

        Assert.Equal(50, usage.InputTokens);
        Assert.Equal(10, usage.OutputTokens);
    }
}
