using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Metering;

/// <summary>
/// The worst case a request reserves, seen from outside: a key whose <c>tpm</c> is smaller than any
/// request is refused with the reservation in the message, before anything goes upstream. Text that
/// is not English is counted with the model's real tokenizer, every choice asked for is reserved,
/// and Gemini's snake_case <c>generation_config</c> is read like <c>generationConfig</c>.
/// </summary>
public sealed partial class EstimateAdmissionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Cjk = string.Concat(Enumerable.Repeat("東京都の天気は晴れ、気温は二十三度です。明日は雨が降るでしょう。", 40));

    private static readonly int RealTokens = TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(Cjk);

    /// <summary>Per-message and per-request framing the estimate adds to the text's own tokens.</summary>
    private const int Framing = 40;

    private static async Task<(long Reserved, FakeUpstream Upstream)> ReservedAsync(string path, string body)
    {
        var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "counted", ["provider"] = "oai", ["model"] = "gpt-4o-mini" }));
        var (_, secret, _) = await AdminApi.CreateKeyAsync(gateway, new JsonObject { ["name"] = "tiny", ["tpm"] = 10 });
        using var client = gateway.HttpClient(secret);

        using var response = await client.PostAsync(path, Requests.Json(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        return (long.Parse(MayUse().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), upstream);
    }

    [GeneratedRegex(@"may use up to (\d+) tokens")]
    private static partial Regex MayUse();

    [Fact]
    public async Task Reserves_the_real_tokens_of_cjk_text_for_every_choice_asked_for()
    {
        var (reserved, upstream) = await ReservedAsync("/v1/chat/completions",
            $$"""{"model":"counted","n":3,"max_tokens":100,"messages":[{"role":"user","content":"{{Cjk}}"}]}""");
        await using var _ = upstream;

        Assert.InRange(reserved, RealTokens + 3 * 100, RealTokens + 3 * 100 + Framing);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("generationConfig", "candidateCount", "maxOutputTokens")]
    [InlineData("generation_config", "candidate_count", "max_output_tokens")]
    public async Task Reads_geminis_output_cap_in_either_spelling(string config, string candidates, string maxOutput)
    {
        var (reserved, upstream) = await ReservedAsync("/v1beta/models/counted:generateContent",
            $$$"""{"contents":[{"role":"user","parts":[{"text":"{{{Cjk}}}"}]}],"{{{config}}}":{"{{{candidates}}}":2,"{{{maxOutput}}}":7}}""");
        await using var _ = upstream;

        Assert.InRange(reserved, RealTokens + 2 * 7, RealTokens + 2 * 7 + Framing);
        Assert.Empty(upstream.Requests);
    }
}
